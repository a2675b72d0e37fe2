import Crypto
import Foundation
public import Replication

/// Which personal fields replicate above which level, and which nodes hold the key that hashes
/// resident IDs (`[privacy]` in node.toml, docs/PRIVACY.md).
///
/// Up to `full_roster_up_to` (default: the district) a node receives the full roster. A node sending
/// changes to a parent of a higher level reduces every record's personal columns first:
/// `resident_id` travels as HMAC-SHA256 under the federation's `hash_key` (64 hex digits, so the
/// parent still sees the same elder registered twice), `birth_date` as its year and month, and every
/// other personal column (name, phone, address, emergency contacts) is left out. Without a key the
/// resident ID is left out too.
///
/// Only nodes at or below the boundary hold `hash_key`: a node above it compares hashes and never
/// computes one, and with the key its stored birth months, genders and communities would let anyone
/// recover each resident ID by trying every candidate (`NodeConfig.validate` refuses such a key). A
/// node above the boundary also enforces the reduction on what it receives (`receivingGuard`).
///
/// ```toml
/// [privacy]
/// full_roster_up_to = "district"
/// hash_key = "5f2b…"   # 64 hex digits, on the nodes at or below the boundary only (fedctl init --privacy-key)
/// ```
public struct PrivacyPolicy: Codable, Sendable, Equatable {
    /// The highest level that receives the full roster.
    public var fullRosterUpTo: String = NodeCode.Level.district.description
    /// The federation-wide HMAC key in hex, held only by nodes at or below the level; nil leaves resident
    /// IDs out above the level.
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
        fullRosterUpTo =
            try container.decodeIfPresent(String.self, forKey: .fullRosterUpTo) ?? NodeCode.Level.district.description
        hashKey = try container.decodeIfPresent(String.self, forKey: .hashKey)
    }

    /// The level named by `full_roster_up_to`.
    public var level: NodeCode.Level {
        get throws(PrivacyError) {
            guard let level = NodeCode.Level.allCases.first(where: { $0.description == fullRosterUpTo }) else {
                throw PrivacyError(
                    .invalidConfig,
                    "privacy.full_roster_up_to \"\(fullRosterUpTo)\" must be one of "
                        + NodeCode.Level.allCases.map(\.description).joined(separator: ", "))
            }
            return level
        }
    }

    /// The key's bytes.
    func keyBytes() throws(PrivacyError) -> [UInt8]? {
        guard let hashKey else { return nil }
        guard let bytes = Self.hex(hashKey), bytes.count >= 16 else {
            throw PrivacyError(
                .invalidConfig,
                "privacy.hash_key must be at least 32 hex digits (16 bytes), the same on every node; "
                    + "create one with `fedctl init --privacy-key` or `openssl rand -hex 32`")
        }
        return bytes
    }

    /// Checks the settings (called by `NodeConfig.validate`).
    public func validate() throws(PrivacyError) {
        _ = try level
        _ = try keyBytes()
    }

    /// A new random key, 32 bytes as 64 hex digits.
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }.map { String(format: "%02x", $0) }.joined()
    }

    /// The reduction to apply towards a parent at `parentLevel`, or nil when the parent may see everything.
    package func reducer(towards parentLevel: NodeCode.Level, schema: ReplicatedSchema) throws(PrivacyError)
        -> PrivacyReducer?
    {
        guard parentLevel < (try level) else { return nil }
        return PrivacyReducer(key: try keyBytes(), schema: schema)
    }

    /// The reduction a node at `nodeLevel` enforces on every batch it receives from a child before
    /// merging it, or nil at or below the boundary (where the full roster belongs). It holds no key:
    /// it keeps only what a correct child sends above the boundary (see `PrivacyReducer.enforce`).
    ///
    ///     if let privacyGuard = try policy.receivingGuard(at: node.level, schema: store.schema) {
    ///         stripped += privacyGuard.enforce(&batch)
    ///     }
    package func receivingGuard(at nodeLevel: NodeCode.Level, schema: ReplicatedSchema) throws(PrivacyError)
        -> PrivacyReducer?
    {
        guard try !mayHoldKey(at: nodeLevel) else { return nil }
        return PrivacyReducer(key: nil, schema: schema)
    }

    /// Whether a node at `nodeLevel` receives the full roster and may hold `hash_key`: at or below the
    /// boundary. A node above it only compares the hashes it is sent.
    public func mayHoldKey(at nodeLevel: NodeCode.Level) throws(PrivacyError) -> Bool {
        nodeLevel >= (try level)
    }

    /// Refuses a `hash_key` on a node above the boundary (`NodeConfig.validate`, so node start-up and
    /// `fedctl init`); the message tells the operator to delete the line from node.toml.
    public func checkKeyPlacement(at nodeLevel: NodeCode.Level) throws(PrivacyError) {
        guard hashKey != nil, try !mayHoldKey(at: nodeLevel) else { return }
        throw Self.keyAboveBoundary(
            nodeLevel, boundary: try level,
            fix: "请删除 node.toml 中 [privacy] 下的 hash_key 一行，再启动节点。",
            fixEnglish: "Delete the hash_key line under [privacy] from node.toml, then start the node.")
    }

    /// The error for a key given to a node above the boundary: why it must not hold one, and `fix`.
    ///
    ///     throw PrivacyPolicy.keyAboveBoundary(.city, boundary: .district, fix: "请去掉 --privacy-key。", fixEnglish: "Leave out --privacy-key.")
    public static func keyAboveBoundary(
        _ nodeLevel: NodeCode.Level, boundary: NodeCode.Level, fix: String, fixEnglish: String
    ) -> PrivacyError {
        PrivacyError(
            .privacyKeyAboveBoundary,
            "\(nodeLevel.chineseName)级节点在隐私边界（full_roster_up_to = \(boundary)，\(boundary.chineseName)级）之上，不得持有 "
                + "hash_key：有了它，用本节点保存的出生年月、性别和社区逐一试算候选身份证号，就能还原每个哈希背后的号码。"
                + "\(fix)密钥只留在边界及以下的节点（docs/PRIVACY.md）。"
                + " / This \(nodeLevel) node is above the privacy boundary (full_roster_up_to = \(boundary)) and must not hold "
                + "[privacy] hash_key: with it, the birth months, genders and communities it stores let anyone try every "
                + "candidate resident ID and recover the ID behind each hash. \(fixEnglish) Only the nodes at or below "
                + "the boundary keep the key (docs/PRIVACY.md).")
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
