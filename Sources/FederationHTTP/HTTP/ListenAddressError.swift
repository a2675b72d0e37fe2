/// `[http] listen` is not `HOST:PORT`: the API cannot be bound.
///
///     throw ListenAddressError(listen: "no-port")
public struct ListenAddressError: Error, Sendable, CustomStringConvertible {
    /// The text that was given.
    public let listen: String

    public init(listen: String) { self.listen = listen }

    public var description: String { "http.listen \"\(listen)\" must look like HOST:PORT, for example 127.0.0.1:8080" }
}
