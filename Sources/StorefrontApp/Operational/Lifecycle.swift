import Synchronization

/// Process-wide facts the operational endpoints report: when it started and whether it
/// is draining for shutdown.
public final class Lifecycle: Sendable {
    public let startedAt: ContinuousClock.Instant
    private let drainingFlag = Atomic<Bool>(false)

    public init(startedAt: ContinuousClock.Instant = .now) { self.startedAt = startedAt }

    public var isDraining: Bool { drainingFlag.load(ordering: .relaxed) }
    public func beginDraining() { drainingFlag.store(true, ordering: .relaxed) }

    public var uptimeSeconds: Int { Int((ContinuousClock.now - startedAt).components.seconds) }
}

/// One dependency `/ready` asks about. `name` is what the 503 body reports.
public protocol ReadinessCheck: Sendable {
    var name: String { get }
    /// nil when ready, otherwise a short reason.
    func problem() async -> String?
}

public enum StorefrontVersion {
    public static let current = "0.1.0"
}
