import CLibPQ
import CLinux

/// What a statement returned: its rows (empty for commands) and the number of rows it
/// affected (`INSERT`, `UPDATE`, `DELETE`, also the row count of a `SELECT`).
public struct PostgresQueryResult: Sendable {
    public let rows: [PostgresRow]
    public let affectedRows: Int
    /// The result's column names, in order.
    public let columns: [String]

    init(_ storage: ResultStorage?) {
        rows = storage.map { storage in
            (0..<storage.rowCount).map { PostgresRow(storage: storage, index: Int32($0)) }
        } ?? []
        affectedRows = storage?.affectedRows ?? 0
        columns = storage?.columnNames ?? []
    }
}

/// One row of a result, read column by column into Swift types:
/// `let id: UUID = try row.decode("id")`.
public struct PostgresRow: Sendable {
    let storage: ResultStorage
    let index: Int32

    /// The row's column names, in order.
    public var columns: [String] { storage.columnNames }

    /// Reads the named column; the first column wins when several share a name.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(position(of: column), as: type)
    }

    /// The zero-based position of the named column (the first when several share a name).
    /// A repository reading many rows of one result looks its columns up once and reads by
    /// position: a read by name hashes the name, for every field of every row.
    public func position(of column: String) throws -> Int {
        guard let position = storage.columnIndex[column] else { throw PostgresError.unknownColumn(column) }
        return position
    }

    /// Reads the column at a zero-based position.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard storage.columnTypes.indices.contains(column) else {
            throw PostgresError.unknownColumn("#\(column)")
        }
        let columnType = storage.columnTypes[column]
        // The bytes are libpq's own, valid while `storage` lives: `self` holds it for the call.
        let bytes = storage.bytes(row: index, column: Int32(column))
        do {
            return try T.decode(postgresBytes: bytes, type: columnType)
        } catch {
            throw PostgresError.decoding(column: storage.columnNames[column], expected: "\(T.self)",
                                         actual: bytes == nil ? "NULL" : columnType.description)
        }
    }
}

/// Owns one libpq result and frees it when the last row that reads it is gone, so rows are
/// read straight from libpq's memory instead of being copied cell by cell up front.
///
/// `@unchecked Sendable`: a `PGresult` is never modified after libpq hands it over, and
/// libpq's accessors only read it, so rows may be read on any thread.
final class ResultStorage: @unchecked Sendable {
    private let result: OpaquePointer
    let rowCount: Int
    let affectedRows: Int
    let columnNames: [String]
    let columnTypes: [PostgresDataType]
    let columnIndex: [String: Int]

    init(_ result: OpaquePointer) {
        self.result = result
        rowCount = Int(PQntuples(result))
        let fields = Int32(0)..<PQnfields(result)
        columnNames = fields.map { PQfname(result, $0).map { String(cString: $0) } ?? "" }
        columnTypes = fields.map { PostgresDataType(oid: PQftype(result, $0)) }
        var index: [String: Int] = [:]
        for (position, name) in columnNames.enumerated() where index[name] == nil {
            index[name] = position
        }
        columnIndex = index
        affectedRows = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        // Published to the task that ran the statement by resuming its continuation, a
        // handshake inside the Swift runtime that ThreadSanitizer does not see; `received`
        // is the other half. (TSan reported every result as a race without them.)
        clinux_tsan_release(Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { PQclear(result) }

    /// Called by the task a result was handed to, before it reads anything (see `init`).
    func received() -> ResultStorage {
        clinux_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
        return self
    }

    /// The command tag, e.g. `COMMIT` or `ROLLBACK`.
    var commandStatus: String {
        PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    /// The cell's text-format bytes in place (nil for NULL), valid while this storage lives.
    func bytes(row: Int32, column: Int32) -> UnsafeRawBufferPointer? {
        if PQgetisnull(result, row, column) == 1 { return nil }
        guard let value = PQgetvalue(result, row, column) else { return nil }
        return UnsafeRawBufferPointer(start: value, count: Int(PQgetlength(result, row, column)))
    }
}
