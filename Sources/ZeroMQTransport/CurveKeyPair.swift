internal import CZeroMQ

/// A CURVE key pair as the 40-character Z85 text libzmq, the ZAP handler and configuration files use.
///
/// `description` shows only the public key, so a key pair can be logged without leaking its secret.
///
///     let server = try CurveKeyPair.generate()
///     let again = try CurveKeyPair(secretKey: server.secretKey)   // again.publicKey == server.publicKey
public struct CurveKeyPair: Sendable, Hashable, CustomStringConvertible {
    /// The public key, 40 characters of Z85.
    public let publicKey: String
    /// The secret key, 40 characters of Z85.
    public let secretKey: String

    /// A fresh random key pair (`zmq_curve_keypair`).
    public static func generate() throws(ZeroMQError) -> CurveKeyPair {
        try requireCurve(operation: "CurveKeyPair.generate()")
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicText, &secretText) }
        return CurveKeyPair(validatedPublicKey: string(from: publicText), secretKey: string(from: secretText))
    }

    /// The key pair of `secretKey`, deriving the public key (`zmq_curve_public`).
    ///
    /// Throws a `ZeroMQError` with code `EINVAL` unless `secretKey` is 40 characters of Z85 that decode to
    /// 32 bytes, and one with code `ENOTSUP` when libzmq was built without CURVE.
    public init(secretKey: String) throws(ZeroMQError) {
        try Self.requireCurve(operation: "CurveKeyPair(secretKey:)")
        _ = try Self.decode(secretKey, role: "secret key")
        var publicText = [CChar](repeating: 0, count: 41)
        try zmqCall("zmq_curve_public") { zmq_curve_public(&publicText, secretKey) }
        self.init(validatedPublicKey: Self.string(from: publicText), secretKey: secretKey)
    }

    private init(validatedPublicKey: String, secretKey: String) {
        self.publicKey = validatedPublicKey
        self.secretKey = secretKey
    }

    public var description: String { "CurveKeyPair(publicKey: \(publicKey))" }

    /// Throws unless `text` is a well-formed Z85 CURVE key; `role` names the key in the message.
    public static func validate(_ text: String, role: String = "key") throws(ZeroMQError) {
        _ = try decode(text, role: role)
    }

    /// The 32 bytes of a Z85 key, or an `EINVAL` error naming `role` and what is wrong.
    static func decode(_ text: String, role: String) throws(ZeroMQError) -> [UInt8] {
        let characters = Array(text.utf8)
        guard characters.count == 40 else {
            throw ZeroMQError(
                code: EINVAL, operation: "zmq_z85_decode",
                message: "a CURVE \(role) must be 40 characters of Z85 text, not \(characters.count)")
        }
        guard characters.allSatisfy({ z85Alphabet.contains($0) }) else {
            throw ZeroMQError(
                code: EINVAL, operation: "zmq_z85_decode",
                message: "a CURVE \(role) contains characters outside the Z85 alphabet")
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        let decoded = bytes.withUnsafeMutableBufferPointer { buffer in zmq_z85_decode(buffer.baseAddress, text) }
        guard decoded != nil else {
            throw ZeroMQError(
                code: EINVAL, operation: "zmq_z85_decode",
                message: "a CURVE \(role) is not valid Z85 (a 5-character group exceeds 32 bits)")
        }
        return bytes
    }

    /// The Z85 text of a 32-byte binary key (as carried in a ZAP request).
    static func encode(_ key: [UInt8]) throws(ZeroMQError) -> String {
        guard key.count == 32 else {
            throw ZeroMQError(
                code: EINVAL, operation: "zmq_z85_encode", message: "a CURVE key has 32 bytes, not \(key.count)")
        }
        var text = [CChar](repeating: 0, count: 41)
        _ = try zmqCall("zmq_z85_encode") {
            key.withUnsafeBufferPointer { bytes in zmq_z85_encode(&text, bytes.baseAddress, bytes.count) }
        }
        return string(from: text)
    }

    /// Throws `ENOTSUP` unless this libzmq was built with CURVE security (`zmq_has("curve")`).
    static func requireCurve(operation: String) throws(ZeroMQError) {
        guard zmq_has("curve") == 1 else {
            throw ZeroMQError(
                code: ENOTSUP, operation: operation,
                message: "this libzmq was built without CURVE security (zmq_has(\"curve\") is false); "
                    + "install a libzmq built with libsodium")
        }
    }

    private static let z85Alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    private static func string(from text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
