import Eldercare
public import Replication
import SeededRandom

/// Deterministic sample elders with realistic values: Chinese names, valid resident IDs whose birth
/// date and gender agree, mobile numbers, street addresses, subsidy categories and tiers in
/// proportions like the seeds' (most elders "universal", a minority in hardship categories).
///
///     var roster = SampleRoster(seed: 42, communities: communities)
///     let elder = roster.next()          // a RecordWrite for table "elders"
public struct SampleRoster: Sendable {
    static let surnames = Array(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    static let femaleGiven = [
        "秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英", "淑珍", "淑兰", "素珍", "凤兰", "玉梅", "桂珍", "淑英", "秀云",
        "桂芳", "丽华",
    ]
    static let maleGiven = [
        "建国", "国华", "志强", "德明", "长海", "永福", "文华", "振华", "国庆", "保国", "树林", "玉山", "金生", "海生", "德胜", "连生", "春生", "福来",
        "庆林", "宝山",
    ]
    static let streets = [
        "建设北大街", "中山东路", "和平西路", "胜利北街", "裕华东路", "槐安路", "育才街", "体育南大街", "翟营大街", "友谊北大街", "红旗大街", "青园街",
    ]
    static let districts = ["长安区", "桥西区", "新华区", "裕华区"]
    static let mobilePrefixes = [
        "130", "131", "132", "135", "136", "138", "139", "150", "151", "155", "158", "186", "187", "188",
    ]

    private var generator: SplitMix
    private var counter = 0
    public let communities: [NodeCode]

    public init(seed: UInt64, communities: [NodeCode]) {
        precondition(!communities.isEmpty, "a roster needs at least one community")
        self.generator = SplitMix(seed: seed)
        self.communities = communities
    }

    /// The next elder as a local write to the `elders` table (15 columns).
    public mutating func next() -> RecordWrite {
        counter += 1
        let community = communities[Int(generator.next() % UInt64(communities.count))]
        let female = generator.next() % 100 < 56  // more women than men among the old
        // Ages 60–104, weighted towards the young old.
        let ageRoll = generator.next() % 1000
        let age: Int =
            ageRoll < 560
            ? 60 + Int(generator.next() % 10)
            : ageRoll < 860
                ? 70 + Int(generator.next() % 10)
                : ageRoll < 980
                    ? 80 + Int(generator.next() % 10)
                    : ageRoll < 998 ? 90 + Int(generator.next() % 10) : 100 + Int(generator.next() % 5)
        let year = 2026 - age
        let month = 1 + Int(generator.next() % 12)
        let day = 1 + Int(generator.next() % 28)
        let sequence = Int(generator.next() % 500) * 2 + (female ? 0 : 1)
        let area = String(community.rawValue.prefix(6))
        let residentID = ResidentID.make(area: area, birth: (year, month, day), sequence: sequence)
        let surname = Self.surnames[Int(generator.next() % UInt64(Self.surnames.count))]
        let given = (female ? Self.femaleGiven : Self.maleGiven)
        let name = String(surname) + given[Int(generator.next() % UInt64(given.count))]
        let phone =
            Self.mobilePrefixes[Int(generator.next() % UInt64(Self.mobilePrefixes.count))]
            + String(10_000_000 + generator.next() % 89_999_999)
        let address =
            Self.districts[Int(generator.next() % UInt64(Self.districts.count))]
            + Self.streets[Int(generator.next() % UInt64(Self.streets.count))]
            + "\(1 + generator.next() % 300)号\(1 + generator.next() % 12)栋\(1 + generator.next() % 4)单元\(101 + generator.next() % 1500)室"
        let livingRoll = generator.next() % 100
        let living =
            livingRoll < 20 ? "alone" : livingRoll < 53 ? "empty_nest" : livingRoll < 97 ? "with_family" : "left_behind"
        let disabilityRoll = generator.next() % 100
        let disability =
            disabilityRoll < 82 ? "none" : disabilityRoll < 91 ? "mild" : disabilityRoll < 96 ? "moderate" : "severe"
        var categories: [String] = []
        let categoryRoll = generator.next() % 1000
        if categoryRoll < 30 { categories.append("minimum_living") }
        if categoryRoll >= 30 && categoryRoll < 45 { categories.append("extreme_poverty") }
        if categoryRoll >= 45 && categoryRoll < 50 { categories.append("three_no") }
        if categoryRoll >= 50 && categoryRoll < 70 { categories.append("entitled_group") }
        if categoryRoll >= 70 && categoryRoll < 80 { categories.append("family_planning_special") }
        if disability == "severe" { categories.append("severe_disability") }
        if disability == "moderate" { categories.append("moderate_disability") }
        if age >= 90 { categories.append("nonagenarian") }
        let hardship = categories.contains {
            ["three_no", "minimum_living", "extreme_poverty", "severe_disability"].contains($0)
        }
        let tier = hardship ? "key_protection" : (categories.isEmpty ? "universal" : "assisted")
        let hours: Int64 =
            tier == "key_protection"
            ? 30 + Int64(generator.next() % 16) : tier == "assisted" ? 20 + Int64(generator.next() % 6) : 3
        let subsidy = Int64(
            categories.reduce(0) { total, category in
                total
                    + ([
                        "three_no": 300, "minimum_living": 100, "extreme_poverty": 200, "severe_disability": 500,
                        "nonagenarian": 200,
                    ][category] ?? 0)
            })
        let card = "SJZ" + String(community.rawValue.suffix(6)) + String(100_000 + counter % 900_000)
        let statusRoll = generator.next() % 100
        let status =
            statusRoll < 90 ? "active" : statusRoll < 95 ? "applied" : statusRoll < 98 ? "suspended" : "deceased"
        let id = "E" + community.rawValue + "-" + String(counter)
        return RecordWrite(
            table: "elders", key: id,
            values: [
                ("name", .text(name)),
                ("gender", .text(female ? "female" : "male")),
                ("birth_date", .text(residentID.birthDate)),
                ("resident_id", .text(residentID.rawValue)),
                ("phone", .text(phone)),
                ("address", .text(address)),
                ("community", .text(community.rawValue)),
                ("living", .text(living)),
                ("disability", .text(disability)),
                ("categories", .text(categories.joined(separator: ","))),
                ("tier", .text(tier)),
                ("monthly_hours", .integer(hours)),
                ("monthly_subsidy", .integer(subsidy)),
                ("card_no", .text(card)),
                ("status", .text(status)),
            ])
    }
}
