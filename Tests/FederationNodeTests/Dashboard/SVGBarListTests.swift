import Foundation
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// The category charts of the dashboard: long labels (Chinese and English) wrap inside the label
/// column, and no label overlaps another label or a bar.
@Suite(.timeLimit(.minutes(10))) struct SVGBarListTests {
    static let long = [
        "family planning special households whose only child died or is disabled",
        "计划生育特殊家庭（独生子女伤残或死亡家庭）及其他需要特别关照的老年人",
        "supercalifragilisticexpialidociousanddoublyso",
    ]

    /// Every label set the dashboard draws with bars in a list, plus deliberately long ones.
    static var labelSets: [[String]] {
        [DashboardLanguage.zh, .en].flatMap { language in
            let labels = DashboardLabels(language)
            return [
                SubsidyCategory.allCases.map { labels.subsidyCategory($0.rawValue) },
                ServiceCategory.allCases.map { labels.serviceCategory($0.rawValue) },
            ]
        } + [long, ["低保"]]
    }

    static func overlap(
        _ a: (minX: Double, minY: Double, maxX: Double, maxY: Double),
        _ b: (minX: Double, minY: Double, maxX: Double, maxY: Double)
    ) -> Bool {
        a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY
    }

    @Test(arguments: labelSets) func labelsFitTheirColumnAndNeverOverlap(_ labels: [String]) {
        let values = labels.indices.map { Double($0 * 7 + 3) }
        let layout = SVGBarList.layout(labels: labels, values: values)
        let boxes = layout.labelBoxes
        for (index, box) in boxes.enumerated() {
            #expect(box.minX >= 0 && box.maxX < layout.barX, "label line \(index) leaves its column: \(box)")
            #expect(box.minY >= 0 && box.maxY <= layout.height, "label line \(index) leaves the chart: \(box)")
            for other in boxes[(index + 1)...] {
                #expect(!Self.overlap(box, other), "label lines overlap: \(box) and \(other)")
            }
        }
        // Bars are right of the labels, inside the chart, and do not overlap each other.
        for (index, row) in layout.rows.enumerated() {
            #expect(row.barY >= 0 && row.barY + row.barHeight <= layout.height)
            #expect(layout.barX + row.barWidth <= SVGBarList.width - SVGBarList.margin)
            if index > 0 {
                let above = layout.rows[index - 1]
                #expect(above.barY + above.barHeight <= row.barY, "bars \(index - 1) and \(index) overlap")
            }
        }
        // Wrapping loses no text.
        for (label, row) in zip(labels, layout.rows) {
            #expect(row.lines.joined().filter { $0 != " " } == label.filter { $0 != " " }, "\(row.lines)")
        }
    }

    @Test func longLabelsWrapAndTheLongestBarIsTheLargestValue() {
        let layout = SVGBarList.layout(labels: Self.long, values: [1, 4, 2])
        #expect(layout.rows.allSatisfy { $0.lines.count > 1 })
        #expect(layout.labelRight <= SVGBarList.width * SVGBarList.maxLabelShare)
        // English wraps between words.
        #expect(layout.rows[0].lines.allSatisfy { !$0.hasPrefix(" ") && !$0.hasSuffix(" ") })
        #expect(layout.rows[0].lines.joined(separator: " ") == Self.long[0])
        #expect(layout.rows[1].barWidth > layout.rows[2].barWidth && layout.rows[2].barWidth > layout.rows[0].barWidth)
        #expect(layout.rows[1].barWidth == SVGBarList.width - SVGBarList.margin - SVGBarList.valueRoom - layout.barX)
    }

    @Test func theChartIsOneValidSVGWithEveryLabelLineAndValue() {
        let labels = DashboardLabels(.en)
        let codes = SubsidyCategory.allCases.map(\.rawValue)
        let svg = SVGBarList.svg(
            title: labels.rosterByCategory, labels: codes.map(labels.subsidyCategory),
            values: codes.indices.map { Double($0 * 1_000) }, empty: labels.noData)
        #expect(DashboardHTTPTests.validSVGCount(svg).found == 1 && DashboardHTTPTests.validSVGCount(svg).valid == 1)
        #expect(svg.contains(">family planning special</tspan>") || svg.contains(">family planning</tspan>"))
        #expect(svg.contains(">8,000</text>"))
        #expect(svg.components(separatedBy: "<rect ").count - 1 == codes.count)

        let empty = SVGBarList.svg(title: "t", labels: ["a", "b"], values: [0, 0], empty: "no data yet")
        #expect(empty.contains(">no data yet</text>") && !empty.contains("<rect "))
        #expect(DashboardHTTPTests.validSVGCount(empty).valid == 1)
    }
}
