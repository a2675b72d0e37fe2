import Eldercare
import Foundation
import Hummingbird
import Replication

/// The roster's handlers (`/api/v1/elders`), over one node's context. Routes are registered in `NodeHTTP`.
struct RosterAPI: Sendable {
    /// Largest body of `POST /api/v1/elders` (about 10,000 elders).
    static let maxBodyBytes = 4 << 20
    /// Largest CSV file of `POST /api/v1/elders/import` (several hundred thousand rows).
    static let maxImportBytes = 64 << 20
    /// Largest page of `GET /api/v1/elders`.
    static let maxPerPage = 500

    let context: NodeContext
    /// Wall clock (ages in the audit are counted to today in China Standard Time).
    var now: @Sendable () -> Date = { Date() }

    /// `POST /api/v1/elders`: check every item, write the good ones in one transaction.
    func postElders(_ request: Request) async throws -> Response {
        let body = try await Self.collect(request, upTo: Self.maxBodyBytes)
        let node = context.code
        let checked = try await NodeAPI.offload { () throws(APIError) -> [(Int, Result<ElderInput, ElderFieldError>)] in
            try ElderPayload.decode(body).enumerated().map { index, item in
                (
                    index,
                    item.flatMap { fields in Result { () throws(ElderFieldError) in try ElderInput(fields, node: node) }
                    }
                )
            }
        }
        return try await record(checked)
    }

    /// `POST /api/v1/elders/import`: a CSV file; `index` in the answer is the data row number and
    /// `line` the line of the file. Every line under the header is accepted, a duplicate, rejected
    /// (a line whose quotes cannot be read among them) or blank: nothing is dropped unsaid.
    func importElders(_ request: Request) async throws -> Response {
        let body = try await Self.collect(request, upTo: Self.maxImportBytes)
        let node = context.code
        let checked = try await NodeAPI.offload { () throws(APIError) -> [(Int, Result<ElderInput, ElderFieldError>)] in
            let sheet: RosterCSV
            do throws(RosterCSV.FileError) {
                sheet = try RosterCSV(body.readableBytesView)
            } catch {
                let code: APIError.Code = error.missingColumns.isEmpty ? .badRequest : .invalidField
                throw APIError(.badRequest, code, error.message)
            }
            // Checking a row (resident ID, dates, every field's characters) is most of an import's
            // work before the write: spread it over the cores, rows kept in order.
            let read = sheet.rows.concurrentMap { row in
                (row.number, Result { () throws(ElderFieldError) in try ElderInput(row.fields, node: node) })
            }
            let unread = sheet.malformed.map { row in
                (row.number, Result<ElderInput, ElderFieldError>.failure(row.error))
            }
            return unread.isEmpty ? read : (read + unread).sorted { $0.0 < $1.0 }
        }
        return try await record(checked, lineOfIndex: { $0 + 1 })
    }

    /// `GET /api/v1/elders?page=&per_page=&community=`; resident IDs, birth dates, phones, names, addresses and
    /// emergency contacts in full only when `unmasked` (the operator's token), otherwise as `ViewerMask` shows them.
    func listElders(_ request: Request, unmasked: Bool = false) async throws -> Response {
        let parameters = request.uri.queryParameters
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = parameters[Substring(name)] else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "\(name): \"\(text)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        let page = try number("page", default: 1, range: 1...1_000_000)
        let perPage = try number("per_page", default: 50, range: 1...Self.maxPerPage)
        let area = try scope(parameters["community"].map(String.init))
        let result = try await context.store.database.read { db in
            try Roster.page(db, scope: area, page: page, perPage: perPage)
        }
        return JSONResponse.make([
            "page": .integer(Int64(page)), "per_page": .integer(Int64(perPage)), "total": .integer(Int64(result.total)),
            "elders": .array(result.elders.map { Self.json($0, unmasked: unmasked) }),
        ])
    }

    // MARK: - Helpers

    /// The `community` parameter (any code in this node's subtree), or the node's own code.
    func scope(_ text: String?) throws -> NodeCode {
        guard let text else { return context.code }
        let scope: NodeCode
        do {
            scope = try NodeCode(text)
        } catch {
            throw APIError(.badRequest, .invalidParameter, "community: \(error.message)")
        }
        guard context.code.contains(scope) else {
            throw APIError(
                .forbidden, .forbiddenScope,
                "community: \(scope.rawValue) is outside this node's area \(context.code.rawValue)")
        }
        return scope
    }

