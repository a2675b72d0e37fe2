/// An 18-digit PRC resident identity number (GB 11643-1999): 6-digit area code, birth date
/// `YYYYMMDD`, 3-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check
/// character (`0`–`9` or `X`).
///
///     let id = try ResidentID("11010519491231002X")
///     id.birthDate   // "1949-12-31"
///     id.gender      // .female
public struct ResidentID: Hashable, Sendable, CustomStringConvertible {
    public enum Gender: String, Sendable, CaseIterable {
        case female, male
    }

    public let rawValue: String

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters = Array("10X98765432")

    /// The check character for the first 17 digits.
    public static func checkCharacter(for first17: some Sequence<Character>) -> Character {
        var sum = 0
        for (digit, weight) in zip(first17, weights) { sum += (digit.wholeNumberValue ?? 0) * weight }
        return checkCharacters[sum % 11]
    }

    /// Builds a valid number from its parts (used by the simulator and tests).
    public static func make(area: String, birth: (year: Int, month: Int, day: Int), sequence: Int) -> ResidentID {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let body = area + pad(birth.year, 4) + pad(birth.month, 2) + pad(birth.day, 2) + pad(sequence % 1000, 3)
        return ResidentID(unchecked: body + String(checkCharacter(for: body)))
    }

    init(unchecked: String) { rawValue = unchecked }

    /// Parses and checks a number; a lower-case `x` is accepted and normalised.
    public init(_ text: String) throws(DomainError) {
        let characters = Array(text.uppercased())
        guard characters.count == 18, characters.prefix(17).allSatisfy(\.isASCIIDigit),
            characters[17].isASCIIDigit || characters[17] == "X"
        else {
            throw DomainError(.invalidResidentID, "resident ID must be 17 digits and a check digit or X, got \"\(text)\"")
        }
        guard Self.checkCharacter(for: characters.prefix(17)) == characters[17] else {
            throw DomainError(.invalidResidentID, "resident ID \(text) fails its check digit (GB 11643)")
        }
        let candidate = ResidentID(unchecked: String(characters))
        guard let month = Int(candidate.birthDate.dropFirst(5).prefix(2)), (1...12).contains(month),
            let day = Int(candidate.birthDate.suffix(2)), (1...31).contains(day),
            let year = Int(candidate.birthDate.prefix(4)), (1880...2100).contains(year)
        else {
            throw DomainError(.invalidResidentID, "resident ID \(text) has an impossible birth date")
        }
        self = candidate
    }

    /// Birth date as `YYYY-MM-DD`.
    public var birthDate: String {
        let digits = Array(rawValue)
        return String(digits[6..<10]) + "-" + String(digits[10..<12]) + "-" + String(digits[12..<14])
    }

    /// Gender from the parity of the sequence code.
    public var gender: Gender {
        let digit = Array(rawValue)[16].wholeNumberValue ?? 0
        return digit % 2 == 1 ? .male : .female
    }

    /// `1301**********0012`: the first four and last four characters.
    public var masked: String { String(rawValue.prefix(4)) + String(repeating: "*", count: 10) + String(rawValue.suffix(4)) }

    public var description: String { masked }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
