/// One declared column of a replicated table.
public struct ColumnSchema: Sendable, Equatable {
    public let name: String
    public let type: ColumnType
    /// Personal data (姓名, 身份证号, 电话, 住址 …): scrubbed by an erasure and masked in reports.
    public let personal: Bool

    public init(_ name: String, _ type: ColumnType, personal: Bool = false) {
        self.name = name
        self.type = type
        self.personal = personal
    }
}
