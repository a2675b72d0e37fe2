import Eldercare
import Hummingbird
import Replication

/// The reference tables' handlers (`/api/v1/providers`, `/api/v1/catalog`, `/api/v1/subsidy-policy`),
/// over one node's context. Routes are registered in `NodeHTTP`.
struct ReferenceAPI: Sendable {
    /// Largest body of a reference POST (a few thousand rows).
    static let maxBodyBytes = 1 << 20

    let context: NodeContext

    /// `POST /api/v1/providers|catalog|subsidy-policy`: check every row, write the good ones in one transaction.
    func post(_ table: ReferenceTable, _ request: Request) async throws -> Response {
        let body = try await RosterAPI.collect(request, upTo: Self.maxBodyBytes)
        let node = context.code
        let checked = try EventPayload.decode(body, noun: table.noun) { object throws(CallValidationError) in
            try table.check(object, node: node)
        }
        var good: [(index: Int, write: RecordWrite)] = []
        var refused: [EventOutcome.Rejection] = []
        for (index, result) in checked {
            switch result {
            case .success(let write): good.append((index, write))
            case .failure(let error): refused.append(EventOutcome.Rejection(index: index, error: error))
            }
        }
        return try await write(table, good, refusedEarly: refused)
    }

    /// `POST /api/v1/catalog/defaults`, `POST /api/v1/subsidy-policy/defaults`: the seeds' rows, scoped to this node.
    func loadDefaults(_ table: ReferenceTable) async throws -> Response {
        let writes: [RecordWrite] =
            switch table {
            case .serviceItems: ReferenceDefaults.catalog(scope: context.code)
            case .subsidyPolicy: ReferenceDefaults.subsidyPolicy(scope: context.code)
            case .providers: []
            }
        return try await write(
            table, writes.enumerated().map { (index: $0.offset, write: $0.element) }, refusedEarly: [])
    }

    /// `GET /api/v1/providers|catalog|subsidy-policy`: every row this node holds, as `{"<name>": [...]}`.
    func list(_ table: ReferenceTable, key: String) async throws -> Response {
        let rows = try await context.store.database.read { db in try ReferenceData.list(table, db) }
        let fields = table.fields
        return JSONResponse.make([
            key: .array(
                rows.map { row in
                    .object(
                        JSONObject(
                            fields.map { field in
                                let json: JSONValue =
                                    switch (field, row[field] ?? .null) {
                                    case ("categories", .text(let text)):
                                        .array(text.split(separator: ",").map { .string(String($0)) })
                                    case (_, .text(let text)): .string(text)
                                    case (_, .integer(let number)): .integer(number)
                                    case (_, .real(let number)): .number(number)
                                    case (_, .null): .null
                                    }
                                return (key: field, value: json)
                            }))
                })
        ])
    }

    private func write(
        _ table: ReferenceTable, _ items: [(index: Int, write: RecordWrite)], refusedEarly: [EventOutcome.Rejection]
    )
        async throws -> Response
    {
        let store = context.store
        let outcome =
            items.isEmpty
            ? EventOutcome() : try await NodeAPI.offload { try ReferenceData.record(table, items, in: store) }
        if outcome.accepted > 0 {
            context.logger.info(
                "reference data written", metadata: ["table": "\(table.rawValue)", "accepted": "\(outcome.accepted)"])
        }
        return EventPayload.answer(outcome, refusedEarly: refusedEarly)
    }
}
