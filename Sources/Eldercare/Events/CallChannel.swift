/// How a call reached the service (DESIGN.md, "Reports": calls by channel).
public enum CallChannel: String, CaseIterable, Sendable, Hashable {
    /// The 12349 elderly-care hotline (12349热线).
    case hotline
    /// The red one-key SOS button on the elder's phone or terminal (红键/一键呼叫).
    case sosKey = "sos_key"
    /// The green help key (绿键/求助键).
    case helpKey = "help_key"
    /// The mobile application (手机应用).
    case app
    /// A visit in person at a station or office (来访).
    case walkIn = "walk_in"

    /// The label dashboards show.
    public var chineseLabel: String {
        switch self {
        case .hotline: "12349热线"
        case .sosKey: "红键/一键呼叫"
        case .helpKey: "绿键/求助键"
        case .app: "手机应用"
        case .walkIn: "来访"
        }
    }
}
