import Hummingbird

/// Times every request and records it in the node's `eldercare_http_request_duration_seconds`
/// histogram, labelled by route (the pattern, e.g. `/api/v1/calls`, or `unmatched`), method and status.
/// Added first, so it sees the final status of errors turned into responses and of refused tokens.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: NodeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context, status: error.status.code, since: start)
            throw error
        } catch {
            record(request, context, status: 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status,
            duration: ContinuousClock.now - start)
    }
}
