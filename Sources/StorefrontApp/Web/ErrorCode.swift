import HTTPCore

/// The closed set of error codes a client can see, each mapped to its status here and
/// nowhere else (API.md, Errors). Codes past API.md's table cover what the transport
/// itself refuses (408, 414, 417, 431, 501, 505) so those answers keep the envelope too.
public enum ErrorCode: String, Sendable, CaseIterable {
    case badRequest = "BAD_REQUEST"
    case unauthorized = "UNAUTHORIZED"
    case invalidCredentials = "INVALID_CREDENTIALS"
    case tokenExpired = "TOKEN_EXPIRED"
    case mfaRequired = "MFA_REQUIRED"
    case forbidden = "FORBIDDEN"
    case notFound = "NOT_FOUND"
    case methodNotAllowed = "METHOD_NOT_ALLOWED"
    case notAcceptable = "NOT_ACCEPTABLE"
    case requestTimeout = "REQUEST_TIMEOUT"
    case conflict = "CONFLICT"
    case emailTaken = "EMAIL_TAKEN"
    case skuTaken = "SKU_TAKEN"
    case insufficientStock = "INSUFFICIENT_STOCK"
    case invalidState = "INVALID_STATE"
    case idempotencyInProgress = "IDEMPOTENCY_IN_PROGRESS"
    case preconditionFailed = "PRECONDITION_FAILED"
    case payloadTooLarge = "PAYLOAD_TOO_LARGE"
    case uriTooLong = "URI_TOO_LONG"
    case unsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
    case expectationFailed = "EXPECTATION_FAILED"
    case validationError = "VALIDATION_ERROR"
    case idempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
    case rateLimited = "RATE_LIMITED"
    case headersTooLarge = "HEADERS_TOO_LARGE"
    case internalError = "INTERNAL"
    case notImplemented = "NOT_IMPLEMENTED"
    case unavailable = "UNAVAILABLE"
    case httpVersionNotSupported = "HTTP_VERSION_NOT_SUPPORTED"

    public var status: HTTPStatus {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized, .invalidCredentials, .tokenExpired, .mfaRequired: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .notAcceptable: .notAcceptable
        case .requestTimeout: .requestTimeout
        case .conflict, .emailTaken, .skuTaken, .insufficientStock, .invalidState, .idempotencyInProgress: .conflict
        case .preconditionFailed: .preconditionFailed
        case .payloadTooLarge: .contentTooLarge
        case .uriTooLong: .uriTooLong
        case .unsupportedMediaType: .unsupportedMediaType
        case .expectationFailed: .expectationFailed
        case .validationError, .idempotencyKeyReused: .unprocessableContent
        case .rateLimited: .tooManyRequests
        case .headersTooLarge: .requestHeaderFieldsTooLarge
        case .internalError: .internalServerError
        case .notImplemented: .notImplemented
        case .unavailable: .serviceUnavailable
        case .httpVersionNotSupported: .httpVersionNotSupported
        }
    }

    /// The code for a status the transport produced.
    static func forTransportStatus(_ code: Int) -> ErrorCode {
        allCases.first { $0.status.code == code && $0.isTransportDefault } ?? (code >= 500 ? .internalError : .badRequest)
    }

    private var isTransportDefault: Bool {
        switch self {
        case .badRequest, .requestTimeout, .payloadTooLarge, .uriTooLong, .expectationFailed,
             .headersTooLarge, .notImplemented, .httpVersionNotSupported, .unavailable: true
        default: false
        }
    }
}
