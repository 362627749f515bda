import Crypto
import Foundation

/// Password hashing for the users service: scrypt on its own thread pool (never on an
/// event loop), its failures turned into domain errors.
struct PasswordService: Sendable {
    let hashing: PasswordHashingPool
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

    /// The stored hash was made with older parameters than today's.
    func isOutdated(_ stored: String) -> Bool { hashing.needsRehash(stored) }

    private func mapped(_ error: PasswordHashError) -> any Error {
        switch error {
        case .overloaded, .shutDown: UserError.hashingOverloaded
        default: error
        }
    }
}
