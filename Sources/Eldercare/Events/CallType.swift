/// What a call was about (DESIGN.md, "Reports": calls by type).
public enum CallType: String, CaseIterable, Sendable, Hashable {
    /// Emergency aid: a fall, an illness, an alarm (紧急救助).
    case emergency
    /// A request for a service: housekeeping, meals, care, repairs (服务需求).
    case serviceRequest = "service_request"
    /// A question about policy, subsidies or services (咨询).
    case consultation
    /// A complaint about a service or a provider (投诉).
    case complaint
    /// Companionship: a chat, a caring call (亲情陪伴/聊天).
    case companionship
    /// A call with no purpose: misdial, silence, test (无效).
    case invalid

    /// The label dashboards show.
    public var chineseLabel: String {
        switch self {
        case .emergency: "紧急救助"
        case .serviceRequest: "服务需求"
        case .consultation: "咨询"
        case .complaint: "投诉"
        case .companionship: "亲情陪伴/聊天"
        case .invalid: "无效"
        }
    }
}
