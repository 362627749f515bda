import IOLoop
import CLibPQ
import CLinux

/// Running statements: send, flush, collect results, complete. libpq without pipeline mode
/// runs one command at a time, so the first use of a statement on a connection takes two
/// round trips (prepare, then execute) and every later use one.
extension ConnectionCore {
    func startNext() {
        guard phase == .ready, !pending.isEmpty, let pg else { return }
        let statement = pending.removeFirst()
        current = statement
        phase = .running
        lastResult = nil
        firstError = nil
        scheduleDeadline(statement.timeout)

        let sent: Int32
        switch statement.kind {
        case .prepared(let sql, let parameters):
            if let name = statementNames[sql] {
                sent = PQsendQueryPrepared(pg, name, parameters.count, parameters.values, nil, nil, 0)
            } else {
                let name = "s\(statementNames.count + 1)"
                preparing = (name, sql)
                // No parameter types: the server infers them from the statement.
                sent = PQsendPrepare(pg, name, sql, 0, nil)
            }
        case .unnamed(let sql, let parameters):
            sent = PQsendQueryParams(pg, sql, parameters.count, nil, parameters.values, nil, nil, 0)
        case .script(let text):
            sent = PQsendQuery(pg, text)
        }
        guard sent == 1 else { return close(with: connectionError()) }
        flush()
    }

    /// Pushes queued output; a large statement may need several rounds of EPOLLOUT.
    func flush() {
        guard let pg else { return }
        switch PQflush(pg) {
        case 0: watch(EPOLLIN.rawValue)
        case 1: watch(EPOLLIN.rawValue | EPOLLOUT.rawValue)
        default: close(with: connectionError())
        }
    }

    /// Takes every result libpq can hand over without waiting; a `nil` result ends a command.
    func collectResults() {
        while phase == .running, let pg, PQisBusy(pg) == 0 {
            guard let result = PQgetResult(pg) else { return finishCommand(pg) }
            absorb(result)
        }
    }

    private func absorb(_ result: OpaquePointer) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            if preparing == nil {
                lastResult = ResultStorage(result)
            } else {
                PQclear(result)
            }
        case PGRES_FATAL_ERROR:
            if firstError == nil { firstError = serverError(result) }
            PQclear(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // libpq would now wait for copy data we will never send; the session is unusable.
            PQclear(result)
            close(with: .connectionFailed("COPY is not supported by this client"))
        default:
            PQclear(result)
        }
    }

    private func finishCommand(_ pg: OpaquePointer) {
        if let (name, sql) = preparing {
            preparing = nil
            if let firstError { return complete(.failure(firstError)) }
            statementNames[sql] = name
            guard case .prepared(_, let parameters) = current?.kind else { return }
            guard PQsendQueryPrepared(pg, name, parameters.count, parameters.values, nil, nil, 0) == 1 else {
                return close(with: connectionError())
            }
            return flush()
        }
        // A terminated backend reports 57P01 and hangs up: the connection, not the
        // statement, failed.
        if PQstatus(pg) != CONNECTION_OK {
            return close(with: connectionError())
        }
        if case .server(let state, let message, _, _) = firstError, state.hasPrefix("57P") {
            return close(with: .connectionFailed(message))
        }
        complete(firstError.map { .failure($0) } ?? .success(lastResult))
    }

    private func complete(_ result: Result<ResultStorage?, PostgresError>) {
        cancelDeadline()
        let statement = current
        current = nil
        lastResult = nil
        phase = .ready
        statement?.completion(result)
        startNext()
    }

    /// The fields of an error response, via `PQresultErrorField` (codes from
    /// PostgreSQL's protocol: C sqlstate, M message, D detail, n constraint).
    private func serverError(_ result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else {
                return nil
            }
            return settings.info.scrub(String(cString: value))
        }
        let fallback = PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown error"
        let state = field("C") ?? "XX000"
        // Check and not-null violations detail the whole failing row (password hashes, TOTP
        // secrets): not kept at all, so no printing of the error can leak it.
        let rowDetail = state == "23514" || state == "23502"
        return .server(sqlState: state,
                       message: field("M") ?? settings.info.scrub(fallback),
                       constraint: field("n"),
                       detail: rowDetail ? nil : field("D"))
    }
}
