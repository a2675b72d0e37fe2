/// A topology file that cannot be planned: the message names the file, the line and the node, and says
/// what to change.
public struct TopologyError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
