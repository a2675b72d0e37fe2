import Eldercare
import Hummingbird

/// An error the API reports to its caller: an HTTP status and the JSON body
/// `{"error":{"code":"...","message":"..."}}`. The code is stable for programs to switch on; the
/// message says what to change.
///
///     throw APIError(.badRequest, .invalidParameter, "from: \"2026-13-01\" is not a date YYYY-MM-DD")
struct APIError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    /// The codes documented in docs/API.md.
    enum Code: String, Sendable {
        case invalidJSON = "invalid_json"
        case invalidField = "invalid_field"
        case invalidParameter = "invalid_parameter"
        case forbiddenScope = "forbidden_scope"
        case unauthorized = "unauthorized"
        case operatorTokenRequired = "operator_token_required"
        case notFound = "not_found"
        case invalidState = "invalid_state"
        case payloadTooLarge = "payload_too_large"
        case badRequest = "bad_request"
        case storageError = "storage_error"
        case storageFull = "storage_full"
        case internalError = "internal_error"
    }

    let status: HTTPResponse.Status
    let code: Code
    let message: String

    init(_ status: HTTPResponse.Status, _ code: Code, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// A domain rule's refusal as the API answers it: 404 for `not_found`, 403 for `forbidden_scope`
    /// and `outside_subtree`, 409 for `invalid_state`, 500 for `storage_error`, otherwise 400.
    init(_ error: DomainError) {
        switch error.code {
        case .notFound: self.init(.notFound, .notFound, error.message)
        case .forbiddenScope, .outsideSubtree: self.init(.forbidden, .forbiddenScope, error.message)
        case .invalidState: self.init(.conflict, .invalidState, error.message)
        case .storage: self.init(.internalServerError, .storageError, error.message)
        case .invalidResidentID, .invalidField: self.init(.badRequest, .invalidField, error.message)
        }
    }

    var description: String { "\(status.code) \(code.rawValue): \(message)" }

    var body: JSONValue {
        ["error": ["code": .string(code.rawValue), "message": .string(message)]]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response(request)
    }

    func response(_ request: Request) -> Response {
        var response = JSONResponse.make(body, status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}
