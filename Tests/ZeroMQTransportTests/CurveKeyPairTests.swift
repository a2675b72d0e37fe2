import Testing
import ZeroMQTransport

extension TransportTests {
    @Suite(.timeLimit(.minutes(10))) struct CurveKeyPairTests {
        private static let z85 = Set(
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")

        @Test func generatedKeysAre40CharactersOfZ85() throws {
            let pair = try CurveKeyPair.generate()
            #expect(pair.publicKey.count == 40)
            #expect(pair.secretKey.count == 40)
            #expect(pair.publicKey.allSatisfy { Self.z85.contains($0) })
            #expect(pair.secretKey.allSatisfy { Self.z85.contains($0) })
            #expect(try CurveKeyPair.generate() != pair)
        }

        @Test func theSecretKeyDeterminesThePublicKey() throws {
            let pair = try CurveKeyPair.generate()
            #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        }

        @Test func knownKeyPairFromTheLibzmqDocumentation() throws {
            let server = try CurveKeyPair(secretKey: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")
            #expect(server.publicKey == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
        }

        @Test func theDescriptionKeepsTheSecret() throws {
            let pair = try CurveKeyPair.generate()
            #expect(pair.description.contains(pair.publicKey))
            #expect(!pair.description.contains(pair.secretKey))
        }

        @Test(arguments: [
            "",
            "too short",
            "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6x",  // 41 characters
            "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh ",  // a space is not Z85
            "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh~",  // nor is a tilde
            "########################################",  // each group overflows 32 bits
        ])
        func invalidZ85IsRefused(_ text: String) throws {
            let error = try #require(throws: ZeroMQError.self) { try CurveKeyPair(secretKey: text) }
            #expect(error.code != 0)
            #expect(error.message.contains("CURVE secret key"))
            #expect(throws: ZeroMQError.self) { try CurveKeyPair.validate(text) }
        }

        @Test func curveOptionsRefuseMalformedKeys() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let socket = try ZeroMQSocket(context: context, type: .dealer)
            defer { socket.close() }
            let pair = try CurveKeyPair.generate()
            let error = try #require(throws: ZeroMQError.self) {
                try socket.makeCurveClient(
                    serverPublicKey: "nope", publicKey: pair.publicKey, secretKey: pair.secretKey)
            }
            #expect(error.message.contains("server public key"))
            #expect(throws: ZeroMQError.self) { try socket.makeCurveServer(secretKey: "nope") }
        }
    }
}
