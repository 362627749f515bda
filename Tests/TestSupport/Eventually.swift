/// Polls `condition` every few milliseconds until it holds or `timeout` passes, and returns
/// whether it held: for state that settles asynchronously (a connection handed back, a
/// server restarted), where a fixed sleep would be either flaky or slow.
public func eventually(within timeout: Duration = .seconds(10),
                       isolation: isolated (any Actor)? = #isolation,
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
