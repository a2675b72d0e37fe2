import TestSupport
import Testing

@testable import Eldercare
@testable import FederationNode

/// The resident-ID checks work on UTF-8 bytes (a roster import checks 100,000 of them); these
/// tests hold them to the character-based rules they replaced, on generated numbers, and the
/// control-character test of text fields to Unicode's general category Cc.
@Suite(.timeLimit(.minutes(10))) struct ResidentIDBytesTests {
    /// The rules as first written, on Characters: the reference.
    static func reference(_ text: String) -> String? {
        let characters = Array(text.uppercased())
        guard characters.count == 18, characters.prefix(17).allSatisfy(\.isASCIIDigit),
            characters[17].isASCIIDigit || characters[17] == "X"
        else { return nil }
        guard ResidentID.checkCharacter(for: characters.prefix(17)) == characters[17] else { return nil }
        let birth = String(characters[6..<14])
        guard let month = Int(birth.dropFirst(4).prefix(2)), (1...12).contains(month),
            let day = Int(birth.suffix(2)), (1...31).contains(day),
            let year = Int(birth.prefix(4)), (1880...2100).contains(year)
        else { return nil }
        return String(characters)
    }

    @Test func bytesAgreeWithTheCharacterRulesOnGeneratedNumbers() {
        var generator = SeededGenerator(seed: 11_643)
        let alphabet = Array("0123456789xX-a ０é")
        var valid = 0
        for round in 0..<20_000 {
            var text: String
            if round % 2 == 0 {
                // A well-formed number, sometimes with one character changed.
                let id = ResidentID.make(
                    area: "130102",
                    birth: (
                        Int.random(in: 1870...2110, using: &generator), Int.random(in: 0...13, using: &generator),
                        Int.random(in: 0...32, using: &generator)
                    ),
                    sequence: Int.random(in: 0...999, using: &generator))
                var characters = Array(id.rawValue)
                if round % 4 == 0 {
                    characters[Int.random(in: 0..<characters.count, using: &generator)] = alphabet.randomElement(
                        using: &generator)!
                }
                if characters.last == "X", Bool.random(using: &generator) { characters[characters.count - 1] = "x" }
                text = String(characters)
            } else {
                text = String(
                    (0..<Int.random(in: 16...19, using: &generator)).map { _ in
                        alphabet.randomElement(using: &generator)!
                    })
            }
            let parsed = try? ResidentID(text)
            #expect(parsed?.rawValue == Self.reference(text), "\(text)")
            if let parsed {
                valid += 1
                let expectedBirth =
                    String(Array(parsed.rawValue)[6..<10]) + "-" + String(Array(parsed.rawValue)[10..<12]) + "-"
                    + String(Array(parsed.rawValue)[12..<14])
                #expect(parsed.birthDate == expectedBirth)
                #expect(parsed.gender == ((Array(parsed.rawValue)[16].wholeNumberValue! % 2 == 1) ? .male : .female))
            }
        }
        #expect(valid > 1_000)  // the generator reaches both sides
    }

    @Test func controlCharactersAreExactlyGeneralCategoryCc() {
        for value in UInt32(0)...0x3100 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let byNumber = value < 0x20 || (0x7F...0x9F).contains(value)
            #expect(byNumber == (scalar.properties.generalCategory == .control), "U+\(String(value, radix: 16))")
        }
    }
}
