import Foundation

/// Converts between `Date` and PostgreSQL's ISO text form of `timestamptz`, at millisecond
/// precision and in UTC (every connection runs with `TimeZone = 'UTC'`, `DateStyle = ISO`).
///
/// Written by hand instead of with `DateFormatter`: it is on the hot path of every row and
/// must not depend on locale or calendar settings.
enum TimestampText {
    private static let msPerDay: Int64 = 86_400_000

    /// `2026-02-02 21:30:00.123+00`; years before 1 AD get PostgreSQL's ` BC` suffix.
    static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = ms >= 0 ? ms / msPerDay : -((-ms + msPerDay - 1) / msPerDay)
        let msOfDay = ms - days * msPerDay
        let (year, month, day) = civil(fromDays: days)
        let second = msOfDay / 1000
        var text = pad(year > 0 ? year : 1 - year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += " " + pad(second / 3600, 2) + ":" + pad(second / 60 % 60, 2) + ":"
        text += pad(second % 60, 2) + "." + pad(msOfDay % 1000, 3) + "+00"
        return year > 0 ? text : text + " BC"
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff][+HH[:MM[:SS]]]][ BC]`, `infinity`, `-infinity`.
    /// Digits beyond milliseconds are truncated; a missing offset means UTC.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The same over a cell's bytes in place: two timestamps in every product row, where
    /// copying each into a `String` and then an array cost more than the parse.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Date? {
        var scanner = DigitScanner(bytes)
        if scanner.restIs("infinity") { return .distantFuture }
        if scanner.restIs("-infinity") { return .distantPast }
        guard var year = scanner.number(minDigits: 4), scanner.skip("-"),
              let month = scanner.number(exactDigits: 2), scanner.skip("-"),
              let day = scanner.number(exactDigits: 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var msOfDay: Int64 = 0
        var offsetSeconds: Int64 = 0
        if scanner.skip(" ") || scanner.skip("T") {
            guard let hour = scanner.number(exactDigits: 2), scanner.skip(":"),
                  let minute = scanner.number(exactDigits: 2), scanner.skip(":"),
                  let second = scanner.number(exactDigits: 2) else { return nil }
            msOfDay = ((hour * 60 + minute) * 60 + second) * 1000
            if scanner.skip(".") {
                guard let (digits, count) = scanner.fraction() else { return nil }
                msOfDay += count == 1 ? digits * 100 : count == 2 ? digits * 10 : digits
            }
            if let sign = scanner.sign() {
                guard let hours = scanner.number(exactDigits: 2) else { return nil }
                var offset = hours * 3600
                if scanner.skip(":") {
                    guard let minutes = scanner.number(exactDigits: 2) else { return nil }
                    offset += minutes * 60
                    if scanner.skip(":") {
                        guard let seconds = scanner.number(exactDigits: 2) else { return nil }
                        offset += seconds
                    }
                }
                offsetSeconds = sign * offset
            }
        }
        if scanner.skip(" BC") { year = 1 - year }
        guard scanner.atEnd else { return nil }
        let ms = days(fromCivil: year, month, day) * msPerDay + msOfDay - offsetSeconds * 1000
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian calendar, days since 1970-01-01.
    private static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Howard Hinnant's `days_from_civil`, the inverse of `civil(fromDays:)`.
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A cursor over ASCII bytes for the fixed-layout formats PostgreSQL prints.
private struct DigitScanner {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    /// Whether the unread bytes are exactly `literal`; consumes nothing.
    func restIs(_ literal: StaticString) -> Bool {
        var probe = self
        return probe.skip(literal) && probe.atEnd
    }

    /// Consumes `literal` if the bytes continue with it; nothing otherwise.
    mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
        index += count
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    mutating func number(minDigits: Int = 1, exactDigits: Int? = nil) -> Int64? {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (48...57).contains(bytes[index]), index - start < 9 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        let count = index - start
        if let exact = exactDigits, count != exact { return nil }
        return count >= minDigits ? value : nil
    }

    /// Up to the first three fractional digits as a number, with how many there were (1...3);
    /// later digits are consumed and dropped.
    mutating func fraction() -> (Int64, Int)? {
        var value: Int64 = 0
        var count = 0
        while index < bytes.count, (48...57).contains(bytes[index]) {
            if count < 3 { value = value * 10 + Int64(bytes[index] - 48) }
            count += 1
            index += 1
        }
        return count == 0 ? nil : (value, min(count, 3))
    }
}
