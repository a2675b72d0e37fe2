import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Replication
import Reports
import Testing

@testable import FederationHTTP
@testable import FederationNode

/// `GET /metrics`: open, Prometheus text, and the values follow ingest, requests and sync.
@Suite(.timeLimit(.minutes(10))) struct MetricsHTTPTests {
    static func scrape(_ client: some TestClientProtocol) async throws -> String {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return String(buffer: response.body)
    }

    /// The value of the sample `name{labels}` in a scrape, nil when absent.
    static func value(_ text: String, _ sample: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    static func call(_ id: String, channel: String = "hotline") -> String {
        #"{"id":"\#(id)","received_at":"2026-01-05T09:00:00+08:00","channel":"\#(channel)","type":"service_request","effective":true,"community":"130102001001"}"#
    }

    @Test func ingestAndRequestsMoveTheCountersWithoutAToken() async throws {
        let node = try TestNode(Codes.community)
        try await Application(router: try NodeHTTP.makeRouter(context: node.context)).test(.router) { client in
            let before = try await Self.scrape(client)
            #expect(Self.value(before, #"eldercare_ingest_items_total{kind="calls",outcome="accepted"}"#) == 0)
            #expect(Self.value(before, "eldercare_feed_head") == 0)
            let body =
                "["
                + [Self.call("M1"), Self.call("M2"), Self.call("M1"), Self.call("M3", channel: "fax")].joined(
                    separator: ",") + "]"
            let posted = try await client.authorized(
                uri: "/api/v1/calls", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body))
            #expect(posted.status == .ok)
            _ = try await client.execute(uri: "/api/v1/elders", method: .get)  // 401
            let after = try await Self.scrape(client)
            #expect(Self.value(after, #"eldercare_ingest_items_total{kind="calls",outcome="accepted"}"#) == 2)
            #expect(Self.value(after, #"eldercare_ingest_items_total{kind="calls",outcome="duplicate"}"#) == 1)
            #expect(Self.value(after, #"eldercare_ingest_items_total{kind="calls",outcome="rejected"}"#) == 1)
            #expect(Self.value(after, #"eldercare_ingest_items_total{kind="visits",outcome="accepted"}"#) == 0)
            #expect((Self.value(after, "eldercare_feed_head") ?? 0) > 0)
            #expect(
                Self.value(
                    after,
                    #"eldercare_http_request_duration_seconds_count{route="/api/v1/calls",method="POST",status="200"}"#)
                    == 1)
            #expect(
                Self.value(
                    after,
                    #"eldercare_http_request_duration_seconds_count{route="/api/v1/elders",method="GET",status="401"}"#)
                    == 1)
            #expect(after.contains("# TYPE eldercare_http_request_duration_seconds histogram"))
            // No personal data and no tokens on the open page.
            #expect(!after.contains(TestTokens.operator) && !after.contains(TestTokens.viewer))
        }
    }

    @Test func rosterWritesCountAsElders() async throws {
        let node = try TestNode(Codes.community)
        try await Application(router: try NodeHTTP.makeRouter(context: node.context)).test(.router) { client in
            let body =
                #"[{"id":"E-1","resident_id":"11010519491231002X","name":"王秀英","community":"130102001001"},{"id":"E-2"}]"#
            let posted = try await client.authorized(
                uri: "/api/v1/elders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body))
            #expect(posted.status == .ok)
            let text = try await Self.scrape(client)
            #expect(Self.value(text, #"eldercare_ingest_items_total{kind="elders",outcome="accepted"}"#) == 1)
            #expect(Self.value(text, #"eldercare_ingest_items_total{kind="elders",outcome="rejected"}"#) == 1)
            #expect(!text.contains("11010519491231002X") && !text.contains("王秀英"))
        }
    }

    @Test func syncMovesTheLinkMetricsOnBothSides() async throws {
        try await TestFederation.with { federation in
            let street = try await federation.start(Codes.street)
            let community = try await federation.start(Codes.community, under: Codes.street)
            let streetApp = Application(router: try NodeHTTP.makeRouter(context: street.daemon.context))
            let communityApp = Application(router: try NodeHTTP.makeRouter(context: community.daemon.context))
            try await communityApp.test(.router) { client in
                // A daemon's tokens come from its data directory.
                let posted = try await client.execute(
                    uri: "/api/v1/calls", method: .post,
                    headers: [
                        .contentType: "application/json",
                        .authorization: "Bearer \(community.daemon.context.tokens.operator)",
                    ],
                    body: ByteBuffer(string: "[" + Self.call("S1") + "," + Self.call("S2") + "]"))
                #expect(posted.status == .ok)
            }
            let streetStore = street.store
            #expect(
                try await federation.eventually {
                    try streetStore.total("calls", within: try NodeCode(Codes.community)) == 2
                })
            let peer = #"{peer="\#(Codes.community)",role="child"}"#
            var streetText = ""
            let received = await Self.eventually {
                streetText = (try? await Self.scrapeOnce(streetApp)) ?? ""
                return (Self.value(streetText, "eldercare_link_batches_received_total" + peer) ?? 0) >= 1
            }
            #expect(received, "\(streetText)")
            #expect((Self.value(streetText, "eldercare_link_cells_received_total" + peer) ?? 0) >= 1)
            #expect(Self.value(streetText, "eldercare_link_refused_batches_total" + peer) == 0)
            #expect(Self.value(streetText, "eldercare_link_connected" + peer) == 1)
            let up = #"{peer="\#(Codes.street)",role="parent"}"#
            var communityText = ""
            let sent = await Self.eventually {
                communityText = (try? await Self.scrapeOnce(communityApp)) ?? ""
                return (Self.value(communityText, "eldercare_link_batches_sent_total" + up) ?? 0) >= 1
                    && Self.value(communityText, "eldercare_link_send_lag_changes" + up) == 0
            }
            #expect(sent, "\(communityText)")
        }
    }

    /// Polls an async condition every 100 ms for up to 20 s.
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// The rollup's pending changes show on `/metrics` until the node's folder has folded them, and
    /// the figures are the same before and after.
    @Test func pendingRollupChangesAreShownUntilTheFolderFoldsThem() async throws {
        let node = try TestNode(Codes.district)  // a district keeps a rollup (a street reads its cells)
        let app = Application(router: try NodeHTTP.makeRouter(context: node.context))  // installs the rollup
        let keys = try (0..<30).map { index in
            StatKey(
                origin: node.code, community: try NodeCode(index % 2 == 0 ? Codes.community : Codes.neighbour),
                metric: "calls",
                dims: "channel=hotline;effective=\(index % 3 == 0 ? 1 : 0);hour=09;type=consultation",
                period: "2026-03-\(String(format: "%02d", 1 + index % 20))")
        }
        _ = try node.store.add(keys.map { ($0, 1) })
        _ = try node.store.add(keys.map { ($0, 1) })  // the same cells again: still one pending row each
        let district = try NodeCode(Codes.district)
        let march = CalendarDay("2026-03-01")!...CalendarDay("2026-03-31")!
        func figures() throws -> [Int64] {
            try node.store.database.read { db in
                let summary = try CallSummary.compute(db, scope: district, days: march)
                return [summary.total, summary.effective]
            }
        }
        let before = try figures()
        #expect(before == [60, 20])
        // One pending row per changed cell.
        #expect(
            Self.value(try await Self.scrapeOnce(app), "eldercare_rollup_pending_changes") == Double(Set(keys).count))
        let folder = RollupFolder(store: node.store, interval: .milliseconds(20), logger: Logger(label: "test.folder"))
        let running = Task { await folder.run() }
        var pending = Double(Set(keys).count)
        for _ in 0..<250 where pending > 0 {
            try await Task.sleep(for: .milliseconds(20))
            pending = Self.value(try await Self.scrapeOnce(app), "eldercare_rollup_pending_changes") ?? -1
        }
        folder.requestStop()
        await running.value
        #expect(pending == 0)
        #expect(try figures() == before)
    }

    static func scrapeOnce(_ app: some ApplicationProtocol) async throws -> String {
        try await app.test(.router) { client in try await scrape(client) }
    }
}
