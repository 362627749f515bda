/// Why a token was refused (or, for `.internalFailure`, could not be handled).
///
/// Only `.expired` should become `TOKEN_EXPIRED`: it is thrown solely for a token whose
/// signature, header, issuer, audience, `nbf` and `iat` all checked out. Every other case is
/// `UNAUTHORIZED`. No case carries token text or key material, so errors are safe to log.
public enum JWTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Longer than `JWTSigner.maximumTokenBytes`; refused before any decoding.
    case tooLarge
    /// Not three base64url segments, not canonical base64url, not JSON, or claims missing
    /// or of the wrong type.
    case malformed
    /// The header's `alg` is anything but `HS256` (`none`, `HS512`, `RS256`, ...).
    case unsupportedAlgorithm
    /// The header has members other than `alg` and `typ`, or `typ` is not `JWT`.
    case unsupportedHeader
    /// The HMAC does not match.
    case badSignature
    /// `iss` differs from the configured issuer.
    case wrongIssuer
    /// `aud` does not name the configured audience.
    case wrongAudience
    /// `nbf` is later than now plus leeway.
    case notYetValid
    /// `iat` is later than now plus leeway.
    case issuedInFuture
    /// Now is at or past `exp` plus leeway.
    case expired
    /// libcrypto or JSON encoding failed while signing or verifying; a server fault.
    case internalFailure

    public var description: String {
        switch self {
        case .tooLarge: "token too large"
        case .malformed: "token malformed"
        case .unsupportedAlgorithm: "token algorithm not accepted"
        case .unsupportedHeader: "token header not accepted"
        case .badSignature: "token signature invalid"
        case .wrongIssuer: "token issuer not accepted"
        case .wrongAudience: "token audience not accepted"
        case .notYetValid: "token not yet valid"
        case .issuedInFuture: "token issued in the future"
        case .expired: "token expired"
        case .internalFailure: "token processing failed"
        }
    }
}

/// Why a `JWTSigner` could not be configured.
public enum JWTConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HMAC secret is shorter than `JWTSigner.minimumSecretBytes` (RFC 7518 §3.2 requires
    /// a key at least as long as the hash output).
    case secretTooShort
    /// Leeway negative, not finite, or above `JWTSigner.maximumLeeway`.
    case leewayOutOfRange
    /// Issuer or audience is empty.
    case missingIssuerOrAudience

    public var description: String {
        switch self {
        case .secretTooShort: "JWT secret must be at least 32 bytes"
        case .leewayOutOfRange: "JWT leeway must be between 0 and 30 seconds"
        case .missingIssuerOrAudience: "JWT issuer and audience must not be empty"
        }
    }
}
