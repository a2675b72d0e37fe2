/// A record named by table and key.
public struct RecordRef: Hashable, Sendable, CustomStringConvertible {
    public let table: String
    public let key: String

    public init(table: String, key: String) {
        self.table = table
        self.key = key
    }

    public var description: String { "\(table)/\(key)" }
}

/// What a merge (or local write) changed.
public struct MergeOutcome: Sendable, Equatable {
    /// Cells that won and changed state (each took a feed sequence with its record).
    public var applied = 0
    /// Cells that lost to a newer write or were already known: counted and dropped.
    public var duplicates = 0
    /// Records with at least one winning cell, in the order they were written.
    public var changedRecords: [RecordRef] = []
    /// Statistics cells whose value changed.
    public var changedStatistics: [StatKey] = []
    /// The feed sequences the changes took (empty range if nothing changed).
    public var sequences: ClosedRange<UInt64>?

    public init() {}

    public var changedAnything: Bool { applied > 0 }
}
