import Foundation

/// A stock-keeping unit: `[A-Z0-9-]{3,64}` (API.md, Products). Compared exactly: `abc-1`
/// is refused rather than folded, so one SKU has one spelling.
public struct Sku: Sendable, Hashable, CustomStringConvertible {
    public static let rule = StringRule.ascii(Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".utf8), length: 3...64,
                                              describe: "[A-Z0-9-]{3,64}")
    public let value: String
    public init?(_ text: String) {
        guard Sku.rule.check(text) == nil else { return nil }
        value = text
    }
    public var description: String { value }
}

/// An ISO 4217 currency code from the list of currencies a price can be in: the active
/// codes, without the funds, precious metals and testing codes (`XAU`, `XTS`, `XXX`) that
/// name no money a shop charges.
public struct CurrencyCode: Sendable, Hashable, CustomStringConvertible {
    public static let `default` = CurrencyCode(unchecked: "USD")
    public static let known: Set<String> = Set("""
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
        CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
        GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
        LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
        NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
        STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG
        XOF XPF YER ZAR ZMW ZWG
        """.split(whereSeparator: \.isWhitespace).map(String.init))
    public static let rule = StringRule { text in
        CurrencyCode.known.contains(text) ? nil : "must be an ISO 4217 currency code in upper case, e.g. USD"
    }

    public let value: String
    public init?(_ text: String) {
        guard CurrencyCode.known.contains(text) else { return nil }
        value = text
    }
    private init(unchecked text: String) { value = text }
    public var description: String { value }
}

/// An amount in minor units of a currency (`price_cents` + `currency`, API.md
/// Conventions). Bounded well inside 64 bits: 50 order lines of 1,000 items at the highest
/// price still sum to less than `Int64.max`, so totals cannot overflow.
public struct Money: Sendable, Hashable {
    public static let centsRange: ClosedRange<Int64> = 0...999_999_999_999
    public let cents: Int64
    public let currency: CurrencyCode

    public init?(cents: Int64, currency: CurrencyCode) {
        guard Money.centsRange.contains(cents) else { return nil }
        self.cents = cents
        self.currency = currency
    }
}

extension FieldReader {
    mutating func sku(_ name: String = "sku", required: Bool = true) -> Sku? {
        string(name, required: required, Sku.rule).flatMap(Sku.init)
    }

    mutating func currency(_ name: String = "currency", required: Bool = true) -> CurrencyCode? {
        string(name, required: required, CurrencyCode.rule).flatMap(CurrencyCode.init)
    }

    /// A whole number in `range` from the body, as 64 bits. Anything else — a fraction, an
    /// exponent, a number past 64 bits, a string — is an issue on `name`, never a rounding.
    mutating func int64(_ name: String, required: Bool = true, in range: ClosedRange<Int64>) -> Int64? {
        integer(name, required: required, in: Int(range.lowerBound)...Int(range.upperBound)).map(Int64.init)
    }

    /// A whole number in `range` from the query string (`min_price=`): digits only, so
    /// `1e3`, `1.0` and a number past 64 bits are issues on `name` like a bad body field.
    mutating func queryInt64(_ name: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let text = string(name, in: .query, required: false) else { return nil }
        guard let number = Int64(text), range.contains(number) else {
            addIssue(name, "must be an integer between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }
}
