import Foundation
import Hummingbird
import Reports

extension RosterAPI {
    /// `GET /api/v1/elders/audit[?community=CODE]`: active and applying elders with no qualifying
    /// condition under the node's eligibility policy, and resident IDs registered more than once
    /// (masked unless `unmasked`: the operator's token).
    func audit(_ request: Request, unmasked: Bool = false) async throws -> Response {
        let area = try scope(request.uri.queryParameters["community"].map(String.init))
        let policy = context.config.eligibility ?? EligibilityPolicy()
        let today = CalendarDay.today(unixSeconds: Int64(now().timeIntervalSince1970.rounded(.down)))
        let audit = try await context.store.database.read { db in
            try RosterAudit.run(db, scope: area, policy: policy, today: (today.year, today.month, today.day))
        }
        let share = audit.registered == 0 ? 0 : Double(audit.unqualified.count) / Double(audit.registered)
        return JSONResponse.make([
            "scope": .string(area.rawValue),
            "as_of": .string(today.description),
            "registered": .integer(Int64(audit.registered)),
            "no_qualifying_condition": .object(
                JSONObject([
                    ("count", .integer(Int64(audit.unqualified.count))),
                    ("share", .number((share * 10_000).rounded() / 10_000)),
                    ("elders", .array(audit.unqualified.map { .string($0) })),
                ])),
            "duplicate_resident_ids": .array(
                audit.duplicates.map { duplicate in
                    .object(
                        JSONObject([
                            (
                                "resident_id",
                                .string(unmasked ? duplicate.residentID : Roster.maskResidentID(duplicate.residentID))
                            ),
                            ("elders", .array(duplicate.elders.map { .string($0) })),
                        ]))
                }),
        ])
    }
}
