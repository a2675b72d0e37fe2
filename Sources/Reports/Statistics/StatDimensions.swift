/// Reading the dimension string of a statistics cell, the inverse of `StatKey.dimensions(_:)`.
///
///     StatDimensions.parse("channel=hotline;effective=1;hour=09;type=emergency")["hour"]  // "09"
public enum StatDimensions {
    /// The `k=v` pairs of a dimension string. A pair without `=` maps its key to "", a repeated key keeps
    /// its last value, and the value is everything after the first `=`.
    public static func parse(_ dims: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in dims.split(separator: ";", omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: "=") {
                pairs[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            } else {
                pairs[String(pair)] = ""
            }
        }
        return pairs
    }
}
