public import Replication

/// One item the simulator sends to a node's JSON API: an elder, a call, a visit or a callback.
///
///     let event = simulator.day(day).first!
///     client.post("api/v1/\(event.kind.rawValue)", event.fields)     // at event.community's node or the hotline
public struct SimulatedEvent: Sendable, Equatable {
    /// The collection it belongs to, which is also the API path: `/api/v1/KIND`.
    public enum Kind: String, Sendable, CaseIterable {
        case elders, calls, visits, callbacks
    }

    /// Where the item is recorded.
    public enum Destination: Sendable, Equatable {
        /// At the node of the community it is about (a station's walk-in, visit, callback, registration).
        case community
        /// At the 12349 hotline: the top node given to the simulator, if its subtree holds the community.
        case hotline
    }

    /// A JSON field value.
    public enum Field: Sendable, Equatable {
        case text(String)
        case integer(Int)
        case bool(Bool)

        /// The value for `JSONSerialization`.
        public var jsonValue: Any {
            switch self {
            case .text(let text): text
            case .integer(let number): number
            case .bool(let flag): flag
            }
        }
    }

    public var kind: Kind
    public var community: NodeCode
    public var destination: Destination
    /// The JSON object's fields, in the order of docs/API.md.
    public var fields: [(name: String, value: Field)]

    public var id: String {
        if case .text(let id)? = fields.first(where: { $0.name == "id" })?.value { return id }
        return ""
    }

    /// The JSON object, for `JSONSerialization`.
    public var object: [String: Any] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.value.jsonValue) })
    }

    public func value(_ name: String) -> Field? { fields.first { $0.name == name }?.value }

    public static func == (lhs: SimulatedEvent, rhs: SimulatedEvent) -> Bool {
        lhs.kind == rhs.kind && lhs.community == rhs.community && lhs.destination == rhs.destination
            && lhs.fields.map { $0.name } == rhs.fields.map { $0.name }
            && lhs.fields.map { $0.value } == rhs.fields.map { $0.value }
    }
}
