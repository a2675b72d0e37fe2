import Foundation

/// A horizontal bar chart for categories with long names (保障类别, service categories): one row per
/// category, its label on the left — wrapped onto several lines when it is wider than the label
/// column — its bar to the right and the value at the bar's end. Rows grow with their label, so
/// labels never overlap each other or the bars, in Chinese or English.
///
///     SVGBarList.svg(title: "在册老人构成", labels: ["计划生育特殊家庭", "低保"], values: [12, 40], empty: "暂无数据")
enum SVGBarList {
    static let width = SVGChart.width
    static let fontSize = 11.0
    static let lineHeight = 14.0
    /// Space between rows, and around the chart.
    static let rowGap = 8.0
    static let margin = 8.0
    /// The label column is at most this share of the width; longer labels wrap.
    static let maxLabelShare = 0.4
    /// Room right of the longest bar for its value.
    static let valueRoom = 64.0

    /// Where each part of the chart goes (what `svg` draws; the tests check it for overlaps).
    struct Layout {
        struct Row {
            /// The label's lines, drawn right-aligned at `labelRight`, baselines at `baselines`.
            var lines: [String]
            var baselines: [Double]
            var barY: Double
            var barHeight: Double
            var barWidth: Double
        }

        var rows: [Row]
        /// Right edge of the label column; the bars start a little to its right at `barX`.
        var labelRight: Double
        var barX: Double
        var height: Double

        /// The box each label line covers (by `SVGBarList.textWidth`): x from its start to `labelRight`,
        /// y from its ascent to its descent.
        var labelBoxes: [(minX: Double, minY: Double, maxX: Double, maxY: Double)] {
            rows.flatMap { row in
                zip(row.lines, row.baselines).map { line, baseline in
                    (
                        minX: labelRight - SVGBarList.textWidth(line), minY: baseline - SVGBarList.fontSize,
                        maxX: labelRight, maxY: baseline + SVGBarList.fontSize * 0.25
                    )
                }
            }
        }
    }

    /// The chart as one `<svg>` element; a note instead of bars when every value is zero.
    static func svg(
        title: String, labels: [String], values: [Double], empty: String, format: (Double) -> String = SVGChart.count,
        color: String = "#2f6fb3"
    ) -> String {
        let layout = layout(labels: labels, values: values)
        let n = SVGChart.n
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(layout.height))\" role=\"img\" "
            + "aria-label=\"\(HTML.escape(title))\" class=\"chart\"><title>\(HTML.escape(title))</title>"
        svg +=
            "<line x1=\"\(n(layout.barX))\" y1=\"\(n(margin))\" x2=\"\(n(layout.barX))\" "
            + "y2=\"\(n(layout.height - margin))\" stroke=\"#ddd\"/>"
        let allZero = values.allSatisfy { $0 == 0 }
        for (index, row) in layout.rows.enumerated() {
            svg += "<text text-anchor=\"end\" font-size=\"\(n(fontSize))\" fill=\"#555\">"
            for (line, baseline) in zip(row.lines, row.baselines) {
                svg += "<tspan x=\"\(n(layout.labelRight))\" y=\"\(n(baseline))\">\(HTML.escape(line))</tspan>"
            }
            svg += "</text>"
            guard !allZero else { continue }
            let value = index < values.count ? values[index] : 0
            svg +=
                "<rect x=\"\(n(layout.barX))\" y=\"\(n(row.barY))\" width=\"\(n(row.barWidth))\" "
                + "height=\"\(n(row.barHeight))\" fill=\"\(color)\">"
                + "<title>\(HTML.escape(labels[index])): \(HTML.escape(format(value)))</title></rect>"
            svg +=
                "<text x=\"\(n(layout.barX + row.barWidth + 4))\" y=\"\(n(row.barY + row.barHeight / 2 + fontSize * 0.35))\" "
                + "font-size=\"\(n(fontSize))\" fill=\"#333\">\(HTML.escape(format(value)))</text>"
        }
        if allZero {
            svg +=
                "<text x=\"\(n(layout.barX + (width - layout.barX) / 2))\" y=\"\(n(layout.height / 2 + 5))\" "
                + "text-anchor=\"middle\" font-size=\"14\" fill=\"#888\">\(HTML.escape(empty))</text>"
        }
        return svg + "</svg>"
    }

    /// Lays the rows out: the label column as wide as the widest label (at most `maxLabelShare` of the
    /// width), labels wrapped to it, each row as tall as its label.
    static func layout(labels: [String], values: [Double]) -> Layout {
        let widest = labels.map(textWidth).max() ?? 0
        let column = min(widest, width * maxLabelShare - margin)
        let labelRight = margin + column
        let barX = labelRight + 6
        let longest = width - margin - valueRoom - barX
        let maximum = values.max() ?? 0
        var rows: [Layout.Row] = []
        var y = margin
        for (index, label) in labels.enumerated() {
            let lines = wrap(label, width: column)
            let rowHeight = max(Double(lines.count) * lineHeight, lineHeight + 4)
            // The label's lines centred on the row.
            let textTop = y + (rowHeight - Double(lines.count) * lineHeight) / 2
            let baselines = lines.indices.map { textTop + Double($0) * lineHeight + fontSize }
            let value = index < values.count ? values[index] : 0
            let barHeight = min(rowHeight, lineHeight + 4) - 4
            rows.append(
                Layout.Row(
                    lines: lines, baselines: baselines, barY: y + (rowHeight - barHeight) / 2, barHeight: barHeight,
                    barWidth: maximum > 0 ? max(value, 0) / maximum * longest : 0))
            y += rowHeight + rowGap
        }
        return Layout(rows: rows, labelRight: labelRight, barX: barX, height: max(y - rowGap + margin, 60))
    }

    /// The estimated width of `text` at `fontSize`: a full em for wide (CJK, full-width) characters, 0.62 em
    /// for others — on the generous side for the sans-serif faces browsers pick.
    static func textWidth(_ text: String) -> Double {
        text.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 1.0 : 0.62) } * fontSize
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            true
        default: false
        }
    }

    /// Splits `text` into lines no wider than `width`: between words (at spaces) or between wide
    /// characters; a single word wider than the line is cut between characters.
    static func wrap(_ text: String, width: Double) -> [String] {
        // Units that stay together: a run of narrow non-space characters, or one wide character.
        var units: [String] = []
        var word = ""
        for character in text {
            let wide = character.unicodeScalars.first.map(isWide) ?? false
            if character == " " || wide {
                if !word.isEmpty { units.append(word) }
                word = ""
                units.append(String(character))
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { units.append(word) }

        var lines: [String] = []
        var line = ""
        func push() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { lines.append(trimmed) }
            line = ""
        }
        for unit in units {
            if unit == " " && line.isEmpty { continue }
            if textWidth((line + unit).trimmingCharacters(in: .whitespaces)) <= width {
                line += unit
                continue
            }
            push()
            if unit == " " { continue }
            if textWidth(unit) <= width {
                line = unit
                continue
            }
            // A word longer than the line: cut it between characters.
            for character in unit {
                if !line.isEmpty, textWidth(line + String(character)) > width { push() }
                line.append(character)
            }
        }
        push()
        return lines.isEmpty ? [""] : lines
    }
}
