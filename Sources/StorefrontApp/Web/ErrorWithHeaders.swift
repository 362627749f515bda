/// An error on its way to the error link, with headers its rendered answer must carry
/// anyway: a link between the error link and the handler (the rate limiter) decorates the
/// 401 or 404 thrown below it without rendering the envelope itself.
struct ErrorWithHeaders: Error {
    let underlying: any Error
    let headers: [(String, String)]

    init(_ underlying: any Error, headers: [(String, String)]) {
        self.underlying = underlying
        self.headers = headers
    }
}
