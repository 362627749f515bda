import Glibc

/// The process figures Prometheus client libraries export under these names, read from
/// /proc (proc(5)) at scrape time. Nil where /proc cannot be read (not Linux, or hidden).
enum ProcessFigures {
    /// `process_resident_memory_bytes`: resident pages (/proc/self/statm, field 2) × page size.
    static func residentMemoryBytes() -> Int? {
        guard let statm = read("/proc/self/statm") else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `process_open_fds`: the entries of /proc/self/fd, less the one reading it.
    static func openFileDescriptors() -> Int? {
        guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name),
              let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        // Only the name's first byte is read, through the pointer: a record is `d_reclen`
        // bytes, often shorter than `dirent`, so copying `d_name` (256 bytes) out of the last
        // record of readdir's buffer read past its end.
        var count = 0
        while let entry = readdir(directory) {
            let first = UnsafeRawPointer(entry).load(fromByteOffset: nameOffset, as: UInt8.self)
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1
    }

    /// `process_start_time_seconds`: since the Unix epoch. /proc/self/stat field 22 is the
    /// start in clock ticks after boot; /proc/stat's `btime` is the boot time.
    static func startTimeSeconds() -> Double? {
        guard let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        guard let system = read("/proc/stat"),
              let line = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let boot = Double(line.dropFirst(6).trimmingPrefix(" ")) else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A small /proc file whole (their size reads as 0, so read until end of file).
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
            if bytes.count > 1 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
