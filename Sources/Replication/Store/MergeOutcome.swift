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
    /// Cells left out because their change broke a rule of the receiver (counted per whole change:
    /// every cell of a refused record change, or one statistics cell).
    public var refused = 0
    /// Refused cells by the code of the rule they broke.
    public var refusedByCode: [ReplicationError.Code: Int] = [:]
    /// The first refusals of the merge (at most `MergeOutcome.refusalSamples`), for the log.
    public var refusals: [String] = []
    /// Records with at least one winning cell, in the order they were written.
    public var changedRecords: [RecordRef] = []
    /// Statistics cells whose value changed.
    public var changedStatistics: [StatKey] = []
    /// The feed sequences the changes took (empty range if nothing changed).
    public var sequences: ClosedRange<UInt64>?

    public init() {}

    public var changedAnything: Bool { applied > 0 }

    /// How many refusals a merge keeps for the log.
    public static let refusalSamples = 8

    /// Counts a refused change of `cells` cells.
    public mutating func refuse(_ error: ReplicationError, cells: Int) {
        refused += cells
        refusedByCode[error.code, default: 0] += cells
        if refusals.count < Self.refusalSamples { refusals.append(error.description) }
    }
}
