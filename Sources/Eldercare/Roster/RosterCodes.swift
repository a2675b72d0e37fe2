/// A closed set of codes a roster field takes, each with the Chinese label stations use
/// (`RosterCode.chineseName`). Imports accept either the code or the label.
package protocol RosterCode: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    var chineseName: String { get }
}

extension RosterCode {
    /// The code for `text`: the code itself (`alone`) or its Chinese label (`独居`).
    package static func parse(_ text: String) -> Self? {
        Self(rawValue: text) ?? allCases.first { $0.chineseName == text }
    }

    /// `alone (独居), empty_nest (空巢), …` for error messages.
    package static var choices: String {
        allCases.map { "\($0.rawValue) (\($0.chineseName))" }.joined(separator: ", ")
    }
}

/// Gender (性别), as the resident ID's 17th digit gives it.
enum ElderGender: String, RosterCode {
    case female, male

    var chineseName: String {
        switch self {
        case .female: "女"
        case .male: "男"
        }
    }
}

/// Living situation (居住状况).
package enum LivingSituation: String, RosterCode {
    case alone
    case emptyNest = "empty_nest"
    case withFamily = "with_family"
    case leftBehind = "left_behind"

    package var chineseName: String {
        switch self {
        case .alone: "独居"
        case .emptyNest: "空巢"
        case .withFamily: "与子女同住"
        case .leftBehind: "留守"
        }
    }
}

/// Degree of disability (失能等级).
package enum DisabilityLevel: String, RosterCode {
    case none, mild, moderate, severe

    package var chineseName: String {
        switch self {
        case .none: "自理"
        case .mild: "轻度失能"
        case .moderate: "中度失能"
        case .severe: "重度失能"
        }
    }
}

/// Subsidy categories (补贴类别) of the seeds.
package enum SubsidyCategory: String, RosterCode {
    case threeNo = "three_no"
    case minimumLiving = "minimum_living"
    case nearMinimumLiving = "near_minimum_living"
    case extremePoverty = "extreme_poverty"
    case severeDisability = "severe_disability"
    case moderateDisability = "moderate_disability"
    case nonagenarian
    case entitledGroup = "entitled_group"
    case familyPlanningSpecial = "family_planning_special"

    package var chineseName: String {
        switch self {
        case .threeNo: "三无"
        case .minimumLiving: "低保"
        case .nearMinimumLiving: "低保边缘"
        case .extremePoverty: "特困"
        case .severeDisability: "重度失能"
        case .moderateDisability: "中度失能"
        case .nonagenarian: "90周岁以上"
        case .entitledGroup: "优抚对象"
        case .familyPlanningSpecial: "计划生育特殊家庭"
        }
    }
}

/// Service tier (服务等级), which sets the monthly entitlement (seed 002).
enum ServiceTier: String, RosterCode {
    case keyProtection = "key_protection"
    case assisted, universal

    var chineseName: String {
        switch self {
        case .keyProtection: "重点保障"
        case .assisted: "补助"
        case .universal: "普惠"
        }
    }
}

/// Where an elder stands in the roster (状态): the seeds' "dynamic management", with the enrolment
/// workflow of seed 002: `applied` (社区申请) → `reviewed` (街道审核) or `returned` (退回) → `active`
/// (区县核定, from the next month) or `rejected` (不予核定).
package enum ElderStatus: String, RosterCode {
    case applied, reviewed, returned, rejected, active, suspended, deceased
    case movedOut = "moved_out"

    package var chineseName: String {
        switch self {
        case .applied: "申请中"
        case .reviewed: "街道已审核"
        case .returned: "已退回"
        case .rejected: "未核定"
        case .active: "在册"
        case .suspended: "暂停"
        case .deceased: "已故"
        case .movedOut: "迁出"
        }
    }
}
