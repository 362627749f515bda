/// RFC 9110 §12.5.3 `Accept-Encoding`, for the one coding this server produces: gzip.
enum AcceptEncoding {
    /// Whether to send gzip to a client that sent these `Accept-Encoding` field values.
    ///
    /// No field at all means "anything", but a client that says nothing is better served
    /// as it has always been: identity. gzip is chosen when its quality (from `gzip`,
    /// `x-gzip`, else `*`) is above zero and not below a quality the client stated for
    /// identity (`identity`, else `*`). Identity the client did not mention is merely
    /// acceptable (§12.5.3), not preferred, so `br, gzip;q=0.5` still gets gzip. Elements
    /// with a malformed `q` are ignored.
    static func prefersGzip(_ fields: [String]) -> Bool {
        var gzip: Double?, identity: Double?, any: Double?
        for field in fields {
            for element in field.split(separator: ",") {
                let parts = element.split(separator: ";", omittingEmptySubsequences: false)
                let coding = String(parts[0]).trimmingSpaces.lowercased()
                guard !coding.isEmpty, let quality = quality(parts.dropFirst()) else { continue }
                switch coding {
                case "gzip", "x-gzip": gzip = max(gzip ?? 0, quality)
                case "identity": identity = max(identity ?? 0, quality)
                case "*": any = max(any ?? 0, quality)
                default: continue
                }
            }
        }
        let gzipQuality = gzip ?? any ?? 0
        guard gzipQuality > 0 else { return false }
        if let stated = identity ?? any, stated > gzipQuality { return false }
        return true
    }

    /// The `q` parameter, 1 when absent; nil when malformed. Other parameters are ignored.
    private static func quality(_ parameters: ArraySlice<Substring>) -> Double? {
        for parameter in parameters {
            let text = String(parameter).trimmingSpaces
            guard text.count >= 2, text.first == "q" || text.first == "Q",
                  text.dropFirst().first == "=" else { continue }
            return qvalue(text.dropFirst(2))
        }
        return 1
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` (RFC 9110 §12.4.2).
    static func qvalue(_ text: Substring) -> Double? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        if bytes.count == 1 { return first == UInt8(ascii: "1") ? 1 : 0 }
        let fraction = bytes.dropFirst(2)
        guard bytes[1] == UInt8(ascii: "."), fraction.count <= 3,
              fraction.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        if first == UInt8(ascii: "1") { return fraction.allSatisfy { $0 == UInt8(ascii: "0") } ? 1 : nil }
        var thousandths = 0
        for (index, digit) in fraction.enumerated() {
            thousandths += Int(digit - UInt8(ascii: "0")) * [100, 10, 1][index]
        }
        return Double(thousandths) / 1000
    }
}
