import ArgumentParser
import FederationNode
import Foundation
import GRDB

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup made by fedctl backup back as a stopped node's database, under a new feed epoch.",
        discussion: """
            The node must be stopped. The current database is kept beside it as node.sqlite.before-restore-TIME.
            The restored database gets a new feed epoch, so the parent and the children stream from zero again
            (merges are idempotent: nothing is counted twice) instead of skipping the changes recorded after the
            backup under sequence numbers they have already seen. See deploy/README.md, "Restoring".
            Example: fedctl restore --data /var/lib/eldercare/130102001001 --from /backup/130102001001-2026-01-05.sqlite
            """)

    @OptionGroup var data: DataOption
    @Option(help: "The backup file (from fedctl backup).") var from: String

    func run() async throws {
        let directory = data.directory
        let config: NodeConfig
        do { config = try directory.loadConfig() } catch { throw FedctlFailure(message: "\(error)") }
        guard FileManager.default.fileExists(atPath: from) else {
            throw FedctlFailure(message: "no backup file at \(from): check the path (fedctl backup --out wrote it)")
        }
        if let client = try? NodeClient(directory: directory), await client.answers() {
            throw FedctlFailure(
                message:
                    "node \(config.node.code) is running (it answers at \(client.base.absoluteString)); stop it first (systemctl stop eldercare@\(config.node.code))"
            )
        }
        let staging = directory.databasePath + ".restoring"
        try? FileManager.default.removeItem(atPath: staging)
        let epoch: String
        do {
            try FileManager.default.copyItem(atPath: from, toPath: staging)
            let queue = try DatabaseQueue(path: staging)
            epoch = try await queue.write { db in
                guard let owner = try String.fetchOne(db, sql: "SELECT node FROM crdt_meta WHERE id = 1") else {
                    throw FedctlFailure(
                        message: "\(from) is not a node database (no crdt_meta); pick a file written by fedctl backup")
                }
                guard owner == config.node.code else {
                    throw FedctlFailure(
                        message:
                            "\(from) is the database of node \(owner), not of \(config.node.code); pick this node's backup"
                    )
                }
                var generator = SystemRandomNumberGenerator()
                let epoch = (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined(separator: "-")
                try db.execute(sql: "UPDATE crdt_meta SET epoch = ? WHERE id = 1", arguments: [epoch])
                return epoch
            }
            try queue.close()
        } catch let error as FedctlFailure {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw FedctlFailure(message: "cannot restore \(from): \(error); the node's database was not touched")
        }
        let files = FileManager.default
        let stamp = Int(Date().timeIntervalSince1970)
        if files.fileExists(atPath: directory.databasePath) {
            try files.moveItem(
                atPath: directory.databasePath, toPath: directory.databasePath + ".before-restore-\(stamp)")
        }
        for suffix in ["-wal", "-shm"] where files.fileExists(atPath: directory.databasePath + suffix) {
            try files.moveItem(
                atPath: directory.databasePath + suffix,
                toPath: directory.databasePath + ".before-restore-\(stamp)" + suffix)
        }
        try files.moveItem(atPath: staging, toPath: directory.databasePath)
        print(
            "restored \(from) as \(directory.databasePath) (new feed epoch \(epoch)); the previous database is node.sqlite.before-restore-\(stamp)"
        )
        print("start the node: its parent and children stream from zero and converge")
    }
}
