/// One cell of a CSV file this federation writes for a spreadsheet (`fedctl report --format csv`):
/// neutralised against formula injection as OWASP's "CSV Injection" page advises, then quoted as
/// RFC 4180 says.
///
///     CSVField.escape(#"=HYPERLINK("http://x","y")"#)   // "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
///     CSVField.escape("-5000")                           // "-5000": a figure stays a number
///     CSVField.escape("颐康, 长安区")                      // "\"颐康, 长安区\""
///
/// A text cell whose first character is `=`, `+`, `-`, `@`, a tab, a carriage return, a line feed or
/// NUL is prefixed with a single quote: Excel, WPS and LibreOffice then show it as text (the quote
/// itself is hidden in Excel) instead of evaluating it. A cell that is a plain number — an optional
/// `-`, digits, an optional fraction and an optional `%` (`-5000`, `-12.5`, `-3.0%`) — is left as it
/// is: a spreadsheet reads it as the number it is, and no formula can be written in that shape.
public enum CSVField {
    /// First characters a spreadsheet may take as the start of a formula (OWASP's list, with the
    /// line feed OWASP added in 2025 and NUL from ASVS 1.2.10).
    public static let formulaTriggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "\0"]

    /// The cell as it goes between the separators: neutralised, then quoted if it holds a comma, a
    /// quote or a line break (quotes doubled).
    public static func escape(_ cell: String) -> String {
        let text = neutralised(cell)
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `cell` with a single quote in front if it starts like a formula and is not a plain number.
    public static func neutralised(_ cell: String) -> String {
        guard let first = cell.first, formulaTriggers.contains(first), !isPlainNumber(cell) else { return cell }
        return "'" + cell
    }

    /// Whether `text` is `-?[0-9]+(\.[0-9]+)?%?`: a figure, never a formula.
    public static func isPlainNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.last == UInt8(ascii: "%") { bytes = bytes.dropLast() }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }
}
