/// Why a `[privacy]` setting cannot be used: a boundary level that does not exist, a key too short,
/// or a key on a node above the boundary. The message says what to change in node.toml.
///
///     do { try policy.validate() } catch { print(error.message) }
public struct PrivacyError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `full_roster_up_to` or `hash_key` is not a usable value.
        case invalidConfig = "invalid_config"
        /// `[privacy] hash_key` on a node above the privacy boundary (docs/PRIVACY.md).
        case privacyKeyAboveBoundary = "privacy_key_above_boundary"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
