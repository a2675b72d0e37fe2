import CoreMetrics
import FederationSync
import Foundation
import GRDB
public import Prometheus
public import Replication
import Reports
import Synchronization

/// A node's Prometheus metrics (swift-prometheus registry, fed through swift-metrics for HTTP timings),
/// served at `GET /metrics` in the text exposition format. Names and labels: docs/OBSERVABILITY.md.
///
/// One instance per node (in `NodeContext`), so several nodes in one process keep apart:
///
///     let metrics = NodeMetrics()
///     metrics.recordIngest(kind: "calls", accepted: 3, duplicates: 1, rejected: 0)
///     let text = try await metrics.scrape(store)   // "# TYPE eldercare_ingest_items_total counter …"
public final class NodeMetrics: Sendable {
    /// The kinds of ingested items (the `kind` label).
    public static let ingestKinds = ["calls", "visits", "callbacks", "elders"]
    /// The outcomes of an ingested item (the `outcome` label).
    public static let ingestOutcomes = ["accepted", "duplicate", "rejected"]
    /// Buckets of the HTTP latency histogram: 1 ms to 10 s.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into `registry` (not bootstrapped globally).
    let factory: PrometheusMetricsFactory
    /// Last value copied into each mirrored counter (link counters live in the `node_links` table).
    private let mirrored = Mutex<[String: Int64]>([:])

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.latencyBuckets
        self.factory = factory
        for kind in Self.ingestKinds {
            for outcome in Self.ingestOutcomes { _ = ingestCounter(kind, outcome) }
        }
    }

    private func ingestCounter(_ kind: String, _ outcome: String) -> Prometheus.Counter {
        registry.makeCounter(
            descriptor: Self.descriptor(
                "eldercare_ingest_items_total",
                "Items posted to this node's API, by kind and outcome (accepted, duplicate, rejected)."),
            labels: [("kind", kind), ("outcome", outcome)])
    }

    /// Counts one ingest request's items.
    public func recordIngest(kind: String, accepted: Int, duplicates: Int, rejected: Int) {
        for (outcome, count) in [("accepted", accepted), ("duplicate", duplicates), ("rejected", rejected)]
        where count > 0 {
            ingestCounter(kind, outcome).increment(by: Int64(count))
        }
    }

    /// Records one HTTP request's latency (a swift-metrics `Timer` backed by a Prometheus histogram).
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let timer = CoreMetrics.Timer(
            label: "eldercare_http_request_duration_seconds",
            dimensions: [("route", route), ("method", method), ("status", String(status))],
            preferredDisplayUnit: .seconds, factory: factory)
        timer.recordNanoseconds(duration.nanoseconds)
    }

    /// Refreshes the replication figures from the store (feed head, per-link watermarks and counters,
    /// as `fedctl status` reads them) and renders every metric.
    public func scrape(_ store: ReplicaStore) async throws -> String {
        let (snapshot, pending) = try await store.database.read { db in
            (try LinkStatus.snapshot(db), try ReportRollup.pendingCount(db))
        }
        update(head: snapshot.head, links: snapshot.links)
        registry.makeGauge(
            descriptor: Self.descriptor(
                "eldercare_rollup_pending_changes",
                "Statistics cells changed since the report rollup last folded them (folded every 2 s).")
        )
        .set(Double(pending))
        registry.makeGauge(
            descriptor: Self.descriptor(
                "eldercare_stats_quarantined_cells",
                "Stored statistics cells set aside in crdt_stats_refused because they break the cell grammar (docs/PROTOCOL.md)."
            )
        )
        .set(Double(try store.quarantinedStatistics()))
        // Stored statistics changes the rollup's fold skipped (outside the cell bound): a counter kept
        // in the store, so it survives restarts (docs/METRICS.md, docs/REPLICATION.md "Arithmetic").
        let skipped = try await store.database.read { db in try ReportRollup.skippedCells(db) }
        mirror(
            "eldercare_rollup_skipped_cells_total", [],
            "Stored statistics cells and pending changes the report rollup skipped: outside 0…10^9, they cannot be summed.",
            skipped)
        return registry.emitToString()
    }

    func update(head: UInt64, links: [LinkStatus]) {
        registry.makeGauge(
            descriptor: Self.descriptor(
                "eldercare_feed_head", "Sequence number of the newest change in this node's feed.")
        )
        .set(Double(head))
        for link in links {
            let labels = [("peer", link.peer), ("role", link.role.rawValue)]
            func gauge(_ name: String, _ help: String, _ value: Double) {
                registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels).set(value)
            }
            gauge("eldercare_link_connected", "1 while the link to this peer is up.", link.connected ? 1 : 0)
            gauge(
                "eldercare_link_send_lag_changes", "Changes of this node's feed the peer has not acknowledged yet.",
                Double(link.sendLag))
            gauge(
                "eldercare_link_receive_lag_changes",
                "Changes of the peer's feed (as of its last heartbeat) not received yet.",
                Double(link.receiveLag))
            gauge(
                "eldercare_link_last_seen_timestamp_seconds", "Unix time of the last message from the peer (0: never).",
                Double(link.lastSeen) / 1_000)
            func counter(_ name: String, _ help: String, _ value: Int64) {
                mirror(name, labels, help, value)
            }
            counter("eldercare_link_batches_sent_total", "Batches of changes sent to the peer.", link.batchesSent)
            counter(
                "eldercare_link_batches_received_total", "Batches of changes received from the peer.",
                link.batchesReceived)
            counter("eldercare_link_cells_sent_total", "Changed cells sent to the peer.", link.cellsSent)
            counter("eldercare_link_cells_received_total", "Changed cells received from the peer.", link.cellsReceived)
            counter("eldercare_link_bytes_sent_total", "Compressed batch bytes sent to the peer.", link.bytesSent)
            counter(
                "eldercare_link_refused_batches_total",
                "Batches from the peer refused whole (clock skew, foreign origin, …).",
                link.refusedBatches)
            counter("eldercare_link_refused_cells_total", "Changed cells in refused batches.", link.refusedCells)
            for (code, cells) in link.refusedByCode {
                mirror(
                    "eldercare_link_refused_changes_total", labels + [("code", code)],
                    "Cells of single changes refused and left out of applied batches, by the rule broken (docs/PROTOCOL.md).",
                    cells)
            }
            counter(
                "eldercare_sync_privacy_stripped_cells_total",
                "Personal cells a peer should not have sent above the privacy level, stripped on arrival (docs/PRIVACY.md).",
                link.privacyStripped)
        }
    }

    /// A metric's full name (no namespace or unit parts: the names of docs/OBSERVABILITY.md as they are) and help.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Advances a Prometheus counter to a stored cumulative value (never backwards).
    private func mirror(_ name: String, _ labels: [(String, String)], _ help: String, _ value: Int64) {
        let key = name + "|" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        let delta = mirrored.withLock { last -> Int64 in
            let previous = last[key] ?? 0
            guard value > previous else { return 0 }
            last[key] = value
            return value - previous
        }
        let counter = registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
        if delta > 0 { counter.increment(by: delta) }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
