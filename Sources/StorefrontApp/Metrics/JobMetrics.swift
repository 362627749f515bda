extension MetricsController {
    /// The queue (ADR 0008): depth and the oldest due job's wait by kind, read from the
    /// database at scrape time (every kind this process handles has a series, zero when
    /// idle); attempts by kind and outcome, counted by this process; and the outbox lag,
    /// the age of the oldest event whose `event.published` job has not finished.
    func writeJobs(_ out: inout PrometheusText, pending: [JobKindFigures]?) {
        let counts = workers.attempts.snapshot()
        out.family("storefront_job_attempts_total", "counter",
                   "Job attempts run by this process, by kind and outcome (done, retry, dead, postponed, fenced, released, unrecorded).")
        for one in counts {
            out.sample("storefront_job_attempts_total", one.count, labels: [("kind", one.kind), ("outcome", one.outcome)])
        }
        guard let pending else { return }
        var byKind = Dictionary(uniqueKeysWithValues: pending.map { ($0.kind, $0) })
        for kind in workers.handlers.keys where byKind[kind] == nil {
            byKind[kind] = JobKindFigures(kind: kind, ready: 0, running: 0, oldestReadySeconds: 0, oldestPendingSeconds: 0)
        }
        let kinds = byKind.values.sorted { $0.kind.name < $1.kind.name }
        out.family("storefront_jobs_ready", "gauge", "Jobs waiting in the queue (due or scheduled), by kind.")
        for one in kinds { out.sample("storefront_jobs_ready", one.ready, labels: [("kind", one.kind.name)]) }
        out.family("storefront_jobs_running", "gauge", "Jobs claimed by a worker of any instance, by kind.")
        for one in kinds { out.sample("storefront_jobs_running", one.running, labels: [("kind", one.kind.name)]) }
        out.family("storefront_jobs_oldest_ready_age_seconds", "gauge",
                   "How long the oldest due ready job has waited since its run_at, by kind.")
        for one in kinds {
            out.sample("storefront_jobs_oldest_ready_age_seconds", one.oldestReadySeconds, labels: [("kind", one.kind.name)])
        }
        out.family("storefront_outbox_lag_seconds", "gauge",
                   "Age of the oldest event whose event.published job is still ready or running; 0 when none.")
        out.sample("storefront_outbox_lag_seconds", byKind[.eventPublished]?.oldestPendingSeconds ?? 0)
    }
}
