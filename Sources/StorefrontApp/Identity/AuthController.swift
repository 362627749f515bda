import HTTPCore

/// Routes of API.md, Auth: decode and validate, call the service, render.
struct AuthController: Sendable {
    let auth: AuthService
    let totp: TOTPService

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/auth/register", access: .anyone) { request, context in
            try await self.register(request, client: context.clientIP)
        }
        router.add(.post, "/api/v1/auth/login", access: .anyone) { request, context in
            try await self.login(request, client: context.clientIP)
        }
        router.add(.post, "/api/v1/auth/refresh", access: .anyone) { request, _ in try await self.refresh(request) }
        router.add(.post, "/api/v1/auth/logout", access: .anyone) { request, _ in try await self.logout(request) }
        router.add(.post, "/api/v1/auth/mfa/totp", access: .bearer) { _, context in
            try await self.beginTOTP(context.requirePrincipal())
        }
        router.add(.post, "/api/v1/auth/mfa/totp/confirm", access: .bearer) { request, context in
            try await self.totp.confirm(for: context.requirePrincipal(), code: AuthController.code(request))
            return HTTPResponse(status: .noContent)
        }
        router.add(.delete, "/api/v1/auth/mfa/totp", access: .bearer) { request, context in
            try await self.totp.disable(for: context.requirePrincipal(), code: AuthController.code(request))
            return HTTPResponse(status: .noContent)
        }
    }

    private func register(_ request: Request, client: String) async throws -> HTTPResponse {
        var body = try FieldReader.body(request)
        let email = body.email("email")
        let password = body.newPassword("password")
        let name = body.personName("name")
        try body.finish()
        guard let email, let password, let name else { throw AppError.validation(body.issues) }
        let user = try await auth.register(email: email, password: password, name: name, client: client)
        return .json(.created, headers: [("Location", "/api/v1/users/\(user.id.uuidString.lowercased())")]) { json in
            user.write(to: &json)
        }
    }

    private func login(_ request: Request, client: String) async throws -> HTTPResponse {
        var body = try FieldReader.body(request)
        let email = body.string("email", .length(1...254))
        let password = body.presentedPassword("password")
        let otp = body.string("otp", required: false, .length(1...16))
        try body.finish()
        guard let email, let password else { throw AppError.validation(body.issues) }
        return AuthController.tokens(try await auth.login(email: email, password: password, otp: otp, client: client))
    }

    private func refresh(_ request: Request) async throws -> HTTPResponse {
        AuthController.tokens(try await auth.refresh(token: try AuthController.refreshToken(request)))
    }

    private func logout(_ request: Request) async throws -> HTTPResponse {
        try await auth.logout(token: try AuthController.refreshToken(request))
        return HTTPResponse(status: .noContent)
    }

    private func beginTOTP(_ principal: Principal) async throws -> HTTPResponse {
        let enrollment = try await totp.begin(for: principal)
        return .json(.created, headers: [("Cache-Control", "no-store")]) { json in
            json.beginObject()
            json.key("secret"); json.string(enrollment.secret)
            json.key("otpauth_uri"); json.string(enrollment.otpauthURI)
            json.endObject()
        }
    }

    /// Token responses must not be cached anywhere (RFC 6749 §5.1).
    private static func tokens(_ pair: TokenPair) -> HTTPResponse {
        .json(headers: [("Cache-Control", "no-store")]) { json in pair.write(to: &json) }
    }

    private static func refreshToken(_ request: Request) throws(AppError) -> String {
        var body = try FieldReader.body(request)
        let token = body.string("refresh_token", .length(1...512))
        try body.finish()
        guard let token else { throw AppError.validation(body.issues) }
        return token
    }

    private static func code(_ request: Request) throws(AppError) -> String {
        var body = try FieldReader.body(request)
        let code = body.string("code", .length(1...16))
        try body.finish()
        guard let code else { throw AppError.validation(body.issues) }
        return code
    }
}

extension RequestContext {
    /// The caller, on routes whose access level guarantees the auth link set one.
    func requirePrincipal() throws(IdentityError) -> Principal {
        guard let principal else { throw .unauthenticated }
        return principal
    }
}
