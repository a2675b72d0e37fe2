import Dispatch
import Eldercare
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

    /// `POST /api/v1/calls`: check every call, record the good ones in one transaction.
    func recordCalls(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        let store = context.store
        return try await recordEvents("calls", CallPayload.decode(body)) { items in
            let outcome = try CallLog.record(items.map(\.1), in: store)
            return EventOutcome(accepted: outcome.recorded, duplicates: outcome.duplicates)
        }
    }

    /// `POST /api/v1/visits`: check every visit, record the good ones in one transaction.
    func recordVisits(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        let store = context.store
        return try await recordEvents("visits", VisitPayload.decode(body)) { items in
            try VisitLog.record(items.map { (index: $0.0, visit: $0.1) }, in: store)
        }
    }

    /// `POST /api/v1/callbacks`: check every callback, record the good ones in one transaction.
    func recordCallbacks(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBodyBytes)
        let store = context.store
        return try await recordEvents("callbacks", CallbackPayload.decode(body)) { items in
            try CallbackLog.record(items.map { (index: $0.0, callback: $0.1) }, in: store)
        }
    }

    /// Records the items that passed their checks (off the event loop) and answers
    /// `{"accepted","duplicates","rejected"}`.
    private func recordEvents<T: Sendable>(
        _ noun: String, _ checked: [(index: Int, result: Result<T, CallValidationError>)],
        record: @escaping @Sendable ([(Int, T)]) throws -> EventOutcome
    ) async throws -> Response {
        var good: [(Int, T)] = []
        var refused: [EventOutcome.Rejection] = []
        for (index, result) in checked {
            switch result {
            case .success(let item): good.append((index, item))
            case .failure(let error): refused.append(EventOutcome.Rejection(index: index, error: error))
            }
        }
        let items = good
        let outcome = items.isEmpty ? EventOutcome() : try await Self.offload { try record(items) }
        context.metrics.recordIngest(
            kind: noun, accepted: outcome.accepted, duplicates: outcome.duplicates,
            rejected: refused.count + outcome.rejected.count)
        if outcome.accepted > 0 || !refused.isEmpty || !outcome.rejected.isEmpty {
            context.logger.debug(
                "recorded \(noun)",
                metadata: [
                    "accepted": "\(outcome.accepted)", "duplicates": "\(outcome.duplicates)",
                    "rejected": "\(refused.count + outcome.rejected.count)",
                ])
        }
        return EventPayload.answer(outcome, refusedEarly: refused)
    }

    /// `GET /metrics`: the node's Prometheus metrics in the text format (no token, no personal data).
    func metrics() async throws -> Response {
        let text = try await context.metrics.scrape(context.store)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
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
