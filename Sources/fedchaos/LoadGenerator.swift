import Foundation

/// Streams events to the city and to random communities through the HTTP API and keeps the ground
/// truth of what was accepted. A batch whose answer was lost (the node was killed mid-request) is kept
/// and sent again to the same node until it answers: a 200 then counts it (accepted, or duplicates of
/// the first attempt), a 507/503 means nothing was written.
///
///     let load = LoadGenerator(cluster: cluster, truth: truth, seed: 7, workers: 4, maxBatch: 20, pause: .milliseconds(50))
///     let task = Task { await load.run(until: deadline) }
final class LoadGenerator: @unchecked Sendable {
    struct Batch: Sendable {
        let node: String
        let events: [ChaosEvent]
        var attempts = 0
    }

    let cluster: ChaosCluster
    let truth: GroundTruth
    let workers: Int
    let maxBatch: Int
    let pause: Duration
    private let lock = NSLock()
    private var factory: EventFactory
    private var pending: [Batch] = []
    private var refusedByStatus: [Int: Int] = [:]
    private var refusalsByNode: [String: Int] = [:]
    private var acceptedByNode: [String: Int] = [:]
    private var problems: [String] = []
    private var uncertain = 0
    private var stopped = false
    /// Requests sent and not answered yet, by when they were sent.
    private var inFlight: [UInt64: (node: String, since: ContinuousClock.Instant)] = [:]
    private var nextRequest: UInt64 = 0

    init(cluster: ChaosCluster, truth: GroundTruth, seed: UInt64, workers: Int, maxBatch: Int, pause: Duration) {
        self.cluster = cluster
        self.truth = truth
        self.workers = workers
        self.maxBatch = maxBatch
        self.pause = pause
        factory = EventFactory(seed: seed, run: String(seed, radix: 36))
    }

    /// Requests refused with 507 (database full) or 503, per status.
    var refusals: [Int: Int] { lock.withLock { refusedByStatus } }
    func refusals(at node: String) -> Int { lock.withLock { refusalsByNode[node] ?? 0 } }
    /// Events the node answered 200 for so far.
    func accepted(at node: String) -> Int { lock.withLock { acceptedByNode[node] ?? 0 } }
    /// Answers the harness did not expect (rejected items, other statuses): each one fails the run.
    var unexpected: [String] { lock.withLock { problems } }
    /// Batches whose answer was lost and had to be sent again.
    var uncertainCount: Int { lock.withLock { uncertain } }
    var pendingCount: Int { lock.withLock { pending.count } }
    /// Requests on the wire now, and the age of the oldest (for progress lines).
    var inFlightSummary: String {
        lock.withLock {
            guard let oldest = inFlight.values.min(by: { $0.since < $1.since }) else { return "none in flight" }
            return
                "\(inFlight.count) in flight, the oldest to \(oldest.node) for \((ContinuousClock.now - oldest.since).components.seconds) s"
        }
    }

    /// Runs `workers` concurrent posters until `deadline`.
    func run(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        await self.postOne()
                        try? await Task.sleep(for: self.pause)
                    }
                }
            }
        }
    }

    /// Sends every batch whose answer was lost again until it is answered (the nodes must be up).
    func resolvePending(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let batch: Batch? = lock.withLock { pending.isEmpty ? nil : pending.removeFirst() }
            guard let batch else { return true }
            await post(batch)
            if pendingCount > 0 { try? await Task.sleep(for: .milliseconds(200)) }
        }
        return pendingCount == 0
    }

    private func postOne() async {
        // An unanswered batch first, if its node is up again.
        let retry: Batch? = lock.withLock {
            guard let index = pending.firstIndex(where: { cluster.isRunning($0.node) }) else { return nil }
            return pending.remove(at: index)
        }
        if let retry {
            await post(retry)
            return
        }
        let communities = cluster.topology.communities.filter { cluster.isRunning($0) }
        let cityUp = cluster.isRunning(cluster.topology.city)
        let batch: Batch? = lock.withLock {
            let count = Int.random(in: 1...maxBatch, using: &factory.random)
            if cityUp, communities.isEmpty || Int.random(in: 0..<4, using: &factory.random) == 0 {
                // The 12349 hotline at the city: calls (and callbacks) about any community.
                let callbacks = Int.random(in: 0..<5, using: &factory.random) == 0
                let events = (0..<count).map { _ in
                    let about = cluster.topology.communities.randomElement(using: &factory.random)!
                    return callbacks ? factory.callback(about: about) : factory.call(about: about, channel: "hotline")
                }
                return Batch(node: cluster.topology.city, events: events)
            }
            guard let community = communities.randomElement(using: &factory.random) else { return nil }
            let kind = Int.random(in: 0..<10, using: &factory.random)
            let events = (0..<count).map { _ in
                kind < 5
                    ? factory.call(about: community)
                    : kind < 8 ? factory.visit(at: community) : factory.callback(about: community)
            }
            return Batch(node: community, events: events)
        }
        guard let batch else {
            try? await Task.sleep(for: .milliseconds(200))
            return
        }
        await post(batch)
    }

    private func post(_ batch: Batch) async {
        guard let node = cluster.node(batch.node), let path = batch.events.first?.path else { return }
        let client = NodeHTTPClient(base: cluster.baseURL(batch.node), dataDirectory: node.data)
        let request: UInt64 = lock.withLock {
            nextRequest += 1
            inFlight[nextRequest] = (batch.node, ContinuousClock.now)
            return nextRequest
        }
        defer { _ = lock.withLock { inFlight.removeValue(forKey: request) } }
        do {
            let answer = try await client.post(path, json: batch.events.map(\.json))
            switch answer.status {
            case 200:
                guard let body = answer.json as? [String: Any],
                    let accepted = (body["accepted"] as? NSNumber)?.intValue,
                    let duplicates = (body["duplicates"] as? NSNumber)?.intValue,
                    let rejected = body["rejected"] as? [Any]
                else {
                    note("\(batch.node) \(path): unreadable answer \(answer.text)")
                    return
                }
                guard rejected.isEmpty, accepted + duplicates == batch.events.count else {
                    note("\(batch.node) \(path): \(rejected.count) of \(batch.events.count) refused: \(answer.text)")
                    return
                }
                if duplicates > 0 && batch.attempts == 0 {
                    note("\(batch.node) \(path): \(duplicates) duplicates on a first attempt (ids must be unique)")
                }
                truth.accept(batch.events)
                lock.withLock { acceptedByNode[batch.node, default: 0] += batch.events.count }
            case 503, 507:
                let code = ((answer.json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
                if answer.status == 507 && code != "storage_full" {
                    note("\(batch.node) \(path): 507 without error code storage_full: \(answer.text)")
                }
                lock.withLock {
                    refusedByStatus[answer.status, default: 0] += 1
                    refusalsByNode[batch.node, default: 0] += 1
                }
            default:
                note("\(batch.node) \(path): HTTP \(answer.status) \(answer.text)")
            }
        } catch {
            // No answer: the node may or may not have recorded the batch. Ask again later.
            var again = batch
            again.attempts += 1
            lock.withLock {
                uncertain += 1
                pending.append(again)
            }
        }
    }

    private func note(_ problem: String) { lock.withLock { problems.append(problem) } }
}
