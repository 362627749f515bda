import Foundation
import Testing
@testable import StorefrontApp

/// Pagination links encode query components by hand for ASCII; the result must be exactly
/// what `addingPercentEncoding` with letters, digits and `-._~` gave before.
@Suite struct PercentEncodingTests {
    static let foundationAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    static let texts: [String] = [
        "", "limit", "20", "-created_at", "a b", "100%", "a+b=c&d", "x/y?z#w", "~._-", "\"'<>\\^`{|}",
        "eyJzIjoiLWNyZWF0ZWRfYXQiLCJrIjoiMjAyNS0wMS0wMSJ9.c2lnbmF0dXJl_-",
        "café", "日本語", "e\u{301}", "tab\there", "nul\u{0}", "emoji 😀",
    ] + (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    @Test(arguments: texts)
    func encodesAsFoundationDid(_ text: String) {
        let before = text.addingPercentEncoding(withAllowedCharacters: PercentEncodingTests.foundationAllowed)
        #expect(percentEncodedQueryComponent(text) == before)
    }
}
