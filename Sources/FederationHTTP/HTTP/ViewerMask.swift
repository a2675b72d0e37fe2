import Eldercare

/// What the viewer token sees of an elder's personal fields (docs/PRIVACY.md, "What a viewer sees").
/// The operator token sees every field as stored; every answer that shows a personal field to the
/// viewer (`GET /api/v1/elders`, `/api/v1/elders/audit`, `/api/v1/enrolments`) masks it here, so
/// what a viewer reads in one place cannot be joined with another to rebuild more.
///
///     ViewerMask.residentID("130102194912310024")   // "**************0024"
///     ViewerMask.birthDate("1949-12-31")            // "1949-**-**"
///     ViewerMask.name("王秀英")                      // "王**"
///
/// The resident ID keeps its last four characters only and the birth date its year only: with the
/// community's area code guessed, the birth year and the last four characters leave 32 to 35
/// resident IDs that pass the check character (the old mask, `1301**********0024` beside the full
/// birth date, left 9 or 10, and the community picked one).
enum ViewerMask {
    /// Characters of a resident ID (or of its keyed hash, above the privacy level) the viewer sees: the last four.
    static let residentIDCharactersShown = 4

    /// `**************0024`: every character but the last four starred (a keyed hash likewise).
    static func residentID(_ text: String) -> String {
        let shown = residentIDCharactersShown
        guard text.count > shown else { return String(repeating: "*", count: text.count) }
        return String(repeating: "*", count: text.count - shown) + String(text.suffix(shown))
    }

    /// `1949-**-**`: the year (the first four characters) and every later digit starred; the birth
    /// month a node above the privacy level holds reads `1949-**`.
    static func birthDate(_ text: String) -> String {
        String(text.prefix(4)) + String(text.dropFirst(4).map { $0.isASCII && $0.isNumber ? "*" : $0 })
    }

    /// `王**`: the first character (the family name, as on public notices), a star for each other;
    /// a one-character name is a star.
    static func name(_ text: String) -> String {
        guard text.count > 1 else { return String(repeating: "*", count: text.count) }
        return Roster.maskName(text)
    }

    /// `138****5678`, or `0311-****2345` for a landline.
    static func phone(_ text: String) -> String { Roster.maskPhone(text) }

    /// `长安区建设北大街************`: at most the first eight characters (district and street) and never
    /// more than half of the address, the rest starred — a short address keeps no house number.
    static func address(_ text: String) -> String {
        let shown = min(8, text.count / 2)
        return String(text.prefix(shown)) + String(repeating: "*", count: text.count - shown)
    }
}
