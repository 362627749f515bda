import Crypto
import Foundation

/// Password hashing for the services: scrypt on its own thread pool (never on an event
/// loop), its failures turned into domain errors, and transparent upgrades of old hashes.
struct PasswordService: Sendable {
    let hashing: PasswordHashingPool
    let users: UserRepository
    let logger: Logger

    func hash(_ password: String) async throws -> String {
        do {
            return try await hashing.hash(password)
        } catch {
            throw mapped(error)
        }
    }

    /// False for a wrong password, and for a stored hash that cannot be evaluated (logged:
    /// it is data corruption, but the caller still just fails to sign in).
    func verify(_ password: String, against stored: String) async throws -> Bool {
        do {
            return try await hashing.verify(password, against: stored)
        } catch .malformedStoredHash, .unsupportedParameters {
            logger.error("stored password hash cannot be evaluated")
            await spendVerifyTime(password)
            return false
        } catch {
            throw mapped(error)
        }
    }

    /// The cost of a verification without an account to verify against.
    func spendVerifyTime(_ password: String) async {
        _ = try? await hashing.dummyVerify(password)
    }

    /// After a successful login: store a hash made with today's parameters if the stored
    /// one is older. Failing here must not fail the login.
    func upgradeIfOutdated(userID: UUID, password: String, stored: String) async {
        guard hashing.needsRehash(stored) else { return }
        do {
            try await users.setPasswordHash(id: userID, hash: try await hash(password))
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
