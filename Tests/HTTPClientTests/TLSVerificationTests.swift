import HTTPClient
import HTTPCore
import ReceiverTestSupport
import Testing

/// Every way a certificate can be wrong ends in `.tls`, before a byte of the request is sent.
@Suite struct TLSVerificationTests {
    enum Case: String, CaseIterable, Sendable {
        case unknownIssuer, expired, wrongHost
    }

    @Test(arguments: Case.allCases)
    func badCertificatesFailWithTheTLSError(_ failure: Case) async throws {
        let pki = try await TestPKI.shared.value
        let pair = switch failure {
        case .unknownIssuer: pki.unknownIssuer
        case .expired: pki.expired
        case .wrongHost: pki.wrongHost
        }
        let server = try TestServer(tls: pair, reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient(caFile: pki.caFile)
        for host in ["localhost", "127.0.0.1"] {
            let result = await outcome(client, HTTPClientRequest(method: .post, url: server.url(host: host) + "/", body: [1, 2, 3]))
            guard case .failure(.tls(let reason)) = result else {
                Issue.record("\(failure) via \(host): \(result)")
                continue
            }
            let expected = switch failure {
            case .unknownIssuer: "unable to get local issuer certificate"
            case .expired: "certificate has expired"
            case .wrongHost: host == "localhost" ? "hostname mismatch" : "ip address mismatch"
            }
            #expect(reason.lowercased().contains(expected), "\(failure) via \(host): \(reason)")
        }
        #expect(server.requests.isEmpty)
    }

    @Test func theSystemStoreAloneDoesNotTrustTheTestCA() async throws {
        let pki = try await TestPKI.shared.value
        let server = try TestServer(tls: pki.good, reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient()
        #expect(await outcome(client, HTTPClientRequest(url: server.url(host: "localhost"))).errorKind == .tls)
    }

    @Test func aMissingCAFileFailsAtStartUp() {
        #expect(throws: HTTPClientError.self) {
            _ = try HTTPClient(configuration: HTTPClientConfiguration(caFile: "/nonexistent/ca.pem"))
        }
    }
}

extension String {
    func replacingHTTP() -> String { "https://" + dropFirst("http://".count) }
}
