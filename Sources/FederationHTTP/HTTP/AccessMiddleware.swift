import Eldercare
import Hummingbird

/// Checks every request's token and puts its role in the context.
///
/// - `/healthz` and `/metrics` are open (they carry no personal data).
/// - Everything else needs the viewer or the operator token: `Authorization: Bearer TOKEN`; on GET,
///   also the `eldercare_token` cookie, and on dashboard pages (outside `/api/`) `?token=TOKEN`, which
///   sets that cookie (HttpOnly, SameSite=Strict) so the page's later loads work.
/// - Any method other than GET/HEAD needs the operator token (403 for the viewer's).
///
/// Without a valid token: 401, as JSON under `/api/` and as a small bilingual page elsewhere.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext

    /// The cookie holding a token given once in a dashboard URL.
    static let cookieName = "eldercare_token"
    /// Paths served without a token.
    static let openPaths: Set<String> = ["/healthz", "/metrics"]

    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!

    let tokens: AccessTokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        if Self.openPaths.contains(path) { return try await next(request, context) }
        let isAPI = path.hasPrefix("/api/")
        let isRead = request.method == .get || request.method == .head
        var presented: String?
        var fromQuery = false
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw Self.unauthorized(
                    isAPI, "the Authorization header must be \"Bearer TOKEN\"")
            }
            presented = parts[1].trimmingCharacters(in: .whitespaces)
        } else if isRead, !isAPI, let query = request.uri.queryParameters["token"] {
            presented = String(query)
            fromQuery = true
        } else if isRead, let cookie = request.cookies[Self.cookieName] {
            presented = cookie.value
        }
        guard let presented else {
            throw Self.unauthorized(isAPI, "this node needs an access token")
        }
        guard let role = tokens.role(for: presented) else {
            throw Self.unauthorized(isAPI, "the access token is not this node's")
        }
        if !isRead && role != .operator {
            throw APIError(
                .forbidden, .operatorTokenRequired,
                "\(request.method) \(path) needs the operator token; the viewer token only reads. Print it on the node with fedctl token show --data DIR --role operator"
            )
        }
        var context = context
        context.role = role
        var response = try await next(request, context)
        if fromQuery {
            response.setCookie(
                Cookie(name: Self.cookieName, value: presented, path: "/", httpOnly: true, sameSite: .strict))
            // The token is in this page's URL: keep it out of Referer headers.
            response.headers[Self.referrerPolicy] = "no-referrer"
        }
        return response
    }

    /// 401 with what to do next; `APIError` renders it as JSON, `AccessDeniedPage` as HTML.
    static func unauthorized(_ isAPI: Bool, _ reason: String) -> any Error {
        let message =
            "\(reason). Send Authorization: Bearer TOKEN (or open the dashboard as /?token=TOKEN); the node's operator prints the tokens with fedctl token show --data DIR --role viewer|operator"
        let error = APIError(.unauthorized, .unauthorized, message)
        return isAPI ? error : AccessDeniedPage(error: error)
    }
}

/// The 401 page a browser sees on a dashboard page without a token (Chinese and English).
struct AccessDeniedPage: Error, HTTPResponseError {
    let error: APIError

    var status: HTTPResponse.Status { error.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        let message = HTML.escape(error.message)
        let page = """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>需要访问令牌 · Access token needed</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;line-height:1.5;color:#222}
            code{background:#f2f2f2;padding:0 .3em}</style></head>
            <body><h1>需要访问令牌</h1>
            <p>请使用节点管理员提供的链接打开本页（<code>/?token=令牌</code>）。管理员可在节点上运行
            <code>fedctl token show --data 数据目录 --role viewer</code> 获取查看令牌。</p>
            <h2>Access token needed</h2>
            <p>Open this page with the link your node's operator gives you (<code>/?token=TOKEN</code>). The operator
            prints the viewer token on the node with <code>fedctl token show --data DIR --role viewer</code>.</p>
            <p><small>\(message)</small></p>
            </body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.wwwAuthenticate] = "Bearer"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
