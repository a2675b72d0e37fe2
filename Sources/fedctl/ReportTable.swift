import Eldercare
import FederationNode
import Foundation

/// A report as a table: bilingual headers and rows of text, written aligned for a terminal or as CSV
/// that Excel opens as UTF-8 (byte-order mark first, RFC 4180 quoting, CRLF line ends). Every CSV
/// cell goes through `CSVField.escape`: text that starts like a formula (`=`, `+`, `-`, `@`, tab,
/// line break) gets a leading `'` (OWASP's CSV-injection advice); plain numbers such as `-5000` stay numbers.
///
///     let table = ReportTable(headers: ["代码 Code", "呼叫 Calls"], rows: [["130102000000", "5"]])
///     print(table.aligned())
struct ReportTable: Equatable {
    var headers: [String]
    var rows: [[String]]

    /// Columns padded to the widest cell; Chinese characters count two columns, numbers align right.
    func aligned() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { Self.width($0[safe: column] ?? "") }.max() ?? 0 }
        func line(_ cells: [String], header: Bool) -> String {
            headers.indices.map { column in
                let cell = cells[safe: column] ?? ""
                let padding = String(repeating: " ", count: widths[column] - Self.width(cell))
                return !header && Self.isNumeric(cell) ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers, header: true), rule] + rows.map { line($0, header: false) }).joined(separator: "\n")
    }

    /// CSV text starting with a UTF-8 byte-order mark, each cell neutralised and quoted by `CSVField`.
    func csv() -> String {
        "\u{FEFF}" + ([headers] + rows).map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\r\n")
            + "\r\n"
    }

    static func isNumeric(_ cell: String) -> Bool {
        !cell.isEmpty && cell.allSatisfy { $0.isNumber || $0 == "." || $0 == "%" || $0 == "-" || $0 == "/" }
    }

    /// Display columns of `text` in a terminal: East Asian wide characters take two.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let value = scalar.value
            let wide =
                (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
                || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
                || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value) || (0x20000...0x3FFFD).contains(value)
            return total + (wide ? 2 : 1)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
