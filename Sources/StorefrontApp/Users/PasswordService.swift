import Crypto
import Foundation

/// Password hashing for the users service: scrypt on its own thread pool (never on an
/// event loop), its failures turned into domain errors. `client` (the caller's IP) picks
/// the pool's fair-share queue: one client's flood fills only its own share.
struct PasswordService: Sendable {
    let hashing: PasswordHashingPool
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

    /// The stored hash was made with older parameters than today's.
    func isOutdated(_ stored: String) -> Bool { hashing.needsRehash(stored) }

    private func mapped(_ error: PasswordHashError) -> any Error {
        switch error {
        case .overloaded, .shutDown: UserError.hashingOverloaded
        default: error
        }
    }
}
