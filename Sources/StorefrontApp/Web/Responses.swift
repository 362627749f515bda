import HTTPCore

extension HTTPResponse {
    /// A JSON response whose body `build` writes.
    /// `capacity`: the body's expected size, so a large one is not grown by doubling.
    public static func json(_ status: HTTPStatus = .ok, headers: [(String, String)] = [], capacity: Int = 256,
                            _ build: (inout JSONWriter) -> Void) -> HTTPResponse {
        var writer = JSONWriter(capacity: capacity)
        build(&writer)
        var fields = HTTPHeaders([("Content-Type", "application/json")])
        for (name, value) in headers { fields.add(name, value) }
        return HTTPResponse(status: status, headers: fields, body: writer.bytes)
    }
}

/// Renders the error envelope of API.md, Errors — the one place an error becomes a body.
enum ErrorEnvelope {
    static func response(for error: AppError, requestID: String) -> HTTPResponse {
        var headers = error.headers
        // RFC 9110 §11.6.1: a 401 names the scheme the client should use.
        if error.code.status == .unauthorized && !headers.contains(where: { $0.0.asciiCaseInsensitiveEquals("WWW-Authenticate") }) {
            headers.append(("WWW-Authenticate", "Bearer"))
        }
        return .json(error.code.status, headers: headers) { json in
            json.beginObject()
            json.key("error")
            json.beginObject()
            json.key("code"); json.string(error.code.rawValue)
            json.key("message"); json.string(error.message)
            json.key("details")
            json.beginArray()
            for detail in error.details {
                json.beginObject()
                json.key("field"); json.string(detail.field)
                json.key("issue"); json.string(detail.issue)
                json.endObject()
            }
            json.endArray()
            json.key("request_id"); json.string(requestID)
            json.key("timestamp"); json.string(Timestamp.rfc3339(Timestamp.nowMilliseconds()))
            json.endObject()
            json.endObject()
        }
    }
}
