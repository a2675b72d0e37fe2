/// The set of replicated tables a node keeps. Every node of a federation must declare the same schema.
public struct ReplicatedSchema: Sendable, Equatable {
    public let tables: [TableSchema]
    let byName: [String: Int]

    public init(_ tables: [TableSchema]) throws(ReplicationError) {
        var byName: [String: Int] = [:]
        for (position, table) in tables.enumerated() {
            try table.validate()
            guard byName[table.name] == nil else {
                throw ReplicationError(.invalidSchema, "table \(table.name) is declared twice")
            }
            byName[table.name] = position
        }
        self.tables = tables
        self.byName = byName
    }

    public subscript(name: String) -> TableSchema? { byName[name].map { tables[$0] } }

    public static func == (lhs: ReplicatedSchema, rhs: ReplicatedSchema) -> Bool { lhs.tables == rhs.tables }
}
