import Foundation

/// Turns a presented access token into the caller (Sessions issues and verifies them).
protocol AccessTokenVerifier: Sendable {
    func principal(accessToken: String) async throws -> Principal
}

/// Turns a presented `X-API-Key` into the caller (APIKeys owns them).
protocol APIKeyVerifier: Sendable {
    func principal(apiKey: String) async throws -> Principal
}

/// Why a user's credentials must stop working.
enum AccessEndReason: Sendable {
    case passwordChanged, accountDisabled, accountDeleted
}

/// A domain that holds credentials of a user (sessions, API keys) and ends them when the
/// user's account changes. Users declares the moment, the holders decide what ends; the
/// application hands Users every holder, so no domain needs to know the others.
protocol AccessRevoker: Sendable {
    /// Runs inside the transaction that changes the account, so both commit together.
    func revokeAccess(of userID: UUID, because reason: AccessEndReason, on tx: Transaction) async throws
}
