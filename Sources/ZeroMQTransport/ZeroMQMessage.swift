/// One multipart message as received from a socket.
///
///     if let message = try router.receive(dontWait: true) {
///         let (peer, body) = (message.frames[0], message.frames.dropFirst())
///         let child = message.userID   // the ZAP User-Id of the authenticated sender, if any
///     }
public struct ZeroMQMessage: Sendable, Hashable {
    /// The frames in order; a ROUTER socket puts the sender's routing id first.
    public var frames: [[UInt8]]
    /// The `User-Id` the ZAP handler gave the connection the message came from (`zmq_msg_gets(msg, "User-Id")`),
    /// or nil when the connection was not authenticated through ZAP.
    public var userID: String?

    public init(frames: [[UInt8]], userID: String? = nil) {
        self.frames = frames
        self.userID = userID
    }
}
