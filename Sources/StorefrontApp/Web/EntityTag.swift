import Crypto
import Foundation
import HTTPCore

/// An entity tag (RFC 9110 §8.8.3). Every tag the server sends is made here, so a link
/// that derives a variant's tag (`coded("gzip")`) and the resources that compare them agree on one
/// format: `v<version>-<id>` for a versioned resource, a digest of the body for a page.
public struct EntityTag: Sendable, Equatable {
    /// The tag between its quotes.
    public let opaque: String
    public let isWeak: Bool

    public init(opaque: String, isWeak: Bool = false) {
        self.opaque = opaque
        self.isWeak = isWeak
    }

    /// `"..."` or `W/"..."`, as it appears in `ETag`.
    public var headerValue: String { (isWeak ? "W/\"" : "\"") + opaque + "\"" }

    /// A versioned resource (products, orders): strong, since id and version fix every byte
    /// of its representation, and readable back into the version by `version(for:)`.
    public static func resource(id: UUID, version: Int64) -> EntityTag {
        EntityTag(opaque: "v\(version)-\(id.uuidString.lowercased())")
    }

    /// A representation known only by its bytes (a list page): 128 bits of SHA-256. A
    /// digest failure gives a tag no request can match, so the worst case is no 304.
    public static func content(_ body: [UInt8]) -> EntityTag {
        let digest = (try? SHA256.hash(body)) ?? []
        return EntityTag(opaque: digest.isEmpty ? "unhashed" : Base64URL.encode(Array(digest.prefix(16))))
    }

    /// Content codings whose variants `coded(_:)` names; `-gzip` is also what the
    /// compression link appends, so tags from either place compare alike.
    public static let codings = ["gzip"]

    /// The tag of the same content sent with a content coding (gzip): another
    /// representation, so another tag (RFC 9110 §8.8.3), which still names the same
    /// version for `If-Match` and the same content for `If-None-Match`.
    public func coded(_ coding: String) -> EntityTag { EntityTag(opaque: opaque + "-" + coding, isWeak: isWeak) }

    /// The tag with a `coded(_:)` suffix removed.
    public var uncoded: EntityTag {
        guard let coding = EntityTag.codings.first(where: { opaque.hasSuffix("-" + $0) }) else { return self }
        return EntityTag(opaque: String(opaque.dropLast(coding.count + 1)), isWeak: isWeak)
    }

    /// The version this tag names when it is a strong `resource` tag of `id`.
    public func version(for id: UUID) -> Int64? {
        let opaque = uncoded.opaque
        let suffix = "-" + id.uuidString.lowercased()
        guard !isWeak, opaque.hasPrefix("v"), opaque.hasSuffix(suffix) else { return nil }
        return Int64(opaque.dropFirst().dropLast(suffix.count))
    }

    /// RFC 9110 §8.8.3.2: weak comparison ignores the weak flag (If-None-Match); a coded
    /// variant matches the content it was made from.
    public func weaklyMatches(_ other: EntityTag) -> Bool { uncoded.opaque == other.uncoded.opaque }
}

/// An `If-Match` or `If-None-Match` value: `*` or a list of tags (RFC 9110 §13.1.1-2).
public enum EntityTagCondition: Sendable, Equatable {
    case any
    case tags([EntityTag])

    /// The field's lines combined; nil when any member is not an entity-tag.
    public static func parse(_ value: String) -> EntityTagCondition? {
        let bytes = Array(value.utf8)
        var index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "*") {
            index += 1
            skipSpace()
            return index == bytes.count ? .any : nil
        }
        var tags: [EntityTag] = []
        while index < bytes.count {
            // Empty list members are allowed (RFC 9110 §5.6.1.2).
            if bytes[index] == UInt8(ascii: ",") { index += 1; skipSpace(); continue }
            var weak = false
            if bytes[index...].starts(with: Array("W/".utf8)) { weak = true; index += 2 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            // etagc = %x21 / %x23-7E / obs-text
            while index < bytes.count, bytes[index] == 0x21 || (0x23...0x7E).contains(bytes[index]) || bytes[index] >= 0x80 {
                index += 1
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                  let opaque = String(validating: bytes[start..<index], as: UTF8.self) else { return nil }
            index += 1
            tags.append(EntityTag(opaque: opaque, isWeak: weak))
            skipSpace()
            guard index == bytes.count || bytes[index] == UInt8(ascii: ",") else { return nil }
        }
        return tags.isEmpty ? nil : .tags(tags)
    }

    /// If-None-Match: `*` matches any current representation, a list by weak comparison.
    public func weaklyMatches(_ tag: EntityTag) -> Bool {
        switch self {
        case .any: true
        case .tags(let tags): tags.contains { $0.weaklyMatches(tag) }
        }
    }

    /// If-Match as a condition on a versioned row (strong comparison, RFC 9110 §13.1.1):
    /// `*` allows any version, a list the versions its strong tags of `id` name (none, if
    /// it names only other resources or weak tags: the write then fails with 412).
    public func expectedVersions(of id: UUID) -> ExpectedVersions {
        switch self {
        case .any: .any
        case .tags(let tags): ExpectedVersions(versions: tags.compactMap { $0.version(for: id) })
        }
    }
}

/// How a readable response may be stored by caches (RFC 9111 §5.2.2).
public enum CachePolicy: Sendable, Equatable {
    /// Anyone may store it for this long: what every caller would get anyway.
    case shared(maxAgeSeconds: Int)
    /// It depends on who asked: never stored.
    case noStore

    var headerValue: String {
        switch self {
        case .shared(let seconds): "public, max-age=\(seconds)"
        case .noStore: "no-store"
        }
    }
}

extension Request {
    /// `If-Match`, nil when absent; 400 when malformed (API.md, Errors: malformed header).
    public func ifMatch() throws(AppError) -> EntityTagCondition? { try entityTagCondition("If-Match") }

    /// `If-None-Match`, nil when absent; 400 when malformed.
    public func ifNoneMatch() throws(AppError) -> EntityTagCondition? { try entityTagCondition("If-None-Match") }

    private func entityTagCondition(_ name: String) throws(AppError) -> EntityTagCondition? {
        let lines = headers.values(name)
        guard !lines.isEmpty else { return nil }
        guard let condition = EntityTagCondition.parse(lines.joined(separator: ", ")) else {
            throw AppError.badRequest("\(name) must be * or a list of entity tags")
        }
        return condition
    }
}

extension HTTPResponse {
    /// A readable representation with its tag and cache policy; 304 without a body when
    /// the request's `If-None-Match` already holds it. The 304 repeats `ETag` and
    /// `Cache-Control`, as the 200 would have sent them (RFC 9110 §15.4.5).
    public func conditional(on request: Request, tag: EntityTag, cache: CachePolicy) throws(AppError) -> HTTPResponse {
        var response = self
        if try request.ifNoneMatch()?.weaklyMatches(tag) == true {
            response = HTTPResponse(status: .notModified)
        }
        response.headers.set("ETag", tag.headerValue)
        response.headers.set("Cache-Control", cache.headerValue)
        return response
    }

    /// A page whose tag is the digest of its own body.
    public func conditional(on request: Request, cache: CachePolicy) throws(AppError) -> HTTPResponse {
        try conditional(on: request, tag: .content(body), cache: cache)
    }
}
