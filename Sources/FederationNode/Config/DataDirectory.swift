import Eldercare
public import FederationSync
public import Foundation
public import Replication
import TOMLKit
public import ZeroMQTransport

/// A node's data directory:
///
/// ```
/// DIR/node.toml           configuration (NodeConfig)
/// DIR/node.sqlite         the replicated store (WAL: node.sqlite-wal, node.sqlite-shm)
/// DIR/keys/node.secret    this node's CURVE secret key, Z85 (mode 0600)
/// DIR/keys/node.public    this node's CURVE public key, Z85
/// DIR/trust/CODE.public   the public key of each trusted child, Z85
/// DIR/trust/CODE.covers   codes moved under that child from elsewhere, one per line (optional)
/// DIR/tokens/viewer       the HTTP viewer token (mode 0600; DataDirectory+Tokens.swift)
/// DIR/tokens/operator     the HTTP operator token (mode 0600)
/// ```
public struct DataDirectory: Sendable {
    public let url: URL

    public init(path: String) {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var configURL: URL { url.appendingPathComponent("node.toml") }
    public var databasePath: String { url.appendingPathComponent("node.sqlite").path }
    public var keysURL: URL { url.appendingPathComponent("keys", isDirectory: true) }
    public var secretKeyURL: URL { keysURL.appendingPathComponent("node.secret") }
    public var publicKeyURL: URL { keysURL.appendingPathComponent("node.public") }
    public var trustURL: URL { url.appendingPathComponent("trust", isDirectory: true) }

    /// Creates a new data directory with its configuration, a fresh CURVE key pair and fresh access tokens.
    ///
    /// - Throws: `NodeError` if the directory already holds a node, or the configuration is invalid.
    @discardableResult
    public static func initialize(at path: String, config: NodeConfig) throws -> DataDirectory {
        try config.validate()
        let directory = DataDirectory(path: path)
        let files = FileManager.default
        if files.fileExists(atPath: directory.configURL.path) {
            throw NodeError(
                .dataDirectory,
                "\(directory.configURL.path) already exists: this directory holds a node; choose another --data or remove it"
            )
        }
        do {
            try files.createDirectory(at: directory.keysURL, withIntermediateDirectories: true)
            try files.createDirectory(at: directory.trustURL, withIntermediateDirectories: true)
            try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.keysURL.path)
        } catch {
            throw NodeError(.dataDirectory, "cannot create \(directory.url.path): \(error.localizedDescription)")
        }
        let keys = try CurveKeyPair.generate()
        try directory.write(keys.secretKey + "\n", to: directory.secretKeyURL, permissions: 0o600)
        try directory.write(keys.publicKey + "\n", to: directory.publicKeyURL, permissions: 0o644)
        let tokens = AccessTokens.generate()
        for role in AccessRole.allCases { try directory.writeToken(tokens[role], role: role) }
        try directory.saveConfig(config)
        return directory
    }

    /// Reads and checks `node.toml`; node start-up and every command that reads a node go through it.
    ///
    /// - Throws: `NodeError` when the file is missing or invalid, naming the setting to fix; a
    ///   `hash_key` on a node above the privacy boundary (`.privacyKeyAboveBoundary`) also names the file.
    public func loadConfig() throws -> NodeConfig {
        guard let text = try? String(contentsOf: configURL, encoding: .utf8) else {
            throw NodeError(
                .dataDirectory, "no node configuration at \(configURL.path): run fedctl init --data \(url.path) … first"
            )
        }
        let config: NodeConfig
        do {
            config = try TOMLDecoder().decode(NodeConfig.self, from: text)
        } catch {
            throw NodeError(.invalidConfig, "\(configURL.path) is not a valid node configuration: \(error)")
        }
        do throws(NodeError) {
            try config.validate()
        } catch {
            // Name the file: the operator deletes the line there (the file is never rewritten for them).
            // (A `catch where` clause on a typed throw crashes Swift 6.3.1's MandatoryAllocBoxToStack.)
            guard error.code == .privacyKeyAboveBoundary else { throw error }
            throw NodeError(error.code, "\(configURL.path): \(error.message)")
        }
        return config
    }

