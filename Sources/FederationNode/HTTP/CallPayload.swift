import Foundation
import Hummingbird
import Replication

/// The body of `POST /api/v1/calls`: one call object or an array of them, read into `CallRecord`s.
/// Every item is checked before anything is recorded; the first problem is reported with its path,
/// e.g. `calls[3].channel: "fax" is not one of hotline, sos_key, help_key, app, walk_in`.
enum CallPayload {
    /// Most calls in one request.
    static let maxCalls = 1_000

    /// The JSON field names of a call, in the order they are checked and documented.
    static let fields = [
        "id", "received_at", "channel", "type", "effective", "community", "elder_id", "outcome", "handler",
        "response_seconds",
    ]

    static func decode(_ body: ByteBuffer) throws(APIError) -> [CallRecord] {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, .invalidJSON, "request body is not valid JSON: \(Self.describe(error))")
        }
        switch document {
        case .object(let object):
            return [try call(object, path: "")]
        case .array(let items):
            guard items.count <= maxCalls else {
                throw APIError(
                    .contentTooLarge, .payloadTooLarge, "\(items.count) calls in one request; send at most \(maxCalls)")
            }
            var calls: [CallRecord] = []
            calls.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    throw invalid("calls[\(index)]", "must be a call object, got \(item.typeName)")
                }
                calls.append(try call(object, path: "calls[\(index)]."))
            }
            return calls
        default:
            throw APIError(
                .badRequest, .invalidJSON,
                "request body must be a call object or an array of them, got \(document.typeName)")
        }
    }

    /// One call object; `path` prefixes field names in messages (`calls[3].`, or "" for a single call).
    static func call(_ object: JSONObject, path: String) throws(APIError) -> CallRecord {
        if let unknown = object.keys.first(where: { !fields.contains($0) }) {
            throw invalid(path + unknown, "unknown field; a call has \(fields.joined(separator: ", "))")
        }
        func field(_ name: String) -> JSONValue? {
            guard let value = object[name], value != .null else { return nil }
            return value
        }
        func required(_ name: String) throws(APIError) -> JSONValue {
            guard let value = field(name) else { throw invalid(path + name, "is required") }
            return value
        }
        func string(_ value: JSONValue, _ name: String) throws(APIError) -> String {
            guard case .string(let text) = value else {
                throw invalid(path + name, "must be a string, got \(value.excerpt())")
            }
            return text
        }
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws(APIError) -> T
        where T.RawValue == String {
            let text = try string(try required(name), name)
            guard let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid(path + name, "\(JSONValue.string(text).excerpt()) is not one of \(allowed)")
            }
            return value
        }

        let id = try string(try required("id"), "id")
        let receivedText = try string(try required("received_at"), "received_at")
        guard let receivedAt = OffsetDateTime(rfc3339: receivedText) else {
            let error = CallRecord.invalidReceivedAt(receivedText)
            throw invalid(path + error.field, error.message)
        }
        let channel = try choice("channel", CallChannel.self)
        let type = try choice("type", CallType.self)
        let effectiveValue = try required("effective")
        guard case .bool(let effective) = effectiveValue else {
            throw invalid(path + "effective", "must be true or false, got \(effectiveValue.excerpt())")
        }
        let communityText = try string(try required("community"), "community")
        let community: NodeCode
        do throws(ReplicationError) {
            community = try NodeCode(communityText)
        } catch {
            throw invalid(path + "community", error.message)
        }
        let elderID = try field("elder_id").map { value throws(APIError) in try string(value, "elder_id") }
        let outcome = try field("outcome").map { value throws(APIError) in try string(value, "outcome") }
        let handler = try field("handler").map { value throws(APIError) in try string(value, "handler") }
        var responseSeconds: Int64?
        if let value = field("response_seconds") {
            guard case .integer(let seconds) = value else {
                throw invalid(path + "response_seconds", "must be a whole number of seconds, got \(value.excerpt())")
            }
            responseSeconds = seconds
        }
        do throws(CallValidationError) {
            return try CallRecord(
                id: id, receivedAt: receivedAt, channel: channel, type: type, effective: effective,
                community: community, elderID: elderID, outcome: outcome, handler: handler,
                responseSeconds: responseSeconds)
        } catch {
            throw invalid(path + error.field, error.message)
        }
    }

    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, .invalidField, "\(field): \(message)")
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
