import Foundation
import Locking
import Synchronization

/// Sends log lines to standard output from a dedicated writer thread. Callers only append
/// to a buffer; an idle writer is woken at once, writes everything queued in one `write`,
/// then naps `batchInterval` before looking again. So a line appears at once when the
/// server is quiet and within about ten milliseconds under load, where there is one
/// wake-up and one `write` per interval instead of per line (which cost a fifth of the CPU
/// at 17k requests/s). Ten, not two: at 45k lines a second the writer's 500 wake-ups and
/// writes a second were a tenth of what the access log cost (docs/benchmarks.md). Never
/// block-buffered, and no request thread waits on the terminal or a pipe.
///
/// `@unchecked Sendable`: `buffer`, `writing` and `writerIsWaiting` are touched only with
/// `condition` held; the dropped-line count is atomic and the rest is immutable.
public final class StandardOutputSink: LogSink, @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var writing = false
    /// Only a waiting writer needs a signal; a busy one takes the new lines with its next
    /// batch, which saves a futex wake and a context switch per line under load.
    private var writerIsWaiting = false
    /// Beyond this much unwritten output new lines are dropped and counted, so a stalled
    /// stdout cannot grow memory without bound.
    private let maxBufferedBytes = 8 * 1024 * 1024
    private let droppedLines = Atomic<Int>(0)
    private let fd: Int32
    private let batchInterval: useconds_t = 10_000

    public init(fileDescriptor: Int32 = 1) {
        fd = fileDescriptor
        let thread = Thread { [unowned self] in
            // Set from inside the thread: only then does Foundation pass it to the kernel, where
            // `top -H`, `perf` and /proc show it (15 bytes at most).
            Thread.current.name = "log-writer"
            self.writerLoop()
        }
        thread.start()
    }

    public func write(line: UnsafeBufferPointer<UInt8>) {
        condition.lock()
        if buffer.count + line.count > maxBufferedBytes {
            condition.unlock()
            droppedLines.wrappingAdd(1, ordering: .relaxed)
            return
        }
        buffer.append(contentsOf: line)
        // Broadcast: a flush() caller may be waiting on the same condition.
        if writerIsWaiting { condition.broadcast() }
        condition.unlock()
    }

    /// Blocks until everything queued so far has been written (used at exit).
    public func flush() {
        condition.lock()
        while !buffer.isEmpty || writing { condition.wait() }
        condition.unlock()
    }

    public var dropped: Int { droppedLines.load(ordering: .relaxed) }

    private func writerLoop() {
        // Two buffers swapped, never copied. Taking a copy and emptying `buffer` "keeping
        // capacity" allocated new storage each batch (the copy still shared the old), and
        // batches over glibc's mmap threshold were mapped, faulted in and unmapped every
        // 2 ms: each unmap sent TLB-shootdown interrupts to the cores the event loops run on.
        var chunk: [UInt8] = []
        while true {
            condition.lock()
            while buffer.isEmpty {
                writerIsWaiting = true
                condition.wait()
                writerIsWaiting = false
            }
            swap(&chunk, &buffer)
            writing = true
            condition.unlock()
            chunk.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    guard let base = raw.baseAddress else { break }
                    let n = Foundation.write(fd, base + offset, raw.count - offset)
                    if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
            }
            chunk.removeAll(keepingCapacity: true)
            condition.lock()
            writing = false
            condition.broadcast()
            condition.unlock()
            // Lets lines accumulate: the next batch is taken without a wake-up.
            usleep(batchInterval)
        }
    }
}

/// Keeps lines in memory; tests read them back.
public final class MemoryLogSink: LogSink, Sendable {
    private let lines = Locked<[String]>([])
    public init() {}
    public func write(line: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: line.dropLast(line.last == 10 ? 1 : 0), as: UTF8.self)
        lines.withLock { $0.append(text) }
    }
    public var all: [String] { lines.withLock { $0 } }
}
