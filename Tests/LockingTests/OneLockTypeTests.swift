import Foundation
import Testing

/// `Locked` is the only lock type (see its documentation): a `Synchronization.Mutex` used
/// directly would bring back ThreadSanitizer's false reports, and with them the habit of
/// ignoring its reports.
@Suite struct OneLockTypeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// The tests too: two loop threads appending under a plain `Mutex` in a test were
    /// reported as a race, and a false report in a test hides a true one as well as in code.
    @Test(arguments: ["Sources", "Tests"])
    func nothingOutsideLockingUsesMutexDirectly(folder: String) throws {
        let base = OneLockTypeTests.root.appendingPathComponent(folder)
        let enumerator = try #require(FileManager.default.enumerator(atPath: base.path))
        var offenders: [String] = []
        var scanned = 0
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".swift"), !path.hasPrefix("Locking/") else { continue }
            scanned += 1
            let text = try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.range(of: "//").map { line[..<$0.lowerBound] } ?? line[...]
                if code.contains(/\bMutex\s*[<(]/) { offenders.append("\(path):\(number + 1)") }
            }
        }
        #expect(scanned > 100)
        #expect(offenders.isEmpty, "use Locking.Locked: \(offenders)")
    }
}
