import CSSL

/// The client's one TLS configuration (an SSL_CTX): TLS 1.2 or later, the peer's
/// certificate always verified against the system trust store plus any anchors from a CA
/// file. There is deliberately no way to turn verification off.
final class TLSContext: @unchecked Sendable {
    // Safe: configured once in init and never changed; OpenSSL allows SSL_new on a shared,
    // unchanging SSL_CTX from any thread.
    let context: OpaquePointer

    init(caFile: String?) throws(HTTPClientError) {
        guard let method = TLS_client_method(), let context = SSL_CTX_new(method) else {
            throw .tls("cannot create a TLS context: \(TLSErrors.take())")
        }
        self.context = context
        guard cssl_ctx_set_min_tls12(context) == 1 else { throw .tls("cannot require TLS 1.2: \(TLSErrors.take())") }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        cssl_ctx_set_client_modes(context)
        // The system store may be empty (a minimal container): a CA file then still works.
        _ = SSL_CTX_set_default_verify_paths(context)
        ERR_clear_error()
        if let caFile, !caFile.isEmpty {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw .tls("cannot load CA file \(caFile): \(TLSErrors.take())")
            }
        }
    }

    deinit { SSL_CTX_free(context) }
}

/// What one non-blocking TLS call did: progress, a socket readiness it waits for, or an end.
enum TLSStep {
    case done(Int)
    case wantRead
    case wantWrite
    /// close_notify received: the peer ended the stream on purpose.
    case closed
    /// The TCP stream ended without close_notify: whatever was in flight may be cut short.
    case truncated
    case failed(String)
}

/// One client connection's TLS state over a non-blocking socket. Confined to the event
/// loop that owns the exchange; the loop re-arms epoll for whatever `TLSStep` asks.
final class TLSSession {
    private let ssl: OpaquePointer

    init(context: TLSContext, fd: Int32, host: String) throws(HTTPClientError) {
        guard let ssl = SSL_new(context.context) else { throw .tls("cannot create a TLS session: \(TLSErrors.take())") }
        self.ssl = ssl
        guard SSL_set_fd(ssl, fd) == 1 else { throw .tls("cannot attach the socket: \(TLSErrors.take())") }
        if IPAddress(host) != nil {
            // RFC 6066 §3: no SNI for IP literals; the certificate must name the address.
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw .tls("cannot set the expected IP address: \(TLSErrors.take())")
            }
        } else {
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard cssl_set_sni(ssl, host) == 1, SSL_set1_host(ssl, host) == 1 else {
                throw .tls("cannot set the expected host name: \(TLSErrors.take())")
            }
        }
        SSL_set_connect_state(ssl)
    }

    deinit { SSL_free(ssl) }

    func handshake() -> TLSStep {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        return result == 1 ? .done(0) : classify(result)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TLSStep {
        ERR_clear_error()
        let result = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        return result > 0 ? .done(Int(result)) : classify(result)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSStep {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return result > 0 ? .done(Int(result)) : classify(result)
    }

    private func classify(_ result: Int32) -> TLSStep {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL: return .truncated
        case SSL_ERROR_SSL:
            let code = ERR_peek_last_error()
            if cssl_error_reason(code) == cssl_reason_unexpected_eof() { ERR_clear_error(); return .truncated }
            let verdict = SSL_get_verify_result(ssl)
            if verdict != X509_V_OK {
                ERR_clear_error()
                return .failed("certificate verification failed: \(String(cString: X509_verify_cert_error_string(verdict)))")
            }
            return .failed(TLSErrors.take())
        default:
            return .failed(TLSErrors.take())
        }
    }
}

/// OpenSSL's per-thread error queue as one line; empties it so the next call starts clean.
enum TLSErrors {
    static func take() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "unknown TLS error" : reasons.joined(separator: "; ")
    }
}
