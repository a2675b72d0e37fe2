package import Foundation
import GRDB
package import Replication

/// The enrolment workflow of seed 002 (当月申请，下月生效): the community applies, the street reviews
/// (passes it on or returns it with a reason), the district approves — the elder becomes `active`
/// from the next month — or rejects it with a reason.
///
/// Each step is one replicated write of the elder's row: `status`, `status_month`, and who took the
/// step and when (`applied_by/applied_at`, `reviewed_by/reviewed_at`, `decided_by/decided_at`, each
/// `by` as `operator@node-code`, each `at` in RFC 3339 UTC), with the reason in `status_note`. The
/// row travels up and down the tree like any roster edit, so the street sees the application and the
/// community sees the decision.
///
///     let row = try Enrolment.perform(.approve, elder: "E-1", by: "李主任", reason: nil, at: Date(), in: store)
///     row["status"]        // .text("active")
///     row["status_month"]  // .text("2026-12") when approved in November
package enum Enrolment {
    package enum Step: String, Sendable {
        case apply
        case review
        case returnToCommunity = "return"
        case approve
        case reject

        /// The lowest office allowed to take the step (a node may act for any level below it).
        var lowestLevel: NodeCode.Level {
            switch self {
            case .apply: .community
            case .review, .returnToCommunity: .street
            case .approve, .reject: .district
            }
        }

        /// Statuses the step may start from.
        var from: [ElderStatus?] {
            switch self {
            case .apply: [nil, .returned, .rejected, .suspended, .movedOut]
            case .review, .returnToCommunity: [.applied]
            case .approve, .reject: [.reviewed]
            }
        }

        var to: ElderStatus {
            switch self {
            case .apply: .applied
            case .review: .reviewed
            case .returnToCommunity: .returned
            case .approve: .active
            case .reject: .rejected
            }
        }

        var needsReason: Bool { self == .returnToCommunity || self == .reject }

        var chineseName: String {
            switch self {
            case .apply: "申请"
            case .review: "审核"
            case .returnToCommunity: "退回"
            case .approve: "核定"
            case .reject: "不予核定"
            }
        }
    }

    /// China Standard Time, in which months begin for the offices.
    static let chinaTime = TimeZone(secondsFromGMT: 8 * 3600)!

    /// `YYYY-MM` of `date` in China Standard Time, moved by `offset` months.
    static func month(of date: Date, offset: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = chinaTime
        let parts = calendar.dateComponents([.year, .month], from: date)
        let index = parts.year! * 12 + (parts.month! - 1) + offset
        let month = index % 12 + 1
        return "\(index / 12)-\(month < 10 ? "0" : "")\(month)"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Takes one step for one elder in one transaction and returns the elder's row as written.
    ///
    /// - Throws: `DomainError` `not_found` for an unknown elder, `forbidden_scope` for an elder outside
    ///   this node's area or a step above this node's level, `invalid_state` when the elder's status
    ///   does not allow the step, `invalid_field` when a reason is missing (the API answers 404, 403,
    ///   409 and 400).
    package static func perform(
        _ step: Step, elder id: String, by operatorName: String, reason: String?, at date: Date, in store: ReplicaStore
    ) throws -> [String: Value] {
        let node = store.node
        guard node.level <= step.lowestLevel else {
            throw DomainError(
                .forbiddenScope,
                "\(step.rawValue) (\(step.chineseName)) is taken by a \(step.lowestLevel) (\(step.lowestLevel.chineseName)) "
                    + "office or above; this node \(node) is a \(node.level) (\(node.level.chineseName))")
        }
        let note = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if step.needsReason, note?.isEmpty ?? true {
            throw DomainError(
                .invalidField, "reason: say why the application is \(step.to.rawValue) (\(step.chineseName)原因)")
        }
        let by = "\(operatorName)@\(node.rawValue)"
        let at = timestamp(date)
        // Refusals are returned out of the transaction (a thrown error would be reported as a storage failure).
        let refusal = try store.transaction { tx -> DomainError? in
            guard
                let row = try Row.fetchOne(
                    tx.db, sql: "SELECT community, status FROM elders WHERE id = ?", arguments: [id])
            else {
                return DomainError(
                    .notFound, "no elder \(id) in this node's roster; register it first (POST /api/v1/elders)")
            }
            let communityText: String? = row["community"]
            guard let communityText, let community = try? NodeCode(communityText), node.contains(community) else {
                return DomainError(
                    .forbiddenScope,
                    "\(id) belongs to community \(communityText ?? "unknown"), outside this node's area \(node) (不在本辖区)"
                )
            }
            let statusText: String? = row["status"]
            let status = statusText.flatMap(ElderStatus.init(rawValue:))
            guard step.from.contains(status) else {
                let allowed = step.from.map { $0?.rawValue ?? "no status" }.joined(separator: ", ")
                return DomainError(
                    .invalidState,
                    "\(id) is \(statusText ?? "without a status"); \(step.rawValue) (\(step.chineseName)) applies to an elder "
                        + "who is \(allowed)")
            }
            var values: [(column: String, value: Value)] = [("status", .text(step.to.rawValue))]
            switch step {
            case .apply:
                values += [
                    ("status_month", .text(month(of: date))), ("applied_by", .text(by)), ("applied_at", .text(at)),
                    ("reviewed_by", .null), ("reviewed_at", .null), ("decided_by", .null), ("decided_at", .null),
                    ("status_note", .null),
                ]
            case .review, .returnToCommunity:
                values += [
                    ("reviewed_by", .text(by)), ("reviewed_at", .text(at)),
                    ("status_note", note.map { .text($0) } ?? .null),
                ]
            case .approve, .reject:
                values += [
                    ("decided_by", .text(by)), ("decided_at", .text(at)),
                    ("status_note", note.map { .text($0) } ?? .null),
                ]
                if step == .approve { values.append(("status_month", .text(month(of: date, offset: 1)))) }
            }
            try tx.write(RecordWrite(table: DomainSchema.elders.name, key: id, values: values))
            return nil
        }.0
        if let refusal { throw refusal }
        guard let written = try store.record(DomainSchema.elders.name, key: id) else {
            throw DomainError(.storage, "\(id) vanished while it was written")
        }
        return written
    }
}
