// Fuzz target: the parsers of single header values, each fed the same value, decoded the
// way the head parser decodes field values: Host and Content-Length and the token lists
// (HTTPCore), Authorization's bearer token, X-Request-Id, Accept and Content-Type media
// ranges, X-Forwarded-For and the CIDR networks of TRUSTED_PROXIES (StorefrontApp).
// Besides not crashing, each answer must be consistent with itself (see the checks).
@testable import HTTPCore
@testable import StorefrontApp

private let proxies = ClientAddress(trustedProxies: ["10.0.0.0/8", "::1/128"].compactMap(CIDR.init))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaderValues(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value = HTTPBytes.decodeValue(UnsafeRawBufferPointer(start: data, count: size))

    _ = HostValue.isValid(value)
    if let length = HeadSemantics.parseContentLength(value) {
        check(length >= 0 && value.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }, "Content-Length \(value.debugDescription) -> \(length)")
    }
    for token in HeadSemantics.tokens(value) {
        check(!token.isEmpty && !token.contains(","), "list element \(token.debugDescription) of \(value.debugDescription)")
    }

    if let token = AuthMiddleware.bearerToken(value) {
        check(!token.isEmpty && !token.contains(" "), "bearer token \(token.debugDescription)")
        check(AuthMiddleware.bearerToken("Bearer " + token) == token, "bearer token \(token.debugDescription) does not round-trip")
    }
    if let id = RequestIDMiddleware.accepted(value) {
        check(id == value && (1...128).contains(id.utf8.count), "request id \(id.debugDescription)")
    }

    let essence = MediaRange.essence(value)
    check(!essence.contains(";"), "media type essence \(essence.debugDescription) keeps a parameter")
    _ = MediaRange.accepts(value, type: "application", subtype: "json")

    // A network contains its own address.
    if let network = CIDR(value), let address = value.split(separator: "/", omittingEmptySubsequences: false).first {
        check(network.contains(String(address)), "\(value.debugDescription) does not contain its own address")
    }
    // Through a trusted proxy the client is the peer or a well-formed address; from an
    // untrusted peer the header is never believed.
    let viaProxy = proxies.resolve(peer: "10.1.2.3", forwardedFor: value)
    check(viaProxy == "10.1.2.3" || CIDR.parseAddress(viaProxy) != nil, "client \(viaProxy.debugDescription) from \(value.debugDescription)")
    check(proxies.resolve(peer: "203.0.113.9", forwardedFor: value) == "203.0.113.9", "untrusted peer's X-Forwarded-For believed")
    return 0
}
