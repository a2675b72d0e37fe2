import Eldercare
import Hummingbird
import Replication

/// The body of `POST /api/v1/visits`: one visit object or an array of them.
enum VisitPayload {
    /// The JSON field names of a visit, in documented order.
    static let fields = [
        "id", "elder_id", "provider_id", "category", "item", "check_in", "check_out", "community", "location",
        "photo_count", "status",
    ]

    static func decode(_ body: ByteBuffer) throws(APIError) -> [(
        index: Int, result: Result<VisitRecord, CallValidationError>
    )] {
        try EventPayload.decode(body, noun: "visit", as: VisitFields.self) { object throws(CallValidationError) in
            try visit(object)
        }
    }

    static func visit(_ object: JSONObject) throws(CallValidationError) -> VisitRecord {
        let fields = try EventFields(object, allowed: Self.fields, noun: "visit")
        let id = try fields.string("id")
        let elderID = try fields.string("elder_id")
        let providerID = try fields.string("provider_id")
        let category = try fields.choice("category", ServiceCategory.self, labels: { $0.chineseLabel })
        let item = try fields.string("item")
        let checkIn = try fields.time("check_in")
        let checkOut = try fields.time("check_out")
        let community = try fields.community()
        let location = try fields.optionalString("location")
        let photoCount = try fields.optionalInteger("photo_count", unit: "photos")
        var status = VisitStatus.completed
        if fields.optional("status") != nil { status = try fields.choice("status", VisitStatus.self) }
        return try VisitRecord(
            id: id, elderID: elderID, providerID: providerID, category: category, item: item, checkIn: checkIn,
            checkOut: checkOut, community: community, location: location, photoCount: photoCount, status: status)
    }
}

/// The body of `POST /api/v1/callbacks`: one callback object or an array of them.
enum CallbackPayload {
    /// The JSON field names of a callback, in documented order.
    static let fields = ["id", "visit_id", "at", "score", "complaint", "community"]

    static func decode(_ body: ByteBuffer) throws(APIError)
        -> [(index: Int, result: Result<CallbackRecord, CallValidationError>)]
    {
        try EventPayload.decode(body, noun: "callback", as: CallbackFields.self) { object throws(CallValidationError) in
            try callback(object)
        }
    }

    static func callback(_ object: JSONObject) throws(CallValidationError) -> CallbackRecord {
        let fields = try EventFields(object, allowed: Self.fields, noun: "callback")
        let id = try fields.string("id")
        let visitID = try fields.string("visit_id")
        let at = try fields.time("at")
        let score = try fields.choice("score", SatisfactionScore.self, labels: { $0.chineseLabel })
        let complaint = try fields.bool("complaint")
        let community = try fields.community()
        return try CallbackRecord(
            id: id, visitID: visitID, at: at, score: score, complaint: complaint, community: community)
    }
}
