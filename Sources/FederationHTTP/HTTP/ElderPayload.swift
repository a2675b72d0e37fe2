import Eldercare
import Foundation
import Hummingbird

/// The body of `POST /api/v1/elders`: a JSON array of elder objects (or one object), read into the
/// fields `ElderInput` checks. An item that is not an object, has an unknown field or a value of the
/// wrong JSON type is refused on its own; the other items go on.
enum ElderPayload {
    /// One item: its fields, or why it was refused before the roster rules ran.
    typealias Item = Result<[String: ElderFieldValue], ElderFieldError>

    static func decode(_ body: ByteBuffer) throws(APIError) -> [Item] {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, .invalidJSON, "request body is not valid JSON: \(CallPayload.describe(error))")
        }
        switch document {
        case .object(let object): return [item(object)]
        case .array(let values):
            return values.map { value in
                guard case .object(let object) = value else {
                    return .failure(ElderFieldError("item", "must be an elder object, got \(value.typeName)"))
                }
                return item(object)
            }
        default:
            throw APIError(
                .badRequest, .invalidJSON, "request body must be an array of elder objects, got \(document.typeName)")
        }
    }

    static func item(_ object: JSONObject) -> Item {
        var fields: [String: ElderFieldValue] = [:]
        for (key, value) in object.members {
            guard ElderInput.fields.contains(key) else {
                return .failure(
                    ElderFieldError(key, "unknown field; an elder has \(ElderInput.fields.joined(separator: ", "))"))
            }
            switch value {
            case .array where key == "emergency_contacts", .object where key == "emergency_contacts":
                fields[key] = .text(value.serialized())
            case .null: fields[key] = nil
            case .string(let text): fields[key] = .text(text)
            case .integer(let number): fields[key] = .integer(number)
            case .array(let items):
                var texts: [String] = []
                for item in items {
                    guard case .string(let text) = item else {
                        return .failure(ElderFieldError(key, "must be a list of texts, got \(item.excerpt()) in it"))
                    }
                    texts.append(text)
                }
                fields[key] = .list(texts)
            case .number, .bool, .object:
                let wanted = ["monthly_hours", "monthly_subsidy"].contains(key) ? "a whole number" : "text"
                return .failure(ElderFieldError(key, "must be \(wanted), got \(value.excerpt())"))
            }
        }
        return .success(fields)
    }
}
