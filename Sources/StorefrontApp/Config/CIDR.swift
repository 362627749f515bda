#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `::1/128` (for TRUSTED_PROXIES).
public struct CIDR: Sendable, Equatable {
    let address: [UInt8]
    let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let raw = CIDR.parseRawAddress(String(parts[0])) else { return nil }
        var prefix = raw.count * 8
        if parts.count == 2 {
            // Digits only: Int() would also take "+8".
            guard parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let value = Int(parts[1]), (0...prefix).contains(value) else { return nil }
            prefix = value
        }
        // `::ffff:10.0.0.0/104` is the IPv4 network 10.0.0.0/8 (RFC 4291 §2.5.5.2).
        if let v4 = CIDR.unmapped(raw) {
            guard prefix >= 96 else { return nil }
            address = v4
            prefixLength = prefix - 96
        } else {
            address = raw
            prefixLength = prefix
        }
    }

    public func contains(_ ip: String) -> Bool {
        CIDR.parseAddress(ip).map(contains) ?? false
    }

    /// `bytes` as `parseAddress` returns them (4 for IPv4, 16 for IPv6).
    func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if bytes[index] & mask != address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// 4 bytes for IPv4 (including IPv4-mapped IPv6, which a dual-stack proxy may write),
    /// 16 for IPv6, nil for anything else (inet_pton: no ports, brackets, zones or octal).
    static func parseAddress(_ text: String) -> [UInt8]? {
        guard let raw = parseRawAddress(text) else { return nil }
        return unmapped(raw) ?? raw
    }

    private static func parseRawAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func unmapped(_ raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 16, raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xFF, raw[11] == 0xFF else { return nil }
        return Array(raw[12...])
    }
}
