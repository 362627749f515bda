import Crypto
import Foundation

/// Password hashing for the services: scrypt on its own thread pool (never on an event
/// loop), its failures turned into domain errors, and transparent upgrades of old hashes.
/// `client` (the caller's IP) picks the pool's fair-share queue: one client's flood fills
/// only its own share.
struct PasswordService: Sendable {
    let hashing: PasswordHashingPool
    let users: UserRepository
    let logger: Logger

    func hash(_ password: String, client: String) async throws -> String {
        do {
            return try await hashing.hash(password, client: client)
        } catch {
            throw mapped(error)
        }
    }

    /// False for a wrong password, and for a stored hash that cannot be evaluated (logged:
    /// it is data corruption, but the caller still just fails to sign in).
    func verify(_ password: String, against stored: String, client: String) async throws -> Bool {
        do {
            return try await hashing.verify(password, against: stored, client: client)
        } catch .malformedStoredHash, .unsupportedParameters {
            logger.error("stored password hash cannot be evaluated")
            try await spendVerifyTime(password, client: client)
            return false
        } catch {
            throw mapped(error)
        }
    }

    /// The cost of a verification without an account to verify against, through the same
    /// queue and with the same failures (a full queue is 503 for an unknown email too, or
    /// the answer would tell which emails have accounts).
    func spendVerifyTime(_ password: String, client: String) async throws {
        do {
            _ = try await hashing.dummyVerify(password, client: client)
        } catch {
            throw mapped(error)
        }
    }

    /// After a successful login: store a hash made with today's parameters if the stored
    /// one is older. Failing here must not fail the login.
    func upgradeIfOutdated(userID: UUID, password: String, stored: String, client: String) async {
        guard hashing.needsRehash(stored) else { return }
        do {
            try await users.upgradePasswordHash(id: userID, from: stored, to: try await hash(password, client: client))
        } catch {
            logger.warning("password hash upgrade failed", ["user_id": .string(userID.uuidString.lowercased())])
        }
    }

    private func mapped(_ error: PasswordHashError) -> any Error {
        switch error {
        case .overloaded, .shutDown: IdentityError.hashingOverloaded
        default: error
        }
    }
}
