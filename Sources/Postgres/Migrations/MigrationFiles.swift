import Crypto
import Foundation

/// One migration as found on disk.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let upFile: URL
    /// `nil` when the migration cannot be reverted.
    public let downFile: URL?
    /// SHA-256 of the up file, hex.
    public let checksum: String

    /// How error messages name the migration: its up file's name.
    var fileName: String { upFile.lastPathComponent }
}

/// Reads a migrations directory: `NNNN_name.up.sql` with an optional `NNNN_name.down.sql`.
/// Other files are ignored unless they end in `.sql`, which must follow the pattern.
enum MigrationFiles {
    static func load(_ directory: URL) throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .fileAccess(directory.path)
        }
        var ups: [Int: (name: String, file: URL)] = [:]
        var downs: [Int: URL] = [:]
        for file in names.sorted() where file.hasSuffix(".sql") {
            guard let (version, name, isUp) = parse(file) else { throw .invalidFileName(file) }
            let url = directory.appendingPathComponent(file)
            if isUp {
                guard ups[version] == nil else { throw .duplicateVersion(version) }
                ups[version] = (name, url)
            } else {
                guard downs[version] == nil else { throw .duplicateVersion(version) }
                downs[version] = url
            }
        }
        for (version, down) in downs where ups[version] == nil {
            throw .missingUpFile(version: version, downFile: down.lastPathComponent)
        }
        return try ups.sorted { $0.key < $1.key }.map { version, up throws(MigrationError) in
            Migration(version: version, name: up.name, upFile: up.file, downFile: downs[version],
                      checksum: try checksum(of: up.file))
        }
    }

    static func contents(of file: URL) throws(MigrationError) -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .fileAccess(file.path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `NNNN_name.up.sql` -> (NNNN, name, true).
    static func parse(_ file: String) -> (Int, String, Bool)? {
        guard let match = file.wholeMatch(of: #/(\d{4})_([A-Za-z0-9_]+)\.(up|down)\.sql/#),
              let version = Int(match.1) else { return nil }
        return (version, String(match.2), match.3 == "up")
    }

    private static func checksum(of file: URL) throws(MigrationError) -> String {
        guard let data = FileManager.default.contents(atPath: file.path),
              let hex = try? SHA256.hexHash(Array(data)) else { throw .fileAccess(file.path) }
        return hex
    }
}
