import Replication

@testable import Eldercare
@testable import FederationNode

/// The resident IDs that fit what a reader sees of an elder: an attacker's count of how far a masked
/// ID can be rebuilt (docs/PRIVACY.md, "What a viewer sees").
///
///     CandidateIDs.list(mask: "1301**********0024", birthDate: "1949-12-31", community: "130102001001").count   // 1
enum CandidateIDs {
    /// Every valid 18-character ID that agrees with the known characters of `mask` (`*` unknown),
    /// with the digits `birthDate` shows (`1949-12-31`, `1949-**-**`, `1949-12`, or nil for
    /// nothing), born 1890–2026, whose area code is the community's first six digits wherever the
    /// mask hides it (the attacker's best guess: most elders were registered where they live), and
    /// whose check character is right.
    ///
    /// - Complexity: O(days × sequences): about 50,000 days × the sequence numbers the mask leaves open.
    static func list(mask: String, birthDate: String?, community: String) -> [String] {
        let shown = Array(mask)
        let guess = Array(community)
        guard shown.count == 18, guess.count >= 6 else { return [] }
        func fits(_ character: Character, at position: Int) -> Bool {
            shown[position] == "*" || shown[position] == character
        }
        let area = String((0..<6).map { shown[$0] == "*" ? guess[$0] : shown[$0] })
        let dateShown = Array((birthDate ?? "").replacingOccurrences(of: "-", with: ""))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var dates: [String] = []
        for year in 1890...2026 {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            for month in 1...12 {
                let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
                for day in 1...days {
                    let date = Array(pad(year, 4) + pad(month, 2) + pad(day, 2))
                    let agrees = date.indices.allSatisfy { index in
                        fits(date[index], at: 6 + index)
                            && (index >= dateShown.count || dateShown[index] == "*" || dateShown[index] == date[index])
                    }
                    if agrees { dates.append(String(date)) }
                }
            }
        }
        let sequences = (0..<1000).map { pad($0, 3) }.filter { sequence in
            sequence.enumerated().allSatisfy { fits($0.element, at: 14 + $0.offset) }
        }
        var candidates: [String] = []
        for date in dates {
            for sequence in sequences {
                let body = area + date + sequence
                let check = ResidentID.checkCharacter(for: body)
                if fits(check, at: 17) { candidates.append(body + String(check)) }
            }
        }
        return candidates
    }
}
