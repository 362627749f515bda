extension PasswordHashingPool {
    /// Jobs waiting for a hashing thread, for `/metrics`: a queue that grows means logins
    /// arrive faster than scrypt can serve them.
    public var queueDepth: Int { queuedJobCount }
}
