import Foundation

/// The end-of-run check: every summary the harness asks for must equal the ground truth exactly — its
/// calls, services (completed, hours, per category) and satisfaction (rated, satisfied, rate).
///
///     let verification = Verification(cluster: cluster, truth: truth)
///     let mismatches = await verification.mismatches()   // [] when all figures are exact
struct Verification: Sendable {
    struct Check: Sendable {
        /// The node asked.
        let node: String
        /// The scope of the summary.
        let scope: String
    }

    let cluster: ChaosCluster
    let truth: GroundTruth
    /// The days the load's events fall on (China Standard Time).
    let days = (from: "2026-01-05", to: "2026-01-11")

    /// The city for itself, each district and each community; each district and each community for
    /// itself. (Streets are not checked: after the move a street's code prefix no longer says which
    /// communities report through it.)
    var checks: [Check] {
        let topology = cluster.topology
        var checks = [Check(node: topology.city, scope: topology.city)]
        checks += (topology.districts + topology.communities).map { Check(node: topology.city, scope: $0) }
        checks += (topology.districts + topology.communities).map { Check(node: $0, scope: $0) }
        return checks
    }

    /// The checks that do not hold now, described.
    func mismatches() async -> [String] {
        var found: [String] = []
        for check in checks {
            guard let node = cluster.node(check.node) else { continue }
            let client = NodeHTTPClient(base: cluster.baseURL(check.node), dataDirectory: node.data)
            let expected = truth.calls(within: check.scope)
            let expectedServices = truth.services(within: check.scope)
            do {
                let answer = try await client.get(
                    "/api/v1/reports/summary?from=\(days.from)&to=\(days.to)&scope=\(check.scope)")
                guard answer.status == 200, let actual = GroundTruth.Calls(summary: answer.json),
                    let services = GroundTruth.Services(summary: answer.json)
                else {
                    found.append("\(check.node) scope \(check.scope): HTTP \(answer.status) \(answer.text)")
                    continue
                }
                if actual != expected {
                    found.append(
                        "\(check.node) scope \(check.scope): calls \(actual) but the accepted events say \(expected)")
                }
                if services != expectedServices {
                    found.append(
                        "\(check.node) scope \(check.scope): services and satisfaction \(services) but the accepted events say \(expectedServices)"
                    )
                }
            } catch {
                found.append("\(check.node) scope \(check.scope): \(error)")
            }
        }
        return found
    }
}
