import Foundation
import HTTPCore

/// Routes of API.md, Users, and registration (it creates the user): what each endpoint
/// reads, the service call, and how a user is rendered.
struct UsersController: Sendable {
    let service: UsersService
    let cursors: CursorCodec

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/auth/register", access: .anyone) { request, context in
            let input = try request.input(RegisterInput.self)
            let user = try await self.service.register(email: input.email, password: input.password, name: input.name,
                                                       client: context.clientIP)
            return .json(.created, headers: [("Location", "/api/v1/users/\(user.id.uuidString.lowercased())")]) { json in
                user.write(to: &json)
            }
        }
        router.add(.get, "/api/v1/users/me", access: .user(scope: .usersRead)) { _, context in
            let principal = try context.requirePrincipal()
            return UsersController.render(try await self.service.user(principal.userID, visibleTo: principal))
        }
        router.add(.patch, "/api/v1/users/me", access: .accessToken) { request, context in
            let input = try request.input(UpdateMeInput.self)
            return UsersController.render(try await self.service.updateOwnProfile(
                context.requirePrincipal(), name: input.name, newPassword: input.password,
                currentPassword: input.currentPassword, client: context.clientIP))
        }
        router.add(.get, "/api/v1/users", access: .admin(scope: .usersRead)) { request, _ in
            try await self.list(request)
        }
        router.add(.get, "/api/v1/users/{id}", access: .user(scope: .usersRead)) { request, context in
            let input = try request.input(ResourceIDInput.self)
            return UsersController.render(try await self.service.user(input.id, visibleTo: context.requirePrincipal()))
        }
        router.add(.patch, "/api/v1/users/{id}", access: .admin(scope: nil)) { request, _ in
            let input = try request.input(AdminUpdateInput.self)
            return UsersController.render(try await self.service.update(input.id, role: input.role,
                                                                        disabled: input.disabled))
        }
        router.add(.delete, "/api/v1/users/{id}", access: .admin(scope: nil)) { request, _ in
            try await self.service.delete(request.input(ResourceIDInput.self).id)
            return HTTPResponse(status: .noContent)
        }
    }

    private func list(_ request: Request) async throws -> HTTPResponse {
        let input = try request.input(ListUsersInput.self)
        let page = input.page
        let rows = try await service.list(filter: input.filter, sort: page.sort, after: page.after(using: cursors),
                                          limit: page.limit)
        return Page(rows: rows, limit: page.limit)
            .response(request: request, limit: page.limit, codec: cursors) { json, user in user.write(to: &json) }
    }

    static func render(_ user: User) -> HTTPResponse {
        .json { json in user.write(to: &json) }
    }
}

struct RegisterInput: RequestInput {
    let email: Email
    let password: Password
    let name: PersonName

    init?(_ fields: inout FieldReader) {
        let email = fields.email("email")
        let password = fields.newPassword("password")
        let name = fields.personName("name")
        guard let email, let password, let name else { return nil }
        (self.email, self.password, self.name) = (email, password, name)
    }
}

struct UpdateMeInput: RequestInput {
    let name: PersonName?
    let password: Password?
    let currentPassword: String?

    init?(_ fields: inout FieldReader) {
        name = fields.personName("name", required: false)
        password = fields.newPassword("password", required: false)
        currentPassword = fields.presentedPassword("current_password", required: false)
    }
}

struct AdminUpdateInput: RequestInput {
    let id: UUID
    let role: Role?
    let disabled: Bool?

    init?(_ fields: inout FieldReader) {
        let id = fields.pathID()
        role = fields.choice("role", required: false, Role.self)
        disabled = fields.boolean("disabled", required: false)
        guard let id else { return nil }
        self.id = id
    }
}

/// `GET /users?role=&q=&limit=&sort=&cursor=`: filters and page in one read, so one 422
/// names every bad parameter.
struct ListUsersInput: RequestInput {
    let filter: UserFilter
    let page: PageRequest<UserSort>

    init?(_ fields: inout FieldReader) {
        let role = fields.choice("role", in: .query, required: false, Role.self)
        let text = fields.string("q", in: .query, required: false, .length(1...100))
        let page = fields.page(default: UserSort.createdAt)
        guard let page else { return nil }
        filter = UserFilter(role: role, text: text)
        self.page = page
    }
}

extension User {
    /// API.md, Users: `{id, email, name, role, mfa_enabled, disabled, created_at, updated_at}`.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("email"); json.string(email)
        json.key("name"); json.string(name)
        json.key("role"); json.string(role.rawValue)
        json.key("mfa_enabled"); json.bool(mfaEnabled)
        json.key("disabled"); json.bool(disabled)
        json.key("created_at"); json.timestamp(createdAt)
        json.key("updated_at"); json.timestamp(updatedAt)
        json.endObject()
    }
}
