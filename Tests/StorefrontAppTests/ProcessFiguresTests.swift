import Glibc
import HTTPTestSupport
import Testing
@testable import StorefrontApp

/// `/metrics`' process figures, read from /proc.
@Suite struct ProcessFiguresTests {
    /// The descriptor count walks /proc/self/fd with readdir. Copying a whole `dirent`'s
    /// 256-byte name out of the last, shorter record of readdir's buffer read past the end of
    /// it (AddressSanitizer: heap-buffer-overflow, seen on a /metrics scrape). With well over
    /// a buffer's worth of entries, some record lands at the buffer's end on every count.
    @Test func countingManyDescriptorsStaysInsideReaddirsBuffer() throws {
        raiseFileDescriptorLimit()
        var pipes: [Int32] = []
        defer { for fd in pipes { close(fd) } }
        var descriptors: [Int32] = [0, 0]
        for _ in 0..<800 {
            guard pipe(&descriptors) == 0 else { break }
            pipes += descriptors
            let counted = try #require(ProcessFigures.openFileDescriptors())
            // Other tests open and close descriptors meanwhile: only a lower bound is exact.
            #expect(counted >= pipes.count)
        }
        #expect(pipes.count == 1600)
    }
}
