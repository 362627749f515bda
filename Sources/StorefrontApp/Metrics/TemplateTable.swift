/// Finds a route template's index among a fixed set: an FNV-1a hash of its bytes, a probe
/// in a table at most a quarter full, then one comparison. A `[String: Int]` lookup hashed
/// the template with SipHash, about 450 instructions on every request's metrics.
struct TemplateTable: Sendable {
    private let names: [String]
    /// Per slot: the hash and the index into `names`, or -1 when empty.
    private let hashes: [UInt64]
    private let indices: [Int]
    private let mask: Int

    /// `names` must not repeat.
    init(_ names: [String]) {
        self.names = names
        var size = 8
        while size < names.count * 4 { size <<= 1 }
        var hashes = [UInt64](repeating: 0, count: size), indices = [Int](repeating: -1, count: size)
        for (index, name) in names.enumerated() {
            let hash = TemplateTable.hash(name)
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while indices[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            hashes[slot] = hash
            indices[slot] = index
        }
        self.hashes = hashes
        self.indices = indices
        mask = size - 1
    }

    func index(of name: String) -> Int? {
        let hash = TemplateTable.hash(name)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = indices[slot]
            if index < 0 { return nil }
            if hashes[slot] == hash && TemplateTable.sameBytes(names[index], name) { return index }
            slot = (slot + 1) & mask
        }
    }

    /// Byte equality: `==` on two equal strings built apart (a template and the one the
    /// router matched) took the runtime's general comparison, Unicode rules and all.
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }

    static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var text = name
        text.withUTF8 { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        return hash
    }
}