    public func saveConfig(_ config: NodeConfig) throws {
        let table: TOMLTable
        do {
            table = try TOMLEncoder().encode(config)
        } catch {
            throw NodeError(.invalidConfig, "cannot encode configuration: \(error)")
        }
        try write(
            "# ElderCare Federation node configuration (fedctl). Restart the node after editing.\n"
                + table.convert(to: .toml) + "\n",
            to: configURL, permissions: 0o644)
    }

    /// This node's CURVE key pair.
    public func loadKeyPair() throws -> CurveKeyPair {
        guard let secret = try? String(contentsOf: secretKeyURL, encoding: .utf8) else {
            throw NodeError(
                .keys,
                "missing \(secretKeyURL.path): the node's secret key; restore it from backup or re-run fedctl init in a new directory"
            )
        }
        do {
            return try CurveKeyPair(secretKey: secret.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw NodeError(.keys, "\(secretKeyURL.path) does not hold a valid Z85 secret key: \(error)")
        }
    }

    /// Trusts a child: its public key is written to `trust/CODE.public` and the codes it also speaks
    /// for to `trust/CODE.covers`. A running parent reads the list at each child's handshake.
    ///
    /// - Parameters:
    ///   - covers: subtrees moved under this child from elsewhere (a community re-assigned to another
    ///     street keeps its code: its new street's parent lists it here).
    ///   - transferred: the child itself comes from another branch of the tree (its code is not below
    ///     this node's); its level must still be below this node's.
    public func trust(
        child: NodeCode, publicKey: String, of node: NodeCode, covers: [NodeCode] = [], transferred: Bool = false
    ) throws {
        guard child.level > node.level else {
            throw NodeError(
                .trust, "\(child) (\(child.level)) is not at a lower level than this node \(node) (\(node.level))")
        }
        guard node.contains(child) || transferred else {
            throw NodeError(
                .trust,
                "\(child) is not below this node \(node) in the tree; if it was re-assigned here, pass --transferred")
        }
        for code in covers where code.level <= child.level {
            throw NodeError(
                .trust, "\(child) cannot cover \(code): a covered code must be at a lower level than the child")
        }
        do {
            try CurveKeyPair.validate(publicKey, role: "child key")
        } catch {
            throw NodeError(
                .trust, "\(error.message): pass the 40-character Z85 key printed by fedctl key show on the child")
        }
        try FileManager.default.createDirectory(at: trustURL, withIntermediateDirectories: true)
        try write(publicKey + "\n", to: trustURL.appendingPathComponent("\(child.rawValue).public"), permissions: 0o644)
        let coversURL = trustURL.appendingPathComponent("\(child.rawValue).covers")
        if covers.isEmpty {
            try? FileManager.default.removeItem(at: coversURL)
        } else {
            try write(covers.map(\.rawValue).joined(separator: "\n") + "\n", to: coversURL, permissions: 0o644)
        }
    }

    /// The trusted children by public key (Z85).
    public func trustedChildren() -> [String: TrustedChild] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: trustURL.path) else { return [:] }
        var result: [String: TrustedChild] = [:]
        for name in names where name.hasSuffix(".public") {
            let codeText = String(name.dropLast(7))
            guard let code = try? NodeCode(codeText),
                let key = try? String(contentsOf: trustURL.appendingPathComponent(name), encoding: .utf8)
            else { continue }
            let coversText =
                (try? String(contentsOf: trustURL.appendingPathComponent(codeText + ".covers"), encoding: .utf8)) ?? ""
            let covers = coversText.split(whereSeparator: \.isNewline).compactMap { try? NodeCode(String($0)) }
            let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
            result[trimmed] = TrustedChild(code: code, publicKey: trimmed, covers: covers)
        }
        return result
    }

    private func write(_ text: String, to file: URL, permissions: Int) throws {
        do {
            try Data(text.utf8).write(to: file, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file.path)
        } catch {
            throw NodeError(.dataDirectory, "cannot write \(file.path): \(error.localizedDescription)")
        }
    }
}
