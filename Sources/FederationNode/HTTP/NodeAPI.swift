import Dispatch
import Foundation
import Hummingbird
import Replication
import Reports

/// The JSON API's handlers, over one node's context. Routes are registered in `NodeHTTP`.
struct NodeAPI: Sendable {
    /// Largest request body accepted (1 MiB: about 3,000 calls, more than `CallPayload.maxCalls`).
    static let maxBodyBytes = 1 << 20

    let context: NodeContext
    /// The wall clock (tests fix it to check the default dates).
    let now: @Sendable () -> Date

    /// `GET /healthz`
    func health() -> Response {
        JSONResponse.make([
            "status": "ok", "node": .string(context.code.rawValue), "level": .string(context.code.level.description),
        ])
    }

    /// `POST /api/v1/calls`: validate every call, then record all in one transaction.
    func recordCalls(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        let calls = try CallPayload.decode(body)
        let store = context.store
        let outcome = try await Self.offload { try CallLog.record(calls, in: store) }
        if outcome.recorded > 0 {
            context.logger.debug(
                "recorded calls", metadata: ["recorded": "\(outcome.recorded)", "duplicates": "\(outcome.duplicates)"])
        }
        return JSONResponse.make([
            "recorded": .integer(Int64(outcome.recorded)), "duplicates": .integer(Int64(outcome.duplicates)),
        ])
    }

    /// `GET /api/v1/reports/summary?from=&to=&scope=`
    func summary(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let query = try SummaryQuery({ parameters[Substring($0)] }, node: context.code, now: now())
        let asOf = now()
        let report = try await context.store.database.read { db in
            try SummaryReport.compute(db, scope: query.scope, days: query.days, asOf: asOf)
        }
        return JSONResponse.make(report.json)
    }

    /// Runs blocking SQLite work on a dispatch thread, off Swift's cooperative pool and the event loops.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
