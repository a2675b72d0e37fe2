import Testing

@testable import ZeroMQTransport

extension TransportTests {
    @Suite(.timeLimit(.minutes(10))) struct ZAPAuthenticatorTests {
        private static let childCode = "130102001001"

        /// A CURVE ROUTER on loopback with a ZAP handler that trusts `trusted` as `childCode`.
        private struct Server {
            let context: ZeroMQContext
            let zap: ZAPAuthenticator
            let router: ZeroMQSocket
            let keys: CurveKeyPair
            let endpoint: String

            init(trusting trusted: CurveKeyPair) throws {
                context = try ZeroMQContext()
                let trustedKey = trusted.publicKey
                zap = try ZAPAuthenticator(context: context) { key, domain, address in
                    key == trustedKey && domain == "federation" && address == "127.0.0.1" ? childCode : nil
                }
                keys = try CurveKeyPair.generate()
                router = try ZeroMQSocket(context: context, type: .router)
                try router.makeCurveServer(secretKey: keys.secretKey)
                try router.setZAPDomain("federation")
                try router.bind("tcp://127.0.0.1:*")
                endpoint = try router.lastEndpoint
            }

            func client(_ pair: CurveKeyPair) throws -> ZeroMQSocket {
                let dealer = try ZeroMQSocket(context: context, type: .dealer)
                try dealer.makeCurveClient(
                    serverPublicKey: keys.publicKey, publicKey: pair.publicKey, secretKey: pair.secretKey)
                try dealer.connect(endpoint)
                return dealer
            }

            func close() {
                router.close()
                zap.stop()
                context.shutdown()
            }
        }

        @Test func aTrustedClientArrivesWithItsUserID() throws {
            let trusted = try CurveKeyPair.generate()
            let server = try Server(trusting: trusted)
            defer { server.close() }
            let dealer = try server.client(trusted)
            defer { dealer.close() }

            #expect(try dealer.send([bytes("hello parent")], dontWait: false))
            let message = try #require(try server.router.receive(within: arrivalMilliseconds))
            #expect(message.frames.last == bytes("hello parent"))
            #expect(message.userID == Self.childCode)

            #expect(try server.router.send([message.frames[0], bytes("hello child")], dontWait: false))
            let reply = try #require(try dealer.receive(within: arrivalMilliseconds))
            #expect(reply.frames == [bytes("hello child")])
        }

        @Test func anUntrustedClientNeverGetsAMessageThrough() throws {
            let trusted = try CurveKeyPair.generate()
            let server = try Server(trusting: trusted)
            defer { server.close() }
            let stranger = try server.client(try CurveKeyPair.generate())
            defer { stranger.close() }

            _ = try stranger.send([bytes("let me in")], dontWait: true)
            #expect(try server.router.receive(within: silenceMilliseconds) == nil)

            // The server itself works: a trusted client is let in meanwhile.
            let dealer = try server.client(trusted)
            defer { dealer.close() }
            #expect(try dealer.send([bytes("trusted")], dontWait: false))
            let message = try #require(try server.router.receive(within: arrivalMilliseconds))
            #expect(message.frames.last == bytes("trusted"))
            #expect(message.userID == Self.childCode)
            #expect(try server.router.receive(within: 200) == nil)
        }

        @Test func aSecondHandlerOnTheSameContextIsRefused() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let first = try ZAPAuthenticator(context: context) { _, _, _ in nil }
            defer { first.stop() }
            let error = try #require(throws: ZeroMQError.self) {
                _ = try ZAPAuthenticator(context: context) { _, _, _ in nil }
            }
            #expect(error.operation == "zmq_bind(\(ZAPAuthenticator.endpoint))")
        }

        @Test func stoppingTwiceIsHarmlessAndFreesTheEndpoint() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let first = try ZAPAuthenticator(context: context) { _, _, _ in nil }
            first.stop()
            first.stop()
            #expect(first.failure == nil)
            let second = try ZAPAuthenticator(context: context) { _, _, _ in nil }
            second.stop()
        }

        @Test func contextShutdownEndsTheHandlerWithContextTerminated() async throws {
            let context = try ZeroMQContext()
            let zap = try ZAPAuthenticator(context: context) { _, _, _ in nil }
            context.shutdown()
            for _ in 0..<200 where zap.failure == nil {
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(zap.failure?.isContextTerminated == true)
            zap.stop()
        }

        // MARK: - Replies (RFC 27)

        private static func request(mechanism: String, credentials: [[UInt8]]) -> [[UInt8]] {
            [bytes("1.0"), bytes("req-7"), bytes("federation"), bytes("10.1.2.3"), bytes("peer"), bytes(mechanism)]
                + credentials
        }

        @Test func curveRepliesCarryTheUserIDFromTheDecision() throws {
            let pair = try CurveKeyPair.generate()
            let binaryKey = try CurveKeyPair.decode(pair.publicKey, role: "key")
            let reply = ZAPAuthenticator.reply(to: Self.request(mechanism: "CURVE", credentials: [binaryKey])) {
                key, domain, address in
                key == pair.publicKey && domain == "federation" && address == "10.1.2.3" ? "child" : nil
            }
            #expect(reply == [bytes("1.0"), bytes("req-7"), bytes("200"), bytes("OK"), bytes("child"), []])
        }

        @Test func curveRepliesRefuseUntrustedKeys() throws {
            let binaryKey = try CurveKeyPair.decode(try CurveKeyPair.generate().publicKey, role: "key")
            let reply = ZAPAuthenticator.reply(to: Self.request(mechanism: "CURVE", credentials: [binaryKey])) {
                _, _, _ in
                nil
            }
            #expect(reply.count == 6)
            #expect(reply[1] == bytes("req-7"))
            #expect(reply[2] == bytes("400"))
            #expect(reply[4] == [])
        }

        @Test(arguments: ["NULL", "PLAIN", "GSSAPI"])
        func otherMechanismsAreRefused(_ mechanism: String) {
            let reply = ZAPAuthenticator.reply(to: Self.request(mechanism: mechanism, credentials: [])) { _, _, _ in
                "would accept"
            }
            #expect(reply[2] == bytes("400"))
            #expect(reply[4] == [])
        }

        @Test func malformedRequestsGetAnInternalError() {
            let wrongVersion = [bytes("2.0")] + Self.request(mechanism: "CURVE", credentials: []).dropFirst()
            let shortKey = Self.request(mechanism: "CURVE", credentials: [[1, 2, 3]])
            for request in [[bytes("1.0")], wrongVersion, shortKey] {
                let reply = ZAPAuthenticator.reply(to: request) { _, _, _ in "would accept" }
                #expect(reply.count == 6)
                #expect(reply[2] == bytes("500"))
            }
        }
    }
}