    /// Writes the good items and answers `{"accepted","duplicates","rejected"}`; with `lineOfIndex`
    /// (a CSV import) each rejection also names its `line`.
    private func record(
        _ checked: [(Int, Result<ElderInput, ElderFieldError>)], lineOfIndex: ((Int) -> Int)? = nil
    ) async throws -> Response {
        var good: [(index: Int, elder: ElderInput)] = []
        var rejected: [(index: Int, error: ElderFieldError)] = []
        for (index, result) in checked {
            switch result {
            case .success(let elder): good.append((index, elder))
            case .failure(let error): rejected.append((index, error))
            }
        }
        let store = context.store
        let items = good
        let outcome = try await NodeAPI.offload { try Roster.record(items, in: store) }
        rejected = (rejected + outcome.rejected).sorted { $0.index < $1.index }
        context.metrics.recordIngest(
            kind: "elders", accepted: outcome.accepted, duplicates: outcome.duplicates, rejected: rejected.count)
        if outcome.accepted > 0 || !rejected.isEmpty {
            context.logger.info(
                "roster written",
                metadata: [
                    "accepted": "\(outcome.accepted)", "duplicates": "\(outcome.duplicates)",
                    "rejected": "\(rejected.count)",
                ])
        }
        return JSONResponse.make([
            "accepted": .integer(Int64(outcome.accepted)), "duplicates": .integer(Int64(outcome.duplicates)),
            "rejected": .array(
                rejected.map { index, error in
                    var members: [(key: String, value: JSONValue)] = [("index", .integer(Int64(index)))]
                    if let lineOfIndex { members.append(("line", .integer(Int64(lineOfIndex(index))))) }
                    members += [("field", .string(error.field)), ("error", .string(error.message))]
                    return .object(JSONObject(members))
                }),
        ])
    }

    /// The body, or `413 payload_too_large` naming the limit.
    static func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(
                .contentTooLarge, .payloadTooLarge,
                "request body is larger than \(limit >> 20) MiB; split the roster into smaller files")
        }
    }

    /// One elder in the list: fields in documented order, personal fields (resident ID, birth date,
    /// phone, name, address, emergency contacts) masked by `ViewerMask` unless `unmasked`.
    static func json(_ elder: [String: Value], unmasked: Bool = false) -> JSONValue {
        .object(
            JSONObject(
                ElderInput.fields.map { field in
                    let value = elder[field] ?? .null
                    let json: JSONValue =
                        switch (field, value) {
                        case ("resident_id", .text(let text)) where !unmasked: .string(ViewerMask.residentID(text))
                        case ("birth_date", .text(let text)) where !unmasked: .string(ViewerMask.birthDate(text))
                        case ("phone", .text(let text)) where !unmasked: .string(ViewerMask.phone(text))
                        case ("name", .text(let text)) where !unmasked: .string(ViewerMask.name(text))
                        case ("address", .text(let text)) where !unmasked: .string(ViewerMask.address(text))
                        case ("categories", .text(let text)):
                            .array(text.split(separator: ",").map { .string(String($0)) })
                        case ("categories", .null): .array([])
                        case ("emergency_contacts", .text(let text)): Self.contacts(text, unmasked: unmasked)
                        case (_, .text(let text)): .string(text)
                        case (_, .integer(let number)): .integer(number)
                        case (_, .real(let number)): .number(number)
                        case (_, .null): .null
                        }
                    return (key: field, value: json)
                }))
    }

    /// Emergency contacts as a list, names and phones masked unless `unmasked`; stored text this version
    /// cannot read is left out.
    static func contacts(_ text: String, unmasked: Bool) -> JSONValue {
        guard let contacts = try? EmergencyContacts.parse(text) else { return .array([]) }
        return .array(
            contacts.map { contact in
                [
                    "name": .string(unmasked ? contact.name : ViewerMask.name(contact.name)),
                    "relation": contact.relation.map { .string($0) } ?? .null,
                    "phone": .string(unmasked ? contact.phone : ViewerMask.phone(contact.phone)),
                ]
            })
    }
}
