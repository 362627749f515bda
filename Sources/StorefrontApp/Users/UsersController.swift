import HTTPCore

/// Routes of API.md, Users.
struct UsersController: Sendable {
    let service: UsersService
    let cursors: CursorCodec

    func register(in router: inout Router) {
        router.add(.get, "/api/v1/users/me", access: .user(scope: .usersRead)) { _, context in
            let principal = try context.requirePrincipal()
            return UsersController.render(try await self.service.user(principal.userID, visibleTo: principal))
        }
        router.add(.patch, "/api/v1/users/me", access: .bearer) { request, context in
            try await self.updateMe(request, context.requirePrincipal(), client: context.clientIP)
        }
        router.add(.get, "/api/v1/users", access: .admin(scope: .usersRead)) { request, _ in
            try await self.list(request)
        }
        router.add(.get, "/api/v1/users/{id}", access: .user(scope: .usersRead)) { request, context in
            UsersController.render(try await self.service.user(request.uuidParameter(), visibleTo: context.requirePrincipal()))
        }
        router.add(.patch, "/api/v1/users/{id}", access: .admin(scope: nil)) { request, _ in
            try await self.adminUpdate(request)
        }
        router.add(.delete, "/api/v1/users/{id}", access: .admin(scope: nil)) { request, _ in
            try await self.service.delete(request.uuidParameter())
            return HTTPResponse(status: .noContent)
        }
    }

    private func updateMe(_ request: Request, _ principal: Principal, client: String) async throws -> HTTPResponse {
        var body = try FieldReader.body(request)
        let name = body.personName("name", required: false)
        let password = body.newPassword("password", required: false)
        let current = body.presentedPassword("current_password", required: false)
        try body.finish()
        return UsersController.render(try await service.updateOwnProfile(principal, name: name, newPassword: password,
                                                                         currentPassword: current, client: client))
    }

    private func adminUpdate(_ request: Request) async throws -> HTTPResponse {
        let id = try request.uuidParameter()
        var body = try FieldReader.body(request)
        let role = body.string("role", required: false, .oneOf(Role.allCases.map(\.rawValue))).flatMap(Role.init)
        let disabled = body.boolean("disabled", required: false)
        try body.finish()
        return UsersController.render(try await service.update(id, role: role, disabled: disabled))
    }

    private func list(_ request: Request) async throws -> HTTPResponse {
        try request.requireWellFormedQuery()
        let query = request.query
        var issues: [FieldIssue] = []
        var filter = UserFilter()
        if let text = query["role"] {
            if let role = Role(rawValue: text) { filter.role = role } else {
                issues.append(FieldIssue(field: "role", issue: "must be one of customer, admin"))
            }
        }
        if let text = query["q"] {
            // The same rules as body fields: it is bound to PostgreSQL, which cannot hold NUL.
            if let problem = StringRule.storable.check(text) ?? StringRule.length(1...100).check(text) {
                issues.append(FieldIssue(field: "q", issue: problem))
            } else {
                filter.text = text
            }
        }
        if !issues.isEmpty { throw AppError.validation(issues) }
        let page = try PageRequest<UserSort>(query: query, defaultSort: .createdAt, codec: cursors)
        let rows = try await service.list(filter: filter, sort: page.sort, after: page.after, limit: page.limit)
        return Page(rows: rows, limit: page.limit) { UserRepository.cursor(for: $0, sort: page.sort) }
            .response(request: request, limit: page.limit, codec: cursors) { json, user in user.write(to: &json) }
    }

    static func render(_ user: User) -> HTTPResponse {
        .json { json in user.write(to: &json) }
    }
}
