import FederationNode
import Foundation
import GRDB
import LoopbackHTTP
import NIOCore
import Replication
import Reports
import Simulation
import Synchronization

/// `fedbench ingest` and `fedbench import`: a real node (`NodeDaemon`, durable SQLite, the HTTP server
/// `fedctl run` serves) in this process, driven over loopback HTTP as the stations' software drives it
/// (keep-alive connections, `LoopbackHTTP`).
///
///     fedbench ingest [--events 200000] [--batch 1000] [--concurrency 4] [--rollup on|off]   # ≥ 20,000 events/s
///     fedbench import [--elders 100000] [--rollup on|off]                                     # ≤ 10 s
///
/// `--rollup off` drops the report rollup's triggers from the node's store after it starts, to measure
/// what they cost (docs/BENCHMARKS.md); a node always runs with them.
enum HTTPBenchmark {
    static let street = "130102001000"
    static let communities = (1...8).map { "1301020010\(String(format: "%02d", $0))" }

    /// The node's address and operator token.
    struct Target: Sendable {
        let host: String
        let port: Int
        let token: String
    }

    /// The node the benchmark posts to and the communities its events and elders belong to: the street
    /// with its 8 communities, or (`community` true) the first community alone, as a station records.
    /// The node the ingest benchmark posts to: a community (its own events), or the street, district
    /// or city above the 8 communities (the events of all of them).
    static func node(level: String) -> (code: String, communities: [String]) {
        switch level {
        case "community": (communities[0], [communities[0]])
        case "district": (String(street.prefix(6)) + "000000", communities)
        case "city": (String(street.prefix(4)) + "00000000", communities)
        default: (street, communities)
        }
    }

