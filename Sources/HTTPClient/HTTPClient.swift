import Glibc
import HTTPCore
import Synchronization

/// How the client behaves; read once when it is created.
public struct HTTPClientConfiguration: Sendable {
    /// Which addresses may be connected to (`WEBHOOK_ALLOW_PRIVATE`).
    public var addressPolicy: AddressPolicy
    /// Extra PEM trust anchors on top of the system store (`WEBHOOK_CA_FILE`).
    public var caFile: String?
    public var responseLimits: ResponseParserLimits
    /// epoll threads; requests are spread over them round robin.
    public var eventLoops: Int
    /// getaddrinfo threads, and how many lookups may wait for one.
    public var resolverThreads: Int
    public var maxQueuedLookups: Int

    public init(addressPolicy: AddressPolicy = AddressPolicy(), caFile: String? = nil,
                responseLimits: ResponseParserLimits = ResponseParserLimits(), eventLoops: Int = 1,
                resolverThreads: Int = 2, maxQueuedLookups: Int = 256) {
        self.addressPolicy = addressPolicy
        self.caFile = caFile
        self.responseLimits = responseLimits
        self.eventLoops = eventLoops
        self.resolverThreads = resolverThreads
        self.maxQueuedLookups = maxQueuedLookups
    }
}

/// What every exchange of one client reads: immutable after init.
final class ClientShared: Sendable {
    let configuration: HTTPClientConfiguration
    let resolver: Resolver
    let tlsContext: TLSContext

    init(configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        self.configuration = configuration
        tlsContext = try TLSContext(caFile: configuration.caFile)
        resolver = Resolver(threadCount: configuration.resolverThreads, maxQueued: configuration.maxQueuedLookups)
    }
}

/// Set by a task's cancellation handler, read by the exchange when its loop starts it: a
/// cancellation that arrives before the exchange reaches its loop is not lost.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// An HTTP/1.1 client on its own epoll loops, for outbound requests such as webhook
/// deliveries: one request per connection, one deadline over DNS, connect, TLS, request and
/// response, verified TLS through libssl, an address policy applied at connect time, and
/// no redirects. No thread blocks per request: a request costs a socket and a small state
/// machine on a loop, so a receiver that hangs delays nothing but its own request.
/// See docs/adr/0007-outbound-http-client.md.
public final class HTTPClient: Sendable {
    private let shared: ClientShared
    private let loops: [ClientLoop]
    private let nextLoop = Atomic<UInt>(0)
    private let nextToken = Atomic<UInt64>(1)
    private let closed = Atomic<Bool>(false)

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        // libssl writes with write(2), which raises SIGPIPE when a receiver has hung up and
        // would end the process; as the server does, the process ignores it and takes EPIPE.
        signal(SIGPIPE, SIG_IGN)
        shared = try ClientShared(configuration: configuration)
        var loops: [ClientLoop] = []
        for _ in 0..<max(1, configuration.eventLoops) { loops.append(try ClientLoop()) }
        self.loops = loops
    }

    deinit { shutDown() }

    public var configuration: HTTPClientConfiguration { shared.configuration }

    /// Requests in flight fail with `.shutDown`, later ones too.
    public func shutDown() {
        closed.store(true, ordering: .releasing)
        for loop in loops { loop.stop() }
        shared.resolver.shutDown()
    }

    public func send(_ request: HTTPClientRequest, timeout: Duration) async throws(HTTPClientError) -> HTTPClientResponse {
        try await send(request, deadline: .now + timeout)
    }

    /// Sends `request` and returns the final response, whatever its status (3xx included).
    /// Throws `.timeout` when the whole exchange has not finished by `deadline`, and
    /// `.cancelled` when the calling task is cancelled first.
    public func send(_ request: HTTPClientRequest, deadline: ContinuousClock.Instant) async throws(HTTPClientError)
        -> HTTPClientResponse
    {
        guard !closed.load(ordering: .acquiring) else { throw .shutDown }
        let url = try HTTPClientURL(request.url)
        if let reason = RequestSerializer.invalidPart(method: request.method, target: url.target, headers: request.headers) {
            throw .invalidRequest(reason)
        }
        let bytes = RequestSerializer.serialize(method: request.method, target: url.target, host: url.hostField,
                                                headers: request.headers, body: request.body)
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let loop = loops[Int(nextLoop.add(1, ordering: .relaxed).newValue % UInt(loops.count))]
        let cancelled = CancellationFlag()
        let shared = self.shared
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>) in
                let exchange = Exchange(token: token, url: url, method: request.method, requestBytes: bytes, deadline: deadline,
                                        shared: shared, loop: loop) { continuation.resume(returning: $0) }
                if !loop.execute({ exchange.start(cancelled: cancelled) }) {
                    continuation.resume(returning: .failure(.shutDown))
                }
            }
        } onCancel: {
            cancelled.set()
            loop.execute { loop.exchange(token)?.fail(.cancelled) }
        }
        return try result.get()
    }

    /// `checkDestination(host:)` for the host of an absolute http(s) URL, which must also be
    /// one `send` accepts (no credentials, a valid port).
    public func checkDestination(url: String) async throws(HTTPClientError) {
        try await checkDestination(host: try HTTPClientURL(url).host)
    }

    /// Resolves `host` (or takes it as an IP literal, without brackets) and applies the address policy to
    /// every address, as a request would: for validating a receiver when it is registered.
    /// Requests still check again when they connect, since the answer may change.
    public func checkDestination(host: String) async throws(HTTPClientError) {
        let addresses: [IPAddress]
        if let literal = IPAddress(host) {
            addresses = [literal]
        } else {
            let resolver = shared.resolver
            let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[IPAddress], HTTPClientError>, Never>) in
                resolver.resolve(host) { continuation.resume(returning: $0) }
            }
            addresses = try result.get()
        }
        try shared.configuration.addressPolicy.check(addresses)
    }
}
