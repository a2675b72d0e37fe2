import Eldercare
import Replication

/// The dashboard's words in Chinese and English. Codes (channels, call types, service categories,
/// subsidy categories, living situations) use their Chinese names from the code enums in Chinese, and
/// their code with spaces in English.
///
///     DashboardLabels(.en).effectiveRatio   // "Effective service ratio"
struct DashboardLabels: Sendable {
    let language: DashboardLanguage

    init(_ language: DashboardLanguage) { self.language = language }

    private func t(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    var htmlLanguage: String { t("zh-CN", "en") }
    var title: String { t("居家养老服务数据看板", "Home-based elderly care dashboard") }
    var calls: String { t("呼叫总量", "Calls") }
    var effectiveCalls: String { t("有效呼叫", "Effective calls") }
    var effectiveRatio: String { t("有效服务率", "Effective service ratio") }
    var servicesCompleted: String { t("完成服务", "Services completed") }
    var serviceHours: String { t("服务时长（小时）", "Service hours") }
    var satisfaction: String { t("满意率", "Satisfaction rate") }
    var callbacks: String { t("回访", "callbacks") }
    var activeElders: String { t("在册老人", "Active elders") }
    var reportingRate: String { t("上报率", "Reporting rate") }
    var callsByDay: String { t("每日呼叫量", "Calls by day") }
    var callsByHour: String { t("分时段呼叫量", "Calls by hour of day") }
    var effectiveTrend: String { t("有效服务率趋势", "Effective service ratio by day") }
    var satisfactionTrend: String { t("满意率趋势", "Satisfaction rate by day") }
    var servicesByCategory: String { t("分类服务量", "Services by category") }
    var rosterByCategory: String { t("在册老人构成（保障类别）", "Active elders by category") }
    var rosterByAge: String { t("在册老人年龄结构", "Active elders by age band") }
    var children: String { t("下级单位", "Areas below") }
    var code: String { t("代码", "Code") }
    var area: String { t("单位", "Area") }
    var reported: String { t("本期已上报", "Reported this period") }
    var lastSync: String { t("最近同步", "Last sync") }
    var lag: String { t("待同步变更", "Changes behind") }
    var yes: String { t("是", "yes") }
    var no: String { t("否", "no") }
    var never: String { t("从未", "never") }
    var noData: String { t("暂无数据", "no data yet") }
    var noChildren: String { t("本级没有下级单位", "No areas below this one") }
    var up: String { t("返回上级", "Up one level") }
    var asOf: String { t("数据时间", "As of") }
    var live: String { t("每3秒自动刷新", "Refreshes every 3 s") }
    var otherLanguage: String { t("English", "中文") }
    var otherLanguageCode: String { t("en", "zh") }

    func period(_ period: DashboardPeriod) -> String {
        switch period {
        case .today: t("今日", "Today")
        case .month: t("本月", "This month")
        case .last30: t("近30天", "Last 30 days")
        case .quarter: t("本季度", "This quarter")
        }
    }

    func level(_ level: NodeCode.Level) -> String { language == .zh ? level.chineseName : level.description }

    /// A code's label: `chinese` in Chinese (when known), the code with spaces in English.
    func code(_ code: String, chinese: String?) -> String {
        language == .zh ? (chinese ?? code) : code.replacingOccurrences(of: "_", with: " ")
    }

    func ageBand(_ band: String) -> String { language == .zh ? band + "岁" : band }

    func serviceCategory(_ code: String) -> String {
        self.code(code, chinese: ServiceCategory(rawValue: code)?.chineseLabel)
    }

    func subsidyCategory(_ code: String) -> String {
        self.code(code, chinese: SubsidyCategory(rawValue: code)?.chineseName)
    }
}
