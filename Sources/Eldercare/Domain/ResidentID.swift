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

    /// The number's 18 ASCII bytes with a lower-case `x` made `X`, if it has the form of one (17
    /// digits and a check character `0`–`9` or `X`); nil otherwise. Works on UTF-8 bytes, not
    /// characters: a roster import checks 100,000 of these.
    static func normalizedBytes(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        guard bytes.count == 18 else { return nil }
        if bytes[17] == UInt8(ascii: "x") { bytes[17] = UInt8(ascii: "X") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard bytes[..<17].allSatisfy(isDigit), isDigit(bytes[17]) || bytes[17] == UInt8(ascii: "X") else { return nil }
        return bytes
    }

    /// The check character (as an ASCII byte) for the first 17 digits, given as ASCII bytes.
    static func checkByte(for first17: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (digit, weight) in zip(first17, weights) { sum += Int(digit &- UInt8(ascii: "0")) * weight }
        return checkBytes[sum % 11]
    }

    static let checkBytes = Array("10X98765432".utf8)

    /// The number made of the ASCII digits `bytes[range]`.
    static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        bytes[range].reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
    }

    /// Parses and checks a number; a lower-case `x` is accepted and normalised.
    public init(_ text: String) throws(DomainError) {
        guard let bytes = Self.normalizedBytes(text) else {
            throw DomainError(
                .invalidResidentID, "resident ID must be 17 digits and a check digit or X, got \"\(text)\"")
        }
        guard Self.checkByte(for: bytes[..<17]) == bytes[17] else {
            throw DomainError(.invalidResidentID, "resident ID \(text) fails its check digit (GB 11643)")
        }
        guard (1...12).contains(Self.number(bytes, 10..<12)), (1...31).contains(Self.number(bytes, 12..<14)),
            (1880...2100).contains(Self.number(bytes, 6..<10))
        else {
            throw DomainError(.invalidResidentID, "resident ID \(text) has an impossible birth date")
        }
        self.init(unchecked: String(decoding: bytes, as: UTF8.self))
    }

    /// Birth date as `YYYY-MM-DD`.
    public var birthDate: String {
        let bytes = Array(rawValue.utf8)
        return String(decoding: bytes[6..<10], as: UTF8.self) + "-" + String(decoding: bytes[10..<12], as: UTF8.self)
            + "-"
            + String(decoding: bytes[12..<14], as: UTF8.self)
    }

    /// Gender from the parity of the sequence code.
    public var gender: Gender {
        let digit = Int(Array(rawValue.utf8)[16] &- UInt8(ascii: "0"))
        return digit % 2 == 1 ? .male : .female
    }

    /// `1301**********0012`: the first four and last four characters.
    public var masked: String {
        String(rawValue.prefix(4)) + String(repeating: "*", count: 10) + String(rawValue.suffix(4))
    }

    public var description: String { masked }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
