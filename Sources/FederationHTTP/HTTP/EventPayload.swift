import Eldercare
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
