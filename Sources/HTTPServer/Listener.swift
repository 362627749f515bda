import CLinux
import Glibc

/// Opens the listening socket shared by every loop.
enum Listener {
    static func open(host: String, port: Int, backlog: Int32) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw SystemError(call: "getaddrinfo(\(host))", errno: EINVAL)
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                        | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        Sys.setOption(fd, SOL_SOCKET, SO_REUSEADDR)
        if info.pointee.ai_family == AF_INET6 {
            // `::` serves IPv4 clients too.
            Sys.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
        }
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = SystemError(call: "bind(\(host):\(port))", errno: errno)
            close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError(call: "listen", errno: errno)
            close(fd)
            throw error
        }
        return fd
    }

    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return 0 }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                // sin_port and sin6_port sit at the same offset.
                Int(UInt16(bigEndian: $0.pointee.sin_port))
            }
        }
    }
}
