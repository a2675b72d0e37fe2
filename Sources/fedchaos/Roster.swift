import Eldercare
import Foundation

/// Elders for the chaos run: valid resident IDs (GB 11643 check character), a few per community so
/// visits have someone to visit, and padding to fill a size-limited database.
///
///     ChaosRoster.elder(id: "E-1", community: "130102001001", serial: 1)["resident_id"]   // 18 characters
enum ChaosRoster {
    static func residentID(area: String, serial: Int) -> String {
        let day = 1 + serial / 1_000 % 28
        let body = String(area.prefix(6)) + String(format: "194501%02d", day) + String(format: "%03d", serial % 1_000)
        return body + String(ResidentID.checkCharacter(for: body))
    }

    static func elder(id: String, community: String, serial: Int, address: String = "长安区建设北大街12号") -> [String: Any] {
        [
            "id": id, "resident_id": residentID(area: community, serial: serial), "name": "王秀英",
            "address": address, "community": community, "status": "active",
        ]
    }

    /// Registers the elders visits refer to (`EventFactory.elders(of:)`) at each community.
    static func register(_ cluster: ChaosCluster) async throws {
        for community in cluster.topology.communities {
            guard let node = cluster.node(community) else { continue }
            let elders = EventFactory.elders(of: community).enumerated().map {
                elder(id: $0.element, community: community, serial: $0.offset)
            }
            let answer = try await NodeHTTPClient(base: cluster.baseURL(community), dataDirectory: node.data).post(
                "/api/v1/elders", json: elders)
            guard answer.status == 200,
                ((answer.json as? [String: Any])?["accepted"] as? NSNumber)?.intValue == elders.count
            else {
                throw ChaosError("registering elders at \(community) failed: HTTP \(answer.status) \(answer.text)")
            }
        }
    }

    /// Registers elders with long addresses at `community` until the node answers 507 (database full).
    /// Returns the number of 507 answers seen (0: the limit was never reached).
    static func fill(_ cluster: ChaosCluster, community: String, maxRequests: Int = 40) async throws -> Int {
        guard let node = cluster.node(community) else { return 0 }
        let client = NodeHTTPClient(base: cluster.baseURL(community), dataDirectory: node.data)
        let padding = String(repeating: "建设北大街十二号院", count: 20)
        for request in 0..<maxRequests {
            let elders = (0..<400).map { index in
                elder(
                    id: "FILL-\(community)-\(request)-\(index)", community: community,
                    serial: 100 + request * 400 + index, address: padding)
            }
            let answer = try await client.post("/api/v1/elders", json: elders)
            if answer.status == 507 { return 1 }
            guard answer.status == 200 else {
                throw ChaosError("filling \(community): HTTP \(answer.status) \(answer.text)")
            }
        }
        return 0
    }
}
