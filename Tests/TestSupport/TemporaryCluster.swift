import Foundation
import Glibc

/// A private PostgreSQL cluster in a temporary directory, on a free port, for tests that stop
/// and restart the server. Run as the `postgres` user when the tests run as root.
public final class TemporaryCluster: Sendable {
    public let port: Int
    public let directory: URL
    /// Superuser connection string to the cluster's `postgres` database.
    public var conninfo: String { "host=127.0.0.1 port=\(port) user=postgres dbname=postgres" }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }
    private var tool: (String) -> String { { TestEnvironment.binDirectory + "/" + $0 } }

    private init(port: Int, directory: URL) {
        self.port = port
        self.directory = directory
    }

    /// `initdb`, then start. Durability is switched off: the cluster lives for one test.
    public static func start() async throws -> TemporaryCluster {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("storefront-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if geteuid() == 0, let postgres = getpwnam("postgres") {
            chown(directory.path, postgres.pointee.pw_uid, postgres.pointee.pw_gid)
        }
        let cluster = TemporaryCluster(port: try freePort(), directory: directory)
        do {
            try await Command.run(cluster.tool("initdb"), ["-D", cluster.dataDirectory, "-A", "trust", "-U", "postgres",
                                                           "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres: true)
            let settings = """

                listen_addresses = '127.0.0.1'
                port = \(cluster.port)
                unix_socket_directories = ''
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 40

                """
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: cluster.dataDirectory + "/postgresql.conf"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
            try handle.close()
            try await cluster.start()
        } catch {
            try? await cluster.destroy()
            throw error
        }
        return cluster
    }

    /// Starts the server and waits until it accepts connections.
    public func start() async throws {
        try await Command.run(tool("pg_ctl"), ["-D", dataDirectory, "-l", directory.path + "/server.log",
                                               "-w", "-t", "60", "start"], asPostgres: true)
    }

    /// Fast shutdown: sessions are terminated, and it returns once the server is gone.
    public func stop() async throws {
        try await Command.run(tool("pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "stop"], asPostgres: true)
    }

    /// Stops the server if it runs and deletes the directory.
    public func destroy() async throws {
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            _ = try? await Command.run(tool("pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "-w", "stop"],
                                   asPostgres: true)
        }
        try FileManager.default.removeItem(at: directory)
    }

    /// A port nobody listens on right now: bind to port 0 and see what the kernel picked.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError.commandFailed(command: "socket", status: errno, output: "") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw TestSupportError.commandFailed(command: "bind", status: errno, output: "") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
