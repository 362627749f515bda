import HTTPCore

/// `/health`, `/live`, `/ready` and `/openapi.yaml` (API.md, Operational endpoints).
struct OperationalController: Sendable {
    let lifecycle: Lifecycle
    let checks: [any ReadinessCheck]
    let openAPIDocument: [UInt8]?

    func register(in router: inout Router) {
        router.add(.get, "/health", access: .anyone) { _, _ in self.health() }
        router.add(.get, "/live", access: .anyone) { _, _ in
            .json { json in json.beginObject(); json.key("status"); json.string("ok"); json.endObject() }
        }
        router.add(.get, "/ready", access: .anyone) { _, _ in await self.ready() }
        router.add(.get, "/openapi.yaml", access: .anyone) { _, _ in try self.openAPI() }
    }

    func health() -> HTTPResponse {
        .json { json in
            json.beginObject()
            json.key("status"); json.string("ok")
            json.key("version"); json.string(StorefrontVersion.current)
            json.key("uptime_s"); json.integer(lifecycle.uptimeSeconds)
            json.endObject()
        }
    }

    func ready() async -> HTTPResponse {
        var results: [(String, String?)] = []
        if lifecycle.isDraining { results.append(("server", "draining")) }
        for check in checks { results.append((check.name, await check.problem())) }
        let ready = results.allSatisfy { $0.1 == nil }
        let headers = ready ? [] : [("Retry-After", "5")]
        return .json(ready ? .ok : .serviceUnavailable, headers: headers) { json in
            json.beginObject()
            json.key("status"); json.string(ready ? "ready" : "unavailable")
            json.key("checks")
            json.beginObject()
            for (name, problem) in results {
                json.key(name); json.string(problem ?? "ok")
            }
            json.endObject()
            json.endObject()
        }
    }

    func openAPI() throws -> HTTPResponse {
        guard let document = openAPIDocument else {
            throw AppError.unavailable("The OpenAPI document is not installed with this server")
        }
        return HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "application/yaml")]), body: document)
    }
}