    /// Starts one node (`code`) and waits until its HTTP server listens; with `rollup` false, drops the
    /// triggers on `crdt_stats` (the report rollup's) and returns how many it dropped.
    static func startNode(_ federation: inout SyncBenchmark.Federation, code: String = street, rollup: Bool = true)
        async throws
        -> (target: Target, droppedTriggers: Int)
    {
        try await federation.start(code, under: nil)
        let node = federation.nodes[code]!
        let token = try node.directory.loadTokens().operator
        for _ in 0..<1_000 {
            if let port = node.daemon.httpPort {
                let dropped = try rollup ? 0 : dropStatisticsTriggers(node.daemon.store)
                return (Target(host: "127.0.0.1", port: port, token: token), dropped)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("the node's HTTP server did not start")
    }

    /// Drops every trigger on `crdt_stats` (the report rollup's: `Sources/Reports/Rollup`).
    static func dropStatisticsTriggers(_ store: ReplicaStore) throws -> Int {
        try store.database.write { db in
            let names = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'crdt_stats'")
            for name in names { try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)") }
            return names.count
        }
    }

    /// The answer of the ingest and roster endpoints.
    struct Answer: Decodable {
        struct Rejection: Decodable {
            let index: Int
            let field: String
            let error: String
        }
        let accepted: Int
        let rejected: [Rejection]
    }

    /// POSTs a body and returns the answer's `accepted` count (throws on any other status or a rejection).
    static func post(
        _ connection: LoopbackHTTP.Connection, _ path: String, _ body: ByteBuffer,
        contentType: String = "application/json"
    ) async throws -> Int {
        let (status, data) = try await connection.post(path, body, contentType: contentType)
        guard status == 200, let answer = try? JSONDecoder().decode(Answer.self, from: Data(data.readableBytesView))
        else {
            throw BenchError(
                "\(path) answered \(status): \(String(decoding: data.readableBytesView.prefix(300), as: UTF8.self))")
        }
        if let first = answer.rejected.first {
            throw BenchError(
                "\(path) refused \(answer.rejected.count) items, first: #\(first.index) \(first.field): \(first.error)")
        }
        return answer.accepted
    }

    /// Opens one connection to `target` for `body`.
    static func connection<T: Sendable>(
        _ target: Target, _ body: (LoopbackHTTP.Connection) async throws -> T
    ) async throws -> T {
        try await LoopbackHTTP.withConnection(host: target.host, port: target.port, token: target.token, body)
    }

    static func json(_ objects: [[String: Any]]) throws -> ByteBuffer {
        ByteBuffer(data: try JSONSerialization.data(withJSONObject: objects))
    }

    // MARK: - ingest

    /// Events come in time order by default, as a node receives them (a station's or call center's
    /// batches cover the last minutes or, catching up a backlog, consecutive days): the 300 days of
    /// 2026 are walked from the first event to the last, minutes at random within the day. With
    /// `randomOrder` every event falls on a random day of the 300 — the worst case for every index
    /// keyed by time (statistics cells, the report rollup), reported beside the first.
    static func ingest(
        events: Int, batch: Int, concurrency: Int, rollup: Bool = true, randomOrder: Bool = false,
        level: String = "street"
    ) async throws -> [String: Any] {
        try await SyncBenchmark.withFederation {
            (federation: inout SyncBenchmark.Federation) async throws -> [String: Any] in
            let node = node(level: level)
            let (target, droppedTriggers) = try await startNode(&federation, code: node.code, rollup: rollup)

            // The roster the visits name (visits of unknown elders are refused).
            var roster = SampleRoster(seed: 20_260_101, communities: try node.communities.map { try NodeCode($0) })
            var elders: [(id: String, community: String)] = []
            var objects: [[String: Any]] = []
            for _ in 0..<2_000 {
                let write = roster.next()
                var object: [String: Any] = ["id": write.key]
                for (column, value) in write.values {
                    switch value {
                    case .text(let text):
                        object[column] = column == "categories" ? text.split(separator: ",").map(String.init) : text
                    case .integer(let number): object[column] = number
                    default: break
                    }
                }
                elders.append((write.key, object["community"] as! String))
                objects.append(object)
            }
            let registered = try json(objects)
            _ = try await connection(target) { try await post($0, "/api/v1/elders", registered) }

            // Bodies prepared before the clock starts: 60% calls, 30% visits, 10% callbacks, in batches of `batch`.
            log("fedbench ingest: preparing \(events) events in batches of \(batch)…")
            var generator = SystemRandomNumberGenerator()
            let channels = ["hotline", "sos_key", "help_key", "app", "walk_in"]
            let types = ["emergency", "service_request", "consultation", "complaint", "companionship", "invalid"]
            let categories = [
                "medical_care", "emergency_aid", "daily_care", "spiritual_comfort", "legal_aid", "culture_recreation",
            ]
            let scores = ["satisfied", "basically_satisfied", "dissatisfied"]
            func time(_ day: Int, _ minute: Int) -> String {
                String(
                    format: "2026-%02d-%02dT%02d:%02d:00+08:00", 1 + day / 28 % 12, 1 + day % 28, minute / 60 % 24,
                    minute % 60)
            }
            var bodies: [(path: String, body: ByteBuffer, count: Int)] = []
            var made = 0
            var kind = 0
            while made < events {
                let count = min(batch, events - made)
                var items: [[String: Any]] = []
                items.reserveCapacity(count)
                for offset in 0..<count {
                    let n = made + offset
                    let elder = elders[Int(generator.next() % UInt64(elders.count))]
                    let day = randomOrder ? Int(generator.next() % 300) : n * 300 / events
                    let minute = Int(generator.next() % (22 * 60))
                    switch kind % 10 {
                    case 0..<6:
                        let type: String = types[n % types.count]
                        let effective: Bool = type != "invalid" && n % 5 != 0
                        let call: [String: Any] = [
                            "id": "C-\(n)", "received_at": time(day, minute), "channel": channels[n % channels.count],
                            "type": type, "effective": effective, "community": elder.community,
                            "elder_id": elder.id, "handler": "接线员\(n % 12)", "response_seconds": 30 + n % 300,
                        ]
                        items.append(call)
                    case 6..<9:
                        items.append([
                            "id": "V-\(n)", "elder_id": elder.id, "provider_id": "P-\(n % 20)",
                            "category": categories[n % categories.count], "item": "助餐", "check_in": time(day, minute),
                            "check_out": time(day, minute + 45), "community": elder.community, "photo_count": 2,
                        ])
                    default:
                        items.append([
                            "id": "B-\(n)", "visit_id": "V-\(n)", "at": time(day, minute),
                            "score": scores[n % scores.count],
                            "complaint": n % 50 == 0, "community": elder.community,
                        ])
                    }
                }
                let path = [
                    "/api/v1/calls", "/api/v1/calls", "/api/v1/calls", "/api/v1/calls", "/api/v1/calls",
                    "/api/v1/calls",
                    "/api/v1/visits", "/api/v1/visits", "/api/v1/visits", "/api/v1/callbacks",
                ][kind % 10]
                bodies.append((path, try json(items), count))
                kind += 1
                made += count
            }
            let bytes = bodies.reduce(0) { $0 + $1.body.readableBytes }

            log("fedbench ingest: posting \(bodies.count) batches over \(concurrency) connections…")
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuAtStart = processCPUSeconds()
            let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
                let queue = BodyQueue(bodies)
                for _ in 0..<concurrency {
                    group.addTask {
                        try await connection(target) { connection in
                            var accepted = 0
                            while let next = queue.next() {
                                accepted += try await post(connection, next.path, next.body)
                            }
                            return accepted
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            let answered = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard accepted == events else { throw BenchError("only \(accepted) of \(events) events were accepted") }
            // The node folds the rollup's pending changes in the background: the rate counts until that work
            // is done too, so a backlog left behind is not hidden (it would grow without end under this load).
            let store = federation.store(node.code)
            var pendingAtAnswer = 0
            for attempt in 0... {
                let pending = try await store.database.read { db in try ReportRollup.pendingCount(db) }
                if attempt == 0 { pendingAtAnswer = pending }
                if pending == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = processCPUSeconds() - cpuAtStart
            let perSecond = rate(events, seconds)
            log(
                "  ingest: \(events) events in \(String(format: "%.2f", seconds)) s = \(perSecond) events/s (target ≥ 20,000)"
                    + (rollup ? "" : ", without the report rollup's triggers")
                    + (randomOrder ? ", events on random days" : ", events in time order")
                    + (level == "community" ? ", at a community node" : ", at a \(level) node above 8 communities")
                    + String(
                        format: "; all answered after %.2f s with %d cells left to fold into the rollup", answered,
                        pendingAtAnswer)
                    + String(
                        format: "; CPU %.1f s (server and client, %.2f of %d cores)", cpu, cpu / seconds,
                        ProcessInfo.processInfo.activeProcessorCount))
            return [
                "benchmark": "ingest", "events": events, "batch": batch, "concurrency": concurrency, "seconds": seconds,
                "rollup": rollup, "rollup_triggers_dropped": droppedTriggers, "order": randomOrder ? "random" : "time",
                "node": node.code, "level": level,
                "events_per_s": perSecond, "target_events_per_s": 20_000, "request_bytes": bytes, "cpu_s": cpu,
                "answered_s": answered, "pending_at_answer": pendingAtAnswer,
                "peak_rss_mb": (peakRSSMegabytes() * 10).rounded() / 10,
                "cores": ProcessInfo.processInfo.activeProcessorCount,
            ]
        }
    }

    // MARK: - import

    static func importRoster(elders: Int, rollup: Bool = true) async throws -> [String: Any] {
        try await SyncBenchmark.withFederation {
            (federation: inout SyncBenchmark.Federation) async throws -> [String: Any] in
            let (target, droppedTriggers) = try await startNode(&federation, rollup: rollup)
            log("fedbench import: writing a CSV of \(elders) elders…")
            let columns = [
                "id", "resident_id", "name", "gender", "birth_date", "phone", "address", "community", "living",
                "disability",
                "categories", "tier", "monthly_hours", "monthly_subsidy", "card_no", "status",
            ]
            var roster = SampleRoster(seed: 20_260_101, communities: try communities.map { try NodeCode($0) })
            var csv = "\u{FEFF}" + columns.joined(separator: ",") + "\r\n"
            for _ in 0..<elders {
                let write = roster.next()
                var fields: [String: String] = ["id": write.key]
                for (column, value) in write.values {
                    switch value {
                    case .text(let text): fields[column] = text
                    case .integer(let number): fields[column] = String(number)
                    default: break
                    }
                }
                csv +=
                    columns.map { column in
                        let text = fields[column] ?? ""
                        return text.contains(",")
                            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
                    }.joined(separator: ",") + "\r\n"
            }
            let body = ByteBuffer(string: csv)
            log("fedbench import: posting \(body.readableBytes / 1_048_576) MiB to /api/v1/elders/import…")
            let start = DispatchTime.now().uptimeNanoseconds
            let accepted = try await connection(target) {
                try await post($0, "/api/v1/elders/import", body, contentType: "text/csv")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard accepted == elders else { throw BenchError("only \(accepted) of \(elders) elders were accepted") }
            log(
                "  import: \(elders) elders in \(String(format: "%.2f", seconds)) s = \(rate(elders, seconds)) elders/s (target ≤ 10 s)"
            )
            return [
                "benchmark": "import", "elders": elders, "csv_bytes": body.readableBytes, "seconds": seconds,
                "rollup": rollup, "rollup_triggers_dropped": droppedTriggers,
                "elders_per_s": rate(elders, seconds), "target_seconds": 10,
                "peak_rss_mb": (peakRSSMegabytes() * 10).rounded() / 10,
                "cores": ProcessInfo.processInfo.activeProcessorCount,
            ]
        }
    }
}

/// The prepared request bodies, handed out one at a time to the uploading tasks.
final class BodyQueue: Sendable {
    private let bodies: [(path: String, body: ByteBuffer, count: Int)]
    private let position = Mutex(0)

    init(_ bodies: [(path: String, body: ByteBuffer, count: Int)]) { self.bodies = bodies }

    func next() -> (path: String, body: ByteBuffer, count: Int)? {
        let index = position.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        return index < bodies.count ? bodies[index] : nil
    }
}
