import CSV
import Foundation
import Glibc

/// A roster spreadsheet saved as CSV, the way Excel and WPS write it: UTF-8 with or without a byte
/// order mark, or GB18030 (Chinese Windows' "CSV (逗号分隔)"). The header row names the columns with
/// the field names of `ElderInput.fields` or their Chinese headers (`身份证号`, `姓名`, …).
///
///     let sheet = try RosterCSV(bytes)
///     for row in sheet.rows { _ = try ElderInput(row.fields, node: node) }   // row.number is 1-based
struct RosterCSV: Sendable {
    /// Why a file cannot be read as a roster at all.
    struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
        let message: String
        /// Required columns the header lacks (empty when the problem is something else).
        let missingColumns: [String]

        var description: String { message }
    }

    /// One data row: its number (1 = the first row under the header) and its non-empty cells by field.
    struct Row: Sendable {
        let number: Int
        let fields: [String: ElderFieldValue]
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
    let rows: [Row]

    init(_ bytes: some Collection<UInt8>) throws(FileError) {
        let text = try Self.decode(Array(bytes))
        guard !text.isBlank else {
            throw FileError(
                message: "the file is empty; expected a header row and one elder per row", missingColumns: [])
        }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        let delimiter: UnicodeScalar = !firstLine.contains(",") && firstLine.contains("\t") ? "\t" : ","
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, delimiter: delimiter)
        } catch {
            throw FileError(message: "the file is not CSV: its header row cannot be read", missingColumns: [])
        }
        let header = reader.headerRow ?? []
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
        var number = 0
        while let cells = reader.next() {
            number += 1
            var fields: [String: ElderFieldValue] = [:]
            for (column, cell) in zip(columns, cells) {
                guard let column, fields[column] == nil else { continue }
                if cell.isBlank { continue }
                fields[column] = .text(cell)
            }
            if fields.isEmpty { continue }  // a blank line, or a row of empty cells Excel left behind
            rows.append(Row(number: number, fields: fields))
        }
        if reader.error != nil {
            throw FileError(message: "the file is not CSV: row \(number + 1) cannot be read", missingColumns: [])
        }
        self.columns = columns
        self.rows = rows
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
