/// The pure part of merging changes into one record: per-slot last-writer-wins, the erasure
/// tombstone's scrubbing of personal columns, and what the store must then persist (which slots
/// changed, whether the record moved to another scope, which feed entries it supersedes). No SQLite:
/// `ReplicaStore.apply` reads the record, feeds this its cells and writes what it decides.
///
/// Slot 0 is the erasure tombstone, slot `i + 1` declared column `i` (as in `CellVersion`'s blob).
/// A version wins over a slot's when its clock is greater, or at an equal clock when its origin's
/// code is greater (`originCode` resolves the store's origin ids); the same version again is a
/// duplicate.
///
///     var merge = RecordMerge(values: stored, erased: .null, slots: slots)
///     try merge.offer(slot: 2, CellVersion(clock: c, origin: o, via: v, seq: 0), value: .text("李")) { directory[$0]! }
///     try merge.scrubPersonal(personalIndexes) { directory[$0]! }
///     let sealed = merge.seal(seq: next, via: v, scopeIndex: 0, storedScope: .some("130102001001"))
///
/// - Complexity: O(1) per offered cell (plus a linear check of the few slots changed so far);
///   `seal` is O(slots).
struct RecordMerge {
    /// The declared columns' values (`values[i]` is slot `i + 1`).
    private(set) var values: [Value]
    /// The erasure reason (slot 0), null when never erased.
    private(set) var erased: Value
    private(set) var slots: [CellVersion]
    /// Slots that took a new version, in the order they first did.
    private(set) var changed: [Int] = []
    /// Offered cells that won (one per slot changed by an offer).
    private(set) var applied = 0
    /// Offered cells that lost, or lost to a newer cell of the same slot offered in the same merge.
    private(set) var duplicates = 0

    private let original: [CellVersion]
    private var erasureChanged = false

    /// - Parameters:
    ///   - values: the stored values of the declared columns (nulls for a new record).
    ///   - slots: the stored versions, one per declared column plus the tombstone.
    init(values: [Value], erased: Value, slots: [CellVersion]) {
        precondition(slots.count == values.count + 1, "one slot per declared column plus the tombstone")
        self.values = values
        self.erased = erased
        self.slots = slots
        self.original = slots
    }

    /// A new record: every slot empty, every value null.
    init(columns: Int) {
        self.init(
            values: Array(repeating: .null, count: columns), erased: .null,
            slots: Array(repeating: .empty, count: columns + 1))
    }

    /// Whether `version` wins over what `slot` holds; `originCode` gives the node code of a stored origin
    /// id (asked only at equal clocks, for the tie-break).
    func isNewer(_ version: CellVersion, than slot: CellVersion, originCode: (UInt32) throws -> String) throws -> Bool {
        if version.clock != slot.clock { return version.clock > slot.clock }
        if version.origin == slot.origin { return false }
        return try originCode(version.origin) > originCode(slot.origin)
    }

    /// Offers one cell: it wins its slot if newer than what the slot holds (`version.seq` is ignored; the
    /// store assigns the sequence in `seal`).
    mutating func offer(
        slot: Int, _ version: CellVersion, value: Value, originCode: (UInt32) throws -> String
    ) throws {
        guard try isNewer(version, than: slots[slot], originCode: originCode) else {
            duplicates += 1
            return
        }
        slots[slot] = CellVersion(clock: version.clock, origin: version.origin, via: version.via, seq: 0)
        if slot == 0 {
            erased = value
            erasureChanged = true
        } else {
            values[slot - 1] = value
        }
        if changed.contains(slot) {
            // The same cell twice in one merge: the older of the two counts as a duplicate.
            duplicates += 1
        } else {
            changed.append(slot)
            applied += 1
        }
    }

    /// After the offers: an erasure tombstone scrubs every personal column (`personal`: declared
    /// column positions) whose version it is newer than. Runs only when something changed, so a
    /// merge that brought nothing new writes nothing.
    mutating func scrubPersonal(_ personal: [Int], originCode: (UInt32) throws -> String) throws {
        let tombstone = slots[0]
        guard tombstone.isWritten, erasureChanged || !changed.isEmpty else { return }
        for position in personal {
            let slot = position + 1
            // At an equal version (only a node replaying its own clock could make one) the tombstone
            // still wins, so the outcome does not depend on arrival order.
            let sameVersion = slots[slot].clock == tombstone.clock && slots[slot].origin == tombstone.origin
            if sameVersion
                ? !values[position].isNull : try isNewer(tombstone, than: slots[slot], originCode: originCode)
            {
                slots[slot] = CellVersion(clock: tombstone.clock, origin: tombstone.origin, via: tombstone.via, seq: 0)
                values[position] = .null
                if !changed.contains(slot) { changed.append(slot) }
            }
        }
    }

    /// The scope the record has after the offers (the value of the scope column, if the table has one).
    func scope(at scopeIndex: Int?) -> String? {
        scopeIndex.flatMap { values[$0].textValue }
    }

    /// What the store writes for this merge; nil when no slot changed (nothing to write).
    struct Sealed: Equatable {
        var values: [Value]
        var erased: Value
        /// Every slot, those changed carrying the new sequence.
        var slots: [CellVersion]
        /// The slots to rewrite, ascending (0 is `_erased`).
        var changedSlots: [Int]
        /// The record's scope after the merge.
        var scope: String?
        /// The scope it had, when it moved to another one (every written slot is then re-announced
        /// with the new sequence, so the new subtree gets the record whole).
        var previousScope: String?
        /// Whether the stored `_scope` column must be rewritten.
        var scopeChanged: Bool
        /// Feed sequences no slot refers to any more (their entries are deleted), each once.
        var superseded: [UInt64]
        /// The feed entry's `via`: the peer if every slot of this sequence came through it, else 0.
        var entryVia: UInt32
    }

    /// Assigns `seq` to what changed and says what to persist.
    ///
    /// - Parameter storedScope: `.none` for a record new to the store, else the scope it is stored with.
    func seal(seq: UInt64, via: UInt32, scopeIndex: Int?, storedScope: String??) -> Sealed? {
        guard !changed.isEmpty else { return nil }
        var slots = self.slots
        for slot in changed { slots[slot].seq = seq }
        let scope = scope(at: scopeIndex)
        var previousScope: String?
        var scopeChanged = false
        if case .some(let stored) = storedScope, scope != stored {
            previousScope = stored
            scopeChanged = true
            for slot in slots.indices where slots[slot].isWritten { slots[slot].seq = seq }
        }
        // A handful of slots: linear scans, and nothing allocated for a record new to the store.
        var superseded: [UInt64] = []
        for old in original where old.seq != 0 && !superseded.contains(old.seq) {
            if !slots.contains(where: { $0.seq == old.seq }) { superseded.append(old.seq) }
        }
        let entryVia = slots.allSatisfy { $0.seq != seq || $0.via == via } ? via : 0
        return Sealed(
            values: values, erased: erased, slots: slots, changedSlots: changed.sorted(), scope: scope,
            previousScope: previousScope, scopeChanged: scopeChanged, superseded: superseded, entryVia: entryVia)
    }
}
