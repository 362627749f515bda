import Glibc

/// Statement parameters as the NUL-terminated C strings libpq takes, built on the caller's
/// thread so the reactor only hands pointers to libpq.
///
/// `@unchecked Sendable`: the memory is written once in `init` and only read afterwards.
final class BoundParameters: @unchecked Sendable {
    let count: Int32
    /// One pointer per parameter, `nil` for SQL NULL.
    let values: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let storage: UnsafeMutablePointer<CChar>

    static let none = BoundParameters(texts: [])

    convenience init(_ binds: [any PostgresEncodable]) throws(PostgresError) {
        let texts = binds.map(\.postgresText)
        for (index, text) in texts.enumerated() where text.map(Self.containsNUL) == true {
            // libpq would silently cut the value at the NUL; PostgreSQL text cannot hold one.
            throw .invalidParameter(index: index + 1, reason: "contains a NUL character")
        }
        self.init(texts: texts)
    }

    /// `memchr` rather than a byte loop: parameters can be megabytes long.
    private static func containsNUL(_ text: String) -> Bool {
        var contiguous = text
        return contiguous.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 0, bytes.count) != nil
        }
    }

    private init(texts: [String?]) {
        count = Int32(texts.count)
        values = .allocate(capacity: max(texts.count, 1))
        let size = texts.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 }
        storage = .allocate(capacity: max(size, 1))
        var offset = 0
        for (index, text) in texts.enumerated() {
            guard let text else {
                values[index] = nil
                continue
            }
            let start = storage + offset
            var contiguous = text
            contiguous.withUTF8 { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(start).copyMemory(from: base, byteCount: bytes.count)
                }
                offset += bytes.count
            }
            storage[offset] = 0
            offset += 1
            values[index] = UnsafePointer(start)
        }
    }

    deinit {
        values.deallocate()
        storage.deallocate()
    }
}
