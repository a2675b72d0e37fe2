public import Eldercare

/// An error of the node daemon or its data directory, with a message that says what to do next.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidConfig = "invalid_config"
        case dataDirectory = "data_directory"
        case keys = "keys"
        case trust = "trust"
        case startup = "startup"
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

extension NodeError {
    /// A `[privacy]` setting's error as the node's, with the same code and message.
    public init(_ error: PrivacyError) {
        switch error.code {
        case .invalidConfig: self.init(.invalidConfig, error.message)
        case .privacyKeyAboveBoundary: self.init(.privacyKeyAboveBoundary, error.message)
        }
    }
}
