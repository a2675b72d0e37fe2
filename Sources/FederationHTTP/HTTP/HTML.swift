/// HTML text helpers for the server-rendered pages.
///
///     HTML.escape("<b>") // "&lt;b&gt;"
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` so text is safe in element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
