import CLinux
import Glibc

/// A failed system call, with the errno it left.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// `accept4(listenFD, address, length)` returning the new descriptor, or `-errno`.
typealias AcceptCall = @Sendable (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32

/// Thin wrappers over the socket and epoll calls the loops use; each returns the raw
/// result and leaves errno handling to the caller, which knows what EAGAIN means there.
enum Sys {
    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func wallClockSeconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        return Int(ts.tv_sec)
    }

    static let accept: AcceptCall = { listenFD, address, length in
        let fd = clinux_accept4(listenFD, address, length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
        return fd >= 0 ? fd : -errno
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32 = 1) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    static func epollControl(_ epollFD: Int32, _ op: Int32, _ fd: Int32, events: UInt32) -> Int32 {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        return epoll_ctl(epollFD, op, fd, &event)
    }

    /// The textual IP address of a peer (`127.0.0.1`, `::1`).
    static func addressString(_ storage: sockaddr_storage) -> String {
        var copy = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(copy.ss_family)
        let ok: Bool = withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout<sockaddr_storage>.size) { raw in
                if family == AF_INET {
                    return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                        var address = sin.pointee.sin_addr
                        return inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil
                    }
                } else if family == AF_INET6 {
                    return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                        var address = sin6.pointee.sin6_addr
                        return inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil
                    }
                }
                return false
            }
        }
        guard ok else { return "" }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let address = String(decoding: text, as: UTF8.self)
        // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
        return address.hasPrefix("::ffff:") && address.contains(".") ? String(address.dropFirst(7)) : address
    }
}
