import Testing
@testable import StorefrontApp

/// TRUSTED_PROXIES and X-Forwarded-For: who the client is decides whose budget a request
/// spends, so a spoofed header must never move it.
@Suite struct ClientAddressTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let trusted: [String]
        let peer: String
        let forwardedFor: [String]
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Untrusted peers: the header is whatever the client wrote.
        Case(name: "no proxies configured", trusted: [], peer: "198.51.100.7", forwardedFor: ["203.0.113.9"],
             expected: "198.51.100.7"),
        Case(name: "spoof from an untrusted peer", trusted: ["10.0.0.0/8"], peer: "198.51.100.7",
             forwardedFor: ["10.0.0.1, 203.0.113.9"], expected: "198.51.100.7"),
        Case(name: "untrusted IPv6 peer", trusted: ["2001:db8::/32"], peer: "2001:db9::1",
             forwardedFor: ["2001:db8::5"], expected: "2001:db9::1"),
        Case(name: "trusted peer without the header", trusted: ["127.0.0.1/32"], peer: "127.0.0.1", forwardedFor: [],
             expected: "127.0.0.1"),
        // Trusted chains, walked from the right.
        Case(name: "one trusted hop", trusted: ["127.0.0.1/32"], peer: "127.0.0.1", forwardedFor: ["203.0.113.9"],
             expected: "203.0.113.9"),
        Case(name: "client-claimed entries left of the client are ignored", trusted: ["127.0.0.1/32"],
             peer: "127.0.0.1", forwardedFor: ["1.1.1.1, 203.0.113.9"], expected: "203.0.113.9"),
        Case(name: "two trusted hops", trusted: ["127.0.0.1/32", "10.0.0.0/8"], peer: "127.0.0.1",
             forwardedFor: ["6.6.6.6, 203.0.113.9, 10.1.2.3"], expected: "203.0.113.9"),
        Case(name: "trusted hop that is not a trusted proxy's range stops the walk", trusted: ["127.0.0.1/32"],
             peer: "127.0.0.1", forwardedFor: ["203.0.113.9, 10.1.2.3"], expected: "10.1.2.3"),
        Case(name: "IPv6 chain", trusted: ["::1/128", "fd00::/8"], peer: "::1",
             forwardedFor: ["2001:db8::bad, 2001:db8::1, fd00::10"], expected: "2001:db8::1"),
        Case(name: "IPv4 client behind IPv6 proxies", trusted: ["::1/128", "fd00::/8"], peer: "::1",
             forwardedFor: ["203.0.113.9, fd00::10"], expected: "203.0.113.9"),
        Case(name: "IPv4-mapped hop from a dual-stack proxy is trusted as IPv4", trusted: ["127.0.0.1/32", "10.0.0.0/8"],
             peer: "127.0.0.1", forwardedFor: ["203.0.113.9, ::ffff:10.0.0.2"], expected: "203.0.113.9"),
        // A proxy that adds its own field line rather than appending to the client's.
        Case(name: "separate field lines, proxy's last", trusted: ["127.0.0.1/32"], peer: "127.0.0.1",
             forwardedFor: ["1.1.1.1", "203.0.113.9"], expected: "203.0.113.9"),
        // Every hop trusted: the leftmost is the best we know.
        Case(name: "all hops trusted", trusted: ["127.0.0.1/32", "10.0.0.0/8"], peer: "127.0.0.1",
             forwardedFor: ["10.0.0.7, 10.0.0.2"], expected: "10.0.0.7"),
        // Malformed hops end the walk at the last trusted address.
        Case(name: "garbage only", trusted: ["127.0.0.1/32"], peer: "127.0.0.1", forwardedFor: ["not-an-ip"],
             expected: "127.0.0.1"),
        Case(name: "garbage left of a trusted hop", trusted: ["127.0.0.1/32", "10.0.0.0/8"], peer: "127.0.0.1",
             forwardedFor: ["not-an-ip, 10.0.0.7"], expected: "10.0.0.7"),
        Case(name: "empty header", trusted: ["127.0.0.1/32"], peer: "127.0.0.1", forwardedFor: [""],
             expected: "127.0.0.1"),
        Case(name: "empty hop", trusted: ["127.0.0.1/32"], peer: "127.0.0.1", forwardedFor: ["203.0.113.9, , "],
             expected: "127.0.0.1"),
        Case(name: "address with a port", trusted: ["127.0.0.1/32"], peer: "127.0.0.1",
             forwardedFor: ["203.0.113.9:4711"], expected: "127.0.0.1"),
        Case(name: "bracketed IPv6", trusted: ["127.0.0.1/32"], peer: "127.0.0.1", forwardedFor: ["[2001:db8::1]"],
             expected: "127.0.0.1"),
        Case(name: "largest: 2,000 hops", trusted: ["127.0.0.1/32"], peer: "127.0.0.1",
             forwardedFor: [Array(repeating: "9.9.9.9", count: 1999).joined(separator: ",") + ",203.0.113.9"],
             expected: "203.0.113.9"),
    ]

    @Test(arguments: cases)
    func forwardedForIsWalkedFromTheRightPastTrustedProxiesOnly(_ row: Case) throws {
        let resolver = ClientAddress(trustedProxies: try row.trusted.map { try #require(CIDR($0)) })
        #expect(resolver.resolve(peer: row.peer, forwardedFor: row.forwardedFor) == row.expected)
    }

    static let cidrs: [(text: String, inside: [String], outside: [String])] = [
        ("10.1.0.0/16", ["10.1.0.0", "10.1.255.255", "::ffff:10.1.2.3"], ["10.2.0.1", "::1", "not-an-ip", ""]),
        ("0.0.0.0/0", ["1.2.3.4", "255.255.255.255"], ["::1"]),
        ("192.168.1.77/32", ["192.168.1.77"], ["192.168.1.76"]),
        ("10.0.0.1/8", ["10.200.0.1"], ["11.0.0.1"]),
        ("::1", ["::1", "0:0:0:0:0:0:0:1"], ["::2", "127.0.0.1"]),
        ("2001:db8::/33", ["2001:db8::1", "2001:db8:7fff::1"], ["2001:db8:8000::1", "2001:db9::1"]),
        ("::/0", ["2001:db8::1", "::"], ["1.2.3.4"]),
        ("::ffff:10.0.0.0/104", ["10.9.9.9", "::ffff:10.9.9.9"], ["11.0.0.1"]),
    ]

    @Test(arguments: cidrs)
    func cidrMatchesExactlyItsRange(_ row: (text: String, inside: [String], outside: [String])) throws {
        let cidr = try #require(CIDR(row.text))
        for address in row.inside { #expect(cidr.contains(address), "\(address) in \(row.text)") }
        for address in row.outside { #expect(!cidr.contains(address), "\(address) not in \(row.text)") }
    }

    @Test(arguments: ["", "/", "nonsense", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0/8",
                      "010.0.0.1", "::1/129", "::ffff:10.0.0.0/95", "fe80::1%eth0/64", "[::1]/128", "10.0.0.0/ 8",
                      "10.0.0.0/"])
    func malformedCIDRsAreRefused(_ text: String) {
        #expect(CIDR(text) == nil)
    }
}
