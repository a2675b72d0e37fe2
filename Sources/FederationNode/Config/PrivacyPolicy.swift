import Crypto
import Foundation
public import Replication

/// Which personal fields replicate above which level (`[privacy]` in node.toml, docs/PRIVACY.md).
///
/// Up to `full_roster_up_to` (default: the district) a node receives the full roster. A node sending
/// changes to a parent of a higher level reduces every record's personal columns first:
/// `resident_id` travels as HMAC-SHA256 under the federation's `hash_key` (64 hex digits, so the
/// parent still sees the same elder registered twice), `birth_date` as its year and month, and every
/// other personal column (name, phone, address, emergency contacts) is left out. Without a key the
/// resident ID is left out too.
///
/// ```toml
/// [privacy]
/// full_roster_up_to = "district"
/// hash_key = "5f2b…"   # 64 hex digits, the same on every node of the federation (fedctl init --privacy-key)
/// ```
public struct PrivacyPolicy: Codable, Sendable, Equatable {
    /// The highest level that receives the full roster.
    public var fullRosterUpTo: String = NodeCode.Level.district.description
    /// The federation-wide HMAC key in hex; nil leaves resident IDs out above the level.
    public var hashKey: String?

    public init(fullRosterUpTo: NodeCode.Level = .district, hashKey: String? = nil) {
        self.fullRosterUpTo = fullRosterUpTo.description
        self.hashKey = hashKey
    }

    enum CodingKeys: String, CodingKey {
        case fullRosterUpTo = "full_roster_up_to"
        case hashKey = "hash_key"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fullRosterUpTo = try container.decodeIfPresent(String.self, forKey: .fullRosterUpTo) ?? NodeCode.Level.district.description
        hashKey = try container.decodeIfPresent(String.self, forKey: .hashKey)
    }

    /// The level named by `full_roster_up_to`.
    public var level: NodeCode.Level {
        get throws(NodeError) {
            guard let level = NodeCode.Level.allCases.first(where: { $0.description == fullRosterUpTo }) else {
                throw NodeError(
                    .invalidConfig,
                    "privacy.full_roster_up_to \"\(fullRosterUpTo)\" must be one of "
                        + NodeCode.Level.allCases.map(\.description).joined(separator: ", "))
            }
            return level
        }
    }

    /// The key's bytes.
    func keyBytes() throws(NodeError) -> [UInt8]? {
        guard let hashKey else { return nil }
        guard let bytes = Self.hex(hashKey), bytes.count >= 16 else {
            throw NodeError(
                .invalidConfig,
                "privacy.hash_key must be at least 32 hex digits (16 bytes), the same on every node; "
                    + "create one with `fedctl init --privacy-key` or `openssl rand -hex 32`")
        }
        return bytes
    }

    /// Checks the settings (called by `NodeConfig.validate`).
    public func validate() throws(NodeError) {
        _ = try level
        _ = try keyBytes()
    }

    /// A new random key, 32 bytes as 64 hex digits.
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }.map { String(format: "%02x", $0) }.joined()
    }

    /// The reduction to apply towards a parent at `parentLevel`, or nil when the parent may see everything.
    func reducer(towards parentLevel: NodeCode.Level, schema: ReplicatedSchema) throws(NodeError) -> PrivacyReducer? {
        guard parentLevel < (try level) else { return nil }
        return PrivacyReducer(key: try keyBytes(), schema: schema)
    }

    static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}

/// Reduces the personal columns of the records in a batch (see `PrivacyPolicy`). Idempotent: a value
/// already reduced (a 64-digit hash, a `YYYY-MM` month) passes unchanged, so a city forwarding to its
/// province sends what it holds.
///
///     let reducer = PrivacyReducer(key: keyBytes, schema: schema)
///     reducer.reduce(&batch)
struct PrivacyReducer: Sendable {
    /// The HMAC key's bytes (swift-crypto's `SymmetricKey` is not `Sendable`; one is made per hash).
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

    func reduce(_ batch: inout ChangeBatch) {
        guard !personal.isEmpty else { return }
        batch.rows = batch.rows.compactMap { row in
            guard let columns = personal[row.table] else { return row }
            var reduced = row
            reduced.cells = row.cells.compactMap { cell in
                guard columns.contains(cell.column) else { return cell }
                return reduce(cell)
            }
            return reduced.cells.isEmpty ? nil : reduced
        }
    }

    /// The cell as it may travel, or nil to leave it out.
    func reduce(_ cell: CellChange) -> CellChange? {
        var cell = cell
        guard case .text(let text) = cell.value else { return cell }  // null: an erased or cleared value
        switch cell.column {
        case "resident_id":
            if text.count == 64, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
                return cell
            }
            guard let key else { return nil }
            cell.value = .text(Self.hash(text.uppercased(), key: key))
        case "birth_date":
            cell.value = .text(String(text.prefix(7)))
        default:
            return nil
        }
        return cell
    }
}
