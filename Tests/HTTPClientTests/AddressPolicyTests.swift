import HTTPClient
import HTTPCore
import ReceiverTestSupport
import Testing

@Suite struct AddressPolicyTests {
    static let classes: [(String, AddressClass)] = [
        ("0.0.0.0", .unspecified), ("0.1.2.3", .reserved), ("127.0.0.1", .loopback), ("127.255.255.254", .loopback),
        ("10.0.0.1", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("172.32.0.1", .public),
        ("192.168.1.1", .private), ("100.64.0.1", .private), ("100.127.255.255", .private), ("100.128.0.1", .public),
        ("169.254.169.254", .linkLocal), ("224.0.0.1", .multicast), ("239.255.255.250", .multicast),
        ("240.0.0.1", .reserved), ("255.255.255.255", .reserved), ("192.0.2.10", .reserved), ("198.18.0.1", .reserved),
        ("8.8.8.8", .public), ("93.184.216.34", .public), ("1.1.1.1", .public),
        ("::", .unspecified), ("::1", .loopback), ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .private),
        ("::ffff:169.254.1.1", .linkLocal), ("::ffff:8.8.8.8", .public), ("::127.0.0.1", .reserved),
        ("fc00::1", .private), ("fd12:3456::1", .private), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("fec0::1", .private), ("ff02::1", .multicast), ("2001:db8::1", .reserved), ("100::1", .reserved),
        ("64:ff9b::7f00:1", .loopback), ("64:ff9b::808:808", .public), ("2002:a00:1::", .private),
        ("2606:4700:4700::1111", .public), ("2001:4860:4860::8888", .public),
    ]

    @Test func everyRangeIsClassified() throws {
        for (text, expected) in AddressPolicyTests.classes {
            let address = try #require(IPAddress(text), "\(text)")
            #expect(AddressPolicy.classify(address) == expected, "\(text)")
            #expect(AddressPolicy().permits(address) == (expected == .public), "\(text)")
            #expect(AddressPolicy(allowPrivate: true).permits(address), "\(text)")
        }
    }

    @Test func addressTextRoundTrips() throws {
        #expect(IPAddress("127.1") == nil)
        #expect(IPAddress("fe80::1%eth0") == nil)
        #expect(try #require(IPAddress("::ffff:127.0.0.1")).description == "::ffff:127.0.0.1")
        #expect(try #require(IPAddress("2001:DB8::1")).description == "2001:db8::1")
    }

    @Test(arguments: [
        "http://127.0.0.1:PORT/", "http://[::1]:PORT/", "http://10.0.0.1:PORT/", "http://169.254.169.254/latest/meta-data",
        "http://localhost:PORT/", "http://[::ffff:127.0.0.1]:PORT/", "http://100.64.0.1/", "http://0.0.0.0:PORT/",
        "https://localhost:PORT/",
    ])
    func privateDestinationsAreRefusedBeforeConnecting(url: String) async throws {
        let server = try TestServer(reply: echoReply)
        defer { server.stop() }
        let client = try HTTPClient()
        let result = await outcome(client, HTTPClientRequest(url: url.replacingOccurrences("PORT", "\(server.port)")))
        #expect(result.errorKind == .forbiddenAddress, "\(result)")
        #expect(server.acceptedCount == 0)
    }

    @Test func allowPrivateReachesTheSameReceivers() async throws {
        let server = try TestServer(reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient()
        for host in ["127.0.0.1", "localhost"] {
            let response = try await client.send(HTTPClientRequest(url: server.url(host: host)), timeout: .seconds(30))
            #expect(response.status.code == 200)
        }
    }

    @Test func registrationUsesTheSameCheck() async throws {
        let strict = try HTTPClient()
        for host in ["localhost", "127.0.0.1", "::1", "10.1.1.1"] {
            await #expect(throws: HTTPClientError.self, "\(host)") { try await strict.checkDestination(host: host) }
        }
        try await strict.checkDestination(host: "8.8.8.8")
        try await strict.checkDestination(url: "https://8.8.8.8/hook")
        await #expect(throws: HTTPClientError.forbiddenAddress("::1 is loopback")) {
            try await strict.checkDestination(url: "https://[::1]:8443/hook")
        }
        await #expect(throws: HTTPClientError.invalidRequest("URL carries credentials")) {
            try await strict.checkDestination(url: "https://user@8.8.8.8/")
        }
        try await loopbackClient().checkDestination(host: "localhost")
        await #expect(throws: HTTPClientError.self) { try await strict.checkDestination(host: "no-such-name.invalid") }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
