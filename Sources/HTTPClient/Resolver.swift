import CLinux
import Foundation
import Glibc

/// Resolves names with getaddrinfo on a few dedicated threads. getaddrinfo blocks (for as
/// long as the DNS server takes), so it must never run on an event loop or on Swift's
/// cooperative pool. A caller's deadline does not wait for it: the exchange times out on
/// its loop and the late answer is dropped.
final class Resolver: Sendable {
    typealias Completion = @Sendable (Result<[IPAddress], HTTPClientError>) -> Void

    private let queue: ResolverQueue

    init(threadCount: Int, maxQueued: Int) {
        queue = ResolverQueue(maxQueued: max(1, maxQueued))
        for index in 0..<max(1, threadCount) {
            let thread = Thread { [queue] in
                // Set from inside the thread: only then does Foundation pass it to the kernel, where
                // `top -H`, `perf` and /proc show it (15 bytes at most).
                Thread.current.name = "client-dns-\(index)"
                queue.runWorker()
            }
            thread.start()
        }
    }

    deinit { queue.shutDown() }

    func shutDown() { queue.shutDown() }

    /// Calls `completion` on a resolver thread with every TCP address of `host`, in the
    /// order getaddrinfo gives (RFC 6724 preference).
    func resolve(_ host: String, completion: @escaping Completion) {
        let accepted = queue.submit { completion(Resolver.lookUp(host)) }
        if !accepted { completion(.failure(.dns("resolver overloaded"))) }
    }

    static func lookUp(_ host: String) -> Result<[IPAddress], HTTPClientError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { return .failure(.dns(String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr, let ip = IPAddress(socketAddress: address) {
                if !addresses.contains(ip) { addresses.append(ip) }
            }
            entry = current.pointee.ai_next
        }
        return addresses.isEmpty ? .failure(.dns("no address for the name")) : .success(addresses)
    }
}

extension IPAddress {
    init?(socketAddress: UnsafePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let sin = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in.self)
            var address = sin.sin_addr
            self.init(bytes: withUnsafeBytes(of: &address) { Array($0) })
        case AF_INET6:
            let sin6 = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in6.self)
            var address = sin6.sin6_addr
            self.init(bytes: withUnsafeBytes(of: &address) { Array($0) })
        default:
            return nil
        }
    }
}

/// A bounded FIFO of lookups and the condition the resolver threads wait on.
private final class ResolverQueue: @unchecked Sendable {
    // Safe: every field is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopped = false
    private let maxQueued: Int

    init(maxQueued: Int) { self.maxQueued = maxQueued }

    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, jobs.count - head < maxQueued else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    func shutDown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    func runWorker() {
        while true {
            condition.lock()
            while head == jobs.count && !stopped { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
