import HTTPCore
import Testing
@testable import StorefrontApp

@Suite struct RouterTests {
    private func router() -> Router {
        var router = Router()
        let ok: RouteHandler = { _, _ in HTTPResponse(status: .ok) }
        router.add(.get, "/api/v1/products", access: .anyone, ok)
        router.add(.post, "/api/v1/products", access: .anyone, ok)
        router.add(.get, "/api/v1/products/{id}", access: .anyone, ok)
        router.add(.delete, "/api/v1/products/{id}", access: .anyone, ok)
        router.add(.post, "/api/v1/products/{id}/cancel", access: .anyone, ok)
        return router
    }

    @Test func templateParametersArePercentDecoded() throws {
        guard case .found(let route, let parameters) = router().match(method: .get, path: "/api/v1/products/a%20b") else {
            Issue.record("expected a match"); return
        }
        #expect(route.template == "/api/v1/products/{id}")
        #expect(parameters == ["id": "a b"])
    }

    @Test func knownPathWithAnotherMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let template, let allow) = router().match(method: .put, path: "/api/v1/products/1") else {
            Issue.record("expected 405"); return
        }
        #expect(template == "/api/v1/products/{id}")
        #expect(allow.map(\.rawValue) == ["DELETE", "GET", "HEAD", "OPTIONS"])
    }

    @Test func headIsAnsweredByTheGetRoute() {
        guard case .found(let route, _) = router().match(method: .head, path: "/api/v1/products") else {
            Issue.record("expected HEAD to match GET"); return
        }
        #expect(route.method == .get)
    }

    @Test func optionsOnAKnownPathAnswersWithItsAllowList() {
        guard case .options(_, let allow) = router().match(method: .options, path: "/api/v1/products") else {
            Issue.record("expected OPTIONS"); return
        }
        #expect(allow.map(\.rawValue) == ["GET", "HEAD", "OPTIONS", "POST"])
    }

    @Test func optionsAsteriskListsEveryMethodTheServerImplements() {
        guard case .serverOptions(let allow) = router().match(method: .options, path: "*") else {
            Issue.record("expected OPTIONS *"); return
        }
        #expect(allow.map(\.rawValue) == ["DELETE", "GET", "HEAD", "OPTIONS", "POST"])
    }

    @Test(arguments: ["/api/v1/product", "/api/v1/products/1/2", "/api/v1/products/", "/", "/api/v1/products/%zz"])
    func unknownPathsAreNotFound(path: String) {
        guard case .notFound = router().match(method: .get, path: path[...]) else {
            Issue.record("expected 404 for \(path)"); return
        }
    }
}
