import HTTPClient
import HTTPCore
import ReceiverTestSupport
import Synchronization
import Testing
import TestSupport

@Suite struct ConcurrencyTests {
    @Test func aHangingReceiverDoesNotDelayHealthyOnes() async throws {
        let hanging = try TestServer { _ in .hang }
        let healthy = try TestServer(reply: echoReply)
        defer { hanging.stop(); healthy.stop() }
        // One loop and one resolver thread: the hanging request shares everything with the
        // healthy ones.
        let client = try HTTPClient(configuration: HTTPClientConfiguration(addressPolicy: AddressPolicy(allowPrivate: true),
                                                                           eventLoops: 1, resolverThreads: 1))
        let hangingDone = Atomic<Bool>(false)
        let stuck = Task {
            defer { hangingDone.store(true, ordering: .releasing) }
            return await outcome(client, HTTPClientRequest(url: hanging.url(host: "localhost")), timeout: .seconds(120))
        }
        #expect(await eventually(within: .seconds(60)) { hanging.requests.count == 1 })
        let results = await withTaskGroup(of: Result<HTTPClientResponse, HTTPClientError>.self) { group in
            for index in 0..<32 {
                group.addTask {
                    await outcome(client, HTTPClientRequest(method: .post, url: healthy.url(host: "localhost"),
                                                            body: Array("request \(index)".utf8)))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.compactMap(\.response).count == 32, "\(results.compactMap(\.errorKind))")
        #expect(Set(results.compactMap { $0.response.map { String(decoding: $0.body, as: UTF8.self) } }).count == 32)
        let finishedEarly = hangingDone.load(ordering: .acquiring)
        #expect(!finishedEarly)
        // Cancelling the caller ends the hanging exchange at once, long before its deadline.
        stuck.cancel()
        #expect(await stuck.value.errorKind == .cancelled)
        #expect(await eventually(within: .seconds(60)) { hanging.requests.count == 1 && hangingConnectionClosed(hanging) })
    }

    @Test func aCancelledTaskFailsBeforeConnecting() async throws {
        let server = try TestServer(reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await outcome(client, HTTPClientRequest(url: server.url))
        }
        #expect(await task.value.errorKind == .cancelled)
    }

    @Test func shutDownFailsRequestsInFlight() async throws {
        let server = try TestServer { _ in .hang }
        defer { server.stop() }
        let client = try loopbackClient()
        let task = Task { await outcome(client, HTTPClientRequest(url: server.url), timeout: .seconds(120)) }
        #expect(await eventually(within: .seconds(60)) { server.requests.count == 1 })
        client.shutDown()
        #expect(await task.value.errorKind == .shutDown)
    }
}

/// The receiver's connection thread ends when the client closes its socket.
private func hangingConnectionClosed(_ server: TestServer) -> Bool { server.openConnections == 0 }
