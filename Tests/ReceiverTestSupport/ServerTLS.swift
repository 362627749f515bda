import CSSL
import Glibc

/// The TLS side of a test receiver: one SSL_CTX with a certificate chain and key, and
/// blocking sessions over accepted sockets.
public final class ServerTLS: @unchecked Sendable {
    // Safe: configured in init, then only used to create sessions (SSL_new is thread-safe).
    private let context: OpaquePointer

    public init(_ pair: TestPKI.CertificatePair) throws {
        guard let method = TLS_server_method(), let context = SSL_CTX_new(method) else {
            throw TestServerError.tls("SSL_CTX_new")
        }
        self.context = context
        guard SSL_CTX_use_certificate_chain_file(context, pair.certificate) == 1,
              SSL_CTX_use_PrivateKey_file(context, pair.key, SSL_FILETYPE_PEM) == 1 else {
            throw TestServerError.tls("cannot load \(pair.certificate)")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The handshake on a blocking socket; nil when the client gave up (for example after
    /// refusing the certificate).
    public func accept(_ fd: Int32) -> TLSStream? {
        guard let ssl = SSL_new(context) else { return nil }
        SSL_set_fd(ssl, fd)
        guard SSL_accept(ssl) == 1 else {
            SSL_free(ssl)
            ERR_clear_error()
            return nil
        }
        return TLSStream(ssl: ssl)
    }
}

public final class TLSStream: ByteStream {
    private let ssl: OpaquePointer

    init(ssl: OpaquePointer) { self.ssl = ssl }
    deinit { SSL_free(ssl) }

    public var serverName: String {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return "" }
        return String(cString: name)
    }

    public func read(_ buffer: inout [UInt8]) -> Int {
        let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        return Int(count)
    }

    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard sent > 0 else { return false }
            offset += Int(sent)
        }
        return true
    }

    /// close_notify: the client can tell this end from a truncation.
    public func close() { SSL_shutdown(ssl) }
}
