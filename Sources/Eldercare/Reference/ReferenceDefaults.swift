package import Replication

/// The reference data an operator can load into a new federation (`POST /api/v1/catalog/defaults`,
/// `POST /api/v1/subsidy-policy/defaults`), written at the loading node's scope.
///
/// - The catalog covers the six categories of seed 000 (医疗保健、紧急援助、生活照料、精神慰藉、法律维权、
///   文化娱乐). Seed 002 prices hourly home care by the city's fee guide (合民〔2014〕105号), which the
///   seed names but does not reproduce; the prices below are typical figures of such municipal guides
///   (home care 30–40 yuan an hour, a bath 40 yuan a visit) and are meant to be replaced with the local
///   list through `POST /api/v1/catalog`.
/// - The subsidy policy is seed 000's Shijiazhuang amounts (三无 300, 低保 100, 社会孤老/特困 200,
///   重度失能 500, 90周岁以上 200 yuan a month) with seed 002's tiers and hours (重点保障 30–45,
///   帮扶 20–25, 普惠 3 hours a month), the same figures as `EligibilityPolicy`'s defaults.
///
///     let writes = ReferenceDefaults.catalog(scope: city)   // [RecordWrite] for "service_items"
package enum ReferenceDefaults {
    /// (id, category, 中文名, English name, unit, price in fen).
    static let catalogItems: [(String, ServiceCategory, String, String, ServiceUnit, Int64)] = [
        ("medical_care.health_check", .medicalCare, "上门健康检查", "Health check at home", .visit, 3_000),
        ("medical_care.nursing", .medicalCare, "上门护理", "Home nursing", .hour, 5_000),
        ("medical_care.rehabilitation", .medicalCare, "康复训练", "Rehabilitation exercise", .hour, 6_000),
        ("emergency_aid.sos_response", .emergencyAid, "一键通紧急呼叫响应", "SOS key response", .visit, 2_000),
        ("emergency_aid.escort_to_hospital", .emergencyAid, "陪同就医", "Escort to hospital", .hour, 3_000),
        ("daily_care.housekeeping", .dailyCare, "家政保洁", "Housekeeping", .hour, 3_000),
        ("daily_care.bathing", .dailyCare, "助浴", "Bathing", .visit, 4_000),
        ("daily_care.meal_delivery", .dailyCare, "助餐送餐", "Meal delivery", .visit, 1_500),
        ("daily_care.personal_care", .dailyCare, "生活照料", "Personal care", .hour, 3_500),
        ("spiritual_comfort.companionship", .spiritualComfort, "陪伴聊天", "Companionship", .hour, 2_500),
        (
            "spiritual_comfort.psychological_counselling", .spiritualComfort, "心理疏导", "Psychological counselling",
            .hour, 8_000
        ),
        ("legal_aid.consultation", .legalAid, "法律咨询", "Legal consultation", .visit, 5_000),
        ("culture_recreation.group_activity", .cultureRecreation, "文娱活动", "Group recreation", .visit, 1_000),
    ]

    /// (category, yuan a month, tier, hours a month).
    static let subsidyRows: [(SubsidyCategory, Int64, ServiceTier, Int64)] = [
        (.threeNo, 300, .keyProtection, 45),
        (.minimumLiving, 100, .keyProtection, 45),
        (.nearMinimumLiving, 0, .keyProtection, 30),
        (.extremePoverty, 200, .keyProtection, 45),
        (.severeDisability, 500, .assisted, 25),
        (.moderateDisability, 0, .assisted, 20),
        (.entitledGroup, 0, .assisted, 20),
        (.nonagenarian, 200, .universal, 3),
        (.familyPlanningSpecial, 0, .universal, 3),
    ]

    package static func catalog(scope: NodeCode) -> [RecordWrite] {
        catalogItems.map { id, category, zh, en, unit, price in
            RecordWrite(
                table: DomainSchema.serviceItems.name, key: id,
                values: [
                    ("category", .text(category.rawValue)), ("name_zh", .text(zh)), ("name_en", .text(en)),
                    ("unit", .text(unit.rawValue)), ("unit_price_fen", .integer(price)),
                    ("scope", .text(scope.rawValue)),
                ])
        }
    }

    package static func subsidyPolicy(scope: NodeCode) -> [RecordWrite] {
        subsidyRows.map { category, yuan, tier, hours in
            RecordWrite(
                table: DomainSchema.subsidyPolicy.name, key: category.rawValue,
                values: [
                    ("monthly_subsidy_yuan", .integer(yuan)), ("tier", .text(tier.rawValue)),
                    ("monthly_hours", .integer(hours)), ("scope", .text(scope.rawValue)),
                ])
        }
    }
}
