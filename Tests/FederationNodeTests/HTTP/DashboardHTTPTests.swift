import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Reports
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode
@testable import FederationSync

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The HTML dashboard at `/` at every level, empty and with data, in Chinese and English.
@Suite(.timeLimit(.minutes(10))) struct DashboardHTTPTests {
    /// 2026-01-06T12:00:00+08:00.
    static let now = Date(timeIntervalSince1970: 1_767_672_000)

    static func app(_ node: TestNode) throws -> some ApplicationProtocol {
        Application(router: try NodeHTTP.makeRouter(context: node.context, now: { now }))
    }

    static func page(_ client: some TestClientProtocol, _ uri: String) async throws -> String {
        let response = try await client.authorized(uri: uri, method: .get, role: .viewer)
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        return String(buffer: response.body)
    }

    /// Every `<svg>…</svg>` of a page, each parsed as XML; the number that parsed.
    static func validSVGCount(_ html: String) -> (found: Int, valid: Int) {
        var found = 0
        var valid = 0
        var rest = html[...]
        while let start = rest.range(of: "<svg "),
            let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex)
        {
            found += 1
            let parser = XMLParser(data: Data(rest[start.lowerBound..<end.upperBound].utf8))
            if parser.parse() { valid += 1 }
            rest = rest[end.upperBound...]
        }
        return (found, valid)
    }

    /// Calls, visits, callbacks and elders about `community`, posted to `node` with the operator token.
    static func record(_ client: some TestClientProtocol, community: String = Codes.community) async throws {
        func post(_ path: String, _ body: String) async throws {
            let response = try await client.authorized(
                uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(
                String(buffer: response.body).contains(#""rejected":[]"#), "\(path): \(String(buffer: response.body))")
        }
        let ids = [(1935, 3, 1), (1950, 1, 1), (1955, 1, 1)].enumerated().map { index, birth in
            ResidentID.make(area: "110105", birth: birth, sequence: index + 1).rawValue
        }
        try await post(
            "/api/v1/elders",
            """
            [{"id":"D-1","resident_id":"\(ids[0])","name":"王秀英","community":"\(community)","status":"active","birth_date":"1935-03-01","categories":["minimum_living","nonagenarian"]},
             {"id":"D-2","resident_id":"\(ids[1])","name":"李建国","community":"\(community)","status":"active","birth_date":"1950-01-01"},
             {"id":"D-3","resident_id":"\(ids[2])","name":"张伟","community":"\(community)","status":"deceased","birth_date":"1955-01-01"}]
            """)
        try await post(
            "/api/v1/calls",
            "["
                + [
                    (1, true, "hotline"), (2, true, "sos_key"), (3, false, "app"), (4, false, "walk_in"),
                ].map { id, effective, channel in
                    #"{"id":"DC-\#(id)","received_at":"2026-01-05T09:1\#(id):00+08:00","channel":"\#(channel)","type":"service_request","effective":\#(effective),"community":"\#(community)"}"#
                }.joined(separator: ",") + "]")
        try await post(
            "/api/v1/visits",
            """
            [{"id":"DV-1","elder_id":"D-1","provider_id":"P1","category":"daily_care","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"\(community)"},
             {"id":"DV-2","elder_id":"D-2","provider_id":"P1","category":"medical_care","item":"护理","check_in":"2026-01-05T10:00:00+08:00","check_out":"2026-01-05T11:00:00+08:00","community":"\(community)"}]
            """)
        try await post(
            "/api/v1/callbacks",
            "["
                + ["satisfied", "basically_satisfied", "satisfied", "dissatisfied"].enumerated().map { index, score in
                    #"{"id":"DB-\#(index)","visit_id":"DV-1","at":"2026-01-05T15:00:00+08:00","score":"\#(score)","complaint":false,"community":"\#(community)"}"#
                }.joined(separator: ",") + "]")
    }

    @Test(arguments: [Codes.community, Codes.street, Codes.district, Codes.city])
    func anEmptyNodeShowsZerosAndNoDataInBothLanguages(code: String) async throws {
        let node = try TestNode(code)
        try await Self.app(node).test(.router) { client in
            let chinese = try await Self.page(client, "/")
            #expect(chinese.contains(#"<html lang="zh-CN">"#))
            #expect(chinese.contains("有效服务率") && chinese.contains("满意率") && chinese.contains("暂无数据"))
            #expect(chinese.contains(#"<div class="value">0</div>"#))
            #expect(chinese.contains(code))
            let svg = Self.validSVGCount(chinese)
            #expect(svg.found == 7 && svg.valid == 7, "\(svg)")
            let english = try await Self.page(client, "/?lang=en")
            #expect(english.contains(#"<html lang="en">"#))
            #expect(english.contains("Effective service ratio") && english.contains("no data yet"))
            #expect(!english.contains("有效服务率"))
            #expect(Self.validSVGCount(english).valid == 7)
        }
    }

    @Test(arguments: [Codes.community, Codes.street, Codes.district, Codes.city])
    func aNodeWithDataShowsItsFigures(code: String) async throws {
        let node = try TestNode(code)
        try await Self.app(node).test(.router) { client in
            try await Self.record(client)
            let page = try await Self.page(client, "/")
            // 4 calls, 2 effective; 2 visits of 45 and 60 minutes; 3 of 4 callbacks satisfied; 2 active elders.
            #expect(page.contains(#"<div class="value">4</div>"#), "calls")
            #expect(page.contains(#"<div class="value">50.0%</div>"#), "effective ratio")
            #expect(page.contains(#"<div class="value">2</div>"#), "services or elders")
            #expect(page.contains("1.8"), "service hours")
            #expect(page.contains(#"<div class="value">75.0%</div>"#), "satisfaction")
            #expect(!page.contains("暂无数据</p>"))
            #expect(page.contains("生活照料") && page.contains("低保") && page.contains("90–99岁"))
            let svg = Self.validSVGCount(page)
            #expect(svg.found == 7 && svg.valid == 7)
            if code != Codes.community {
                // The child on the way to the community links to its own view, inside this node's subtree.
                let child = try #require(try NodeCode(Codes.community).ancestors(below: try NodeCode(code)).first)
                #expect(page.contains(#"<a href="/?scope=\#(child.rawValue)">\#(child.rawValue)</a>"#))
                let childPage = try await Self.page(client, "/?scope=\(child.rawValue)&lang=en")
                #expect(childPage.contains(#"<div class="value">50.0%</div>"#))
                #expect(childPage.contains("Up one level"))
            } else {
                #expect(page.contains("本级没有下级单位"))
            }
            let fragment = try await client.authorized(uri: "/dashboard/figures?lang=en", method: .get, role: .viewer)
            #expect(fragment.status == .ok)
            let text = String(buffer: fragment.body)
            #expect(!text.contains("<html") && text.contains("Effective service ratio") && text.contains("50.0%"))
        }
    }

    @Test func figuresChangeWhenDataArrives() async throws {
        let node = try TestNode(Codes.street)
        try await Self.app(node).test(.router) { client in
            let before = String(
                buffer: try await client.authorized(uri: "/dashboard/figures", method: .get, role: .viewer).body)
            try await Self.record(client)
            let after = String(
                buffer: try await client.authorized(uri: "/dashboard/figures", method: .get, role: .viewer).body)
            #expect(before != after)
            #expect(
                after.contains(#"<div class="value">50.0%</div>"#)
                    && !before.contains(#"<div class="value">50.0%</div>"#))
        }
    }

    @Test func thePeriodSelectorAndBadParameters() async throws {
        let node = try TestNode(Codes.street)
        try await Self.app(node).test(.router) { client in
            try await Self.record(client)
            // The calls were on 2026-01-05; "today" is 2026-01-06.
            let today = try await Self.page(client, "/?period=today")
            #expect(today.contains(#"<div class="value">—</div>"#))
            #expect(today.contains("2026-01-06 – 2026-01-06"))
            let quarter = try await Self.page(client, "/?period=quarter")
            #expect(quarter.contains("2026-01-01 – 2026-01-06") && quarter.contains("50.0%"))
            let thirty = try await Self.page(client, "/?period=30d")
            #expect(thirty.contains("2025-12-08 – 2026-01-06"))
            for uri in ["/?period=year", "/?lang=fr", "/?scope=12"] {
                let response = try await client.authorized(uri: uri, method: .get, role: .viewer)
                #expect(response.status == .badRequest, "\(uri)")
            }
            let outside = try await client.authorized(
                uri: "/?scope=\(Codes.otherDistrictCommunity)", method: .get, role: .viewer)
            #expect(outside.status == .forbidden)
        }
    }

    @Test func withoutATokenThePageIs401AndAQueryTokenOpensIt() async throws {
        let node = try TestNode(Codes.city)
        try await Self.app(node).test(.router) { client in
            for uri in ["/", "/dashboard/figures", "/?lang=en"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(String(buffer: response.body).contains("fedctl token show"))
            }
            let opened = try await client.execute(uri: "/?token=\(TestTokens.viewer)", method: .get)
            #expect(opened.status == .ok)
            #expect(opened.headers[.setCookie]?.contains("HttpOnly") == true)
            #expect(String(buffer: opened.body).contains("/dashboard/figures"))
        }
    }

    @Test func aCityPageListsEveryDistrictWithItsFigures() async throws {
        let node = try TestNode(Codes.city)
        // Each community station's own cells, merged as they arrive from below: every district reported.
        var stats: [StatChange] = []
        let clock = HybridTimestamp(physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1_000), logical: 0)
        for district in 1...20 {
            for street in 1...5 {
                let community = try NodeCode(String(format: "1301%02d%03d001", Int32(district), Int32(street)))
                for day in 1...6 {
                    let key = StatKey(
                        origin: community, community: community, metric: "calls",
                        dims: "channel=hotline;effective=1;hour=09;type=service_request",
                        period: String(format: "2026-01-%02d", Int32(day)))
                    stats.append(StatChange(key: key, value: 10, clock: clock))
                }
            }
        }
        _ = try node.store.merge(ChangeBatch(stats: stats))
        try await Self.app(node).test(.router) { client in
            let page = try await Self.page(client, "/")
            // 100 communities × 6 days × 10 calls, all effective; 20 districts, every one reported.
            #expect(page.contains(#"<div class="value">6,000</div>"#))
            #expect(page.contains(#"<div class="value">100.0%</div>"#))
            #expect(page.contains("20 / 20"))
            #expect(page.components(separatedBy: "<tr><td><a href=\"/?scope=").count - 1 == 20)
        }
    }

    /// The dashboard's headline figures and its table of areas are those of `/api/v1/reports/summary`
    /// for the same scope and days, with data from several communities in several districts.
    @Test(arguments: [(Codes.city, "month"), (Codes.city, "30d"), (Codes.district, "month"), (Codes.street, "quarter")])
    func theHeadlineFiguresAreTheSummaryReports(scope: String, period: String) async throws {
        let node = try TestNode(Codes.city)
        let communities = [Codes.community, Codes.otherStreetCommunity, Codes.otherDistrictCommunity, Codes.neighbour]
        var elders: [RecordWrite] = []
        for (index, community) in communities.enumerated() {
            for elder in 0...index {
                elders.append(
                    RecordWrite(
                        table: "elders", key: "H-\(index)-\(elder)",
                        [
                            "community": .text(community), "status": .text(elder == 2 ? "deceased" : "active"),
                            "birth_date": .text("19\(30 + 7 * elder)-06-15"),
                            "categories": .text(elder == 0 ? "minimum_living,nonagenarian" : "low_income"),
                        ]))
            }
        }
        try node.store.write(elders)
        // The stations of three communities send their own cells; the fourth's figures are only the city's.
        let clock = HybridTimestamp(physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1_000), logical: 0)
        var stats: [StatChange] = []
        for (index, text) in communities.dropLast().enumerated() {
            let community = try NodeCode(text)
            func cell(_ metric: String, _ dims: String, _ day: Int, _ value: Int64) {
                stats.append(
                    StatChange(
                        key: StatKey(
                            origin: community, community: community, metric: metric, dims: dims,
                            period: String(format: "2026-01-%02d", Int32(day))),
                        value: value, clock: clock))
            }
            for day in 1...(3 + index) {
                cell(
                    CallStatistics.metric,
                    CallStatistics.dimensions(channel: "hotline", type: "service_request", effective: true, hour: 9),
                    day, Int64(2 + index))
                cell(
                    CallStatistics.metric,
                    CallStatistics.dimensions(channel: "app", type: "consultation", effective: false, hour: 15), day,
                    Int64(1 + day % 3))
                cell(
                    ServiceStatistics.visitsMetric,
                    ServiceStatistics.dimensions(category: "daily_care", provider: "P\(index)", item: "助餐"), day, 2)
                cell(
                    ServiceStatistics.minutesMetric,
                    ServiceStatistics.dimensions(category: "daily_care", provider: "P\(index)", item: "助餐"), day,
                    Int64(50 + 7 * index))
                cell(
                    SatisfactionStatistics.metric,
                    SatisfactionStatistics.dimensions(score: "satisfied", complaint: false), day, 1)
                cell(
                    SatisfactionStatistics.metric,
                    SatisfactionStatistics.dimensions(
                        score: day % 2 == 0 ? "dissatisfied" : "basically_satisfied", complaint: day % 2 == 0), day, 1)
            }
            // A December day, inside 30d but not inside the month.
            stats.append(
                StatChange(
                    key: StatKey(
                        origin: community, community: community, metric: CallStatistics.metric,
                        dims: CallStatistics.dimensions(
                            channel: "hotline", type: "emergency", effective: false, hour: 22),
                        period: "2025-12-20"),
                    value: Int64(5 + index), clock: clock))
        }
        _ = try node.store.merge(ChangeBatch(stats: stats))
        // A district this city links to directly, expected though it has sent nothing.
        var link = LinkStatistics(peer: "130104000000", role: .child)
        link.lastSeen = UInt64(Self.now.timeIntervalSince1970 * 1_000) - 60_000
        link.save(node.store.database)
        try await Self.app(node).test(.router) { client in
            // Calls the city's hotline took about the fourth community (whose station sent nothing).
            let calls = (1...3).map { id in
                #"{"id":"HC-\#(id)","received_at":"2026-01-0\#(id)T10:00:00+08:00","channel":"hotline","type":"service_request","effective":\#(id != 2),"community":"\#(Codes.neighbour)"}"#
            }
            let posted = try await client.authorized(
                uri: "/api/v1/calls", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "[" + calls.joined(separator: ",") + "]"))
            #expect(String(buffer: posted.body).contains(#""rejected":[]"#), "\(String(buffer: posted.body))")

            let days = try #require(DashboardPeriod(rawValue: period)).days(today: CalendarDay("2026-01-06")!)
            let response = try await client.authorized(
                uri: "/api/v1/reports/summary?scope=\(scope)&from=\(days.lowerBound)&to=\(days.upperBound)",
                method: .get)
            #expect(response.status == .ok)
            let summary = try NodeHTTPTests.json(response)
            let html = try await Self.page(client, "/?scope=\(scope)&period=\(period)&lang=en")
            let values = Self.elements(html, "value")
            let details = Self.elements(html, "detail")
            try #require(values.count == 6 && details.count == 6, "\(values) \(details)")
            func count(_ value: JSONValue?) -> String { SVGChart.count(num(value) ?? -1) }
            func percent(_ numerator: Double?, _ denominator: Double?) -> String {
                guard let numerator, let denominator else { return "missing" }
                return denominator == 0 ? "—" : SVGChart.percent(numerator / denominator)
            }
            let total = num(summary["calls", "total"])
            let effective = num(summary["calls", "effective"])
            let rated = num(summary["satisfaction", "rated"])
            let satisfied = num(summary["satisfaction", "satisfied"])
            let expected = num(summary["reporting", "expected"])
            let reported = num(summary["reporting", "reported"])
            // Calls and effective calls.
            #expect(values[0] == count(summary["calls", "total"]))
            #expect(details[0].hasSuffix(" " + count(summary["calls", "effective"])))
            // Effective service ratio: the same two sums.
            #expect(values[1] == percent(effective, total))
            #expect(values[1] == SVGChart.percent(num(summary["calls", "effective_ratio"]) ?? -1) || total == 0)
            #expect(details[1] == count(summary["calls", "effective"]) + " / " + count(summary["calls", "total"]))
            // Services completed and their hours.
            #expect(values[2] == count(summary["services", "completed"]))
            #expect(details[2].hasSuffix(" " + String(format: "%.1f", num(summary["services", "hours"]) ?? -1)))
            // Satisfaction over callbacks.
            #expect(values[3] == percent(satisfied, rated))
            #expect(
                details[3].hasPrefix(
                    count(summary["satisfaction", "satisfied"]) + " / " + count(summary["satisfaction", "rated"])))
            // Active elders.
            #expect(values[4] == count(summary["roster", "active"]))
            // Reporting rate.
            #expect(values[5] == percent(reported, expected))
            #expect(
                details[5] == count(summary["reporting", "reported"]) + " / " + count(summary["reporting", "expected"]))
            // The table lists the report's children, in its order.
            guard case .array(let children)? = summary["children"] else { throw ReportTestFailure("no children") }
            let rows = html.components(separatedBy: "<tr><td><a href=\"/?scope=").dropFirst().map {
                String($0.prefix(12))
            }
            #expect(
                rows
                    == children.compactMap { child -> String? in
                        guard case .string(let code)? = child["code"] else { return nil }
                        return code
                    })
            // Something to compare: figures from several communities, a child that has not reported.
            #expect((total ?? 0) > 0 && (rated ?? 0) > 0 && num(summary["roster", "active"]) ?? 0 > 1)
            if scope == Codes.city {
                #expect(expected == 3 && reported == 2, "\(String(describing: summary["reporting"]))")
                #expect(num(summary["services", "completed"]) ?? 0 > 0)
            }
        }
    }

    /// The text of every `<div class="NAME">…</div>` of a page, in order.
    static func elements(_ html: String, _ name: String) -> [String] {
        html.components(separatedBy: "<div class=\"\(name)\">").dropFirst().map { part in
            String(part[..<(part.range(of: "</div>")?.lowerBound ?? part.endIndex)])
        }
    }
}

extension NodeCode {
    /// The codes from just below `top` down to this code, e.g. street, then community.
    func ancestors(below top: NodeCode) -> [NodeCode] {
        var chain: [NodeCode] = [self]
        var current = self
        while let parent = current.parent, parent != top, top.contains(parent) {
            chain.insert(parent, at: 0)
            current = parent
        }
        return chain
    }
}
