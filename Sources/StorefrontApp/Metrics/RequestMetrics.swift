import HTTPCore
import Synchronization

/// Request counts and latency histograms by route template, method and status, recorded
/// with a few relaxed atomic adds and no lock, so every event loop records in parallel.
///
/// Series live in a fixed open-addressing table of atomic words. A series' slot is claimed
/// once with a compare-and-swap of its key; after that recording is a probe (usually one
/// load) and three adds. Cardinality is bounded twice: labels come from closed sets
/// (templates, never paths; known methods or `_OTHER`), and the table has a fixed size —
/// a request whose series finds no free slot is counted in `droppedSeries` instead.
final class RequestMetrics: @unchecked Sendable {
    // @unchecked: `words` is written only through atomics and freed only in deinit.

    /// OpenTelemetry's HTTP server duration buckets, in seconds.
    static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    /// The methods of RFC 9110 §9 (and PATCH); any other method counts as `_OTHER`, as in
    /// OpenTelemetry's `http.request.method`.
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "_OTHER"]
    static let unmatched = "(unmatched)"
    /// Requests the server refused while reading them (AppHandler.response(for:)).
    static let rejected = "(rejected)"

    /// Per slot: key, requests, one count per bucket and one past the last, duration sum (ns).
    private static let requestsWord = 1
    private static let firstBucketWord = 2
    private static let sumWord = firstBucketWord + bucketBounds.count + 1
    private static let wordsPerSlot = sumWord + 1

    let capacity: Int
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private let templateIndex: TemplateTable
    /// Where requests no template names are counted: found once, not on every 404.
    private let unmatchedLabel: Int
    let templates: [String]
    private let dropped = Atomic<UInt64>(0)

    /// - Parameter templates: every route template; the unmatched and rejected labels are added.
    /// - Parameter capacity: series slots, rounded up to a power of two.
    init(templates: [String], capacity: Int = 1024) {
        var names: [String] = []
        for name in templates + [RequestMetrics.unmatched, RequestMetrics.rejected] where !names.contains(name) {
            names.append(name)
        }
        self.templates = names
        templateIndex = TemplateTable(names)
        unmatchedLabel = names.firstIndex(of: RequestMetrics.unmatched) ?? 0
        var size = 1
        while size < capacity { size <<= 1 }
        self.capacity = size
        let count = size * RequestMetrics.wordsPerSlot
        words = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: count)
        for index in 0..<count { (words + index).initialize(to: Atomic(0)) }
    }

    deinit {
        words.deinitialize(count: capacity * RequestMetrics.wordsPerSlot)
        words.deallocate()
    }

    /// One answered request and how long the chain took.
    func record(route: String, method: HTTPMethod, status: Int, duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        record(route: route, method: method, status: status, nanoseconds: Int(clamping: nanoseconds))
    }

    /// The same, with the duration in nanoseconds.
    func record(route: String, method: HTTPMethod, status: Int, nanoseconds: Int) {
        record(label: label(of: route), method: method, status: status, nanoseconds: nanoseconds)
    }

    /// The index of `template` among the route labels, or the unmatched label's for a
    /// template this table does not know. The access-log link looks each route's up once, at
    /// start-up: hashing the template on every request was about 700 instructions.
    func label(of template: String) -> Int {
        templateIndex.index(of: template) ?? unmatchedLabel
    }

    /// The same, for a route label from `label(of:)`: what the access-log link records.
    func record(label: Int, method: HTTPMethod, status: Int, nanoseconds: Int) {
        guard let slot = slot(key: key(label: label, method: method.rawValue, status: status)) else { return }
        let base = slot * RequestMetrics.wordsPerSlot
        words[base + RequestMetrics.requestsWord].wrappingAdd(1, ordering: .relaxed)
        let elapsed = Double(max(0, nanoseconds)) / 1e9
        var bucket = 0
        while bucket < RequestMetrics.bucketBounds.count && elapsed > RequestMetrics.bucketBounds[bucket] { bucket += 1 }
        words[base + RequestMetrics.firstBucketWord + bucket].wrappingAdd(1, ordering: .relaxed)
        words[base + RequestMetrics.sumWord].wrappingAdd(UInt64(max(0, nanoseconds)), ordering: .relaxed)
    }

    /// A request refused before it reached the chain: counted, but with no duration, as
    /// none was measured.
    func recordRejected(status: Int) {
        guard let slot = slot(key: key(label: label(of: RequestMetrics.rejected), method: "_OTHER", status: status)) else { return }
        words[slot * RequestMetrics.wordsPerSlot + RequestMetrics.requestsWord].wrappingAdd(1, ordering: .relaxed)
    }

    /// Requests not counted because every slot was taken by other series.
    var droppedSeries: UInt64 { dropped.load(ordering: .relaxed) }

    /// One series as read now; counters read one by one, so a scrape racing a request may
    /// see it half-recorded, as with any lock-free metrics library.
    struct Series {
        let route: String
        let method: String
        let status: Int
        let requests: UInt64
        /// Per bucket, not cumulative; the last entry counts observations past the last bound.
        let buckets: [UInt64]
        let durationSumSeconds: Double
    }

    /// Every series recorded so far, sorted by route, method and status.
    func snapshot() -> [Series] {
        var result: [Series] = []
        for slot in 0..<capacity {
            let base = slot * RequestMetrics.wordsPerSlot
            let key = words[base].load(ordering: .acquiring)
            guard key != 0, let (route, method, status) = decode(key) else { continue }
            let buckets = (0...RequestMetrics.bucketBounds.count).map {
                words[base + RequestMetrics.firstBucketWord + $0].load(ordering: .relaxed)
            }
            result.append(Series(route: route, method: method, status: status,
                                 requests: words[base + RequestMetrics.requestsWord].load(ordering: .relaxed),
                                 buckets: buckets,
                                 durationSumSeconds: Double(words[base + RequestMetrics.sumWord].load(ordering: .relaxed)) / 1e9))
        }
        return result.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
    }

    // MARK: - The table

    /// Key: a marker bit (so no key is 0, the empty slot), template, method, status.
    private func key(label: Int, method: String, status: Int) -> UInt64 {
        let template = label >= 0 && label < templates.count ? label : unmatchedLabel
        let methodIndex = RequestMetrics.methodIndex(method)
        let code = (100...999).contains(status) ? status : 0
        return 1 << 63 | UInt64(template) << 24 | UInt64(methodIndex) << 16 | UInt64(code)
    }

    /// The index of `method` in `methods`, from its length and bytes: a `switch` over the
    /// names compared whole strings, and `firstIndex(of:)` went through generic code.
    static func methodIndex(_ method: String) -> Int {
        var name = method
        return name.withUTF8 { bytes -> Int in
            func equals(_ known: StaticString) -> Bool {
                known.withUTF8Buffer { $0.elementsEqual(bytes) }
            }
            switch bytes.count {
            case 3: return equals("GET") ? 0 : equals("PUT") ? 3 : methods.count - 1
            case 4: return equals("HEAD") ? 1 : equals("POST") ? 2 : methods.count - 1
            case 5: return equals("PATCH") ? 4 : equals("TRACE") ? 8 : methods.count - 1
            case 6: return equals("DELETE") ? 5 : methods.count - 1
            case 7: return equals("OPTIONS") ? 6 : equals("CONNECT") ? 7 : methods.count - 1
            default: return methods.count - 1
            }
        }
    }

    private func decode(_ key: UInt64) -> (String, String, Int)? {
        let template = Int((key >> 24) & 0xFF_FFFF), method = Int((key >> 16) & 0xFF)
        guard template < templates.count, method < RequestMetrics.methods.count else { return nil }
        return (templates[template], RequestMetrics.methods[method], Int(key & 0xFFFF))
    }

    private func slot(key: UInt64) -> Int? {
        let mask = capacity - 1
        // Fibonacci hashing spreads the packed fields over the table.
        var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        for _ in 0..<capacity {
            let keyWord = index * RequestMetrics.wordsPerSlot
            let current = words[keyWord].load(ordering: .acquiring)
            if current == key { return index }
            if current == 0 {
                let (exchanged, found) = words[keyWord].compareExchange(expected: 0, desired: key, ordering: .acquiringAndReleasing)
                if exchanged || found == key { return index }
            }
            index = (index + 1) & mask
        }
        dropped.wrappingAdd(1, ordering: .relaxed)
        return nil
    }
}
