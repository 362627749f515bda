// swift-tools-version:6.0
import PackageDescription

// Layers import downwards only:
//   storefront (CLI) -> StorefrontApp -> HTTPServer -> HTTPCore, IOLoop
//                                     -> Postgres   -> CLibPQ, Crypto, IOLoop
//                                     -> Crypto     -> CCrypto
//   Resilience (circuit breaker) -> Locking; the webhook deliverer uses it
//   Locking (the TSan-visible lock) -> CLinux
//   HTTPClient -> HTTPCore, CSSL (outbound requests: webhook deliveries)
// No Swift package dependencies: C libraries come from the system.
let package = Package(
    name: "storefront",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "storefront", targets: ["storefront"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSSL", path: "Sources/CSSL", pkgConfig: "libssl",
                       providers: [.apt(["libssl-dev"])]),
        // epoll and eventfd: libc headers that Swift's Glibc module leaves out.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        // gzip for responses (the compression link).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Pure HTTP/1.1 types, parser and response serializer: no I/O.
        .target(name: "HTTPCore"),
        // Outbound HTTP/1.1 + TLS client on its own epoll loops (webhook deliveries).
        .target(name: "HTTPClient", dependencies: ["HTTPCore", "CSSL", "CLinux", "IOLoop", "Locking"]),
        // The driver protocol (descriptors, timers, jobs on one thread) that lets the
        // Postgres pool run on its own reactor thread or on the HTTP event loops (ADR 0010),
        // the thread reactor and the timer heap. Neither HTTPServer nor Postgres imports the other.
        .target(name: "IOLoop", dependencies: ["CLinux", "Locking"]),
        // epoll event loops, connections, timeouts, graceful shutdown.
        .target(name: "HTTPServer", dependencies: ["HTTPCore", "CLinux", "IOLoop", "Locking"]),
        // Non-blocking libpq client, pool, typed rows, migrations.
        // Crypto for migration checksums (SHA-256), CLinux for epoll event bits.
        .target(name: "Postgres", dependencies: ["CLibPQ", "Crypto", "CLinux", "IOLoop", "Locking"]),
        // Hashes, HMAC, scrypt, randomness, constant-time compare through libcrypto.
        .target(name: "Crypto", dependencies: ["CCrypto"]),
        // Resilience patterns for outbound calls (circuit breaker).
        .target(name: "Resilience", dependencies: ["Locking"]),
        // `Locked`: a mutex whose ordering ThreadSanitizer can see (the only lock type used).
        .target(name: "Locking", dependencies: ["CLinux"]),
        // The application: configuration, middleware, routes, services, repositories.
        .target(name: "StorefrontApp",
                dependencies: ["HTTPCore", "HTTPServer", "HTTPClient", "Resilience", "Postgres", "IOLoop", "Crypto", "CZlib",
                               "Locking"]),
        .executableTarget(name: "storefront", dependencies: ["StorefrontApp"]),
        // Full chain and bare router side by side, for `scripts/bench chain`.
        .executableTarget(name: "storefront-bench", dependencies: ["StorefrontApp"], path: "Sources/StorefrontBench"),
        // What a statement pays for the hop to the pool's reactor thread (ADR 0010).
        .executableTarget(name: "storefront-hop", dependencies: ["Postgres", "CLibPQ"], path: "Sources/StorefrontHop"),

        // A raw-socket HTTP client for tests that need exact bytes on the wire.
        .target(name: "HTTPTestSupport", path: "Tests/HTTPTestSupport"),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"]),
        // Loopback HTTP(S) receivers and a throwaway CA, for the client's and the webhooks' tests.
        .target(name: "ReceiverTestSupport", dependencies: ["CSSL", "TestSupport"], path: "Tests/ReceiverTestSupport"),
        .testTarget(name: "HTTPClientTests",
                    dependencies: ["HTTPClient", "HTTPCore", "CSSL", "TestSupport", "ReceiverTestSupport"]),
        .testTarget(name: "HTTPServerTests",
                    dependencies: ["HTTPServer", "HTTPCore", "IOLoop", "CLinux", "HTTPTestSupport", "TestSupport", "Locking"]),
        // Fresh migrated databases per test and private throwaway clusters.
        .target(name: "TestSupport", dependencies: ["Postgres"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "IOLoop", "TestSupport", "Locking"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "Locking"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "Locking"]),
        .testTarget(name: "LockingTests", dependencies: ["Locking"]),
        .testTarget(name: "StorefrontAppTests",
                    dependencies: ["StorefrontApp", "HTTPServer", "HTTPCore", "Postgres", "IOLoop", "Crypto",
                                   "HTTPTestSupport", "TestSupport", "CZlib", "HTTPClient", "Resilience",
                                   "ReceiverTestSupport", "Locking"]),
    ],
    swiftLanguageModes: [.v6]
)
