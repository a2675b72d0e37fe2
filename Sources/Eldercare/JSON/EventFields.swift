package import Replication

/// The fields of one event object, read by JSON name; every problem names the field.
package struct EventFields {
    package let object: JSONObject

    /// - Throws: for a field not in `allowed`.
    package init(_ object: JSONObject, allowed: [String], noun: String) throws(CallValidationError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw CallValidationError(
                field: unknown, message: "unknown field; a \(noun) has \(allowed.joined(separator: ", "))")
        }
        self.object = object
    }

    /// The value, nil if absent or null.
    package func optional(_ name: String) -> JSONValue? {
        guard let value = object[name], value != .null else { return nil }
        return value
    }

    package func required(_ name: String) throws(CallValidationError) -> JSONValue {
        guard let value = optional(name) else { throw CallValidationError(field: name, message: "is required") }
        return value
    }

    package func string(_ name: String) throws(CallValidationError) -> String {
        try Self.string(try required(name), name)
    }

    package func optionalString(_ name: String) throws(CallValidationError) -> String? {
        guard let value = optional(name) else { return nil }
        return try Self.string(value, name)
    }

    package static func string(_ value: JSONValue, _ name: String) throws(CallValidationError) -> String {
        guard case .string(let text) = value else {
            throw CallValidationError(field: name, message: "must be a string, got \(value.excerpt())")
        }
        return text
    }

    package func bool(_ name: String) throws(CallValidationError) -> Bool {
        let value = try required(name)
        guard case .bool(let flag) = value else {
            throw CallValidationError(field: name, message: "must be true or false, got \(value.excerpt())")
        }
        return flag
    }

    package func optionalInteger(_ name: String, unit: String) throws(CallValidationError) -> Int64? {
        guard let value = optional(name) else { return nil }
        guard case .integer(let number) = value else {
            throw CallValidationError(field: name, message: "must be a whole number of \(unit), got \(value.excerpt())")
        }
        return number
    }

    /// One of `T`'s raw values; the message lists them, with their Chinese labels when `labels` gives them.
    package func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type, labels: ((T) -> String)? = nil)
        throws(CallValidationError) -> T
    where T.RawValue == String {
        try Self.choice(try string(name), name, T.self, labels: labels)
    }

    /// `text` as one of `T`'s raw values (or Chinese labels), or the error naming `name` that lists them.
    package static func choice<T: RawRepresentable & CaseIterable>(
        _ text: String, _ name: String, _: T.Type, labels: ((T) -> String)? = nil
    ) throws(CallValidationError) -> T
    where T.RawValue == String {
        if let value = T(rawValue: text) { return value }
        if let labels, let value = T.allCases.first(where: { labels($0) == text }) { return value }
        let allowed = T.allCases.map { value in
            labels.map { "\(value.rawValue) (\($0(value)))" } ?? value.rawValue
        }
        throw CallValidationError(
            field: name, message: "\(JSONValue.string(text).excerpt()) is not one of \(allowed.joined(separator: ", "))"
        )
    }

    package func time(_ name: String) throws(CallValidationError) -> OffsetDateTime {
        try EventRules.time(try string(name), field: name)
    }

    package func community(_ name: String = "community") throws(CallValidationError) -> NodeCode {
        try Self.community(try string(name), name)
    }

    /// `text` as a node code, or the error naming `name`.
    package static func community(_ text: String, _ name: String = "community") throws(CallValidationError) -> NodeCode
    {
        do throws(ReplicationError) {
            return try NodeCode(text)
        } catch {
            throw CallValidationError(field: name, message: error.message)
        }
    }
}
