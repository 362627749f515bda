// Fuzz target: the JWT verify path (JWTSigner, Base64URL). A random token never carries a
// valid HMAC, so half the inputs are signed here first: their header and claims JSON then
// reach the header check and the claims decoder. Properties: base64url is canonical (one
// spelling per byte string); a verified token re-signs to the same claims; changing a
// signature character is always refused.
import Crypto
import Foundation

// The secret of Tests/CryptoTests/Fixtures/pyjwt_tokens.json, so its valid seeds verify as sent.
private let secret = Array("storefront-pyjwt-fixture-secret-not-for-production".utf8)
private let signer: JWTSigner? = try? JWTSigner(secret: secret, issuer: "storefront", audience: "storefront-api")
private let now = Date(timeIntervalSince1970: 1_767_225_600)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let signer, size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let rest = Array(input.dropFirst())
    checkBase64URLIsCanonical(rest)
    if input[0] & 1 == 0 {
        // The text as a token, exactly as a client could send it.
        _ = try? signer.verify(String(decoding: rest, as: UTF8.self), now: now)
    } else {
        // Header JSON, a zero byte, claims JSON: signed with the real key.
        let split = rest.firstIndex(of: 0) ?? rest.count
        let header = Array(rest[..<split])
        let claims = split < rest.count ? Array(rest[(split + 1)...]) : []
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(claims)
        guard let tag = try? HMAC.sha256(key: secret, message: Array(signingInput.utf8)) else { return 0 }
        let token = signingInput + "." + Base64URL.encode(tag)
        checkVerified(token, signer: signer)
        checkTamperedSignatureIsRefused(token, signer: signer)
    }
    return 0
}

private func checkBase64URLIsCanonical(_ bytes: [UInt8]) {
    let encoded = Base64URL.encode(bytes)
    check(Base64URL.decode(encoded) == bytes, "decode(encode(x)) != x for \(bytes)")
    if let decoded = Base64URL.decode(utf8: bytes) {
        check(Base64URL.encode(decoded).utf8.elementsEqual(bytes), "two spellings decode to \(decoded)")
    }
}

private func checkVerified(_ token: String, signer: JWTSigner) {
    guard let claims = try? signer.verify(token, now: now) else { return }
    // sign writes whole seconds, so compare everything but the dates exactly.
    guard let again = try? signer.sign(claims) else { check(false, "verified claims do not sign: \(claims)"); return }
    do {
        let payload = try signer.verifiedPayload(of: again)
        let decoded = try JSONDecoder().decode(JWTClaims.self, from: Data(payload))
        check(decoded.iss == claims.iss && decoded.aud == claims.aud && decoded.sub == claims.sub
              && decoded.role == claims.role && decoded.jti == claims.jti
              && (decoded.nbf == nil) == (claims.nbf == nil),
              "re-signed claims differ: \(claims) -> \(decoded)")
        check(abs(decoded.exp.timeIntervalSince(claims.exp)) < 1, "exp moved: \(claims.exp) -> \(decoded.exp)")
    } catch {
        check(false, "a token we signed does not verify: \(error)")
    }
}

private func checkTamperedSignatureIsRefused(_ token: String, signer: JWTSigner) {
    guard let dot = token.lastIndex(of: "."), token.index(after: dot) < token.endIndex else { return }
    let first = token[token.index(after: dot)]
    let replacement: Character = first == "A" ? "B" : "A"
    let tampered = String(token[...dot]) + String(replacement) + token[token.index(dot, offsetBy: 2)...]
    let original = Result { () throws(JWTError) in try signer.verifiedPayload(of: token) }
    do {
        _ = try signer.verifiedPayload(of: tampered)
        check(false, "a tampered signature verified: \(tampered)")
    } catch {
        // Checks before the MAC (size, header) may refuse it first; otherwise the MAC must.
        if case .success = original { check(error == .badSignature, "tampered signature gave \(error)") }
    }
}
