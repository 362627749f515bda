/// Why hashing or verifying a password failed. A wrong password is not an error: `verify`
/// returns `false` for it.
///
/// No case carries the password or the stored hash, so errors are safe to log.
public enum PasswordHashError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored string is not `$scrypt$ln=…,r=…,p=…$<salt>$<hash>` (data corruption or a
    /// foreign format); the application should log it and answer as for a wrong password.
    case malformedStoredHash
    /// scrypt parameters outside `PasswordHasher`'s accepted bounds, either given to its
    /// initializer or found in a stored string.
    case unsupportedParameters
    /// `PasswordHashingPool` already has its maximum number of jobs waiting; answer 503.
    case overloaded
    /// `PasswordHashingPool` was shut down before the job could run.
    case shutDown
    /// The calling task was cancelled while the job was still waiting in the queue.
    case cancelled
    /// libcrypto failed (e.g. the random generator for a salt).
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .malformedStoredHash: "stored password hash is malformed"
        case .unsupportedParameters: "scrypt parameters outside the accepted bounds"
        case .overloaded: "password hashing queue is full"
        case .shutDown: "password hashing pool is shut down"
        case .cancelled: "password hashing job cancelled"
        case .crypto(let error): "password hashing failed: \(error)"
        }
    }
}
