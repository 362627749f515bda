import HTTPCore

public typealias RouteHandler = nonisolated(nonsending) @Sendable (Request, RequestContext) async throws -> HTTPResponse

/// A method and path template (`/api/v1/products/{id}`) bound to a handler.
public struct Route: Sendable {
    public let method: HTTPMethod
    public let template: String
    public let access: RouteAccess
    public let handler: RouteHandler
    /// Unique per router, dense from 0: the middleware chain keeps one composition per route.
    let id: Int

    /// What the links may decide about a request of this route before it arrives.
    public var facts: RouteFacts { RouteFacts(method: method, template: template, access: access) }
}

/// A matched route, as a link sees it at start-up: enough to tell whether the link has
/// anything to do on it (`Middleware.runs(on:)`).
public struct RouteFacts: Sendable {
    public let method: HTTPMethod
    public let template: String
    public let access: RouteAccess
}

/// What the router found for a method and path.
enum RouteMatch: Sendable {
    case found(Route, parameters: [String: String])
    /// The path exists but not with this method; `allow` lists the methods it has.
    case methodNotAllowed(template: String, allow: [HTTPMethod])
    /// OPTIONS on a known path: answered with its `Allow` list.
    case options(template: String, allow: [HTTPMethod])
    /// `OPTIONS *` (RFC 9110 §9.3.7): the server as a whole; `allow` is every method it implements.
    case serverOptions(allow: [HTTPMethod])
    case notFound
}

/// Matches method + path against route templates. Resolved before the middleware chain
/// so every link knows the route template. `HEAD` is answered by the `GET` route
/// (RFC 9110 §9.3.2) and `OPTIONS` by the `Allow` list of the path.
public struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct PathEntry: Sendable {
        let template: String
        let segments: [Segment]
        var routes: [HTTPMethod: Route]
    }

    private var entries: [PathEntry] = []
    /// Templates without parameters, by path: most requests match with one hash lookup.
    private var staticEntries: [String: Int] = [:]
    /// Every route's method, for `OPTIONS *`.
    private var methods: Set<HTTPMethod> = []
    private var routeCount = 0

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ template: String, access: RouteAccess,
                             _ handler: @escaping RouteHandler) {
        let route = Route(method: method, template: template, access: access, handler: handler, id: routeCount)
        routeCount += 1
        methods.insert(method)
        if let index = entries.firstIndex(where: { $0.template == template }) {
            entries[index].routes[method] = route
        } else {
            let segments = Router.segments(of: template)
            entries.append(PathEntry(template: template, segments: segments, routes: [method: route]))
            if !segments.contains(where: { if case .parameter = $0 { true } else { false } }) {
                staticEntries[template] = entries.count - 1
            }
        }
    }

    /// Every route, for the OpenAPI agreement test and the access-control test.
    public var routes: [Route] {
        entries.flatMap { entry in entry.routes.values.sorted { $0.method.rawValue < $1.method.rawValue } }
    }

    func match(method: HTTPMethod, path: Substring) -> RouteMatch {
        // The parser admits the asterisk-form, exactly "*", only for OPTIONS (RFC 9112
        // §3.2.4); every other target starts with "/", so one byte tells them apart.
        if path.utf8.first == UInt8(ascii: "*") {
            return method == .options ? .serverOptions(allow: Router.allowList(methods)) : .notFound
        }
        if let index = staticEntries[String(path)] {
            return Router.resolve(entries[index], method: method, parameters: [:])
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for entry in entries where entry.segments.count == parts.count {
            guard let parameters = Router.bind(entry.segments, to: parts) else { continue }
            return Router.resolve(entry, method: method, parameters: parameters)
        }
        return .notFound
    }

    private static func resolve(_ entry: PathEntry, method: HTTPMethod, parameters: [String: String]) -> RouteMatch {
        if let route = entry.routes[method] ?? (method == .head ? entry.routes[.get] : nil) {
            return .found(route, parameters: parameters)
        }
        let allow = allowList(Set(entry.routes.keys))
        if method == .options { return .options(template: entry.template, allow: allow) }
        return .methodNotAllowed(template: entry.template, allow: allow)
    }

    private static func allowList(_ methods: Set<HTTPMethod>) -> [HTTPMethod] {
        var methods = methods
        if methods.contains(.get) { methods.insert(.head) }
        methods.insert(.options)
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    private static func segments(of template: String) -> [Segment] {
        template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }

    private static func bind(_ segments: [Segment], to parts: ArraySlice<Substring>) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
            case .parameter(let name):
                guard !part.isEmpty, let value = PercentDecoding.decode(part, plusIsSpace: false) else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}
