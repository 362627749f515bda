import Postgres

extension MetricsController {
    /// Every family, in a fixed order, read at call time.
    func exposition(jobs: [JobKindFigures]? = nil, circuits: [EndpointCircuit]? = nil) -> String {
        var out = PrometheusText()
        writeRequests(&out)
        if let server = serverFigures {
            out.family("http_server_active_requests", "gauge", "Requests being answered now, this scrape included.")
            out.sample("http_server_active_requests", server.inFlight)
            out.family("http_server_open_connections", "gauge", "Open client connections.")
            out.sample("http_server_open_connections", server.openConnections)
        }
        writePool(&out)
        out.family("storefront_password_hashing_queue_depth", "gauge", "Password hashing jobs waiting for a thread.")
        out.sample("storefront_password_hashing_queue_depth", hashing.queueDepth)
        out.family("storefront_rate_limit_rejections_total", "counter", "Requests refused with 429, by rate-limit policy.")
        for (policy, count) in rateLimits.rejectionsByPolicy {
            out.sample("storefront_rate_limit_rejections_total", count, labels: [("policy", policy)])
        }
        out.family("storefront_metrics_dropped_series_total", "counter",
                   "Requests not counted because the series table was full.")
        out.sample("storefront_metrics_dropped_series_total", requests.droppedSeries)
        writeJobs(&out, pending: jobs)
        writeWebhooks(&out, circuits: circuits)
        writeProcess(&out)
        return out.text
    }

    private func writeRequests(_ out: inout PrometheusText) {
        let series = requests.snapshot()
        out.family("http_server_requests_total", "counter",
                   "Requests answered, by route template, method and status; (rejected) were refused while being read.")
        for one in series {
            out.sample("http_server_requests_total", one.requests, labels: labels(one))
        }
        let histogram = "http_server_request_duration_seconds"
        out.family(histogram, "histogram", "Time from routing to the response leaving the middleware chain.")
        for one in series {
            let observed = one.buckets.reduce(0, +)
            // Refused requests have a count but no measured duration.
            guard observed > 0 else { continue }
            var cumulative: UInt64 = 0
            for (index, bound) in RequestMetrics.bucketBounds.enumerated() {
                cumulative += one.buckets[index]
                out.sample(histogram + "_bucket", cumulative, labels: labels(one) + [("le", PrometheusText.format(bound))])
            }
            out.sample(histogram + "_bucket", observed, labels: labels(one) + [("le", "+Inf")])
            out.sample(histogram + "_sum", one.durationSumSeconds, labels: labels(one))
            out.sample(histogram + "_count", observed, labels: labels(one))
        }
    }

    private func labels(_ series: RequestMetrics.Series) -> [(String, String)] {
        [("route", series.route), ("method", series.method),
         ("status", series.status == 0 ? "_OTHER" : String(series.status))]
    }

    private func writePool(_ out: inout PrometheusText) {
        // Read once, so the totals are exactly the sum of the per-shard figures below.
        let shards = pool.shardStatistics
        let pool = PostgresPoolStatistics(summing: shards.map(\.statistics))
        let figures: [(String, String, String, Int)] = [
            ("storefront_db_pool_size", "gauge", "Connections the pool may open (DB_POOL_SIZE).", pool.size),
            ("storefront_db_pool_open_connections", "gauge", "Connections open or being opened.", pool.open),
            ("storefront_db_pool_in_use_connections", "gauge", "Connections lent out.", pool.inUse),
            ("storefront_db_pool_idle_connections", "gauge", "Open connections waiting to be lent.", pool.idle),
            ("storefront_db_pool_waiters", "gauge", "Callers waiting for a connection.", pool.waiters),
            ("storefront_db_pool_acquires_total", "counter", "Connections handed out.", Int(clamping: pool.acquireCount)),
            ("storefront_db_pool_acquire_timeouts_total", "counter", "Callers that gave up waiting (503).",
             Int(clamping: pool.acquireTimeouts)),
            ("storefront_db_pool_connect_failures_total", "counter", "Failed connection attempts.",
             Int(clamping: pool.connectFailures)),
        ]
        for (name, type, help, value) in figures {
            out.family(name, type, help)
            out.sample(name, value)
        }
        let wait = pool.acquireWaitTotal.components
        out.family("storefront_db_pool_acquire_wait_seconds_total", "counter",
                   "Time callers spent waiting for a connection; divide by acquires for the mean.")
        out.sample("storefront_db_pool_acquire_wait_seconds_total",
                   Double(wait.seconds) + Double(wait.attoseconds) / 1e18)
        writePoolShards(&out, shards)
    }

    /// The same figures per shard (`reactor`, `loop0`, ...: at most EVENT_LOOPS + 1 values).
    /// Shards do not lend each other connections, so one loop's callers can wait, and time
    /// out, while another's connections sit idle; the totals above cannot show that.
    private func writePoolShards(_ out: inout PrometheusText,
                                 _ shards: [(shard: String, statistics: PostgresPoolStatistics)]) {
        let figures: [(String, String, String, (PostgresPoolStatistics) -> Int)] = [
            ("storefront_db_pool_shard_size", "gauge",
             "Connections the shard may open: the reactor's serves callers off the event loops, each loop has its own.",
             { $0.size }),
            ("storefront_db_pool_shard_in_use_connections", "gauge", "The shard's connections lent out.", { $0.inUse }),
            ("storefront_db_pool_shard_idle_connections", "gauge", "The shard's open connections waiting to be lent.",
             { $0.idle }),
            ("storefront_db_pool_shard_waiters", "gauge",
             "Callers waiting for one of the shard's connections; shards do not lend to each other.", { $0.waiters }),
            ("storefront_db_pool_shard_acquire_timeouts_total", "counter",
             "Callers of the shard that gave up waiting (503).", { Int(clamping: $0.acquireTimeouts) }),
        ]
        for (name, type, help, value) in figures {
            out.family(name, type, help)
            for (shard, statistics) in shards {
                out.sample(name, value(statistics), labels: [("shard", shard)])
            }
        }
    }

    private func writeProcess(_ out: inout PrometheusText) {
        if let bytes = ProcessFigures.residentMemoryBytes() {
            out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
            out.sample("process_resident_memory_bytes", bytes)
        }
        if let fds = ProcessFigures.openFileDescriptors() {
            out.family("process_open_fds", "gauge", "Number of open file descriptors.")
            out.sample("process_open_fds", fds)
        }
        if let start = startTimeSeconds {
            out.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.")
            out.sample("process_start_time_seconds", start)
        }
    }
}
