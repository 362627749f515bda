/// Finds the client's IP: the peer address, unless that peer is a trusted proxy, in which
/// case `X-Forwarded-For` is walked from the right past trusted hops. Each trusted proxy
/// appends the address it saw, so the first untrusted hop from the right is the client;
/// everything left of it is whatever the client claimed and is never believed.
struct ClientAddress: Sendable {
    let trustedProxies: [CIDR]

    /// - Parameter forwardedFor: every `X-Forwarded-For` field line in order; a proxy may
    ///   add its own line instead of appending to the client's (RFC 9110 §5.3). Only read
    ///   when the peer is a trusted proxy.
    func resolve(peer: String, forwardedFor: @autoclosure () -> [String]) -> String {
        guard !trustedProxies.isEmpty, isTrusted(peer) else { return peer }
        let lines = forwardedFor()
        guard !lines.isEmpty else { return peer }
        var client = peer
        for hop in lines.joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false).reversed() {
            let address = String(hop).trimmingSpaces
            // A hop no trusted proxy would write ends the walk: the last trusted one is all we know.
            guard let bytes = CIDR.parseAddress(address) else { return client }
            if !isTrusted(bytes) { return address }
            client = address
        }
        return client
    }

    private func isTrusted(_ ip: String) -> Bool {
        CIDR.parseAddress(ip).map(isTrusted) ?? false
    }

    private func isTrusted(_ bytes: [UInt8]) -> Bool {
        trustedProxies.contains { $0.contains(bytes) }
    }
}
