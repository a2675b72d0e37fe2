import Foundation
public import Replication
import TOMLKit

/// A federation's tree of nodes as written in `deploy/topologies/*.toml`: codes, names in Chinese and
/// English, hosts and ports. `fedctl plan` turns it into one data directory per node.
///
/// ```toml
/// [federation]
/// name = "石家庄市"
/// name_en = "Shijiazhuang"
///
/// [[node]]
/// code = "130100000000"
/// name = "石家庄市"
/// name_en = "Shijiazhuang"
/// host = "127.0.0.1"       # the address other nodes and browsers use
/// sync_port = 7100         # ZeroMQ ROUTER for children
/// http_port = 8100         # dashboard and JSON API
///
/// [[node]]
/// code = "130102000000"    # parent: the nearest ancestor code in the file (or `parent = "…"`)
/// name = "长安区"
/// …
/// ```
///
///     let topology = try Topology.load(path: "deploy/topologies/demo.toml")
///     for node in topology.nodes { print(node.code, topology.parent(of: node)?.code as Any) }
public struct Topology: Sendable {
    /// One node of the tree.
    public struct Node: Sendable, Equatable {
        public var code: NodeCode
        public var name: String
        public var nameEnglish: String
        /// Where other nodes and browsers reach this node.
        public var host: String
        /// The address the node binds (default `host`; `0.0.0.0` to listen on every interface).
        public var listenHost: String
        public var syncPort: Int
        public var httpPort: Int
        /// The parent's code; nil for the root.
        public var parent: NodeCode?
        /// The line of its `[[node]]` header in the file.
        public var line: Int

        public var syncEndpoint: String { "tcp://\(host):\(syncPort)" }
        public var httpURL: String { "http://\(host):\(httpPort)" }
    }

    public var name: String
    public var nameEnglish: String
    /// Every node, each parent before its children (the file's order otherwise).
    public var nodes: [Node]

    /// The top of the tree.
    public var root: Node { nodes[0] }

    public func node(_ code: NodeCode) -> Node? { nodes.first { $0.code == code } }

    public func parent(of node: Node) -> Node? { node.parent.flatMap { self.node($0) } }

    public func children(of node: Node) -> [Node] { nodes.filter { $0.parent == node.code } }

    /// The node's configuration (`node.toml`), its parent's public key given.
    public func config(for node: Node, parentKey: String?) -> NodeConfig {
        var config = NodeConfig(
            code: node.code.rawValue, name: node.name, listen: "tcp://\(node.listenHost):\(node.syncPort)",
            http: "\(node.listenHost):\(node.httpPort)")
        if let parent = parent(of: node), let parentKey {
            config.sync.parent = parent.syncEndpoint
            config.sync.parentKey = parentKey
            config.sync.parentCode = parent.code.rawValue
        }
        return config
    }

