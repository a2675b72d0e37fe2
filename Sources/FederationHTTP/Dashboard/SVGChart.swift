import Foundation

/// Small server-side chart renderer: a bar chart or a line chart as one inline `<svg>` element (valid
/// XML, no script, nothing fetched). Values are drawn against a zero baseline with four grid lines;
/// every mark carries a `<title>` with its label and value, which browsers show on hover.
///
///     SVGChart.bars(title: "呼叫量", labels: ["01-05", "01-06"], values: [12, 7], empty: "暂无数据")
///     SVGChart.line(title: "有效服务率", labels: days, values: [0.4, nil, 0.5], maximum: 1, format: SVGChart.percent)
enum SVGChart {
    static let width = 640.0
    static let height = 220.0
    /// Plot area margins: left for the axis labels, bottom for the category labels.
    static let left = 44.0
    static let right = 8.0
    static let top = 12.0
    static let bottom = 30.0

    /// `12,345`-style whole numbers.
    static func count(_ value: Double) -> String {
        let number = Int64(value.rounded())
        let digits = String(number.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(character)
        }
        return (number < 0 ? "-" : "") + grouped
    }

    /// `40.0%`.
    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    /// A vertical bar per label.
    static func bars(
        title: String, labels: [String], values: [Double], empty: String, format: (Double) -> String = count,
        color: String = "#2f6fb3"
    ) -> String {
        let maximum = niceCeiling(values.max() ?? 0)
        var svg = open(title)
        svg += grid(maximum: maximum, format: format)
        if values.allSatisfy({ $0 == 0 }) {
            svg += emptyNote(empty)
        } else {
            let plotWidth = width - left - right
            let slot = plotWidth / Double(max(values.count, 1))
            let barWidth = max(slot * 0.7, 1)
            for (index, value) in values.enumerated() {
                let barHeight = maximum > 0 ? (value / maximum) * plotHeight : 0
                let x = left + Double(index) * slot + (slot - barWidth) / 2
                let y = top + plotHeight - barHeight
                svg +=
                    "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(barWidth))\" height=\"\(n(barHeight))\" fill=\"\(color)\">"
                svg += "<title>\(HTML.escape(labels[index])): \(HTML.escape(format(value)))</title></rect>"
            }
        }
        svg += axisLabels(labels)
        return svg + "</svg>"
    }

    /// A line through the values (a gap where a value is nil: no data that day).
    static func line(
        title: String, labels: [String], values: [Double?], maximum: Double? = nil, empty: String,
        format: (Double) -> String = count, color: String = "#c0392b"
    ) -> String {
        let top = maximum ?? niceCeiling(values.compactMap { $0 }.max() ?? 0)
        var svg = open(title)
        svg += grid(maximum: top, format: format)
        if values.allSatisfy({ $0 == nil }) {
            svg += emptyNote(empty)
        } else {
            let plotWidth = width - left - right
            let slot = plotWidth / Double(max(values.count, 1))
            func point(_ index: Int, _ value: Double) -> (Double, Double) {
                let clamped = min(max(value, 0), top)
                return (
                    left + Double(index) * slot + slot / 2,
                    Self.top + plotHeight - (top > 0 ? clamped / top * plotHeight : 0)
                )
            }
            var segment: [(Double, Double)] = []
            func flush() {
                if segment.count > 1 {
                    let points = segment.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
                    svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                }
                segment = []
            }
            for (index, value) in values.enumerated() {
                guard let value else {
                    flush()
                    continue
                }
                segment.append(point(index, value))
            }
            flush()
            for (index, value) in values.enumerated() {
                guard let value else { continue }
                let (x, y) = point(index, value)
                svg += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3\" fill=\"\(color)\">"
                svg += "<title>\(HTML.escape(labels[index])): \(HTML.escape(format(value)))</title></circle>"
            }
        }
        svg += axisLabels(labels)
        return svg + "</svg>"
    }

    // MARK: - Parts

    static var plotHeight: Double { height - top - bottom }

    /// A number with at most one decimal, as SVG attributes want it.
    static func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// 1, 2, 2.5, 5 × 10ⁿ at or above `value`; at least 4, so the four grid steps of a count are whole.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 4 else { return 4 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func open(_ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" "
            + "aria-label=\"\(HTML.escape(title))\" class=\"chart\"><title>\(HTML.escape(title))</title>"
    }

    static func grid(maximum: Double, format: (Double) -> String) -> String {
        var svg = ""
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = top + plotHeight - plotHeight * Double(step) / 4
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(width - right))\" y2=\"\(n(y))\" stroke=\"#ddd\"/>"
            svg +=
                "<text x=\"\(n(left - 4))\" y=\"\(n(y + 4))\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">"
                + HTML.escape(format(value)) + "</text>"
        }
        return svg
    }

    /// Category labels under the plot; at most about twelve, evenly spaced, so they never overlap.
    static func axisLabels(_ labels: [String]) -> String {
        guard !labels.isEmpty else { return "" }
        let plotWidth = width - left - right
        let slot = plotWidth / Double(labels.count)
        let every = max(1, Int((Double(labels.count) / 12).rounded(.up)))
        var svg = ""
        for (index, label) in labels.enumerated() where index % every == 0 {
            let x = left + Double(index) * slot + slot / 2
            svg +=
                "<text x=\"\(n(x))\" y=\"\(n(height - bottom + 14))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">"
                + HTML.escape(label) + "</text>"
        }
        return svg
    }

    static func emptyNote(_ text: String) -> String {
        "<text x=\"\(n(left + (width - left - right) / 2))\" y=\"\(n(top + plotHeight / 2))\" text-anchor=\"middle\" "
            + "font-size=\"14\" fill=\"#888\">\(HTML.escape(text))</text>"
    }
}
