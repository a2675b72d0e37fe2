public import Replication

/// The replicated tables of the eldercare domain (DESIGN.md, "replicated records").
///
///     let store = try ReplicaStore(path: path, node: code, schema: try DomainSchema.replicated())
public enum DomainSchema {
    /// The elder roster (老年人信息库): one row per registered elder, scoped to the elder's community.
    ///
    /// The enrolment workflow of seed 002 (社区申请 → 街道审核 → 区县核定, 当月申请下月生效) lives in
    /// the same row: `status` with the month it takes effect (`status_month`, YYYY-MM), and who took
    /// each step and when (`applied_by/applied_at`, `reviewed_by/reviewed_at`, `decided_by/decided_at`,
    /// each `by` written as `operator@node-code`), with the reason of a return or a rejection in
    /// `status_note`. Every step is an ordinary replicated write of these columns (docs/API.md, "Enrolment").
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
            ColumnSchema("status_month", .text),
            ColumnSchema("emergency_contacts", .text, personal: true),
            ColumnSchema("applied_by", .text),
            ColumnSchema("applied_at", .text),
            ColumnSchema("reviewed_by", .text),
            ColumnSchema("reviewed_at", .text),
            ColumnSchema("decided_by", .text),
            ColumnSchema("decided_at", .text),
            ColumnSchema("status_note", .text),
        ])

    /// Contracted service providers (服务商/加盟企业), scoped to the node that contracts them (usually a
    /// district): the rows flow down to every node below it.
    public static let providers = TableSchema(
        "providers", primaryKey: "id", scopeColumn: "scope",
        columns: [
            ColumnSchema("name", .text),
            ColumnSchema("contract_status", .text),
            ColumnSchema("contract_start", .text),
            ColumnSchema("contract_end", .text),
            ColumnSchema("categories", .text),
            ColumnSchema("phone", .text),
            ColumnSchema("scope", .text),
        ])

    /// The service catalog (服务项目清单): items of the six categories of seed 000 with unit prices in
    /// fen, scoped to the node that sets them (usually the city).
    public static let serviceItems = TableSchema(
        "service_items", primaryKey: "id", scopeColumn: "scope",
        columns: [
            ColumnSchema("category", .text),
            ColumnSchema("name_zh", .text),
            ColumnSchema("name_en", .text),
            ColumnSchema("unit", .text),
            ColumnSchema("unit_price_fen", .integer),
            ColumnSchema("scope", .text),
        ])

    /// The subsidy policy (补助标准): per subsidy category, the monthly subsidy, tier and hours.
    public static let subsidyPolicy = TableSchema(
        "subsidy_policy", primaryKey: "category", scopeColumn: "scope",
        columns: [
            ColumnSchema("monthly_subsidy_yuan", .integer),
            ColumnSchema("tier", .text),
            ColumnSchema("monthly_hours", .integer),
            ColumnSchema("scope", .text),
        ])

    /// Every replicated table a node keeps.
    public static func replicated() throws -> ReplicatedSchema {
        try ReplicatedSchema([elders, providers, serviceItems, subsidyPolicy])
    }
}
