/// Why one roster item was refused: the field and a reason a station worker can act on.
///
///     ElderFieldError("birth_date", "1950-01-01 disagrees with the resident ID, which says 1949-12-31 (出生日期与身份证号不符)")
package struct ElderFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    package let field: String
    package let message: String

    package init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    package var description: String { "\(field): \(message)" }
}

/// One value of a roster item as it arrived: JSON gives text, numbers and arrays; CSV gives text.
package enum ElderFieldValue: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case list([String])
}
