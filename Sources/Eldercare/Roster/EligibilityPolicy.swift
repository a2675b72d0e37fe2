/// Who qualifies for government-purchased home care, and for what (seed 002: the three service
/// tiers; seed 000: Shijiazhuang's monthly subsidy per category). Kept in `node.toml` under
/// `[eligibility]`; the defaults are the seeds'.
public struct EligibilityPolicy: Codable, Sendable, Equatable {
    /// Monthly subsidy in yuan per category (三无 300, 低保 100, 特困/社会孤老 200, 重度失能 500, 90周岁以上 200).
    public var subsidyYuan: [String: Int] = [
        "three_no": 300, "minimum_living": 100, "extreme_poverty": 200, "severe_disability": 500, "nonagenarian": 200,
    ]
    /// Categories that qualify for the key-protection tier (重点保障: 30–45 hours a month).
    public var keyProtectionCategories: [String] = [
        "three_no", "minimum_living", "near_minimum_living", "extreme_poverty",
    ]
    /// Categories that qualify for the assisted tier (补助: 20–25 hours a month).
    public var assistedCategories: [String] = ["severe_disability", "moderate_disability", "entitled_group"]
    public var keyProtectionHours: [Int] = [30, 45]
    public var assistedHours: [Int] = [20, 25]
    public var universalHours: Int = 3
    /// Everyone this old qualifies for the universal tier (普惠: 80周岁以上).
    public var universalAge: Int = 80
    /// Special family-planning families qualify from this age (计划生育特殊家庭 70周岁以上).
    public var familyPlanningAge: Int = 70
    /// Elders of 75–79 living alone or in empty-nest households get weekly visits.
    public var visitAge: Int = 75

    public init() {}

    enum CodingKeys: String, CodingKey {
        case subsidyYuan = "subsidy_yuan"
        case keyProtectionCategories = "key_protection_categories"
        case assistedCategories = "assisted_categories"
        case keyProtectionHours = "key_protection_hours"
        case assistedHours = "assisted_hours"
        case universalHours = "universal_hours"
        case universalAge = "universal_age"
        case familyPlanningAge = "family_planning_age"
        case visitAge = "visit_age"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EligibilityPolicy()
        subsidyYuan = try container.decodeIfPresent([String: Int].self, forKey: .subsidyYuan) ?? defaults.subsidyYuan
        keyProtectionCategories =
            try container.decodeIfPresent([String].self, forKey: .keyProtectionCategories)
            ?? defaults.keyProtectionCategories
        assistedCategories =
            try container.decodeIfPresent([String].self, forKey: .assistedCategories) ?? defaults.assistedCategories
        keyProtectionHours =
            try container.decodeIfPresent([Int].self, forKey: .keyProtectionHours) ?? defaults.keyProtectionHours
        assistedHours = try container.decodeIfPresent([Int].self, forKey: .assistedHours) ?? defaults.assistedHours
        universalHours = try container.decodeIfPresent(Int.self, forKey: .universalHours) ?? defaults.universalHours
        universalAge = try container.decodeIfPresent(Int.self, forKey: .universalAge) ?? defaults.universalAge
        familyPlanningAge =
            try container.decodeIfPresent(Int.self, forKey: .familyPlanningAge) ?? defaults.familyPlanningAge
        visitAge = try container.decodeIfPresent(Int.self, forKey: .visitAge) ?? defaults.visitAge
    }

    /// What an elder qualifies for.
    public struct Assessment: Sendable, Equatable {
        /// `key_protection`, `assisted`, `universal`, or nil when no condition qualifies.
        public var tier: String?
        /// Weekly visits for 75–79-year-olds living alone or in empty-nest households.
        public var weeklyVisits: Bool
        /// Monthly subsidy in yuan, the sum over the elder's categories.
        public var subsidyYuan: Int

        /// Registered with no qualifying condition (the audit of seed 002 found 35.7% of the roster so).
        public var qualifies: Bool { tier != nil || weeklyVisits }
    }

    /// Assesses one elder by categories, age in whole years, living situation and disability.
    public func assess(categories: Set<String>, age: Int, living: String?, disability: String?) -> Assessment {
        var all = categories
        if disability == "severe" { all.insert("severe_disability") }
        if disability == "moderate" { all.insert("moderate_disability") }
        if age >= 90 { all.insert("nonagenarian") }
        let tier: String?
        if !all.isDisjoint(with: keyProtectionCategories) {
            tier = "key_protection"
        } else if !all.isDisjoint(with: assistedCategories) {
            tier = "assisted"
        } else if age >= universalAge || (all.contains("family_planning_special") && age >= familyPlanningAge) {
            tier = "universal"
        } else {
            tier = nil
        }
        let visits = age >= visitAge && age < universalAge && (living == "alone" || living == "empty_nest")
        let subsidy = all.reduce(0) { $0 + (subsidyYuan[$1] ?? 0) }
        return Assessment(tier: tier, weeklyVisits: visits, subsidyYuan: subsidy)
    }
}
