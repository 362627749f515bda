import Foundation

/// The claims of a Storefront access token (RFC 7519 §4.1 registered claims plus `role`).
///
/// Times are NumericDate values (RFC 7519 §2): seconds since the epoch in JSON, `Date` here.
/// They encode as whole seconds; decoding accepts integers and fractions. Claims other than
/// these are ignored on decoding; a listed claim that is missing (except `nbf`) or has the
/// wrong JSON type makes the token `.malformed`.
public struct JWTClaims: Codable, Sendable, Equatable {
    /// Issuer; must equal the verifier's configured issuer.
    public var iss: String
    /// Audience; must be, or contain, the verifier's configured audience (RFC 7519 §4.1.3).
    public var aud: JWTAudience
    /// Subject: the user id.
    public var sub: String
    /// The user's role when the token was issued (`customer`, `admin`).
    public var role: String
    /// Issued at; refused when later than now plus leeway.
    public var iat: Date
    /// Expiry; the token is refused from this instant on (plus leeway), RFC 7519 §4.1.4.
    public var exp: Date
    /// Not before; the token is refused until this instant (minus leeway), RFC 7519 §4.1.5.
    public var nbf: Date?
    /// Unique token id, for logs and revocation lists.
    public var jti: String

    public init(iss: String, aud: JWTAudience, sub: String, role: String, iat: Date, exp: Date,
                nbf: Date? = nil, jti: String) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.role = role
        self.iat = iat
        self.exp = exp
        self.nbf = nbf
        self.jti = jti
    }

    private enum CodingKeys: String, CodingKey {
        case iss, aud, sub, role, iat, exp, nbf, jti
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        aud = try container.decode(JWTAudience.self, forKey: .aud)
        sub = try container.decode(String.self, forKey: .sub)
        role = try container.decode(String.self, forKey: .role)
        iat = try Self.decodeNumericDate(container, .iat)
        exp = try Self.decodeNumericDate(container, .exp)
        nbf = try container.contains(.nbf) ? Self.decodeNumericDate(container, .nbf) : nil
        jti = try container.decode(String.self, forKey: .jti)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(aud, forKey: .aud)
        try container.encode(sub, forKey: .sub)
        try container.encode(role, forKey: .role)
        try container.encode(Self.wholeSeconds(iat, .iat, container), forKey: .iat)
        try container.encode(Self.wholeSeconds(exp, .exp, container), forKey: .exp)
        if let nbf {
            try container.encode(Self.wholeSeconds(nbf, .nbf, container), forKey: .nbf)
        }
        try container.encode(jti, forKey: .jti)
    }

    private static func decodeNumericDate(_ container: KeyedDecodingContainer<CodingKeys>,
                                          _ key: CodingKeys) throws -> Date {
        let seconds = try container.decode(Double.self, forKey: key)
        // JSON has no NaN/Infinity, but a huge exponent can still overflow to infinity.
        guard seconds.isFinite, abs(seconds) < 1e15 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "NumericDate out of range")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func wholeSeconds(_ date: Date, _ key: CodingKeys,
                                     _ container: KeyedEncodingContainer<CodingKeys>) throws
        -> Int64
    {
        guard let seconds = Int64(exactly: date.timeIntervalSince1970.rounded(.down)) else {
            throw EncodingError.invalidValue(
                date, .init(codingPath: container.codingPath + [key],
                            debugDescription: "NumericDate out of range"))
        }
        return seconds
    }
}

/// The `aud` claim: one string, or an array of strings (RFC 7519 §4.1.3).
public enum JWTAudience: Codable, Sendable, Equatable, ExpressibleByStringLiteral {
    case single(String)
    case multiple([String])

    public init(stringLiteral value: String) {
        self = .single(value)
    }

    /// Whether `audience` is this audience or one of them.
    public func contains(_ audience: String) -> Bool {
        switch self {
        case .single(let value): value == audience
        case .multiple(let values): values.contains(audience)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .single(value)
        } else {
            self = .multiple(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .single(let value): try container.encode(value)
        case .multiple(let values): try container.encode(values)
        }
    }
}
