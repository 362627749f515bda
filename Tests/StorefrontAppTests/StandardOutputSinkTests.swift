import Foundation
import Testing
@testable import StorefrontApp

/// The sink behind every log line in the server: lines written from several threads arrive
/// whole, each thread's in its order, none lost, across many of the writer's batches.
@Suite struct StandardOutputSinkTests {
    @Test func linesFromSeveralThreadsArriveWholeAndInOrder() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString).log").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(path) }
        let sink = StandardOutputSink(fileDescriptor: fd)
        let writers = 4, perWriter = 5_000
        // ~200 bytes a line: a few hundred KiB a batch, past glibc's mmap threshold.
        let padding = String(repeating: "x", count: 180)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter { sink.write(line: Array("\(writer) \(index) \(padding)\n".utf8)) }
                }
            }
        }
        sink.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == writers * perWriter)
        var next = [Int](repeating: 0, count: writers)
        var malformed = 0
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let writer = Int(parts[0]), let index = Int(parts[1]), writer < writers,
                  parts[2] == padding[...] else { malformed += 1; continue }
            #expect(index == next[writer])
            next[writer] = index + 1
        }
        #expect(malformed == 0)
        #expect(next == [Int](repeating: perWriter, count: writers))
        #expect(sink.dropped == 0)
    }
}
