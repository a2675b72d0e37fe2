import Hummingbird
import Logging
import Replication

/// Turns every error that escapes a route (or the router's "no such route") into a JSON error body,
/// so a caller never has to parse HTML or an empty 500.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response(request)
        } catch let page as AccessDeniedPage {
            return page.response()
        } catch let error as ReplicationError {
            logger.error("request failed in the store", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError(.serviceUnavailable, .storageError, "the database refused the operation: \(error.message)")
                .response(request)
        } catch let error as any HTTPResponseError {
            return Self.translate(error, request).response(request)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError(.internalServerError, .internalError, "internal error; the node's log has the details")
                .response(request)
        }
    }

    /// Hummingbird's own errors (no route, body too large, …) in the API's shape.
    static func translate(_ error: any HTTPResponseError, _ request: Request) -> APIError {
        switch error.status {
        case .notFound:
            return APIError(.notFound, .notFound, "no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge:
            return APIError(
                .contentTooLarge, .payloadTooLarge, "request body is larger than \(NodeAPI.maxBodyBytes) bytes")
        default:
            let message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            let code: APIError.Code = error.status.code >= 500 ? .internalError : .badRequest
            return APIError(error.status, code, message)
        }
    }
}
