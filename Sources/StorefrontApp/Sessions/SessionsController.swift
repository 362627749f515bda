import HTTPCore

/// Routes of API.md, Auth, for sessions: sign in, refresh, log out.
struct SessionsController: Sendable {
    let service: SessionsService

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/auth/login", access: .anyone) { request, context in
            let input = try request.input(LoginInput.self)
            return SessionsController.tokens(try await self.service.login(email: input.email, password: input.password,
                                                                           otp: input.otp, client: context.clientIP))
        }
        router.add(.post, "/api/v1/auth/refresh", access: .anyone) { request, _ in
            SessionsController.tokens(try await self.service.refresh(token: request.input(RefreshTokenInput.self).token))
        }
        router.add(.post, "/api/v1/auth/logout", access: .anyone) { request, _ in
            try await self.service.logout(token: request.input(RefreshTokenInput.self).token)
            return HTTPResponse(status: .noContent)
        }
    }

    /// Token responses must not be cached anywhere (RFC 6749 §5.1).
    private static func tokens(_ pair: TokenPair) -> HTTPResponse {
        .json(headers: [("Cache-Control", "no-store")]) { json in pair.write(to: &json) }
    }
}

struct LoginInput: RequestInput {
    let email: String
    let password: String
    let otp: String?

    init?(_ fields: inout FieldReader) {
        let email = fields.string("email", .length(1...254))
        let password = fields.presentedPassword("password")
        otp = fields.string("otp", required: false, .length(1...16))
        guard let email, let password else { return nil }
        (self.email, self.password) = (email, password)
    }
}

struct RefreshTokenInput: RequestInput {
    let token: String

    init?(_ fields: inout FieldReader) {
        guard let token = fields.string("refresh_token", .length(1...512)) else { return nil }
        self.token = token
    }
}

extension TokenPair {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("access_token"); json.string(accessToken)
        json.key("token_type"); json.string("Bearer")
        json.key("expires_in"); json.integer(expiresIn)
        json.key("refresh_token"); json.string(refreshToken)
        json.key("refresh_expires_in"); json.integer(refreshExpiresIn)
        json.endObject()
    }
}