    /// Reads and checks a topology file.
    public static func load(path: String) throws(TopologyError) -> Topology {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TopologyError(
                "cannot read the topology file \(path): check the path (examples are in deploy/topologies/)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    static let nodeKeys: Set<String> = [
        "code", "name", "name_en", "host", "listen_host", "sync_port", "http_port", "parent",
    ]

    /// Parses and checks topology text; `file` names it in errors.
    ///
    /// - Throws: `TopologyError` naming the line and the node: a malformed file, a missing or unknown
    ///   key, a duplicate code, a child outside its parent's subtree, two nodes on one host and port.
    public static func parse(_ text: String, file: String) throws(TopologyError) -> Topology {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TopologyError("\(file):\(error.source.begin.line): \(error.description)")
        } catch {
            throw TopologyError("\(file): not a TOML file: \(error)")
        }
        // The n-th [[node]] header of the text is the n-th element of the array.
        let headerLines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.trimmingCharacters(in: .whitespaces).hasPrefix("[[node]]") }
            .map { $0.offset + 1 }
        let federation = table["federation"]?.table
        guard let array = table["node"]?.array, !array.isEmpty else {
            throw TopologyError(
                "\(file): no [[node]] tables; a topology lists every node as [[node]] with code, name, host, sync_port and http_port"
            )
        }
        var nodes: [Node] = []
        var explicitParents: [NodeCode: String] = [:]
        for (index, element) in array.enumerated() {
            let line = index < headerLines.count ? headerLines[index] : 0
            let place = "\(file):\(line)"
            guard let entry = element.table else { throw TopologyError("\(place): [[node]] must be a table") }
            for key in entry.keys where !nodeKeys.contains(key) {
                throw TopologyError(
                    "\(place): unknown key \"\(key)\" in [[node]]; the keys are \(nodeKeys.sorted().joined(separator: ", "))"
                )
            }
            func string(_ key: String) throws(TopologyError) -> String? {
                guard let value = entry[key] else { return nil }
                guard let text = value.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw TopologyError("\(place): \(key) must be a non-empty string")
                }
                return text
            }
            guard let codeText = try string("code") else { throw TopologyError("\(place): [[node]] has no code") }
            let code: NodeCode
            do { code = try NodeCode(codeText) } catch {
                throw TopologyError("\(place): code \"\(codeText)\": \(error.message)")
            }
            let who = "\(place): node \(code)"
            guard let name = try string("name") else {
                throw TopologyError("\(who) has no name (the Chinese name, e.g. 长安区)")
            }
            guard let host = try string("host") else {
                throw TopologyError("\(who) has no host (e.g. 127.0.0.1 or city.example.gov.cn)")
            }
            func port(_ key: String) throws(TopologyError) -> Int {
                guard let value = entry[key] else { throw TopologyError("\(who) has no \(key)") }
                guard let number = value.int, (1...65_535).contains(number) else {
                    throw TopologyError("\(who): \(key) must be a port number 1–65535")
                }
                return number
            }
            let node = Node(
                code: code, name: name, nameEnglish: try string("name_en") ?? name, host: host,
                listenHost: try string("listen_host") ?? host, syncPort: try port("sync_port"),
                httpPort: try port("http_port"),
                parent: nil, line: line)
            if let first = nodes.first(where: { $0.code == code }) {
                throw TopologyError("\(who) appears twice (first at line \(first.line)); each code is one node")
            }
            if let parentText = try string("parent") { explicitParents[code] = parentText }
            nodes.append(node)
        }
        try checkPorts(nodes, file: file)
        // Parents: explicit, or the nearest ancestor code present in the file.
        for index in nodes.indices {
            let node = nodes[index]
            let who = "\(file):\(node.line): node \(node.code)"
            if let parentText = explicitParents[node.code] {
                guard let parentCode = try? NodeCode(parentText),
                    let parent = nodes.first(where: { $0.code == parentCode })
                else {
                    throw TopologyError(
                        "\(who): parent \"\(parentText)\" is not a node of this topology; add it or correct the code")
                }
                guard parent.code.level < node.code.level, parent.code.contains(node.code) else {
                    throw TopologyError(
                        "\(who) is not inside its parent \(parent.code)'s subtree (line \(parent.line)): a child's code starts with its parent's code; correct the code or the parent"
                    )
                }
                nodes[index].parent = parent.code
            } else {
                var ancestor = node.code.parent
                while let candidate = ancestor, !nodes.contains(where: { $0.code == candidate }) {
                    ancestor = candidate.parent
                }
                nodes[index].parent = ancestor
            }
        }
        let roots = nodes.filter { $0.parent == nil }
        if roots.count > 1 {
            let extra = roots[1]
            throw TopologyError(
                "\(file):\(extra.line): node \(extra.code) has no parent in this topology, and \(roots[0].code) (line \(roots[0].line)) is already the top; a topology is one tree: add the missing ancestor or set parent = \"…\""
            )
        }
        return Topology(
            name: federation?["name"]?.string ?? roots[0].name,
            nameEnglish: federation?["name_en"]?.string ?? roots[0].nameEnglish,
            nodes: ordered(nodes))
    }

    /// Two nodes on one host may not share a port, nor may a node use one port twice.
    private static func checkPorts(_ nodes: [Node], file: String) throws(TopologyError) {
        var used: [String: (node: Node, key: String)] = [:]
        for node in nodes {
            for (key, port) in [("sync_port", node.syncPort), ("http_port", node.httpPort)] {
                let address = "\(node.host):\(port)"
                if let other = used[address] {
                    let whose =
                        other.node.code == node.code
                        ? "its own \(other.key)" : "\(other.key) of node \(other.node.code) (line \(other.node.line))"
                    throw TopologyError(
                        "\(file):\(node.line): node \(node.code): \(key) \(port) on \(node.host) clashes with \(whose); give every node on a host its own ports"
                    )
                }
                used[address] = (node, key)
            }
        }
    }

    /// Parents before children, keeping the file's order among siblings.
    private static func ordered(_ nodes: [Node]) -> [Node] {
        var result: [Node] = []
        func visit(_ parent: NodeCode?) {
            for node in nodes where node.parent == parent {
                result.append(node)
                visit(node.code)
            }
        }
        visit(nil)
        return result
    }
}
