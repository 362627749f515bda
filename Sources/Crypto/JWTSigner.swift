import Foundation

/// Signs and verifies Storefront access tokens: JWTs (RFC 7519) in JWS compact serialization
/// (RFC 7515 §7.1) with HMAC-SHA-256 (`HS256`, RFC 7518 §3.2) and nothing else.
///
/// The algorithm is fixed here, not read from the token: a header naming any other `alg`
/// (`none`, `HS512`, `RS256`, ...) is refused before the signature is looked at, and the only
/// key ever used is the configured HMAC secret, so neither "alg: none" nor RSA/HMAC key
/// confusion can apply (RFC 8725 §2.1, §3.1).
///
/// The secret never appears in `description`, `debugDescription` or mirrors of this value.
public struct JWTSigner: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// RFC 7518 §3.2: an HS256 key must be at least 256 bits.
    public static let minimumSecretBytes = 32
    /// Allowed clock skew is configurable up to this many seconds, never more.
    public static let maximumLeeway: TimeInterval = 30
    /// Longer tokens are refused before any decoding; ours are a few hundred bytes.
    public static let maximumTokenBytes = 4096

    /// `base64url({"alg":"HS256","typ":"JWT"})`: members in sorted order, as PyJWT emits.
    private static let encodedHeader = Base64URL.encode(#"{"alg":"HS256","typ":"JWT"}"#)

    /// Required value of `iss`.
    public let issuer: String
    /// Value `aud` must be or contain.
    public let audience: String
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    public let leeway: TimeInterval
    private let secret: [UInt8]

    /// Throws `.secretTooShort` for a secret under 32 bytes, `.leewayOutOfRange` outside
    /// 0...30 s, `.missingIssuerOrAudience` for an empty issuer or audience.
    public init(secret: [UInt8], issuer: String, audience: String,
                leeway: TimeInterval = 30) throws(JWTConfigurationError) {
        guard secret.count >= Self.minimumSecretBytes else { throw .secretTooShort }
        guard leeway.isFinite, (0...Self.maximumLeeway).contains(leeway) else {
            throw .leewayOutOfRange
        }
        guard !issuer.isEmpty, !audience.isEmpty else { throw .missingIssuerOrAudience }
        self.secret = secret
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    /// The compact JWS `header.payload.signature` for `claims`. The payload is JSON with
    /// sorted keys and unescaped slashes. Throws `.internalFailure` only if encoding or
    /// libcrypto fails.
    public func sign(_ claims: JWTClaims) throws(JWTError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload: Data
        do { payload = try encoder.encode(claims) } catch { throw .internalFailure }
        let signingInput = Self.encodedHeader + "." + Base64URL.encode(Array(payload))
        let tag = try mac(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(tag)
    }

    /// The claims of `token` once every check has passed, in this order: size; shape and
    /// strict base64url; header (`alg` exactly `HS256`, `typ` absent or `JWT`, nothing
    /// else); the HMAC, compared in constant time before any claim is read; claim types;
    /// `iss`; `aud`; `nbf`; `iat`; and last `exp`, so `.expired` implies everything else
    /// was right.
    public func verify(_ token: String, now: Date) throws(JWTError) -> JWTClaims {
        let payload = try verifiedPayload(of: token)
        let claims: JWTClaims
        do {
            claims = try JSONDecoder().decode(JWTClaims.self, from: Data(payload))
        } catch {
            throw .malformed
        }
        guard claims.iss == issuer else { throw .wrongIssuer }
        guard claims.aud.contains(audience) else { throw .wrongAudience }
        // RFC 7519 §4.1.5: valid from nbf on; §4.1.4: valid strictly before exp.
        if let notBefore = claims.nbf, now.addingTimeInterval(leeway) < notBefore {
            throw .notYetValid
        }
        guard claims.iat <= now.addingTimeInterval(leeway) else { throw .issuedInFuture }
        guard now < claims.exp.addingTimeInterval(leeway) else { throw .expired }
        return claims
    }

    /// The decoded payload bytes of `token` after the size, shape, header and signature
    /// checks of `verify`, without reading any claim. For tokens whose claims are not
    /// Storefront's (e.g. the RFC 7515 Appendix A.1 example); applications use `verify`.
    public func verifiedPayload(of token: String) throws(JWTError) -> [UInt8] {
        let text = Array(token.utf8)
        guard text.count <= Self.maximumTokenBytes else { throw .tooLarge }
        let segments = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3,
              let header = Base64URL.decode(utf8: Array(segments[0])),
              let payload = Base64URL.decode(utf8: Array(segments[1])),
              let signature = Base64URL.decode(utf8: Array(segments[2]))
        else { throw .malformed }
        try Self.checkHeader(header)
        // RFC 7515 §5.2 step 8: the MAC covers the segments exactly as received.
        let signingInput = Array(text[..<segments[1].endIndex])
        guard constantTimeEquals(try mac(signingInput), signature) else {
            throw .badSignature
        }
        return payload
    }

    /// RFC 7515 §4.1.1 and RFC 8725 §3.1: the algorithm must be the one we are configured
    /// for. `crit` and key-selecting members (`kid`, `jku`, `jwk`, `x5u`, ...) are refused
    /// too: nothing here understands them (RFC 7515 §4.1.11).
    private static func checkHeader(_ bytes: [UInt8]) throws(JWTError) {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw .malformed
        }
        guard let header = parsed as? [String: Any], let alg = header["alg"] else {
            throw .malformed
        }
        guard let algorithm = alg as? String, algorithm == "HS256" else {
            throw .unsupportedAlgorithm
        }
        if let typ = header["typ"] {
            // RFC 7519 §5.1: "JWT" is the recommended spelling; nothing else is issued here.
            guard let type = typ as? String, type == "JWT" else { throw .unsupportedHeader }
        }
        guard header.keys.allSatisfy({ $0 == "alg" || $0 == "typ" }) else {
            throw .unsupportedHeader
        }
    }

    private func mac(_ input: [UInt8]) throws(JWTError) -> [UInt8] {
        do { return try HMAC.sha256(key: secret, message: input) } catch {
            throw .internalFailure
        }
    }

    public var description: String {
        "JWTSigner(HS256, issuer: \(issuer), audience: \(audience), leeway: \(leeway)s, "
            + "secret: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["issuer": issuer, "audience": audience, "leeway": leeway,
                                "secret": "<redacted>"])
    }
}
