public import Eldercare
public import Foundation

/// The node's access tokens in its data directory:
///
/// ```
/// DIR/tokens/viewer      the viewer token (dashboard, report API; personal fields masked), mode 0600
/// DIR/tokens/operator    the operator token (also ingest, roster writes, personal fields), mode 0600
/// ```
///
///     let (tokens, created) = try directory.loadOrCreateTokens()
extension DataDirectory {
    public var tokensURL: URL { url.appendingPathComponent("tokens", isDirectory: true) }

    public func tokenURL(_ role: AccessRole) -> URL { tokensURL.appendingPathComponent(role.rawValue) }

    /// Reads both tokens.
    ///
    /// - Throws: `NodeError(.dataDirectory)` if either file is missing or does not hold a token.
    public func loadTokens() throws -> AccessTokens {
        AccessTokens(viewer: try loadToken(.viewer), operator: try loadToken(.operator))
    }

    /// Reads both tokens, first creating whichever file is missing (a data directory made before
    /// tokens existed gets them on its first `fedctl run`). `created` lists the roles just created.
    public func loadOrCreateTokens() throws -> (tokens: AccessTokens, created: [AccessRole]) {
        var created: [AccessRole] = []
        for role in AccessRole.allCases where !FileManager.default.fileExists(atPath: tokenURL(role).path) {
            try writeToken(AccessTokens.makeToken(), role: role)
            created.append(role)
        }
        return (try loadTokens(), created)
    }

    /// Replaces a role's token with a fresh one and returns it. A running node reads its tokens at
    /// start: restart it for the new token to apply.
    @discardableResult
    public func rotateToken(_ role: AccessRole) throws -> String {
        let token = AccessTokens.makeToken()
        try writeToken(token, role: role)
        return token
    }

    func writeToken(_ token: String, role: AccessRole) throws {
        let files = FileManager.default
        do {
            try files.createDirectory(at: tokensURL, withIntermediateDirectories: true)
            try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: tokensURL.path)
            // Created with mode 0600 before the token is written, so it is never readable by others.
            let temporary = tokensURL.appendingPathComponent(".\(role.rawValue).tmp")
            try? files.removeItem(at: temporary)
            guard files.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw NodeError(.dataDirectory, "cannot create \(temporary.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: Data((token + "\n").utf8))
            try handle.close()
            try? files.removeItem(at: tokenURL(role))
            try files.moveItem(at: temporary, to: tokenURL(role))
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenURL(role).path)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(.dataDirectory, "cannot write \(tokenURL(role).path): \(error.localizedDescription)")
        }
    }

    private func loadToken(_ role: AccessRole) throws -> String {
        let file = tokenURL(role)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw NodeError(
                .dataDirectory,
                "missing \(file.path): run fedctl token rotate --data \(url.path) --role \(role.rawValue) to create it")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard AccessTokens.isWellFormed(token) else {
            throw NodeError(
                .dataDirectory,
                "\(file.path) does not hold a token (64 hex digits): run fedctl token rotate --data \(url.path) --role \(role.rawValue)"
            )
        }
        return token
    }
}
