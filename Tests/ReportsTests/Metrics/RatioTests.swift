import Reports
import Testing

@Suite(.timeLimit(.minutes(10))) struct RatioTests {
    @Test func rollUpIsSumOverSumNotAverageOfRatios() {
        // Shijiazhuang: 121,200 effective of 303,000 calls.
        let a = Ratio(numerator: 1, denominator: 1)  // 100%
        let b = Ratio(numerator: 121_199, denominator: 302_999)
        let total = a + b
        #expect(total == Ratio(numerator: 121_200, denominator: 303_000))
        #expect(total.value == 0.4)
        #expect(total.value != (a.value + b.value) / 2)
    }

    @Test func emptyRatioIsZeroNotNaN() {
        #expect(Ratio.zero.value == 0)
    }
}
