import Eldercare
import Foundation
import Mustache
import Replication
import Reports

/// Renders a `DashboardModel` as the HTML page (or just its figures, for the live refresh) with the
/// Mustache templates of `DashboardTemplates` and the charts of `SVGChart` and `SVGBarList`.
///
///     let html = DashboardPage.render(model, language: .zh)
///     let fragment = DashboardPage.render(model, language: .en, fragmentOnly: true)
enum DashboardPage {
    /// The parsed templates (parsed once; a parse error is a bug caught by the tests).
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        do {
            try library.register(DashboardTemplates.page, named: "page")
            try library.register(DashboardTemplates.figures, named: "figures")
        } catch {
            preconditionFailure("dashboard template does not parse: \(error)")
        }
        return library
    }()

    static func render(_ model: DashboardModel, language: DashboardLanguage, fragmentOnly: Bool = false) -> String {
        let view = self.view(model, DashboardLabels(language))
        return library.render(view, withTemplate: fragmentOnly ? "figures" : "page") ?? ""
    }

    /// The link to the dashboard of `scope` with the same period and language.
    static func href(scope: NodeCode, node: NodeCode, period: DashboardPeriod, language: DashboardLanguage) -> String {
        var query: [String] = []
        if scope != node { query.append("scope=\(scope.rawValue)") }
        if period != .month { query.append("period=\(period.rawValue)") }
        if language != .zh { query.append("lang=\(language.rawValue)") }
        return "/" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    // MARK: - View

    static func view(_ model: DashboardModel, _ labels: DashboardLabels) -> [String: Any] {
        let language = labels.language
        let calls = model.summary.calls
        let link = { (scope: NodeCode, period: DashboardPeriod, language: DashboardLanguage) in
            href(scope: scope, node: model.node, period: period, language: language)
        }
        var view: [String: Any] = [
            "labels": labelDictionary(labels),
            "scopeTitle": scopeTitle(model, labels),
            "hasData": model.hasData,
            "hasChildren": !model.children.isEmpty,
            "asOf": timestamp(model.asOf),
            "dateRange": "\(model.days.lowerBound) – \(model.days.upperBound)",
            "otherLanguageHref": link(model.scope, model.period, language == .zh ? .en : .zh),
            "periods": DashboardPeriod.allCases.map { period -> [String: Any] in
                [
                    "href": link(model.scope, period, language), "label": labels.period(period),
                    "current": period == model.period,
                ]
            },
        ]
        if model.scope != model.node, let parent = model.scope.parent {
            view["up"] = ["href": link(model.node.contains(parent) ? parent : model.node, model.period, language)]
        }
        let hours = model.services.hours
        view["cards"] = [
            card(
                labels.calls, SVGChart.count(Double(calls.total)),
                "\(labels.effectiveCalls) \(SVGChart.count(Double(calls.effective)))"),
            card(labels.effectiveRatio, ratio(calls.effectiveRatio), fraction(calls.effective, calls.total)),
            card(
                labels.servicesCompleted, SVGChart.count(Double(model.services.completed)),
                "\(labels.serviceHours) \(String(format: "%.1f", hours))"),
            card(
                labels.satisfaction, ratio(model.satisfaction.rate),
                fraction(model.satisfaction.satisfied, model.satisfaction.rated) + " " + labels.callbacks),
            card(labels.activeElders, SVGChart.count(Double(model.roster.active)), ""),
            card(
                labels.reportingRate, ratio(model.reporting),
                fraction(model.reporting.numerator, model.reporting.denominator)),
        ]
        view["charts"] = charts(model, labels)
        view["children"] = model.children.map { child -> [String: Any] in
            [
                "href": link(child.code, model.period, language), "code": child.code.rawValue,
                "level": labels.level(child.code.level), "calls": SVGChart.count(Double(child.calls)),
                "effectiveRatio": ratio(child.effectiveRatio), "services": SVGChart.count(Double(child.services)),
                "satisfaction": ratio(child.satisfaction), "activeElders": SVGChart.count(Double(child.activeElders)),
                "reported": child.reported, "reportedText": child.reported ? labels.yes : labels.no,
                // Only this node's own children have a link (and so `behind`).
                "lastSync": child.health?.behind == nil
                    ? "—"
                    : child.health?.lastSyncMilliseconds.map {
                        timestamp(Date(timeIntervalSince1970: Double($0) / 1_000))
                    } ?? labels.never,
                "lag": child.health?.behind.map { SVGChart.count(Double($0)) } ?? "—",
            ]
        }
        return view
    }

    static func charts(_ model: DashboardModel, _ labels: DashboardLabels) -> [[String: Any]] {
        let dayLabels = model.callsByDay.map { String($0.day.description.suffix(5)) }
        let calls = model.summary.calls
        var charts: [[String: Any]] = []
        func add(_ title: String, _ svg: String) { charts.append(["title": title, "svg": svg]) }
        add(
            labels.callsByDay,
            SVGChart.bars(
                title: labels.callsByDay, labels: dayLabels, values: model.callsByDay.map { Double($0.value) },
                empty: labels.noData))
        add(
            labels.callsByHour,
            SVGChart.bars(
                title: labels.callsByHour, labels: (0..<24).map { String(format: "%02d", Int32($0)) },
                values: calls.byHour.map(Double.init), empty: labels.noData))
        add(
            labels.effectiveTrend,
            SVGChart.line(
                title: labels.effectiveTrend, labels: dayLabels,
                values: model.callsByDay.map { dayRatio($0.ratio) }, maximum: 1,
                empty: labels.noData, format: SVGChart.percent))
        add(
            labels.satisfactionTrend,
            SVGChart.line(
                title: labels.satisfactionTrend, labels: dayLabels,
                values: model.satisfactionByDay.map { dayRatio($0.ratio) }, maximum: 1,
                empty: labels.noData, format: SVGChart.percent, color: "#27ae60"))
        let categories =
            ServiceCategory.allCases.map(\.rawValue)
            + model.services.byCategory.keys.filter { ServiceCategory(rawValue: $0) == nil }.sorted()
        add(
            labels.servicesByCategory,
            SVGBarList.svg(
                title: labels.servicesByCategory, labels: categories.map(labels.serviceCategory),
                values: categories.map { Double(model.services.byCategory[$0]?.visits ?? 0) }, empty: labels.noData,
                color: "#8e44ad"))
        let subsidy = SubsidyCategory.allCases.map(\.rawValue)
        add(
            labels.rosterByCategory,
            SVGBarList.svg(
                title: labels.rosterByCategory, labels: subsidy.map(labels.subsidyCategory),
                values: subsidy.map { Double(model.roster.byCategory[$0] ?? 0) }, empty: labels.noData, color: "#d35400"
            ))
        add(
            labels.rosterByAge,
            SVGChart.bars(
                title: labels.rosterByAge,
                labels: RosterSummary.ageBands.map { labels.ageBand($0.replacingOccurrences(of: "-", with: "–")) },
                values: RosterSummary.ageBands.map { Double(model.roster.byAgeBand[$0] ?? 0) }, empty: labels.noData,
                color: "#16a085"))
        return charts
    }

    /// A day's ratio for a trend line; nil (a gap) when nothing was counted that day.
    static func dayRatio(_ ratio: Ratio?) -> Double? {
        guard let ratio, ratio.denominator > 0 else { return nil }
        return ratio.value
    }

    static func card(_ label: String, _ value: String, _ detail: String) -> [String: Any] {
        ["label": label, "value": value, "detail": detail]
    }

    /// `234,000 / 702,000`.
    static func fraction(_ numerator: Int64, _ denominator: Int64) -> String {
        SVGChart.count(Double(numerator)) + " / " + SVGChart.count(Double(denominator))
    }

    /// `40.0%`, or `—` when nothing was counted.
    static func ratio(_ ratio: Ratio) -> String { ratio.denominator == 0 ? "—" : SVGChart.percent(ratio.value) }

    static func scopeTitle(_ model: DashboardModel, _ labels: DashboardLabels) -> String {
        let level = labels.level(model.scope.level)
        return model.scope == model.node
            ? "\(model.nodeName) (\(model.scope.rawValue), \(level))" : "\(model.scope.rawValue) (\(level))"
    }

    /// `2026-01-31 20:00:00` in China Standard Time.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(CalendarDay.chinaStandardOffsetSeconds)
        let day = CalendarDay(unixSeconds: seconds, utcOffsetSeconds: 0)
        let time = ((seconds % 86_400) + 86_400) % 86_400
        return day.description
            + String(format: " %02d:%02d:%02d", Int32(time / 3_600), Int32(time % 3_600 / 60), Int32(time % 60))
    }

    static func labelDictionary(_ labels: DashboardLabels) -> [String: String] {
        [
            "htmlLanguage": labels.htmlLanguage, "title": labels.title, "calls": labels.calls,
            "effectiveRatio": labels.effectiveRatio, "servicesCompleted": labels.servicesCompleted,
            "satisfaction": labels.satisfaction, "activeElders": labels.activeElders, "children": labels.children,
            "area": labels.area, "reported": labels.reported, "lastSync": labels.lastSync, "lag": labels.lag,
            "noData": labels.noData, "noChildren": labels.noChildren, "up": labels.up, "asOf": labels.asOf,
            "live": labels.live, "otherLanguage": labels.otherLanguage,
        ]
    }
}
