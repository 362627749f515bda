import Foundation
import ReceiverTestSupport
import Testing
import TestSupport
@testable import StorefrontApp

/// The README's ten lines of Python verify a real delivery, and refuse a tampered one:
/// the documented recipe and the signer cannot drift apart.
@Suite struct WebhookSignatureDocTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    static func pythonBlock() throws -> String {
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let marker = text.range(of: "<!-- verify-signature -->\n```python\n"),
              let end = text.range(of: "\n```", range: marker.upperBound..<text.endIndex) else {
            throw TestFailure("README has no verify-signature block")
        }
        return String(text[marker.upperBound..<end.lowerBound])
    }

    @Test func theReadmeRecipeVerifiesADeliveryAndRefusesATamperedOne() async throws {
        try await withWebhooks { hooks in
            let receiver = try TestServer { _ in .text(ok) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let secret = try #require(endpoint.string("secret"))
            _ = try await hooks.api.call("POST", "/api/v1/webhooks/\(endpoint.id)/rotate-secret", bearer: hooks.admin)
            let rotated = try #require(try RunningApp.json(try await hooks.api.call(
                "POST", "/api/v1/webhooks/\(endpoint.id)/rotate-secret", bearer: hooks.admin)).string("secret"))
            // Deliveries are signed "now" by the wall clock, as a receiver would see them.
            var deliverer = hooks.webhooks.deliverer
            deliverer.clock = { Date().addingTimeInterval(60) }
            #expect(try await deliverer.attempt(try await hooks.ping(endpoint.id)) == .succeeded)
            let request = ReceivedRequest(try #require(receiver.requests.first))
            let directory = NSTemporaryDirectory() + "storefront-verify-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try Data(request.body).write(to: URL(fileURLWithPath: directory + "/body"))
            let headers = try JSONSerialization.data(withJSONObject: request.headers)
            try headers.write(to: URL(fileURLWithPath: directory + "/headers.json"))
            let harness = try WebhookSignatureDocTests.pythonBlock() + """

                import json, sys
                headers = json.load(open(sys.argv[2]))
                body = open(sys.argv[3], "rb").read()
                print(verify(sys.argv[1], headers, body), verify(sys.argv[1], headers, body + b" "))
                """
            try harness.write(toFile: directory + "/verify.py", atomically: true, encoding: .utf8)
            func run(_ secret: String) async throws -> String {
                try await Command.run("/usr/bin/python3", [directory + "/verify.py", secret, directory + "/headers.json",
                                                           directory + "/body"])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            // The newest secret and, during the rotation, the one before it; not the first.
            #expect(try await run(rotated) == "True False")
            #expect(try await run(secret) == "False False")
        }
    }
}
