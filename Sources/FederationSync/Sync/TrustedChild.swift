public import Replication

/// A child this node accepts on its children socket.
public struct TrustedChild: Sendable, Equatable {
    public let code: NodeCode
    public let publicKey: String
    /// Subtrees moved under this child from elsewhere in the tree.
    public let covers: [NodeCode]

    /// Every subtree the child may speak for, and receive changes about.
    public var subtrees: [NodeCode] { [code] + covers }

    public init(code: NodeCode, publicKey: String, covers: [NodeCode]) {
        self.code = code
        self.publicKey = publicKey
        self.covers = covers
    }
}
