/// Why a migration run refused to start or stopped. Each case names the file or version to
/// look at, so the message alone tells an operator what to fix.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory or a file in it could not be read.
    case fileAccess(String)
    /// A `.sql` file whose name is not `NNNN_name.up.sql` or `NNNN_name.down.sql`.
    case invalidFileName(String)
    /// Two up files (or two down files) share a version number.
    case duplicateVersion(Int)
    /// A down file without its up file.
    case missingUpFile(version: Int, downFile: String)
    /// An applied migration's up file changed since it was applied.
    case checksumMismatch(file: String)
    /// The database records a version that no file in the directory has.
    case unknownAppliedVersion(Int, name: String)
    /// A file is not applied although a later one is: applied versions must be a prefix.
    case notAppliedInOrder(file: String)
    /// `down` would need a down file that does not exist; nothing was reverted.
    case missingDownFile(version: Int, expectedFile: String)
    /// The SQL of a file failed; its transaction was rolled back.
    case failed(file: String, error: PostgresError)
    /// `create` needs a name of lowercase letters, digits and underscores.
    case invalidName(String)

    public var description: String {
        switch self {
        case .fileAccess(let path): "cannot read or write \(path)"
        case .invalidFileName(let file):
            "\(file): migration files must be named NNNN_name.up.sql or NNNN_name.down.sql"
        case .duplicateVersion(let version): "more than one migration has version \(version)"
        case .missingUpFile(let version, let file): "\(file) has no matching up file for version \(version)"
        case .checksumMismatch(let file):
            "\(file) was edited after it was applied; add a new migration instead of changing an applied one"
        case .unknownAppliedVersion(let version, let name):
            "the database has migration \(version) (\(name)) applied, but no file for it exists"
        case .notAppliedInOrder(let file):
            "\(file) is not applied although a later migration is; applied migrations must come first"
        case .missingDownFile(let version, let file):
            "cannot revert migration \(version): \(file) does not exist; nothing was reverted"
        case .failed(let file, let error): "\(file) failed and was rolled back: \(error)"
        case .invalidName(let name):
            "\"\(name)\" is not a valid migration name: use lowercase letters, digits and underscores"
        }
    }
}
