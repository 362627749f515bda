// Fuzz target: the pagination cursor codec (CursorCodec in StorefrontApp/Web). Any text as
// a `?cursor=` must be refused or decoded, never crash; a decoded cursor re-encodes to one
// that decodes alike; and every cursor we encode decodes back to itself, whatever its sort
// and key hold, while it is within the 1 KiB a cursor may have.
import Foundation
import StorefrontApp

private let codec = CursorCodec(key: [UInt8](repeating: 0x42, count: 32))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCursor(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    for sort in ["created_at", "-created_at", "email"] {
        if let cursor = try? codec.decode(text, sort: sort) {
            check(cursor.sort == sort, "decoded \(cursor) for sort \(sort)")
            check((try? codec.decode(codec.encode(cursor), sort: sort)) == cursor, "re-encoded \(cursor) does not decode")
        }
    }

    // The input as a cursor's fields: sort, a zero byte, key; the id from the last 16 bytes.
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let sort = String(decoding: bytes[..<split], as: UTF8.self)
    let key = split < bytes.count ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : ""
    var idBytes = [UInt8](repeating: 0, count: 16)
    for (index, byte) in bytes.suffix(16).enumerated() { idBytes[index] = byte }
    let id = idBytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
    let cursor = KeysetCursor(sort: sort, key: key, id: id)
    let encoded = codec.encode(cursor)
    let decoded = try? codec.decode(encoded, sort: sort)
    if encoded.utf8.count <= 1024 {
        check(decoded == cursor, "\(cursor) encoded as \(encoded) decodes to \(String(describing: decoded))")
    } else {
        check(decoded == nil, "a cursor of \(encoded.utf8.count) bytes was accepted")
    }
    return 0
}
