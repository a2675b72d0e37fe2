/// The six service categories of seed 000 (DESIGN.md, "Reports": services by category).
public enum ServiceCategory: String, CaseIterable, Sendable, Hashable {
    case medicalCare = "medical_care"
    case emergencyAid = "emergency_aid"
    case dailyCare = "daily_care"
    case spiritualComfort = "spiritual_comfort"
    case legalAid = "legal_aid"
    case cultureRecreation = "culture_recreation"

    /// The label dashboards show.
    public var chineseLabel: String {
        switch self {
        case .medicalCare: "医疗护理"
        case .emergencyAid: "紧急救援"
        case .dailyCare: "生活照料"
        case .spiritualComfort: "精神慰藉"
        case .legalAid: "法律援助"
        case .cultureRecreation: "文化娱乐"
        }
    }
}

/// Whether a visit took place. A completed visit counts; a cancelled one does not, and cancelling a
/// recorded completed visit takes its counts back.
public enum VisitStatus: String, CaseIterable, Sendable, Hashable {
    case completed
    case cancelled
}

/// How an elder rated a service in a callback (回访).
public enum SatisfactionScore: String, CaseIterable, Sendable, Hashable {
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case dissatisfied

    /// The label dashboards show.
    public var chineseLabel: String {
        switch self {
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .dissatisfied: "不满意"
        }
    }
}
