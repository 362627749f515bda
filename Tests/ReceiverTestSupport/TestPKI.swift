import Foundation
import TestSupport

/// A throwaway certificate authority and server certificates, made with the openssl CLI
/// once per test process in a fresh temporary directory. Nothing here is trusted by the
/// system: a client trusts it only through its CA file.
public struct TestPKI: Sendable {
    public let directory: String
    /// The CA the client is configured with.
    public let caFile: String
    /// localhost and 127.0.0.1, signed by the trusted CA.
    public let good: CertificatePair
    /// Only `elsewhere.test`, signed by the trusted CA.
    public let wrongHost: CertificatePair
    /// localhost, signed by the trusted CA, validity ended yesterday.
    public let expired: CertificatePair
    /// localhost, signed by a CA the client does not know.
    public let unknownIssuer: CertificatePair

    public struct CertificatePair: Sendable {
        public let certificate: String
        public let key: String
    }

    public static let shared = Task { try await TestPKI.make() }

    public static func make() async throws -> TestPKI {
        let directory = NSTemporaryDirectory() + "storefront-pki-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ca = try await makeAuthority(directory, "ca")
        let otherCA = try await makeAuthority(directory, "other-ca")
        return TestPKI(
            directory: directory, caFile: ca.certificate,
            good: try await makeServer(directory, "good", names: "DNS:localhost,IP:127.0.0.1", days: 2, authority: ca),
            wrongHost: try await makeServer(directory, "wrong-host", names: "DNS:elsewhere.test", days: 2, authority: ca),
            expired: try await makeServer(directory, "expired", names: "DNS:localhost,IP:127.0.0.1", days: -1, authority: ca),
            unknownIssuer: try await makeServer(directory, "unknown-issuer", names: "DNS:localhost,IP:127.0.0.1", days: 2,
                                                authority: otherCA))
    }

    private static let keyOptions = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    private static func makeAuthority(_ directory: String, _ name: String) async throws -> CertificatePair {
        let pair = CertificatePair(certificate: "\(directory)/\(name).pem", key: "\(directory)/\(name).key")
        try await Command.run("/usr/bin/openssl", ["req", "-x509"] + keyOptions + [
            "-keyout", pair.key, "-out", pair.certificate, "-subj", "/CN=Storefront test \(name)", "-days", "2",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return pair
    }

    private static func makeServer(_ directory: String, _ name: String, names: String, days: Int,
                                   authority: CertificatePair) async throws -> CertificatePair {
        let pair = CertificatePair(certificate: "\(directory)/\(name).pem", key: "\(directory)/\(name).key")
        let request = "\(directory)/\(name).csr"
        let extensions = "\(directory)/\(name).ext"
        try "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try await Command.run("/usr/bin/openssl", ["req", "-new"] + keyOptions + [
            "-keyout", pair.key, "-out", request, "-subj", "/CN=\(name)",
        ])
        try await Command.run("/usr/bin/openssl", [
            "x509", "-req", "-in", request, "-CA", authority.certificate, "-CAkey", authority.key,
            "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "\(days)", "-extfile", extensions,
            "-out", pair.certificate,
        ])
        return pair
    }
}
