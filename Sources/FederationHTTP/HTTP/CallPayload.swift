import Eldercare
import Foundation
import Hummingbird
import Replication

/// The body of `POST /api/v1/calls`: one call object or an array of them, each read into a `CallRecord`
/// or refused on its own with the field at fault, e.g. `channel: "fax" is not one of hotline, …`.
enum CallPayload {
    /// Most calls in one request.
    static let maxCalls = EventPayload.maxItems

    /// The JSON field names of a call, in the order they are checked and documented.
    static let fields = [
        "id", "received_at", "channel", "type", "effective", "community", "elder_id", "outcome", "handler",
        "response_seconds",
    ]

    static func decode(_ body: ByteBuffer) throws(APIError) -> [(
        index: Int, result: Result<CallRecord, CallValidationError>
    )] {
        try EventPayload.decode(body, noun: "call", as: CallFields.self) { object throws(CallValidationError) in
            try call(object)
        }
    }

    /// One call object.
    static func call(_ object: JSONObject) throws(CallValidationError) -> CallRecord {
        let fields = try EventFields(object, allowed: Self.fields, noun: "call")
        let id = try fields.string("id")
        let receivedAt = try fields.time("received_at")
        let channel = try fields.choice("channel", CallChannel.self)
        let type = try fields.choice("type", CallType.self)
        let effective = try fields.bool("effective")
        let community = try fields.community()
        let elderID = try fields.optionalString("elder_id")
        let outcome = try fields.optionalString("outcome")
        let handler = try fields.optionalString("handler")
        let responseSeconds = try fields.optionalInteger("response_seconds", unit: "seconds")
        return try CallRecord(
            id: id, receivedAt: receivedAt, channel: channel, type: type, effective: effective, community: community,
            elderID: elderID, outcome: outcome, handler: handler, responseSeconds: responseSeconds)
    }

    /// A decoding error in a sentence (Foundation's descriptions are long and nested).
    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
