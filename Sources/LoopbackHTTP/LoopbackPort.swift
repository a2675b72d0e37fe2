import Foundation

/// Free TCP ports on loopback for the harnesses that start nodes (tests, benchmarks, the chaos run).
///
///     let port = try LoopbackPort.free()   // e.g. 41237
public enum LoopbackPort {
    /// A port the kernel had free a moment ago: a socket bound to `127.0.0.1:0`, its port read back and
    /// the socket closed. Another process may take it before the caller binds it; harnesses that start
    /// many nodes retry a node whose port was taken.
    ///
    /// - Throws: `LoopbackPortError` when no socket can be bound.
    public static func free() throws(LoopbackPortError) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackPortError(errno: errno) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw LoopbackPortError(errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// No loopback port could be found (the errno of the failed call).
public struct LoopbackPortError: Error, Sendable, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "cannot find a free loopback port: \(String(cString: strerror(errno)))" }
}
