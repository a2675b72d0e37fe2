import ArgumentParser
import FederationNode
import Foundation
import GRDB

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a node's SQLite database to a file, consistently, while the node runs (SQLite's backup API).",
        discussion: """
            The copy is a complete database (no WAL file needed) checked with PRAGMA integrity_check. Keep it with a
            copy of node.toml, keys/ and trust/ (deploy/README.md: backing up and restoring).
            Example: fedctl backup --data /var/lib/eldercare/130102001001 --out /backup/130102001001-$(date +%F).sqlite
            """)

    @OptionGroup var data: DataOption
    @Option(help: "The file to write; it must not exist yet.") var out: String

    func run() throws {
        let source = data.directory.databasePath
        guard FileManager.default.fileExists(atPath: source) else {
            throw FedctlFailure(
                message: "no database at \(source): is --data a node's data directory that has run at least once?")
        }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw FedctlFailure(message: "\(out) exists already; choose a new file name (a backup never overwrites)")
        }
        do {
            var readOnly = Configuration()
            readOnly.readonly = true
            readOnly.busyMode = .timeout(10)
            let reader = try DatabaseQueue(path: source, configuration: readOnly)
            let writer = try DatabaseQueue(path: out)
            try reader.backup(to: writer)
            let (pages, check) = try writer.read { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
                    try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? ""
                )
            }
            try writer.close()
            try reader.close()
            guard check == "ok" else {
                throw FedctlFailure(
                    message:
                        "the copy at \(out) failed its integrity check (\(check)); keep the previous backup and check the disk"
                )
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            print("backed up \(source) to \(out): \(pages) pages, \(bytes / 1024) KiB, integrity ok")
        } catch let error as FedctlFailure {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: out)
            throw FedctlFailure(message: "backup failed: \(error); nothing was written to \(out)")
        }
    }
}
