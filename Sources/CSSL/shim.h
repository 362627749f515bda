// libssl for the outbound HTTP client (and the tests' TLS receivers).
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// The calls below are macros over SSL_ctrl / SSL_CTX_ctrl, which Swift cannot import.

static inline int cssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int cssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

// Partial writes, and a write buffer that may move between retries (a Swift array may be
// reallocated between SSL_write calls that resume the same record).
static inline void cssl_ctx_set_client_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

static inline int cssl_error_reason(unsigned long code) {
    return ERR_GET_REASON(code);
}

static inline int cssl_reason_unexpected_eof(void) {
    return SSL_R_UNEXPECTED_EOF_WHILE_READING;
}
