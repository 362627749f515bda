// swift-tools-version:6.0
import PackageDescription

// Layers import downwards only:
//   storefront (CLI) -> StorefrontApp -> HTTPServer -> HTTPCore
//                                     -> Postgres   -> CLibPQ
//                                     -> Crypto     -> CCrypto
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
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Pure HTTP/1.1 types, parser and response serializer: no I/O.
        .target(name: "HTTPCore"),
        // epoll event loops, connections, timeouts, graceful shutdown.
        .target(name: "HTTPServer", dependencies: ["HTTPCore"]),
        // Non-blocking libpq client, pool, typed rows, migrations.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        // Hashes, HMAC, scrypt, randomness, constant-time compare through libcrypto.
        .target(name: "Crypto", dependencies: ["CCrypto"]),
        // The application: configuration, middleware, routes, services, repositories.
        .target(name: "StorefrontApp",
                dependencies: ["HTTPCore", "HTTPServer", "Postgres", "Crypto", "CZlib"]),
        .executableTarget(name: "storefront", dependencies: ["StorefrontApp"]),

        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPCore"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "StorefrontAppTests",
                    dependencies: ["StorefrontApp", "HTTPServer", "HTTPCore", "Postgres", "Crypto"]),
    ],
    swiftLanguageModes: [.v6]
)
