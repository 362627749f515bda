import HTTPCore

/// Routes of API.md, Auth, for the TOTP second factor. Access token only: a leaked API
/// key must not be able to add or remove a second factor.
struct TOTPController: Sendable {
    let service: TOTPService

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/auth/mfa/totp", access: .accessToken) { _, context in
            let enrollment = try await self.service.begin(for: context.requirePrincipal())
            return .json(.created, headers: [("Cache-Control", "no-store")]) { json in
                json.beginObject()
                json.key("secret"); json.string(enrollment.secret)
                json.key("otpauth_uri"); json.string(enrollment.otpauthURI)
                json.endObject()
            }
        }
        router.add(.post, "/api/v1/auth/mfa/totp/confirm", access: .accessToken) { request, context in
            try await self.service.confirm(for: context.requirePrincipal(), code: request.input(TOTPCodeInput.self).code)
            return HTTPResponse(status: .noContent)
        }
        router.add(.delete, "/api/v1/auth/mfa/totp", access: .accessToken) { request, context in
            try await self.service.disable(for: context.requirePrincipal(), code: request.input(TOTPCodeInput.self).code)
            return HTTPResponse(status: .noContent)
        }
    }
}

struct TOTPCodeInput: RequestInput {
    let code: String

    init?(_ fields: inout FieldReader) {
        guard let code = fields.string("code", .length(1...16)) else { return nil }
        self.code = code
    }
}
