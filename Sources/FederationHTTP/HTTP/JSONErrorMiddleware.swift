import Eldercare
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
        } catch let error as DomainError {
            return APIError(error).response(request)
        } catch let error as ReplicationError where error.code == .storageFull {
            logger.error(
                "request refused: the database is full",
                metadata: ["path": "\(request.uri.path)", "error": "\(error.message)"])
            return APIError(
                .init(code: 507, reasonPhrase: "Insufficient Storage"), .storageFull,
                "this node's database is full (数据库已满): nothing was written. The operator raises storage.max_database_mb in node.toml or frees disk space and restarts the node; then send the same request again"
            )
            .response(request)
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
