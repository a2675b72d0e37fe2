import Crypto
import Foundation
package import Replication

/// Reduces the personal columns of the records in a batch (see `PrivacyPolicy`, docs/PRIVACY.md).
///
/// Two uses, one rule per column:
/// - a node at the privacy boundary sending to a parent above it (`PrivacyPolicy.reducer(towards:schema:)`,
///   with the federation's key): `reduce` hashes resident IDs and cuts birth dates to their month;
/// - a node above the boundary receiving from a child (`PrivacyPolicy.receivingGuard(at:schema:)`, no key):
///   `enforce` keeps only what a correct child sends above the boundary and counts what it took away,
///   so a child that skips the reduction (a community joined straight to a city, a third-party
///   client) leaves nothing personal behind.
///
/// For each personal column (`personal: true` in the schema): `resident_id` is kept when it already is
/// a keyed hash (64 lowercase hex digits), hashed when the reducer has a key, otherwise left out;
/// `birth_date` is kept as `YYYY-MM` (a longer value whose first 7 characters form `YYYY-MM` is cut to
/// them, anything else is left out); every other personal column is left out. `null` (an erased or
/// cleared value) passes unchanged; any other non-text value is left out. Rows left without cells are
/// dropped. Idempotent: a value already reduced passes unchanged, so a city forwarding to its
/// province sends what it holds.
///
///     let reducer = PrivacyReducer(key: keyBytes, schema: schema)
///     reducer.reduce(&batch)
package struct PrivacyReducer: Sendable {
    /// The HMAC key's bytes (swift-crypto's `SymmetricKey` is not `Sendable`; one is made per hash);
    /// nil on a receiving guard and on a sender without a key.
    let key: [UInt8]?
    /// Personal column names per table.
    let personal: [String: Set<String>]

    init(key: [UInt8]?, schema: ReplicatedSchema) {
        self.key = key
        var personal: [String: Set<String>] = [:]
        for table in schema.tables {
            let names = Set(table.columns.filter(\.personal).map(\.name))
            if !names.isEmpty { personal[table.name] = names }
        }
        self.personal = personal
    }

    /// The keyed hash of a resident ID: 64 lowercase hex digits.
    static func hash(_ residentID: String, key: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(residentID.utf8), using: SymmetricKey(data: key))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Reduces the batch before it is sent to a parent above the boundary.
    ///
    /// - Complexity: O(cells in the batch).
    package func reduce(_ batch: inout ChangeBatch) {
        _ = enforce(&batch)
    }

    /// Reduces the batch as `reduce` does and returns how many personal cells it left out or changed
    /// (a hashed resident ID and a birth date cut to its month count; a value already reduced and a
    /// `null` do not). A receiving node above the boundary calls it on every batch from a child before
    /// merging, and counts the result.
    ///
    ///     let stripped = privacyGuard.enforce(&batch)   // 0 for a child that reduced correctly
    ///
    /// - Complexity: O(cells in the batch).
    @discardableResult
    package func enforce(_ batch: inout ChangeBatch) -> Int {
        guard !personal.isEmpty else { return 0 }
        var touched = 0
        var rows: [RowChange] = []
        rows.reserveCapacity(batch.rows.count)
        for var row in batch.rows {
            if let columns = personal[row.table] {
                var cells: [CellChange] = []
                cells.reserveCapacity(row.cells.count)
                for cell in row.cells {
                    guard columns.contains(cell.column) else {
                        cells.append(cell)
                        continue
                    }
                    let kept = reduce(cell)
                    if kept != cell { touched += 1 }
                    if let kept { cells.append(kept) }
                }
                guard !cells.isEmpty else { continue }
                row.cells = cells
            }
            rows.append(row)
        }
        batch.rows = rows
        return touched
    }

    /// The personal cell as it may travel above the boundary, or nil to leave it out.
    func reduce(_ cell: CellChange) -> CellChange? {
        var cell = cell
        let text: String
        switch cell.value {
        case .null: return cell  // an erased or cleared value
        case .text(let value): text = value
        case .integer, .real: return nil  // a personal column holds text; a number could be a resident ID
        }
        switch cell.column {
        case "resident_id":
            if Self.isKeyedHash(text) { return cell }
            guard let key else { return nil }
            cell.value = .text(Self.hash(text.uppercased(), key: key))
        case "birth_date":
            guard let month = Self.month(of: text) else { return nil }
            cell.value = .text(month)
        default:
            return nil
        }
        return cell
    }

    /// Whether `text` is 64 lowercase hex digits, the form of `hash(_:key:)`.
    static func isKeyedHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// `YYYY-MM` from a date that begins with it (`1949-12-31`, `1949-12`), or nil.
    static func month(of text: String) -> String? {
        let bytes = Array(text.utf8.prefix(7))
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes[0..<4].allSatisfy({ (0x30...0x39).contains($0) }),
            bytes[5..<7].allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        let month = Int(bytes[5] - 0x30) * 10 + Int(bytes[6] - 0x30)
        guard (1...12).contains(month) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
