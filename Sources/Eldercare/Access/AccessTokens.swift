/// A node's two access tokens: 256 random bits each, as 64 lowercase hex digits.
///
/// They live in the data directory (`tokens/viewer`, `tokens/operator`, mode 0600) and are sent as
/// `Authorization: Bearer TOKEN`:
///
///     let tokens = try DataDirectory(path: dir).loadOrCreateTokens().tokens
///     tokens.role(for: "3f…") // .viewer, .operator or nil
public struct AccessTokens: Sendable, Equatable {
    public var viewer: String
    public var `operator`: String

    public init(viewer: String, operator: String) {
        self.viewer = viewer
        self.operator = `operator`
    }

    /// Two fresh tokens from the system's cryptographic random source.
    public static func generate() -> AccessTokens {
        AccessTokens(viewer: makeToken(), operator: makeToken())
    }

    /// One fresh token: 32 bytes from `SystemRandomNumberGenerator` (getrandom/arc4random), hex-encoded.
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(64)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return text
    }

    /// Whether `text` looks like a token this node could have issued (64 hex digits).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The token for a role.
    public subscript(role: AccessRole) -> String {
        get { role == .viewer ? viewer : self.operator }
        set {
            switch role {
            case .viewer: viewer = newValue
            case .operator: self.operator = newValue
            }
        }
    }

    /// The role `presented` grants, or nil. Both tokens are compared in constant time whatever matches.
    public func role(for presented: String) -> AccessRole? {
        let isOperator = Self.constantTimeEquals(presented, self.operator)
        let isViewer = Self.constantTimeEquals(presented, viewer)
        if isOperator { return .operator }
        if isViewer { return .viewer }
        return nil
    }

    /// Compares two strings in time that depends only on their lengths, not on where they differ.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
