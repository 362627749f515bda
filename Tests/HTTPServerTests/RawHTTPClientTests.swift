import Foundation
import Glibc
import HTTPTestSupport
import Synchronization
import Testing
import TestSupport

struct RefusingPortUnavailable: Error {}

/// The test client itself: a failed connect must release its descriptor exactly once.
@Suite(.blockingAllowed) struct RawHTTPClientTests {
    /// A loopback port that refuses connections: bound, never listening, kept for the test.
    static func refusingPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw RefusingPortUnavailable() }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// While failed connects run, another thread keeps opening a pipe (the lowest free
    /// descriptor numbers, the ones a client's socket just had), checking it is still
    /// open, and closing it. A client that closed its socket twice closes some of those
    /// pipes between the opener's `pipe` and its check.
    @Test func aRefusedConnectClosesItsSocketOnce() throws {
        let (portFD, port) = try RawHTTPClientTests.refusingPort()
        defer { close(portFD) }
        let stop = Atomic<Bool>(false), opened = Atomic<Int>(0), lost = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let opener = Thread {
            while !stop.load(ordering: .relaxed) {
                var pair: [Int32] = [0, 0]
                guard pipe(&pair) == 0 else { continue }
                opened.add(1, ordering: .relaxed)
                for _ in 0..<20 where fcntl(pair[0], F_GETFD) == -1 || fcntl(pair[1], F_GETFD) == -1 {
                    lost.add(1, ordering: .relaxed)
                    break
                }
                close(pair[0])
                close(pair[1])
            }
            done.signal()
        }
        opener.start()
        var refused = 0
        for _ in 0..<5_000 where (try? RawHTTPClient(port: port)) == nil { refused += 1 }
        stop.store(true, ordering: .relaxed)
        done.wait()
        #expect(refused == 5_000)
        #expect(opened.load(ordering: .relaxed) > 0)
        #expect(lost.load(ordering: .relaxed) == 0, "pipes closed by someone else")
    }
}
