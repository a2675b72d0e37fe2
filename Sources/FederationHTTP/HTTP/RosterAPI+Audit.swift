import Eldercare
import Foundation
import Hummingbird
import Reports

extension RosterAPI {
    /// `GET /api/v1/elders/audit[?community=CODE]`: active and applying elders with no qualifying
    /// condition under the node's eligibility policy, resident IDs registered more than once (masked
    /// unless `unmasked`: the operator's token), and completed visits this node recorded for elders
    /// whose status is `deceased`. The viewer sees a duplicate's resident ID as `ViewerMask` shows it
    /// in the roster list (the last four characters), so the two cannot be joined to show more.
    func audit(_ request: Request, unmasked: Bool = false) async throws -> Response {
        let area = try scope(request.uri.queryParameters["community"].map(String.init))
        let policy = context.eligibility
        let today = CalendarDay.today(unixSeconds: Int64(now().timeIntervalSince1970.rounded(.down)))
        let (audit, deceased) = try await context.store.database.read { db in
            (
                try RosterAudit.run(db, scope: area, policy: policy, today: (today.year, today.month, today.day)),
                try DeceasedServices.list(db, scope: area, days: CalendarDay(year: 1900, month: 1, day: 1)!...today)
            )
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
                                .string(unmasked ? duplicate.residentID : ViewerMask.residentID(duplicate.residentID))
                            ),
                            ("elders", .array(duplicate.elders.map { .string($0) })),
                        ]))
                }),
            "deceased_services": .array(
                deceased.map { entry in
                    [
                        "visit_id": .string(entry.visitID), "elder_id": .string(entry.elderID),
                        "provider_id": .string(entry.providerID), "community": .string(entry.community),
                        "day": .string(entry.day),
                    ]
                }),
        ])
    }
}
