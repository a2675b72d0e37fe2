/// The figures the simulator is calibrated to (DESIGN.md "Seed figures"): Shijiazhuang's 1.5 M elders
/// made about 1,000 calls a day (one per 1,500 elders), peaking 09:00–11:00, 40% effective; 1.8 M
/// services in ten months (about 4 a day per 1,000 elders); satisfaction 99.8%.
///
///     var profile = SimulationProfile.seeds
///     profile.eldersPerCommunity = 3_000     // a bigger community, twice the calls and visits
public struct SimulationProfile: Sendable, Equatable {
    /// Elders registered per community (Dawukou: 42.9 k elders over 32 community service points).
    public var eldersPerCommunity = 1_500
    /// Elders per call a day (Shijiazhuang: 1.5 M elders, ~1,000 calls a day).
    public var eldersPerDailyCall = 1_500.0
    /// Service visits a day per 1,000 elders (1.8 M services in ten months for 1.5 M elders).
    public var visitsPerThousandElders = 4.0
    /// Share of visits followed by a satisfaction callback.
    public var callbackShare = 0.5
    /// Share of registrations without any qualifying condition (the audit's first list).
    public var ineligibleShare = 0.05
    /// Share of registrations that repeat a resident ID already registered in another community.
    public var duplicateResidentShare = 0.004
    /// Providers (`P-001` …); the last `poorProviders` of them are rated poorly.
    public var providers = 12
    public var poorProviders = 2
    /// Share of all visits each poor provider makes. Every visit of a poor provider is called back
    /// (重点回访: a provider under review), so its rate rests on enough callbacks to trip the flag.
    public var poorProviderShare = 0.006
    /// Dissatisfied callbacks: a good provider's share and a poor one's (below 90% satisfied trips the
    /// flag). Overall about 99.5% satisfied at the demo's scale; the good providers 99.97%.
    public var goodDissatisfied = 0.0003
    public var poorDissatisfied = 0.2

    public init() {}

    /// The seeds' figures.
    public static let seeds = SimulationProfile()

    /// Relative call volume per hour of the day (China Standard Time), peaking 09:00–11:00.
    static let callHours: [Double] = [1, 1, 1, 1, 1, 2, 4, 7, 10, 16, 16, 12, 6, 6, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1]
    /// Channels and their shares.
    static let channels: [(String, Double)] = [
        ("hotline", 55), ("sos_key", 15), ("help_key", 10), ("app", 10), ("walk_in", 10),
    ]
    /// Call types, their shares and how often each is effective (together ~40% effective).
    static let types: [(String, Double, Double)] = [
        ("emergency", 5, 0.95), ("service_request", 30, 0.90), ("consultation", 30, 0.18), ("complaint", 3, 0.60),
        ("companionship", 17, 0.05), ("invalid", 15, 0),
    ]
    static let outcomes: [String: String] = [
        "emergency": "已派单：紧急救援", "service_request": "已派单：上门服务", "consultation": "已解答政策咨询",
        "complaint": "已转服务商处理", "companionship": "亲情陪伴通话", "invalid": "无效来电",
    ]
    /// The six service categories, their shares and typical items.
    static let categories: [(String, Double, [String])] = [
        ("daily_care", 45, ["助餐", "助浴", "助洁", "代购代办", "理发"]),
        ("medical_care", 20, ["健康监测", "康复护理", "上门巡诊", "用药指导"]),
        ("spiritual_comfort", 15, ["精神慰藉", "亲情陪伴", "读报聊天"]),
        ("culture_recreation", 10, ["文化娱乐活动", "书画课", "健身操"]),
        ("emergency_aid", 5, ["紧急救援", "跌倒处置"]),
        ("legal_aid", 5, ["法律咨询", "赡养纠纷调解"]),
    ]
}
