import Glibc

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (inet_pton: no zone ids, no shorthand
    /// IPv4 like `127.1`).
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isV6: Bool { bytes.count == 16 }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isV6 ? AF_INET6 : AF_INET
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What kind of destination an address is, for the outbound request policy.
public enum AddressClass: String, Sendable, Equatable {
    case `public`
    case unspecified
    case loopback
    case `private`
    case linkLocal
    case multicast
    /// Documentation, benchmarking, broadcast and other special-purpose ranges (RFC 6890).
    case reserved
}

/// Which addresses an outbound request may connect to. Webhook receivers are on the public
/// Internet; anything else would let an admin (or a DNS answer) aim the server at its own
/// network (SSRF). The client applies it to every address a name resolves to, at connect
/// time, so a name that changes its answer after registration gains nothing (DNS
/// rebinding); registration validation calls the same function.
public struct AddressPolicy: Sendable, Equatable {
    /// Development and tests: loopback and private receivers are allowed.
    public var allowPrivate: Bool

    public init(allowPrivate: Bool = false) { self.allowPrivate = allowPrivate }

    public func permits(_ address: IPAddress) -> Bool {
        allowPrivate || AddressPolicy.classify(address) == .public
    }

    /// Throws `.forbiddenAddress` for the first of `addresses` the policy refuses. All of
    /// them, not only the first: a name mixing a public and a private answer is refused
    /// whole, so the order of the answer cannot smuggle a private one in.
    public func check(_ addresses: [IPAddress]) throws(HTTPClientError) {
        if let refused = addresses.first(where: { !permits($0) }) {
            throw .forbiddenAddress("\(refused) is \(AddressPolicy.classify(refused).rawValue)")
        }
    }

    public static func classify(_ address: IPAddress) -> AddressClass {
        let b = address.bytes
        return address.isV6 ? classifyV6(b) : classifyV4(b)
    }

    private static func classifyV4(_ b: [UInt8]) -> AddressClass {
        switch (b[0], b[1], b[2]) {
        case (0, _, _): return b == [0, 0, 0, 0] ? .unspecified : .reserved  // 0.0.0.0/8 "this network"
        case (127, _, _): return .loopback
        case (10, _, _), (172, 16...31, _), (192, 168, _): return .private
        case (100, 64...127, _): return .private  // 100.64.0.0/10 carrier-grade NAT (RFC 6598)
        case (169, 254, _): return .linkLocal
        case (224...239, _, _): return .multicast
        case (240...255, _, _): return .reserved  // 240/4 and the broadcast address
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113): return .reserved
        case (198, 18...19, _): return .reserved  // benchmarking (RFC 2544)
        default: return .public
        }
    }

    private static func classifyV6(_ b: [UInt8]) -> AddressClass {
        let first10 = b[0..<10].allSatisfy { $0 == 0 }
        if first10 && b[10] == 0xFF && b[11] == 0xFF {
            return classifyV4(Array(b[12..<16]))  // ::ffff:a.b.c.d, IPv4-mapped
        }
        if first10 && b[10] == 0 && b[11] == 0 {
            if b[12..<15].allSatisfy({ $0 == 0 }) && b[15] <= 1 { return b[15] == 0 ? .unspecified : .loopback }
            return .reserved  // ::a.b.c.d, the deprecated IPv4-compatible form
        }
        // 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) reach the IPv4 address they embed.
        if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return classifyV4(Array(b[12..<16])) }
        if b[0] == 0x20 && b[1] == 0x02 { return classifyV4(Array(b[2..<6])) }
        if b[0] & 0xFE == 0xFC { return .private }  // fc00::/7 unique local
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return .private }  // fec0::/10, deprecated site-local
        if b[0] == 0xFF { return .multicast }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return .reserved }  // documentation
        if b[0] == 0x01 && b[1..<8].allSatisfy({ $0 == 0 }) { return .reserved }  // 100::/64 discard
        return .public
    }
}
