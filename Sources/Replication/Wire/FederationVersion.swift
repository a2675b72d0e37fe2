/// Versions a node announces on its links and in `fedctl --version`.
public enum FederationVersion {
    /// Software version of this build.
    public static let software = "0.1.0"
    /// Sync protocol version spoken in HELLO/WELCOME (docs/PROTOCOL.md).
    public static let protocolVersion: UInt32 = 1
}
