extension Int64 {
    /// Adds `value`, or throws `ReportError(.overflow)` naming `figure` when the sum leaves Int64
    /// (where `+=` would trap).
    ///
    ///     try total.addChecked(count, "calls")
    @inline(__always)
    mutating func addChecked(_ value: Int64, _ figure: @autoclosure () -> String) throws(ReportError) {
        let (sum, overflow) = addingReportingOverflow(value)
        guard !overflow else { throw ReportError.overflow(figure()) }
        self = sum
    }

    /// `self × factor`, or `ReportError(.overflow)` naming `figure`.
    @inline(__always)
    func multipliedChecked(by factor: Int64, _ figure: @autoclosure () -> String) throws(ReportError) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: factor)
        guard !overflow else { throw ReportError.overflow(figure()) }
        return product
    }
}
