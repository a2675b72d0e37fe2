import Eldercare
import Foundation
import GRDB
import Hummingbird
import Replication

/// The enrolment workflow's handlers (`POST /api/v1/elders/{id}/apply|review|approve|reject`,
/// `GET /api/v1/enrolments`), over one node's context. Routes are registered in `NodeHTTP`.
struct EnrolmentAPI: Sendable {
    /// Largest body of a step (an operator name and a reason).
    static let maxBodyBytes = 16 << 10
    /// The columns an enrolment view shows, after `id`.
    static let columns = [
        "name", "community", "status", "status_month", "applied_by", "applied_at", "reviewed_by", "reviewed_at",
        "decided_by", "decided_at", "status_note",
    ]

    let context: NodeContext
    var now: @Sendable () -> Date = { Date() }

    /// `POST /api/v1/elders/{id}/{step}` with `{"operator": "...", "reason": "...", "result": "reviewed|returned"}`.
    func step(_ step: Enrolment.Step, _ request: Request, id: String) async throws -> Response {
        let body = try await RosterAPI.collect(request, upTo: Self.maxBodyBytes)
        let allowed = step == .review ? ["operator", "reason", "result"] : ["operator", "reason"]
        let operatorName: String
        let reason: String?
        var taken = step
        do throws(CallValidationError) {
            guard
                case .object(let object)? = try? JSONDecoder().decode(
                    JSONValue.self, from: Data(body.readableBytesView))
            else {
                throw CallValidationError(field: "body", message: "must be a JSON object like {\"operator\": \"张三\"}")
            }
            let fields = try EventFields(object, allowed: allowed, noun: "\(step.rawValue) request")
            operatorName = try ReferenceTable.text(fields, "operator", maxLength: 40)
            reason = try fields.optionalString("reason")
            if let result = try fields.optionalString("result") {
                switch result {
                case "reviewed": taken = .review
                case "returned": taken = .returnToCommunity
                default:
                    throw CallValidationError(
                        field: "result", message: "\"\(result)\" is not reviewed (审核通过) or returned (退回)")
                }
            }
        } catch {
            throw APIError(.badRequest, .invalidField, error.description)
        }
        let store = context.store
        let date = now()
        let chosen = taken
        let row = try await NodeAPI.offload {
            try Enrolment.perform(chosen, elder: id, by: operatorName, reason: reason, at: date, in: store)
        }
        context.logger.info(
            "enrolment step", metadata: ["elder": "\(id)", "step": "\(chosen.rawValue)", "operator": "\(operatorName)"])
        var fields = row
        fields["id"] = .text(id)
        return JSONResponse.make(Self.json(fields))
    }

    /// `GET /api/v1/enrolments?status=applied&community=&page=&per_page=`: the elders of this node's area
    /// (or of `community`) in one workflow status (default: every open one — applied, reviewed, returned).
    /// Names in full only when `unmasked` (the operator's token), otherwise as `ViewerMask` shows them.
    func list(_ request: Request, unmasked: Bool = false) async throws -> Response {
        let parameters = request.uri.queryParameters
        let statuses: [String]
        if let text = parameters["status"].map(String.init) {
            guard let status = ElderStatus.parse(text) else {
                throw APIError(
                    .badRequest, .invalidParameter, "status: \"\(text)\" is not one of \(ElderStatus.choices)")
            }
            statuses = [status.rawValue]
        } else {
            statuses = [ElderStatus.applied, .reviewed, .returned].map(\.rawValue)
        }
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = parameters[Substring(name)] else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "\(name): \"\(text)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        let page = try number("page", default: 1, range: 1...1_000_000)
        let perPage = try number("per_page", default: 50, range: 1...RosterAPI.maxPerPage)
        let area = try RosterAPI(context: context).scope(parameters["community"].map(String.init))
        let prefix = String(area.prefix)
        let list = (["id"] + Self.columns).map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let marks = statuses.map { _ in "?" }.joined(separator: ", ")
        let filter = "community >= ? AND community < ? AND status IN (\(marks))"
        let arguments = StatementArguments([prefix, prefix + ":"] + statuses)
        let (total, rows) = try await context.store.database.read { db -> (Int, [[String: Value]]) in
            let total =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders WHERE \(filter)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(list) FROM elders WHERE \(filter) ORDER BY applied_at, id LIMIT ? OFFSET ?",
                arguments: arguments + [perPage, (page - 1) * perPage])
            return (
                total,
                rows.map { row in
                    var fields: [String: Value] = [:]
                    for (position, column) in (["id"] + Self.columns).enumerated() {
                        fields[column] = Value(stored: row[position] as DatabaseValue)
                    }
                    return fields
                }
            )
        }
        let enrolments = rows.map { row in
            var fields = row
            if !unmasked, case .text(let name)? = fields["name"] { fields["name"] = .text(ViewerMask.name(name)) }
            return Self.json(fields)
        }
        return JSONResponse.make([
            "page": .integer(Int64(page)), "per_page": .integer(Int64(perPage)), "total": .integer(Int64(total)),
            "enrolments": .array(enrolments),
        ])
    }

    /// One elder's enrolment state.
    static func json(_ fields: [String: Value]) -> JSONValue {
        .object(
            JSONObject(
                (["id"] + columns).map { column in
                    let json: JSONValue =
                        switch fields[column] ?? .null {
                        case .text(let text): .string(text)
                        case .integer(let number): .integer(number)
                        case .real(let number): .number(number)
                        case .null: .null
                        }
                    return (key: column, value: json)
                }))
    }
}
