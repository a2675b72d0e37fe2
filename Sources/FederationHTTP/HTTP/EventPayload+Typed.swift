import Eldercare
import Foundation
import Hummingbird
import Replication

/// The typed fields of one event object, decoded with `Codable` straight from the body — no `JSONValue`
/// tree, whose `init(from:)` tries each JSON type in turn and pays a thrown `DecodingError` for every
/// miss. Decoding fails (and the item falls back to `EventFields`, which names the field exactly as
/// before) on anything but a well-typed object of known fields; `record()` then makes the same value
/// checks, in the same order, as the `EventFields` path, so an item gets the same answer either way.
///
///     let items = try EventPayload.decode(body, noun: "call", as: CallFields.self, slow: CallPayload.call)
protocol EventItemFields: Decodable {
    associatedtype Record
    /// The checked record, or the first field at fault.
    func record() throws(CallValidationError) -> Record
}

/// Any JSON member name (to find unknown fields).
struct AnyCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Why the typed decoding of an item stopped (the item is then read through `EventFields`).
struct NotTheFastPath: Error {}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// Fails if a member is not one of `allowed`.
    func checkKnown(_ allowed: [String]) throws {
        guard allKeys.allSatisfy({ allowed.contains($0.stringValue) }) else { throw NotTheFastPath() }
    }

    func value<T: Decodable>(_ name: String, _: T.Type = T.self) throws -> T {
        try decode(T.self, forKey: AnyCodingKey(stringValue: name))
    }

    func optionalValue<T: Decodable>(_ name: String, _: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: AnyCodingKey(stringValue: name))
    }
}

/// One array item: its typed fields, or (when it is not a well-typed object of known fields) its JSON.
enum DecodedItem<Fields: EventItemFields>: Decodable {
    case typed(Fields)
    case json(JSONValue)

    init(from decoder: any Decoder) throws {
        do {
            self = .typed(try Fields(from: decoder))
        } catch {
            self = .json(try JSONValue(from: decoder))
        }
    }
}

/// A request body: an array read item by item, or any other JSON value.
enum DecodedBody<Fields: EventItemFields>: Decodable {
    case array([DecodedItem<Fields>])
    case other(JSONValue)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let items = try? container.decode([DecodedItem<Fields>].self) {
            self = .array(items)
        } else {
            self = .other(try JSONValue(from: decoder))
        }
    }
}

extension EventPayload {
    /// The items of the body, each decoded into `Fields` and checked, or read with `slow` (the
    /// `EventFields` path) when it is not a well-typed object; every item keeps its index.
    ///
    /// - Throws: `APIError` 400 `invalid_json` if the body is not JSON, or neither an object nor an array;
    ///   413 `payload_too_large` for more than `maxItems` items.
    static func decode<Fields: EventItemFields>(
        _ body: ByteBuffer, noun: String, as _: Fields.Type,
        slow: (JSONObject) throws(CallValidationError) -> Fields.Record
    ) throws(APIError) -> [(index: Int, result: Result<Fields.Record, CallValidationError>)] {
        let document: DecodedBody<Fields>
        do {
            document = try JSONDecoder().decode(DecodedBody<Fields>.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, .invalidJSON, "request body is not valid JSON: \(CallPayload.describe(error))")
        }
        switch document {
        case .array(let items):
            guard items.count <= maxItems else {
                throw APIError(
                    .contentTooLarge, .payloadTooLarge,
                    "\(items.count) \(noun)s in one request; send at most \(maxItems)")
            }
            return items.enumerated().map { index, item in
                switch item {
                case .typed(let fields):
                    return (index, Result { () throws(CallValidationError) in try fields.record() })
                case .json(.object(let object)):
                    return (index, Result { () throws(CallValidationError) in try slow(object) })
                case .json(let value):
                    return (
                        index,
                        .failure(
                            CallValidationError(
                                field: "item", message: "must be a \(noun) object, got \(value.typeName)"))
                    )
                }
            }
        case .other(.object(let object)):
            return [(0, Result { () throws(CallValidationError) in try slow(object) })]
        case .other(let value):
            throw APIError(
                .badRequest, .invalidJSON,
                "request body must be a \(noun) object or an array of them, got \(value.typeName)")
        }
    }
}

