// A failed property in a fuzz target must crash, so that libFuzzer saves the input.
// (Not production code: these files are compiled only into the fuzzers.)
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition {
        fatalError("fuzz property failed: \(message())", file: file, line: line)
    }
}
