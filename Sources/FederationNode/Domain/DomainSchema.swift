public import Replication

/// The replicated tables of the eldercare domain (DESIGN.md, "replicated records").
public enum DomainSchema {
    /// The elder roster (老年人信息库): one row per registered elder, scoped to the elder's community.
    public static let elders = TableSchema(
        "elders", primaryKey: "id", scopeColumn: "community",
        columns: [
            ColumnSchema("name", .text, personal: true),
            ColumnSchema("gender", .text),
            ColumnSchema("birth_date", .text, personal: true),
            ColumnSchema("resident_id", .text, personal: true),
            ColumnSchema("phone", .text, personal: true),
            ColumnSchema("address", .text, personal: true),
            ColumnSchema("community", .text),
            ColumnSchema("living", .text),
            ColumnSchema("disability", .text),
            ColumnSchema("categories", .text),
            ColumnSchema("tier", .text),
            ColumnSchema("monthly_hours", .integer),
            ColumnSchema("monthly_subsidy", .integer),
            ColumnSchema("card_no", .text),
            ColumnSchema("status", .text),
        ])

    /// Every replicated table a node keeps.
    public static func replicated() throws -> ReplicatedSchema {
        try ReplicatedSchema([elders])
    }
}
