import HTTPCore

/// Writes one log line per request: time, level, request_id, method, route template,
/// status, duration_ms, bytes, client ip. Never headers, bodies or query strings, so no
/// credential or secret can reach the log. Records the same facts in the request metrics.
struct AccessLogMiddleware: SynchronousLink {
    let logger: Logger
    let metrics: RequestMetrics
    /// Each route's metrics label, by `Route.id`.
    private let routeLabels: [Int]

    init(logger: Logger, metrics: RequestMetrics, routes: [Route] = []) {
        self.logger = logger
        self.metrics = metrics
        var labels = [Int](repeating: 0, count: (routes.map(\.id).max() ?? -1) + 1)
        for route in routes { labels[route.id] = metrics.label(of: route.template) }
        routeLabels = labels
    }

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        switch outcome {
        case .answered(let response):
            log(request: request, context: context, status: response.status.code, bytes: response.body.count)
        case .failed, .taken:
            // The error link answers everything; reaching here means it was bypassed.
            log(request: request, context: context, status: 500, bytes: 0)
        }
    }

    private func log(request: Request, context: RequestContext, status: Int, bytes: Int) {
        let nanoseconds = max(0, Int(MonotonicClock().nanoseconds() &- context.startedAt))
        // 404s, 405s and OPTIONS matched no route: their label is looked up by name.
        let label = context.routeID.flatMap { $0 < routeLabels.count ? routeLabels[$0] : nil }
            ?? metrics.label(of: context.routeTemplate)
        metrics.record(label: label, method: request.method, status: status, nanoseconds: nanoseconds)
        let micros = nanoseconds / 1000
        let level: LogLevel = status >= 500 ? .error : .info
        logger.log(level, "request", trace: context.trace) { line in
            AccessLogMiddleware.fields(&line, requestID: context.requestID, method: request.method.rawValue,
                                       route: context.routeTemplate, status: status,
                                       durationMicros: micros, bytes: bytes, clientIP: context.clientIP)
        }
    }

    /// The access line's fields, in their fixed order.
    static func fields(_ line: inout LogLine, requestID: String, method: String, route: String, status: Int,
                       durationMicros: Int, bytes: Int, clientIP: String) {
        line.field(Keys.requestID, requestID)
        line.field(Keys.method, method)
        line.field(Keys.route, route)
        line.field(Keys.status, status)
        line.field(Keys.duration, milliseconds: durationMicros)
        line.field(Keys.bytes, bytes)
        line.field(Keys.clientIP, clientIP)
    }

    private enum Keys {
        static let requestID = LogKey("request_id"), method = LogKey("method"), route = LogKey("route")
        static let status = LogKey("status"), duration = LogKey("duration_ms"), bytes = LogKey("bytes")
        static let clientIP = LogKey("client_ip")
    }
}
