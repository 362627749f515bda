import HTTPClient
import HTTPCore
import ReceiverTestSupport

/// A client that may reach loopback receivers (all test traffic is on 127.0.0.1) and trusts
/// the throwaway CA when given one.
func loopbackClient(caFile: String? = nil, limits: ResponseParserLimits = ResponseParserLimits()) throws -> HTTPClient {
    try HTTPClient(configuration: HTTPClientConfiguration(addressPolicy: AddressPolicy(allowPrivate: true), caFile: caFile,
                                                          responseLimits: limits))
}

/// The outcome of a request as a value, so tables can compare errors.
func outcome(_ client: HTTPClient, _ request: HTTPClientRequest, timeout: Duration = .seconds(30))
    async -> Result<HTTPClientResponse, HTTPClientError>
{
    do {
        return .success(try await client.send(request, timeout: timeout))
    } catch {
        return .failure(error)
    }
}

/// The error kind without its reason text, for tables.
enum ErrorKind: Equatable {
    case invalidRequest, dns, forbiddenAddress, refused, timeout, tls, malformedResponse, tooLarge, io, cancelled, shutDown

    init(_ error: HTTPClientError) {
        switch error {
        case .invalidRequest: self = .invalidRequest
        case .dns: self = .dns
        case .forbiddenAddress: self = .forbiddenAddress
        case .refused: self = .refused
        case .timeout: self = .timeout
        case .tls: self = .tls
        case .malformedResponse: self = .malformedResponse
        case .tooLarge: self = .tooLarge
        case .io: self = .io
        case .cancelled: self = .cancelled
        case .shutDown: self = .shutDown
        }
    }
}

extension Result where Failure == HTTPClientError {
    var errorKind: ErrorKind? {
        if case .failure(let error) = self { return ErrorKind(error) }
        return nil
    }

    var response: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

/// The body of a recorded request (after the blank line).
func requestBody(_ request: [UInt8]) -> [UInt8] {
    let terminator = Array("\r\n\r\n".utf8)
    guard let end = request.indices.dropLast(3).first(where: { Array(request[$0..<($0 + 4)]) == terminator }) else { return [] }
    return Array(request[(end + 4)...])
}

/// Answers every request with its own body.
let echoReply: @Sendable ([UInt8]) -> Reply = { request in
    let body = requestBody(request)
    return .send(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
}
