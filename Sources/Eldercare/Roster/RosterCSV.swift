import Foundation
import Glibc

/// A roster spreadsheet saved as CSV, the way Excel and WPS write it: UTF-8 with or without a byte
/// order mark, or GB18030 (Chinese Windows' "CSV (逗号分隔)"). The header row names the columns with
/// the field names of `ElderInput.fields` or their Chinese headers (`身份证号`, `姓名`, …).
///
/// Every physical line is one row (a line ends at LF, CRLF or a lone CR), read on its own: a quoted
/// cell may hold separators and doubled quotes (`""`) but not a line break, so a quote left open on
/// one line never swallows the lines after it. A line whose quotes cannot be read is a `MalformedRow`
/// naming its line and the reason, and the lines after it are read as usual: every line under the
/// header is a row, a malformed row, or blank.
///
///     let sheet = try RosterCSV(bytes)
///     for row in sheet.rows { _ = try ElderInput(row.fields, node: node) }   // row.number is 1-based
///     for bad in sheet.malformed { print(bad.line, bad.error) }
package struct RosterCSV: Sendable {
    /// Why a file cannot be read as a roster at all.
    package struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
        package let message: String
        /// Required columns the header lacks (empty when the problem is something else).
        package let missingColumns: [String]

        package var description: String { message }
    }

    /// One data row: its number (1 = the line under the header) and its non-empty cells by field.
    package struct Row: Sendable {
        package let number: Int
        package let fields: [String: ElderFieldValue]

        /// The line of the file (the header is line 1).
        var line: Int { number + 1 }
    }

    /// A line under the header whose quotes cannot be read: its row number (as `Row.number`) and why,
    /// as an `ElderFieldError` on the column where reading stopped (`csv` if that column is not a
    /// roster field).
    package struct MalformedRow: Sendable, Equatable {
        package let number: Int
        package let error: ElderFieldError

        /// The line of the file (the header is line 1).
        var line: Int { number + 1 }
    }

    /// Chinese column headers (and a few common variants) → field names.
    static let chineseHeaders: [String: String] = [
        "编号": "id", "身份证号": "resident_id", "身份证号码": "resident_id", "公民身份号码": "resident_id", "姓名": "name",
        "性别": "gender", "出生日期": "birth_date", "电话": "phone", "联系电话": "phone", "住址": "address",
        "地址": "address", "家庭住址": "address", "社区": "community", "社区编码": "community", "居住状况": "living",
        "失能等级": "disability", "补贴类别": "categories", "服务等级": "tier", "月服务时长": "monthly_hours",
        "月补贴": "monthly_subsidy", "服务卡号": "card_no", "状态": "status", "生效月份": "status_month",
        "紧急联系人": "emergency_contacts",
    ]

    /// The Chinese header of each field, for messages.
    static let headerOfField: [String: String] = [
        "id": "编号", "resident_id": "身份证号", "name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "电话",
        "address": "住址", "community": "社区", "living": "居住状况", "disability": "失能等级", "categories": "补贴类别",
        "tier": "服务等级", "monthly_hours": "月服务时长", "monthly_subsidy": "月补贴", "card_no": "服务卡号", "status": "状态",
    ]

    /// The fields the columns hold, in file order (nil for a column this importer does not know: ignored).
    let columns: [String?]
    package let rows: [Row]
    /// Lines under the header that could not be read, in file order.
    package let malformed: [MalformedRow]

    package init(_ bytes: some Collection<UInt8>) throws(FileError) {
        let text = try Self.decode(Array(bytes))
        guard !text.isBlank else {
            throw FileError(
                message: "the file is empty; expected a header row and one elder per row", missingColumns: [])
        }
        let lines = Self.lines(Array(text.utf8))
        let first = lines[0]
        let delimiter: UInt8 =
            !first.contains(UInt8(ascii: ",")) && first.contains(UInt8(ascii: "\t"))
            ? UInt8(ascii: "\t") : UInt8(ascii: ",")
        let header: [String]
        switch Self.cells(first, delimiter: delimiter) {
        case .success(let cells): header = cells
        case .failure(let problem):
            throw FileError(
                message: "the file is not CSV: its header row cannot be read (column \(problem.column + 1): "
                    + "\(problem.reason))", missingColumns: [])
        }
        let columns: [String?] = header.map { cell in
            let name = cell.trimmedWhitespace
            if ElderInput.fields.contains(name.lowercased()) { return name.lowercased() }
            return Self.chineseHeaders[name]
        }
        let missing = ElderInput.required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            let named = missing.map { "\($0) (\(Self.headerOfField[$0] ?? $0))" }.joined(separator: ", ")
            let seen = header.prefix(20).map { "\"\($0)\"" }.joined(separator: ", ")
            let message =
                columns.allSatisfy({ $0 == nil })
                ? "the file is not a roster CSV: its first row should name the columns (编号, 身份证号, 姓名, 社区, …); "
                    + "missing columns: \(named); the first row has \(seen)"
                : "missing columns: \(named); the header row has \(seen)"
            throw FileError(message: message, missingColumns: missing)
        }
        var rows: [Row] = []
        var malformed: [MalformedRow] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let number = offset + 1
            switch Self.cells(line, delimiter: delimiter) {
            case .success(let cells):
                var fields: [String: ElderFieldValue] = [:]
                for (column, cell) in zip(columns, cells) {
                    guard let column, fields[column] == nil else { continue }
                    if cell.isBlank { continue }
                    fields[column] = .text(cell)
                }
                if fields.isEmpty { continue }  // a blank line, or a row of empty cells Excel left behind
                rows.append(Row(number: number, fields: fields))
            case .failure(let problem):
                let field = problem.column < columns.count ? columns[problem.column] : nil
                let heading =
                    header.indices.contains(problem.column) ? " (\(header[problem.column].trimmedWhitespace))" : ""
                malformed.append(
                    MalformedRow(
                        number: number,
                        error: ElderFieldError(
                            field ?? "csv",
                            "column \(problem.column + 1)\(heading): \(problem.reason); this row was not read (本行未读取)")
                    ))
            }
        }
        self.columns = columns
        self.rows = rows
        self.malformed = malformed
    }

    /// Why a line's cells cannot be read: the 0-based column where reading stopped, and the reason in
    /// English and Chinese.
    struct LineProblem: Error, Sendable {
        let column: Int
        let reason: String

        static func unclosed(_ column: Int) -> LineProblem {
            LineProblem(
                column: column,
                reason: "the quote (\") that opens this cell is not closed on the same line; a cell cannot hold a "
                    + "line break — close the quote, or remove the line break in the cell (引号不成对：单元格内不能换行)")
        }

        static func textAfterQuote(_ column: Int) -> LineProblem {
            LineProblem(
                column: column,
                reason: "text follows the closing quote (\") of this cell; quote the whole cell and write each quote "
                    + "inside it twice (\"\") (引号后还有内容：引号须括住整个单元格)")
        }

        static func strayQuote(_ column: Int) -> LineProblem {
            LineProblem(
                column: column,
                reason: "a quote (\") stands inside a cell that does not start with one; quote the whole cell and "
                    + "write the quote twice (\"\") (单元格中有多余的引号)")
        }
    }

    /// The lines of `bytes`, without their ends: a line ends at LF, CRLF or a lone CR. A last line
    /// without an end is a line; the end of the text after a final line end is not.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(bytes[start..<index])
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    /// The cells of one line (RFC 4180 within the line: a cell that starts with a quote — after any
    /// spaces — ends at the next single quote and may hold separators and doubled quotes).
    static func cells(_ line: ArraySlice<UInt8>, delimiter: UInt8) -> Result<[String], LineProblem> {
        let quote = UInt8(ascii: "\"")
        let space = UInt8(ascii: " ")
        var cells: [String] = []
        var index = line.startIndex
        while true {
            let column = cells.count
            var opening = index
            while opening < line.endIndex, line[opening] == space { opening += 1 }
            if opening < line.endIndex, line[opening] == quote {
                var cell: [UInt8] = []
                var position = opening + 1
                var closed = false
                while position < line.endIndex {
                    let byte = line[position]
                    if byte == quote {
                        if position + 1 < line.endIndex, line[position + 1] == quote {
                            cell.append(quote)
                            position += 2
                            continue
                        }
                        closed = true
                        position += 1
                        break
                    }
                    cell.append(byte)
                    position += 1
                }
                guard closed else { return .failure(.unclosed(column)) }
                while position < line.endIndex, line[position] == space { position += 1 }
                guard position == line.endIndex || line[position] == delimiter else {
                    return .failure(.textAfterQuote(column))
                }
                cells.append(String(decoding: cell, as: UTF8.self))
                index = position
            } else {
                var end = index
                while end < line.endIndex, line[end] != delimiter {
                    if line[end] == quote { return .failure(.strayQuote(column)) }
                    end += 1
                }
                cells.append(String(decoding: line[index..<end], as: UTF8.self))
                index = end
            }
            guard index < line.endIndex else { return .success(cells) }
            index += 1  // the separator
        }
    }

    /// UTF-8 (a byte order mark is dropped) if the bytes are valid UTF-8, otherwise GB18030.
    static func decode(_ bytes: [UInt8]) throws(FileError) -> String {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw FileError(
                message:
                    "this is an Excel workbook (.xlsx), not CSV; save it as \"CSV UTF-8\" (另存为 CSV) and import that",
                missingColumns: [])
        }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw FileError(
                message:
                    "this is an old Excel workbook (.xls), not CSV; save it as \"CSV UTF-8\" (另存为 CSV) and import that",
                missingColumns: [])
        }
        if bytes.contains(0) {
            throw FileError(message: "the file is not CSV text: it contains binary data", missingColumns: [])
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        if let text = String(validating: body, as: UTF8.self) { return text }
        guard let text = gb18030(body) else {
            throw FileError(
                message: "the file is neither UTF-8 nor GB18030 text; save it from Excel as \"CSV UTF-8\"",
                missingColumns: [])
        }
        return text
    }

    /// GB18030 bytes decoded through iconv, or nil if they are not valid GB18030.
    static func gb18030(_ bytes: ArraySlice<UInt8>) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = Array(bytes)
        guard !input.isEmpty else { return "" }
        // A GB18030 character of 1–4 bytes becomes at most 4 bytes of UTF-8 (2 bytes → 3 at most).
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                source.baseAddress!.withMemoryRebound(to: CChar.self, capacity: source.count) { sourceStart in
                    target.baseAddress!.withMemoryRebound(to: CChar.self, capacity: target.count) { targetStart in
                        var inPointer: UnsafeMutablePointer<CChar>? = sourceStart
                        var inLeft = source.count
                        var outPointer: UnsafeMutablePointer<CChar>? = targetStart
                        var outLeft = target.count
                        let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                        guard result != -1, inLeft == 0 else { return nil }
                        return target.count - outLeft
                    }
                }
            }
        }
        guard let produced else { return nil }
        return String(validating: output[..<produced], as: UTF8.self)
    }
}
