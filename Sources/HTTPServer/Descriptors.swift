import Glibc

/// The process's file-descriptor budget. Every connection costs one, and so do the
/// database pool, logs and outbound requests; running out must slow accepting down, never
/// spin the loops.
enum Descriptors {
    /// Raises the soft RLIMIT_NOFILE to the hard limit (the soft default is often 1024)
    /// and returns the limit now in force.
    static func raiseSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY clamps to Int.max
    }
}

/// How many connections the server may hold given the process's descriptor limit.
enum ConnectionBudget {
    /// Descriptors kept back for everything that is not a client connection.
    static func reserve(descriptorLimit: Int) -> Int { min(256, descriptorLimit / 4) }

    static func cap(configured: Int, descriptorLimit: Int) -> Int {
        let usable = descriptorLimit - reserve(descriptorLimit: descriptorLimit)
        return max(1, min(configured, usable))
    }
}

extension HTTPServer {
    /// The connection cap in force once started.
    var connectionLimit: Int { core.connectionLimit }
}
