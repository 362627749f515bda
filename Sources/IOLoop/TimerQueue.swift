/// One-shot timers for a driver's thread: a binary min-heap of deadlines plus a table of
/// live actions. Cancelling only drops the action; the heap entry is skipped when it comes
/// up, and the heap is rebuilt when such dead entries outnumber the live ones, so frequent
/// cancel-before-expiry (every statement has a deadline) cannot make it grow without bound.
public struct TimerQueue {
    public init() {}

    public typealias Instant = ContinuousClock.Instant

    private var heap: [(deadline: Instant, id: UInt64)] = []
    private var actions: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 0

    public var nextDeadline: Instant? {
        mutating get {
            dropCancelledTop()
            return heap.first?.deadline
        }
    }

    public mutating func schedule(at deadline: Instant, _ action: @escaping () -> Void) -> UInt64 {
        nextID += 1
        actions[nextID] = action
        heap.append((deadline, nextID))
        siftUp(heap.count - 1)
        return nextID
    }

    public mutating func cancel(_ id: UInt64) {
        actions[id] = nil
        if heap.count > 64, heap.count > 2 * actions.count { rebuild() }
    }

    /// Removes and returns the actions of every timer due at `now`, earliest first.
    public mutating func popExpired(now: Instant) -> [() -> Void] {
        var due: [() -> Void] = []
        while let top = heap.first, top.deadline <= now {
            removeTop()
            if let action = actions.removeValue(forKey: top.id) { due.append(action) }
        }
        return due
    }

    private mutating func dropCancelledTop() {
        while let top = heap.first, actions[top.id] == nil { removeTop() }
    }

    private mutating func rebuild() {
        heap.removeAll { actions[$0.id] == nil }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func removeTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var smallest = parent
            let left = 2 * parent + 1, right = left + 1
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
