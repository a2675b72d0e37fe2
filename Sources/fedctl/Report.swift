import ArgumentParser
import Foundation

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print a report of a running node (报表): summary, calls, services, satisfaction, roster, providers or health.",
        discussion: """
            Reads GET /api/v1/reports/KIND from the node and prints it: an aligned table with Chinese and English
            headers (the first row is the scope, the others its children, or the providers), CSV with a UTF-8
            byte-order mark so Excel opens it, or the node's JSON unchanged. Figures are defined in docs/METRICS.md.
            In CSV a text cell starting with =, +, -, @, a tab or a line break gets a leading ' so a spreadsheet
            shows it as text, never as a formula (OWASP); plain numbers such as -5000 stay numbers (docs/API.md).
            Examples:
              fedctl report summary --node http://127.0.0.1:8100 --from 2026-01-01 --to 2026-01-31
              fedctl report providers --node http://127.0.0.1:8100 --period quarter --date 2026-03-31 --format csv > providers.csv
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case summary, calls, services, satisfaction, roster, providers, health
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "summary, calls, services, satisfaction, roster, providers or health.") var kind: Kind
    @Option(help: "The node's HTTP address, e.g. http://127.0.0.1:8100.") var node: String
    @Option(help: "First day YYYY-MM-DD (China Standard Time; default today).") var from: String?
    @Option(help: "Last day YYYY-MM-DD (default today).") var to: String?
    @Option(help: "day, month or quarter containing --date (instead of --from/--to).") var period: String?
    @Option(help: "A day of the --period (default today).") var date: String?
    @Option(help: "A code inside the node's subtree (default the node itself).") var scope: String?
    @Option(help: "Access token (Authorization: Bearer); default the environment variable ELDERCARE_TOKEN.")
    var token: String?
    @Option(help: "table (default), csv or json.") var format: Format = .table

    func validate() throws {
        if period != nil, from != nil || to != nil {
            throw ValidationError("give either --period (with --date) or --from/--to, not both")
        }
        if date != nil, period == nil { throw ValidationError("--date needs --period day|month|quarter") }
    }

    func run() async throws {
        let environmentToken = ProcessInfo.processInfo.environment["ELDERCARE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let client = try NodeClient(node: node, token: token ?? environmentToken)
        let query = [("from", from), ("to", to), ("period", period), ("date", date), ("scope", scope)]
            .compactMap { name, value in value.map { (name, $0) } }
        let (data, json) = try await client.get("api/v1/reports/\(kind.rawValue)", query: query)
        switch format {
        case .json:
            FileHandle.standardOutput.write(data)
        case .csv:
            FileHandle.standardOutput.write(Data(Self.table(kind, json).csv().utf8))
        case .table:
            print(Self.title(kind, json))
            print(Self.table(kind, json).aligned())
        }
    }

    /// `汇总 Summary 130100000000 (city) 2026-01-01 … 2026-01-31, as of …`
    static func title(_ kind: Kind, _ json: [String: Any]) -> String {
        let names: [Kind: String] = [
            .summary: "汇总 Summary", .calls: "呼叫 Calls", .services: "服务 Services", .satisfaction: "满意度 Satisfaction",
            .roster: "老年人 Roster", .providers: "服务商 Providers", .health: "上报情况 Reporting health",
        ]
        return
            "\(names[kind]!)  \(text(json["scope"])) (\(text(json["level"])))  \(text(json["from"])) … \(text(json["to"]))  as of \(text(json["as_of"]))"
    }

    /// The report as one table (see the command's discussion).
    static func table(_ kind: Kind, _ json: [String: Any]) -> ReportTable {
        let children = json["children"] as? [[String: Any]] ?? []
        let scope = text(json["scope"])
        let level = text(json["level"])
        func rows(_ total: [String], _ child: ([String: Any]) -> [String]) -> [[String]] {
            [[scope, level] + total] + children.map { [text($0["code"]), text($0["level"])] + child($0) }
        }
        let code = ["代码 Code", "级别 Level"]
        switch kind {
        case .summary:
            let calls = object(json["calls"])
            let services = object(json["services"])
            let satisfaction = object(json["satisfaction"])
            let roster = object(json["roster"])
            let reporting = object(json["reporting"])
            return ReportTable(
                headers: code + [
                    "呼叫 Calls", "有效 Effective", "有效服务率 Effective ratio", "服务人次 Services", "服务时长 Hours",
                    "满意率 Satisfaction", "在册老人 Active elders", "已上报 Reported",
                ],
                rows: rows(
                    [
                        text(calls["total"]), text(calls["effective"]), percent(calls["effective_ratio"]),
                        text(services["completed"]), hours(services["hours"]), percent(satisfaction["rate"]),
                        text(roster["active"]), "\(text(reporting["reported"]))/\(text(reporting["expected"]))",
                    ]
                ) { child in
                    [
                        text(child["calls"]), text(child["effective"]), percent(child["effective_ratio"]),
                        text(child["completed"]), hours(child["hours"]), percent(child["satisfaction_rate"]),
                        text(child["active_elders"]), yesNo(child["reported"]),
                    ]
                })
        case .calls:
            func figures(_ calls: [String: Any]) -> [String] {
                [text(calls["total"]), text(calls["effective"]), percent(calls["effective_ratio"])]
            }
            return ReportTable(
                headers: code + ["呼叫 Calls", "有效 Effective", "有效服务率 Effective ratio"],
                rows: rows(figures(object(json["calls"]))) { figures(object($0["calls"])) })
        case .services:
            func figures(_ services: [String: Any]) -> [String] {
                [text(services["completed"]), hours(services["hours"])]
            }
            return ReportTable(
                headers: code + ["服务人次 Services", "服务时长 Hours"],
                rows: rows(figures(object(json["services"]))) { figures(object($0["services"])) })
        case .satisfaction:
            func figures(_ s: [String: Any]) -> [String] {
                [
                    text(s["rated"]), text(s["satisfied"]), percent(s["rate"]), percent(s["strict_rate"]),
                    text(s["complaints"]),
                ]
            }
            return ReportTable(
                headers: code + [
                    "回访 Rated", "满意 Satisfied", "满意率 Rate", "非常满意率 Strict rate", "投诉 Complaints",
                ],
                rows: rows(figures(object(json["satisfaction"]))) { figures(object($0["satisfaction"])) })
        case .roster:
            func figures(_ r: [String: Any]) -> [String] {
                let use = object(r["entitlement_use"])
                return [
                    text(r["active"]), text(r["monthly_subsidy_yuan"]), text(r["monthly_entitled_hours"]),
                    hours(use["delivered_hours"]), percent(use["rate"]),
                ]
            }
            return ReportTable(
                headers: code + [
                    "在册老人 Active elders", "月补贴(元) Subsidy/month (yuan)", "月应享时长 Entitled h/month",
                    "已服务时长 Delivered hours", "时长使用率 Entitlement use",
                ],
                rows: rows(figures(object(json["roster"]))) { figures(object($0["roster"])) })
        case .providers:
            let providers = json["providers"] as? [[String: Any]] ?? []
            return ReportTable(
                headers: [
                    "服务商 Provider", "名称 Name", "服务人次 Services", "服务时长 Hours", "满意率 Satisfaction",
                    "投诉(12个月) Complaints (12 months)", "得分 Score", "结算(元) Settlement (yuan)",
                    "应付(元) Payable (yuan)", "标记 Flags",
                ],
                rows: providers.map { provider in
                    let services = object(provider["services"])
                    let satisfaction = object(provider["satisfaction"])
                    let unpriced = (provider["unpriced_items"] as? [Any] ?? []).isEmpty ? "" : " (incomplete 缺价格)"
                    return [
                        text(provider["id"]), text(provider["name"]), text(services["completed"]),
                        hours(services["hours"]), percent(satisfaction["rate"]), text(provider["complaints_12_months"]),
                        text(provider["score"]), yuan(provider["settlement_fen"]) + unpriced,
                        yuan(provider["payable_fen"]),
                        (provider["flags"] as? [Any] ?? []).map { text($0) }.joined(separator: " "),
                    ]
                })
        case .health:
            let reporting = object(json["reporting"])
            return ReportTable(
                headers: code + ["已上报 Reported", "最后同步 Last sync", "延迟(秒) Lag (s)", "待收 Behind"],
                rows: [
                    [
                        scope, level,
                        "\(text(reporting["reported"]))/\(text(reporting["expected"])) \(percent(reporting["rate"]))",
                        "", "", "",
                    ]
                ]
                    + children.map { child in
                        [
                            text(child["code"]), text(child["level"]), yesNo(child["reported"]),
                            text(child["last_sync"]),
                            text(child["lag_seconds"]), text(child["behind"]),
                        ]
                    })
        }
    }

    static func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

    /// A JSON scalar as text ("" for null or absent).
    static func text(_ value: Any?) -> String {
        switch value {
        case let string as String: return string
        case let number as NSNumber:
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 1e15 ? String(Int64(double)) : String(double)
        default: return ""
        }
    }

    static func percent(_ value: Any?) -> String {
        guard let number = value as? NSNumber else { return "" }
        return String(format: "%.1f%%", number.doubleValue * 100)
    }

    static func hours(_ value: Any?) -> String {
        guard let number = value as? NSNumber else { return "" }
        return String(format: "%.1f", number.doubleValue)
    }

    static func yuan(_ fen: Any?) -> String {
        guard let number = fen as? NSNumber else { return "" }
        return String(format: "%.2f", number.doubleValue / 100)
    }

    static func yesNo(_ value: Any?) -> String {
        (value as? NSNumber)?.boolValue == true ? "是 yes" : "否 no"
    }
}
