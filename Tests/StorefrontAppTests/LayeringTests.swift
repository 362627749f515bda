import Foundation
import Testing

/// ADR 0003 made checkable: Swift has no folder-level imports, so this reads the sources.
/// A domain folder (one with an `XModule.swift`) names another domain's types only where
/// the dependency table allows (its service, and what that service hands back); shared
/// folders name no domain type.
@Suite struct LayeringTests {
    /// Which other domains' types each domain may name. Acyclic: Users, APIKeys, Products and
    /// Webhooks call no other domain; TOTP calls Users; Sessions calls Users and TOTP. A new domain adds a row.
    static let allowed: [String: Set<String>] = [
        "Users": [],
        "APIKeys": [],
        "TOTP": ["UsersService"],
        "Sessions": ["UsersService", "VerifiedSignIn", "TOTPService"],
        "Products": [],
        "Idempotency": [],
        "Orders": ["ProductsService"],
        "Webhooks": [],
    ]
    /// Composition roots: they build every domain and may name them all.
    static let compositionFolders: Set<String> = ["CLI"]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/StorefrontApp").standardized

    /// Top-level folder name -> the code of each file below it, comments removed.
    static func folders() throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for folder in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            let url = root.appendingPathComponent(folder)
            guard (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true,
                  let files = FileManager.default.subpaths(atPath: url.path) else { continue }
            result[folder] = try files.filter { $0.hasSuffix(".swift") }.map { file in
                let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
                return text.split(separator: "\n").map { line in
                    line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line)
                }.joined(separator: "\n")
            }
        }
        return result
    }

    static func declaredTypes(in code: [String]) -> Set<String> {
        let pattern = #/(?:struct|enum|class|protocol|actor)\s+([A-Z][A-Za-z0-9]*)/#
        return Set(code.flatMap { $0.matches(of: pattern).map { String($0.1) } })
    }

    static func names(in code: [String]) -> Set<String> {
        Set(code.flatMap { $0.matches(of: #/[A-Z][A-Za-z0-9]*/#).map { String($0.0) } })
    }

    @Test func everyDomainFolderIsInTheDependencyTable() throws {
        let domains = try LayeringTests.folders().filter { $0.key != "CLI" }
            .filter { name, _ in FileManager.default.fileExists(atPath: LayeringTests.root
                .appendingPathComponent(name).appendingPathComponent("\(name)Module.swift").path) }
        #expect(Set(domains.keys) == Set(LayeringTests.allowed.keys))
    }

    @Test func theDependencyTableHasNoCycle() {
        // A service is named after its domain folder (`UsersService` is Users').
        func edges(_ domain: String) -> [String] {
            (LayeringTests.allowed[domain] ?? []).compactMap { name in
                LayeringTests.allowed.keys.first { name == "\($0)Service" }
            }
        }
        func reaches(_ start: String, _ target: String, _ seen: Set<String>) -> Bool {
            edges(start).contains { $0 == target || (!seen.contains($0) && reaches($0, target, seen.union([$0]))) }
        }
        for domain in LayeringTests.allowed.keys {
            #expect(!reaches(domain, domain, [domain]), "\(domain) depends on itself through the table")
        }
        #expect(edges("Sessions").sorted() == ["TOTP", "Users"])
    }

    @Test func domainsNameOnlyTheServicesTheTableAllows() throws {
        let folders = try LayeringTests.folders()
        let types = LayeringTests.allowed.keys.reduce(into: [String: Set<String>]()) { result, domain in
            result[domain] = LayeringTests.declaredTypes(in: folders[domain] ?? [])
        }
        for (domain, allowed) in LayeringTests.allowed {
            let used = LayeringTests.names(in: folders[domain] ?? [])
            for (other, otherTypes) in types where other != domain {
                let reached = used.intersection(otherTypes).subtracting(allowed)
                #expect(reached.isEmpty, "\(domain)/ names \(other)/'s \(reached.sorted())")
            }
        }
    }

    @Test func sharedFoldersNameNoDomainType() throws {
        let folders = try LayeringTests.folders()
        let domainTypes = LayeringTests.allowed.keys.reduce(into: Set<String>()) { result, domain in
            result.formUnion(LayeringTests.declaredTypes(in: folders[domain] ?? []))
        }
        #expect(domainTypes.contains("UsersService"), "the sources were not found at \(LayeringTests.root.path)")
        for (folder, code) in folders where LayeringTests.allowed[folder] == nil
            && !LayeringTests.compositionFolders.contains(folder) {
            let reached = LayeringTests.names(in: code).intersection(domainTypes)
            #expect(reached.isEmpty, "shared \(folder)/ names \(reached.sorted())")
        }
    }

    /// The README's layout section is how a newcomer finds things: it must match the tree.
    @Test func readmeLayoutListsEveryApplicationFolder() throws {
        let readme = try String(contentsOf: LayeringTests.root.appendingPathComponent("../../README.md").standardized,
                                encoding: .utf8)
        let listed = Set(readme.matches(of: #/\n    ([A-Za-z]+)/ /#).map { String($0.1) })
        let folders = Set(try LayeringTests.folders().keys)
        #expect(listed == folders)
    }
}
