/// Hashes and verifies user passwords with scrypt (RFC 7914), storing self-describing
/// strings so the cost can be raised later without invalidating existing hashes:
///
///     $scrypt$ln=14,r=8,p=1$<salt>$<hash>
///
/// `ln` is log2(N); salt (16 bytes) and hash (32 bytes) are unpadded base64url (RFC 4648 §5).
/// After a successful login, `needsRehash` tells whether to store a fresh hash made with the
/// current parameters.
///
/// Every call costs one full scrypt evaluation (tens of milliseconds): never call these on an
/// event loop or Swift's cooperative pool; go through `PasswordHashingPool`.
public struct PasswordHasher: Sendable {
    /// ln=14, r=8, p=1 (16 MiB per hash). Measured on the project machine (2-core x86_64,
    /// OpenSSL 3.0.19), fastest of 3 hashes in-process via `PasswordHasher.hash`: ln=14 57–88 ms
    /// (other builds running; 26 ms on a faster day of the same VM, 2026-12-02), ln=15
    /// 137 ms; `openssl kdf … SCRYPT` under `time`, idle
    /// machine, process start included: ln=14 65–70 ms, ln=15 130–140 ms. ln=14 is the
    /// setting inside the 50–100 ms login budget; r=8, p=1 per RFC 7914 §2. OWASP's current
    /// advice (N=2^17) costs ~8x more: raise `ln` when the budget allows — stored hashes
    /// carry their own parameters and `needsRehash` upgrades them at the next login.
    public static let defaultParameters = Scrypt.Parameters(logN: 14, r: 8, p: 1)
    public static let saltByteCount = 16
    public static let hashByteCount = 32

    /// Stored strings with parameters beyond these are refused rather than evaluated: a
    /// corrupted `ln=40` must not take the process down with a 128 TiB allocation.
    static let maximumLogN = 20
    static let maximumR = 32
    static let maximumP = 16
    static let maximumMemoryBytes: UInt64 = 1 << 30

    /// The parameters new hashes are made with.
    public let parameters: Scrypt.Parameters

    /// A hasher with `defaultParameters`.
    public init() {
        parameters = Self.defaultParameters
    }

    /// A hasher with other parameters: higher ones in production later, cheap ones in tests.
    public init(parameters: Scrypt.Parameters) throws(PasswordHashError) {
        guard Self.isAcceptable(parameters) else { throw .unsupportedParameters }
        self.parameters = parameters
    }

    /// A new stored string for `password`, with a fresh random salt.
    public func hash(_ password: String) throws(PasswordHashError) -> String {
        let salt: [UInt8]
        do { salt = try SecureRandom.bytes(Self.saltByteCount) } catch { throw .crypto(error) }
        let derived = try derive(password, salt: salt, parameters: parameters,
                                 length: Self.hashByteCount)
        return StoredPasswordHash(parameters: parameters, salt: salt, hash: derived).encoded
    }

    /// Whether `password` matches `stored`. Throws `.malformedStoredHash` or
    /// `.unsupportedParameters` when `stored` cannot be evaluated; never crashes on it.
    public func verify(_ password: String, against stored: String) throws(PasswordHashError)
        -> Bool
    {
        guard let record = StoredPasswordHash(parsing: stored) else {
            throw .malformedStoredHash
        }
        guard Self.isAcceptable(record.parameters) else { throw .unsupportedParameters }
        let derived = try derive(password, salt: record.salt, parameters: record.parameters,
                                 length: record.hash.count)
        return constantTimeEquals(derived, record.hash)
    }

    /// Spends the time of a `verify` against a hash made with the current parameters, and
    /// returns `false`. Call it when the user is unknown, so that login takes the same time
    /// for an unknown email as for a wrong password (no account enumeration by timing).
    @discardableResult
    public func dummyVerify(_ password: String) throws(PasswordHashError) -> Bool {
        let salt = [UInt8](repeating: 0, count: Self.saltByteCount)
        let derived = try derive(password, salt: salt, parameters: parameters,
                                 length: Self.hashByteCount)
        // Compare like verify does, then answer false whatever the outcome.
        _ = constantTimeEquals(derived, [UInt8](repeating: 0, count: Self.hashByteCount))
        return false
    }

    /// Whether `stored` was made with other parameters or sizes than this hasher uses now
    /// (or cannot be read at all), so a fresh hash should be stored after the next
    /// successful `verify`.
    public func needsRehash(_ stored: String) -> Bool {
        guard let record = StoredPasswordHash(parsing: stored) else { return true }
        return record.parameters != parameters || record.salt.count != Self.saltByteCount
            || record.hash.count != Self.hashByteCount
    }

    private func derive(_ password: String, salt: [UInt8], parameters: Scrypt.Parameters,
                        length: Int) throws(PasswordHashError) -> [UInt8] {
        do {
            return try Scrypt.derive(password: Array(password.utf8), salt: salt,
                                     parameters: parameters, length: length)
        } catch {
            throw .crypto(error)
        }
    }

    static func isAcceptable(_ parameters: Scrypt.Parameters) -> Bool {
        parameters.isValid && parameters.logN <= maximumLogN && parameters.r <= maximumR
            && parameters.p <= maximumP && parameters.memoryBytes <= maximumMemoryBytes
    }
}

/// The parsed form of `$scrypt$ln=<int>,r=<int>,p=<int>$<b64url salt>$<b64url hash>`.
struct StoredPasswordHash: Equatable {
    var parameters: Scrypt.Parameters
    var salt: [UInt8]
    var hash: [UInt8]

    static let saltBytes = 8...64
    static let hashBytes = 16...64

    init(parameters: Scrypt.Parameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// `nil` for anything but the exact shape; bounds on every number keep a corrupt string
    /// from overflowing or allocating.
    init?(parsing stored: String) {
        guard stored.utf8.count <= 256 else { return nil }
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty, fields[1] == "scrypt" else { return nil }
        let settings = fields[2].split(separator: ",", omittingEmptySubsequences: false)
        guard settings.count == 3,
              let logN = Self.number(settings[0], named: "ln"),
              let r = Self.number(settings[1], named: "r"),
              let p = Self.number(settings[2], named: "p"),
              let salt = Base64URL.decode(fields[3]), Self.saltBytes.contains(salt.count),
              let hash = Base64URL.decode(fields[4]), Self.hashBytes.contains(hash.count)
        else { return nil }
        self.init(parameters: Scrypt.Parameters(logN: logN, r: r, p: p), salt: salt, hash: hash)
    }

    var encoded: String {
        "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$"
            + "\(Base64URL.encode(salt))$\(Base64URL.encode(hash))"
    }

    /// `name=digits`, at most 7 digits, so the value always fits in an Int.
    private static func number(_ field: Substring, named name: String) -> Int? {
        let prefix = name + "="
        guard field.hasPrefix(prefix) else { return nil }
        let digits = field.dropFirst(prefix.count)
        guard (1...7).contains(digits.count),
              digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(digits)
    }
}
