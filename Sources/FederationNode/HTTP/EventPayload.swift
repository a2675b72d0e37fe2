import Foundation
import Hummingbird
import Replication

/// The body of the event endpoints (`POST /api/v1/calls`, `/visits`, `/callbacks`): one object or an
/// array of them. Each item is read on its own; an item that is not an object, or has an unknown field,
/// a missing one or a value of the wrong type, is refused with its index and field while the others go on.
enum EventPayload {
    /// Most items in one request.
    static let maxItems = 1_000

    /// The items of the body, each an object or why it is refused.
    ///
    /// - Throws: `APIError` 400 `invalid_json` if the body is not JSON, or neither an object nor an array;
    ///   413 `payload_too_large` for more than `maxItems` items.
    static func items(_ body: ByteBuffer, noun: String) throws(APIError) -> [Result<JSONObject, CallValidationError>] {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, .invalidJSON, "request body is not valid JSON: \(CallPayload.describe(error))")
        }
        switch document {
        case .object(let object):
            return [.success(object)]
        case .array(let values):
            guard values.count <= maxItems else {
                throw APIError(
                    .contentTooLarge, .payloadTooLarge,
                    "\(values.count) \(noun)s in one request; send at most \(maxItems)")
            }
            return values.map { value in
                guard case .object(let object) = value else {
                    return .failure(
                        CallValidationError(field: "item", message: "must be a \(noun) object, got \(value.typeName)"))
                }
                return .success(object)
            }
        default:
            throw APIError(
                .badRequest, .invalidJSON,
                "request body must be a \(noun) object or an array of them, got \(document.typeName)")
        }
    }

    /// Reads each object with `read`, keeping every item's index.
    static func decode<T>(
        _ body: ByteBuffer, noun: String, _ read: (JSONObject) throws(CallValidationError) -> T
    ) throws(APIError) -> [(index: Int, result: Result<T, CallValidationError>)] {
        try items(body, noun: noun).enumerated().map { index, item in
            (index, item.flatMap { object in Result { () throws(CallValidationError) in try read(object) } })
        }
    }

    /// The answer `{"accepted","duplicates","rejected":[{"index","field","error"}]}`, rejections by index.
    static func answer(_ outcome: EventOutcome, refusedEarly: [EventOutcome.Rejection]) -> Response {
        let rejected = (refusedEarly + outcome.rejected).sorted { $0.index < $1.index }
        return JSONResponse.make([
            "accepted": .integer(Int64(outcome.accepted)), "duplicates": .integer(Int64(outcome.duplicates)),
            "rejected": .array(
                rejected.map { rejection in
                    [
                        "index": .integer(Int64(rejection.index)), "field": .string(rejection.error.field),
                        "error": .string(rejection.error.message),
                    ]
                }),
        ])
    }
}

/// The fields of one event object, read by JSON name; every problem names the field.
struct EventFields {
    let object: JSONObject

    /// - Throws: for a field not in `allowed`.
    init(_ object: JSONObject, allowed: [String], noun: String) throws(CallValidationError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw CallValidationError(
                field: unknown, message: "unknown field; a \(noun) has \(allowed.joined(separator: ", "))")
        }
        self.object = object
    }

    /// The value, nil if absent or null.
    func optional(_ name: String) -> JSONValue? {
        guard let value = object[name], value != .null else { return nil }
        return value
    }

    func required(_ name: String) throws(CallValidationError) -> JSONValue {
        guard let value = optional(name) else { throw CallValidationError(field: name, message: "is required") }
        return value
    }

    func string(_ name: String) throws(CallValidationError) -> String {
        try Self.string(try required(name), name)
    }

    func optionalString(_ name: String) throws(CallValidationError) -> String? {
        guard let value = optional(name) else { return nil }
        return try Self.string(value, name)
    }

    static func string(_ value: JSONValue, _ name: String) throws(CallValidationError) -> String {
        guard case .string(let text) = value else {
            throw CallValidationError(field: name, message: "must be a string, got \(value.excerpt())")
        }
        return text
    }

    func bool(_ name: String) throws(CallValidationError) -> Bool {
        let value = try required(name)
        guard case .bool(let flag) = value else {
            throw CallValidationError(field: name, message: "must be true or false, got \(value.excerpt())")
        }
        return flag
    }

    func optionalInteger(_ name: String, unit: String) throws(CallValidationError) -> Int64? {
        guard let value = optional(name) else { return nil }
        guard case .integer(let number) = value else {
            throw CallValidationError(field: name, message: "must be a whole number of \(unit), got \(value.excerpt())")
        }
        return number
    }

    /// One of `T`'s raw values; the message lists them, with their Chinese labels when `labels` gives them.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type, labels: ((T) -> String)? = nil)
        throws(CallValidationError) -> T
    where T.RawValue == String {
        try Self.choice(try string(name), name, T.self, labels: labels)
    }

    /// `text` as one of `T`'s raw values (or Chinese labels), or the error naming `name` that lists them.
    static func choice<T: RawRepresentable & CaseIterable>(
        _ text: String, _ name: String, _: T.Type, labels: ((T) -> String)? = nil
    ) throws(CallValidationError) -> T
    where T.RawValue == String {
        if let value = T(rawValue: text) { return value }
        if let labels, let value = T.allCases.first(where: { labels($0) == text }) { return value }
        let allowed = T.allCases.map { value in
            labels.map { "\(value.rawValue) (\($0(value)))" } ?? value.rawValue
        }
        throw CallValidationError(
            field: name, message: "\(JSONValue.string(text).excerpt()) is not one of \(allowed.joined(separator: ", "))")
    }

    func time(_ name: String) throws(CallValidationError) -> OffsetDateTime {
        try EventRules.time(try string(name), field: name)
    }

    func community(_ name: String = "community") throws(CallValidationError) -> NodeCode {
        try Self.community(try string(name), name)
    }

    /// `text` as a node code, or the error naming `name`.
    static func community(_ text: String, _ name: String = "community") throws(CallValidationError) -> NodeCode {
        do throws(ReplicationError) {
            return try NodeCode(text)
        } catch {
            throw CallValidationError(field: name, message: error.message)
        }
    }
}
