import Eldercare
import Foundation
import Replication
import Reports

/// The JSON documents of the reports (docs/API.md, "Reports"). Ratios are written as their value and,
/// where a reader may want to roll them up again, with their two sums.
extension Ratio {
    var json: JSONValue { .number(value) }
}

extension ServiceSummary.Tally {
    var json: JSONValue {
        ["completed": .integer(visits), "minutes": .integer(minutes), "hours": .number(hours)]
    }
}

extension ServiceSummary {
    var json: JSONValue {
        [
            "completed": .integer(completed),
            "hours": .number(hours),
            "minutes": .integer(total.minutes),
            "by_category": .object(
                JSONObject(
                    Self.ordered(byCategory.keys, ServiceCategory.allCases.map(\.rawValue)).map {
                        (key: $0, value: byCategory[$0]!.json)
                    })),
            "by_provider": .object(
                JSONObject(byProvider.keys.sorted().map { (key: $0, value: byProvider[$0]!.json) })),
        ]
    }

    /// The services section of the summary contract: `by_category` maps a category to its hours.
    var summaryJSON: JSONValue {
        [
            "completed": .integer(completed),
            "hours": .number(hours),
            "by_category": .object(
                JSONObject(
                    Self.ordered(byCategory.keys, ServiceCategory.allCases.map(\.rawValue)).map {
                        (key: $0, value: .number(byCategory[$0]!.hours))
                    })),
            "completed_by_category": .object(
                JSONObject(
                    Self.ordered(byCategory.keys, ServiceCategory.allCases.map(\.rawValue)).map {
                        (key: $0, value: .integer(byCategory[$0]!.visits))
                    })),
        ]
    }

    /// Known codes in their documented order, then the others alphabetically.
    static func ordered(_ keys: some Collection<String>, _ order: [String]) -> [String] {
        let present = Set(keys)
        return order.filter(present.contains) + present.subtracting(order).sorted()
    }
}

extension SatisfactionSummary.Tally {
    var json: JSONValue {
        [
            "rated": .integer(rated), "satisfied": .integer(satisfied), "rate": rate.json,
            "strictly_satisfied": .integer(strictlySatisfied), "strict_rate": strictRate.json,
            "complaints": .integer(complaints),
        ]
    }
}

extension SatisfactionSummary {
    var json: JSONValue {
        guard case .object(var object) = total.json else { return .null }
        object.members.append(
            (
                key: "by_score",
                value: .object(
                    JSONObject(
                        ServiceSummary.ordered(byScore.keys, SatisfactionScore.allCases.map(\.rawValue)).map {
                            (key: $0, value: .integer(byScore[$0]!))
                        }))
            ))
        return .object(object)
    }
}

extension RosterSummary {
    func json(entitlement: Ratio) -> JSONValue {
        func counts(_ counts: [String: Int64], _ order: [String]) -> JSONValue {
            .object(
                JSONObject(ServiceSummary.ordered(counts.keys, order).map { (key: $0, value: .integer(counts[$0]!)) }))
        }
        return [
            "active": .integer(active),
            "by_category": counts(byCategory, SubsidyCategory.allCases.map(\.rawValue)),
            "by_age_band": counts(byAgeBand, ["under_60"] + RosterSummary.ageBands + ["unknown"]),
            "by_disability": counts(byDisability, DisabilityLevel.allCases.map(\.rawValue)),
            "by_living": counts(byLiving, LivingSituation.allCases.map(\.rawValue)),
            "monthly_subsidy_yuan": .integer(monthlySubsidyYuan),
            "monthly_entitled_hours": .integer(monthlyEntitledHours),
            "entitlement_use": [
                "delivered_hours": .number(Double(entitlement.numerator) / 60),
                "entitled_hours": .number(Double(entitlement.denominator) / 60),
                "rate": entitlement.json,
            ],
        ]
    }
}

extension ReportingHealth {
    var summaryJSON: JSONValue {
        ["expected": .integer(Int64(expected)), "reported": .integer(Int64(reported)), "rate": rate.json]
    }
}

extension ReportingHealth.Child {
    var json: JSONValue {
        [
            "reported": .bool(reported),
            "last_sync": lastSyncMilliseconds.map {
                .string(SummaryReport.rfc3339(Date(timeIntervalSince1970: Double($0) / 1_000)))
            } ?? .null,
            "lag_seconds": lagSeconds.map { .integer($0) } ?? .null,
            "connected": connected.map { .bool($0) } ?? .null,
            "behind": behind.map { .integer($0) } ?? .null,
        ]
    }
}

extension ProviderReport.Provider {
    var json: JSONValue {
        [
            "id": .string(id),
            "name": name.map { .string($0) } ?? .null,
            "contract_status": contractStatus.map { .string($0) } ?? .null,
            "services": services.json,
            "satisfaction": satisfaction.json,
            "complaints_12_months": .integer(complaintsTwelveMonths),
            "score": score.map { .number(($0 * 10).rounded() / 10) } ?? .null,
            "settlement_fen": settlementFen.map { .integer($0) } ?? .null,
            "payable_fen": payableFen.map { .integer($0) } ?? .null,
            "unpriced_items": .array(unpricedItems.map { .string($0) }),
            "flags": .array(flags.map { .string($0.rawValue) }),
            "lines": .array(
                lines.map { line in
                    [
                        "item": .string(line.item), "category": .string(line.category),
                        "completed": .integer(line.visits), "minutes": .integer(line.minutes),
                        "unit": line.unit.map { .string($0) } ?? .null,
                        "unit_price_fen": line.unitPriceFen.map { .integer($0) } ?? .null,
                        "amount_fen": line.amountFen.map { .integer($0) } ?? .null,
                    ]
                }),
        ]
    }
}

extension DailySeries.Point {
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("day", .string(day.description)), ("value", .integer(value)),
        ]
        if let ratio { members.append(("ratio", ratio.json)) }
        if let minutes { members.append(("minutes", .integer(minutes))) }
        return .object(JSONObject(members))
    }
}
