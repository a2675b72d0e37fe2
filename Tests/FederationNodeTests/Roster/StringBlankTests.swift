import Foundation
import Testing

@testable import FederationNode

@Suite(.timeLimit(.minutes(10))) struct StringBlankTests {
    /// Every scalar Foundation counts as white space or a line break, a few that it does not, and
    /// ordinary text around them.
    static let scalars: [Unicode.Scalar] =
        (0x00...0x3100).compactMap(Unicode.Scalar.init) + [
            "\u{FEFF}", "\u{200B}", "\u{E000}", "\u{1F600}",
        ]

    @Test func trimmingMatchesFoundationForEveryScalar() {
        for scalar in Self.scalars {
            let character = String(Character(scalar))
            for text in [
                character, " \(character)王秀英\(character)\t", "\(character)\(character)", "a\(character)b",
                "\r\n\(character)",
            ] {
                #expect(
                    text.trimmedWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "U+\(String(scalar.value, radix: 16))")
                #expect(
                    text.isBlank == text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                    "U+\(String(scalar.value, radix: 16))")
            }
        }
    }

    @Test func textWithNothingToTrimIsKept() {
        #expect("王秀英".trimmedWhitespace == "王秀英")
        #expect("".trimmedWhitespace == "")
        #expect("".isBlank)
        #expect("\u{3000} \r\n".isBlank)
        #expect(" 1301 ".dropFirst(0).trimmedWhitespace == "1301")
    }
}
