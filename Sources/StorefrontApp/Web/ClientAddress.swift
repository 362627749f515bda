/// Finds the client's IP: the peer address, unless that peer is a trusted proxy, in which
/// case `X-Forwarded-For` is walked from the right past trusted hops (the leftmost values
/// are whatever the client claimed, so they are never believed first).
struct ClientAddress: Sendable {
    let trustedProxies: [CIDR]

    func resolve(peer: String, forwardedFor: String?) -> String {
        guard !trustedProxies.isEmpty, isTrusted(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { String($0).trimmingSpaces }
        for hop in hops.reversed() where !hop.isEmpty {
            if !isTrusted(hop) { return CIDR.parseAddress(hop) == nil ? peer : hop }
        }
        return hops.first.flatMap { CIDR.parseAddress($0) == nil ? nil : $0 } ?? peer
    }

    private func isTrusted(_ ip: String) -> Bool {
        trustedProxies.contains { $0.contains(ip) }
    }
}
