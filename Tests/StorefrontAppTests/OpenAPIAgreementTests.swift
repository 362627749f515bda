import Foundation
import Testing
import TestSupport
@testable import StorefrontApp

/// `openapi.yaml` must describe exactly the routes the server has: no undocumented route,
/// no documented route that does not exist.
@Suite struct OpenAPIAgreementTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `METHOD /path` for every operation under `paths:`. The document keeps paths at two
    /// spaces of indent and methods at four, which this reader relies on.
    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var operations = Set<String>()
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; currentPath = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /") && !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    ") && !line.hasPrefix("     "), let path = currentPath {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        // Built, not started: the route table is all this needs.
        let configuration = try AppConfiguration.fromEnvironment([:], cores: 1)
        let application = try Application(configuration: configuration,
                                      logger: Logger(sink: MemoryLogSink(), minimumLevel: .error))
        let served = Set(application.router.routes.map { "\($0.method.rawValue) \($0.template)" })
        let documented = try OpenAPIAgreementTests.documentedOperations()
        #expect(!documented.isEmpty)
        #expect(served.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
        #expect(documented.subtracting(served).sorted() == [], "documented operations the server lacks")
    }

    /// The whole document against the OpenAPI 3.1 schema, with the reference validator
    /// (`openapi-spec-validator` from PyPI, which scripts/test installs). A missing validator
    /// fails this test rather than skipping it: an invalid document must not go unnoticed.
    @Test func theDocumentIsValidOpenAPI() async throws {
        let path = OpenAPIAgreementTests.repositoryRoot.appendingPathComponent("openapi.yaml").path
        let child = try ChildProcess(["/usr/bin/env", "python3", "-m", "openapi_spec_validator", path])
        let status = await child.exitStatus()
        #expect(status == 0, """
            openapi.yaml is not a valid OpenAPI document (or the validator is missing: \
            python3 -m pip install openapi-spec-validator):
            \(child.standardOutput)\(child.standardError)
            """)
    }

    @Test func everyErrorCodeIsInTheDocument() throws {
        let text = try String(contentsOf: OpenAPIAgreementTests.repositoryRoot.appendingPathComponent("openapi.yaml"),
                              encoding: .utf8)
        for code in ErrorCode.allCases {
            #expect(text.contains(code.rawValue), "\(code.rawValue) missing from openapi.yaml")
        }
    }
}
