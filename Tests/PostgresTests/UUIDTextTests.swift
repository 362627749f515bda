import Foundation
import Testing
@testable import Postgres

/// The hand-written uuid reader accepts exactly the canonical form PostgreSQL prints (and
/// its upper-case twin, as Foundation does) and nothing else.
@Suite struct UUIDTextTests {
    static let malformed: [String] = [
        "",
        "e09793a2-2139-4d43-9b59-e972524b724",      // 35 characters
        "e09793a2-2139-4d43-9b59-e972524b724f0",    // 37
        "e09793a22139-4d43-9b59-e972524b724f-",     // a dash moved
        "e09793a2-2139-4d43-9b59_e972524b724f",     // not a dash
        "g09793a2-2139-4d43-9b59-e972524b724f",     // not hex
        "e09793a2-2139-4d43-9b59-e972524b724 ",     // trailing space
        "{09793a2-2139-4d43-9b59-e972524b724}",     // braces
        "e09793a221394d439b59e972524b724fe0979",    // no dashes
        "e09793a2-2139-4d43-9b59-e972524b72\u{e9}", // a non-ASCII scalar (36 bytes)
        "e09793a2-2139-4d43-9b59-e972524b72\u{0}f", // NUL
    ]

    @Test(arguments: malformed)
    func malformedTextIsRefused(_ text: String) {
        #expect(UUIDText.parse(text) == nil)
        #expect(UUID(uuidString: text) == nil, "Foundation refuses it too")
    }

    @Test func canonicalTextInEitherCaseReadsAsFoundationReadsIt() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
        let mixed = "E09793a2-2139-4D43-9b59-E972524B724f"
        #expect(UUIDText.parse(mixed) == UUID(uuidString: mixed))
        #expect(UUIDText.parse("00000000-0000-0000-0000-000000000000") == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        #expect(UUIDText.parse("ffffffff-ffff-ffff-ffff-ffffffffffff")?.uuidString == "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
    }
}