/// A call's fields (`CallPayload.fields`), typed.
struct CallFields: EventItemFields {
    let id, receivedAt, channel, type: String
    let effective: Bool
    let community: String
    let elderID, outcome, handler: String?
    let responseSeconds: Int64?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyCodingKey.self)
        try fields.checkKnown(CallPayload.fields)
        id = try fields.value("id")
        receivedAt = try fields.value("received_at")
        channel = try fields.value("channel")
        type = try fields.value("type")
        effective = try fields.value("effective")
        community = try fields.value("community")
        elderID = try fields.optionalValue("elder_id")
        outcome = try fields.optionalValue("outcome")
        handler = try fields.optionalValue("handler")
        responseSeconds = try fields.optionalValue("response_seconds")
    }

    func record() throws(CallValidationError) -> CallRecord {
        let receivedAt = try EventRules.time(receivedAt, field: "received_at")
        let channel = try EventFields.choice(channel, "channel", CallChannel.self)
        let type = try EventFields.choice(type, "type", CallType.self)
        let community = try EventFields.community(community)
        return try CallRecord(
            id: id, receivedAt: receivedAt, channel: channel, type: type, effective: effective, community: community,
            elderID: elderID, outcome: outcome, handler: handler, responseSeconds: responseSeconds)
    }
}

/// A visit's fields (`VisitPayload.fields`), typed.
struct VisitFields: EventItemFields {
    let id, elderID, providerID, category, item, checkIn, checkOut, community: String
    let location: String?
    let photoCount: Int64?
    let status: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyCodingKey.self)
        try fields.checkKnown(VisitPayload.fields)
        id = try fields.value("id")
        elderID = try fields.value("elder_id")
        providerID = try fields.value("provider_id")
        category = try fields.value("category")
        item = try fields.value("item")
        checkIn = try fields.value("check_in")
        checkOut = try fields.value("check_out")
        community = try fields.value("community")
        location = try fields.optionalValue("location")
        photoCount = try fields.optionalValue("photo_count")
        status = try fields.optionalValue("status")
    }

    func record() throws(CallValidationError) -> VisitRecord {
        let category = try EventFields.choice(category, "category", ServiceCategory.self, labels: { $0.chineseLabel })
        let checkIn = try EventRules.time(checkIn, field: "check_in")
        let checkOut = try EventRules.time(checkOut, field: "check_out")
        let community = try EventFields.community(community)
        var status = VisitStatus.completed
        if let text = self.status { status = try EventFields.choice(text, "status", VisitStatus.self) }
        return try VisitRecord(
            id: id, elderID: elderID, providerID: providerID, category: category, item: item, checkIn: checkIn,
            checkOut: checkOut, community: community, location: location, photoCount: photoCount, status: status)
    }
}

/// A callback's fields (`CallbackPayload.fields`), typed.
struct CallbackFields: EventItemFields {
    let id, visitID, at, score: String
    let complaint: Bool
    let community: String

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyCodingKey.self)
        try fields.checkKnown(CallbackPayload.fields)
        id = try fields.value("id")
        visitID = try fields.value("visit_id")
        at = try fields.value("at")
        score = try fields.value("score")
        complaint = try fields.value("complaint")
        community = try fields.value("community")
    }

    func record() throws(CallValidationError) -> CallbackRecord {
        let at = try EventRules.time(at, field: "at")
        let score = try EventFields.choice(score, "score", SatisfactionScore.self, labels: { $0.chineseLabel })
        let community = try EventFields.community(community)
        return try CallbackRecord(
            id: id, visitID: visitID, at: at, score: score, complaint: complaint, community: community)
    }
}
