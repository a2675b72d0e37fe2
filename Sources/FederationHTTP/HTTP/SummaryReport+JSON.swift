import Eldercare
import Foundation
import Reports

extension SummaryReport {
    /// The document of `GET /api/v1/reports/summary` (docs/API.md).
    var json: JSONValue {
        [
            "scope": .string(scope.rawValue),
            "level": .string(scope.level.description),
            "from": .string(days.lowerBound.description),
            "to": .string(days.upperBound.description),
            "calls": calls.json,
            "services": services.summaryJSON,
            "satisfaction": satisfaction.json,
            "roster": roster.json(entitlement: entitlementUse),
            "reporting": reporting.summaryJSON,
            "as_of": .string(Self.rfc3339(asOf)),
        ]
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, whole seconds in UTC; a moment outside years 1…9999 (a clock or a
    /// stored time gone wrong) is written as the nearest end of that range rather than trapping.
    static func rfc3339(_ date: Date) -> String {
        let first = -62_135_596_800.0  // 0001-01-01T00:00:00Z
        let last = 253_402_300_799.0  // 9999-12-31T23:59:59Z
        let clamped = date.timeIntervalSince1970.isNaN ? 0 : min(max(date.timeIntervalSince1970, first), last)
        let seconds = Int64(clamped.rounded(.down))
        let day = CalendarDay(unixSeconds: seconds, utcOffsetSeconds: 0)
        let secondOfDay = Int(((seconds % 86_400) + 86_400) % 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}

extension CallSummary {
    var json: JSONValue {
        [
            "total": .integer(total),
            "effective": .integer(effective),
            "effective_ratio": .number(effectiveRatio.value),
            "by_channel": Self.counts(byChannel, order: CallChannel.allCases.map(\.rawValue)),
            "by_type": Self.counts(byType, order: CallType.allCases.map(\.rawValue)),
            "by_hour": .array(byHour.map { .integer($0) }),
        ]
    }

    /// Known codes in their documented order, then any others (from newer nodes) alphabetically.
    static func counts(_ counts: [String: Int64], order: [String]) -> JSONValue {
        let known = order.filter { counts[$0] != nil }
        let others = counts.keys.filter { !order.contains($0) }.sorted()
        return .object(JSONObject((known + others).map { (key: $0, value: .integer(counts[$0] ?? 0)) }))
    }
}
