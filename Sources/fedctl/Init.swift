import ArgumentParser
import Eldercare
import FederationNode
import Replication

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a node's data directory: configuration, CURVE key pair, empty trust list.",
        discussion: """
            The level follows from the 12-digit code. Example (a community under its street):
              fedctl init --data ./data/130102001001 --code 130102001001 --name 建设北大街社区 \\
                  --listen tcp://127.0.0.1:7104 --http 127.0.0.1:8104 \\
                  --parent tcp://127.0.0.1:7103 --parent-key "$(fedctl key show --data ./data/130102001000 | tail -1)"
            """)

    @OptionGroup var data: DataOption
    @Option(help: "12-digit administrative division code, e.g. 130102001001.") var code: String
    @Option(help: "Display name, e.g. 建设北大街社区.") var name: String
    @Option(help: "ZeroMQ endpoint for children, tcp://HOST:PORT.") var listen: String
    @Option(help: "HTTP address for the dashboard and API, HOST:PORT.") var http: String
    @Option(help: "The parent's ZeroMQ endpoint, tcp://HOST:PORT (omit at the top of the tree).") var parent: String?
    // Z85 keys may start with '-': take the next argument whatever it looks like.
    @Option(
        name: .customLong("parent-key"), parsing: .unconditional,
        help: "The parent's public key (Z85), from fedctl key show on the parent.")
    var parentKey: String?
    @Option(name: .customLong("parent-code"), help: "The parent's code; must be an ancestor of --code.")
    var parentCode: String?
    @Flag(help: "This node was re-assigned under a parent outside its own branch of codes.")
    var transferred = false
    @Option(
        name: .customLong("privacy-key"),
        help:
            "The federation's HMAC key for resident IDs sent above the privacy level (hex, ≥ 32 digits). Every node at or below --full-roster-up-to must share it; a node above that level refuses it. Omitted at the top node, one is generated and printed (and stored only when the top node is at or below the level)."
    )
    var privacyKey: String?
    @Option(
        name: .customLong("full-roster-up-to"),
        help: "Highest level that receives the full roster (province, city, district, street, community).")
    var fullRosterUpTo = "district"

    func validate() throws {
        let code: NodeCode
        do { code = try NodeCode(self.code) } catch {
            throw ValidationError("--code: \(error.message)")
        }
        var policy = PrivacyPolicy()
        policy.fullRosterUpTo = fullRosterUpTo
        do { try policy.validate() } catch {
            throw ValidationError("--full-roster-up-to: \(error.message)")
        }
        if let privacyKey {
            do { try PrivacyPolicy(hashKey: privacyKey).validate() } catch {
                throw ValidationError("--privacy-key: \(error.message)")
            }
            // The level was checked above.
            if let boundary = try? policy.level, code.level < boundary {
                let error = PrivacyPolicy.keyAboveBoundary(
                    code.level, boundary: boundary,
                    fix: "请去掉 --privacy-key：本节点不保存密钥，把它交给边界及以下节点的 fedctl init。",
                    fixEnglish:
                        "Leave out --privacy-key here and give the key to `fedctl init` of the nodes at or below the boundary."
                )
                throw ValidationError("--privacy-key: \(error.message) [\(error.code.rawValue)]")
            }
        }
        if (parent == nil) != (parentKey == nil) {
            throw ValidationError("--parent and --parent-key go together: give both, or neither for the top node")
        }
        if let parentCode {
            guard let parent = try? NodeCode(parentCode) else {
                throw ValidationError("--parent-code \(parentCode) is not a 12-digit administrative code")
            }
            guard parent.level < code.level, parent.contains(code) || transferred else {
                throw ValidationError(
                    "--parent-code \(parent) is not an ancestor of \(code); pass --transferred if this node was re-assigned there"
                )
            }
        }
    }

    func run() throws {
        var config = NodeConfig(
            code: code, name: name, listen: listen, http: http, parent: parent, parentKey: parentKey)
        config.sync.parentCode = parentCode
        var privacy = PrivacyPolicy()
        privacy.fullRosterUpTo = fullRosterUpTo
        do {
            let level = try NodeCode(code).level
            // Only nodes at or below the boundary hold the key (docs/PRIVACY.md); the top node makes it.
            let holdsKey = try privacy.mayHoldKey(at: level)
            let generated = privacyKey == nil && parent == nil ? PrivacyPolicy.generateKey() : nil
            privacy.hashKey = holdsKey ? privacyKey ?? generated : nil
            config.privacy = privacy
            let directory = try DataDirectory.initialize(at: data.path, config: config)
            let keys = try directory.loadKeyPair()
            print("initialised \(level) node \(code) (\(name)) in \(directory.url.path)")
            if let generated, holdsKey {
                print(
                    "generated the federation's privacy key (stored in node.toml); pass it to `fedctl init` of every other node:"
                )
                print("  --privacy-key \(generated)")
            } else if let generated {
                print("generated the federation's privacy key. 本节点在隐私边界（\(fullRosterUpTo)）之上，不保存密钥；")
                print("  请把它交给边界及以下的每个节点，妥善保管，此后不会再显示。/ This \(level) node is above the privacy")
                print(
                    "  boundary (\(fullRosterUpTo)) and does not store it: give it to `fedctl init` of every node at or"
                )
                print("  below the boundary and keep it like a password; it is not shown again:")
                print("  --privacy-key \(generated)")
            } else if !holdsKey {
                print(
                    "above the privacy boundary (\(fullRosterUpTo)): this node holds no privacy key and stores resident IDs"
                )
                print("  only as the hashes its children send (docs/PRIVACY.md)")
            } else if privacy.hashKey == nil {
                print(
                    "warning: no --privacy-key: above the \(fullRosterUpTo) level resident IDs are left out instead of")
                print("  hashed, so duplicate checks there cannot see them; set [privacy] hash_key in node.toml to the")
                print("  federation's key (the one printed by `fedctl init` of the top node)")
            }
            print("next: trust it at its parent with")
            print("  fedctl trust --data PARENT_DIR --child \(code) --key \(keys.publicKey)")
            print(
                "access tokens (viewer, operator): fedctl token show --data \(directory.url.path) --role viewer|operator"
            )
            print("public key:")
            print(keys.publicKey)
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
    }
}

/// An error shown as one line, exit status 1.
struct FedctlFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
