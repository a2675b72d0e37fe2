import Testing
import ZeroMQTransport

extension TransportTests {
    @Suite(.timeLimit(.minutes(10))) struct ZeroMQSocketTests {
        @Test func dealerAndRouterExchangeMultipartMessages() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let router = try ZeroMQSocket(context: context, type: .router)
            defer { router.close() }
            try router.setRouterMandatory(true)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint
            #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
            #expect(!endpoint.hasSuffix(":*"))

            let dealer = try ZeroMQSocket(context: context, type: .dealer)
            defer { dealer.close() }
            try dealer.setRoutingID(bytes("child-1"))
            try dealer.connect(endpoint)
            #expect(try dealer.send([bytes("batch"), [], [0, 1, 2, 255]], dontWait: false))

            let request = try #require(try router.receive(within: arrivalMilliseconds))
            #expect(request.frames == [bytes("child-1"), bytes("batch"), [], [0, 1, 2, 255]])
            #expect(request.userID == nil)

            #expect(try router.send([request.frames[0], bytes("ack"), bytes("42")], dontWait: false))
            let reply = try #require(try dealer.receive(within: arrivalMilliseconds))
            #expect(reply.frames == [bytes("ack"), bytes("42")])
        }

        @Test func routerMandatoryRefusesUnknownPeers() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let router = try ZeroMQSocket(context: context, type: .router)
            defer { router.close() }
            try router.setRouterMandatory(true)
            let error = #expect(throws: ZeroMQError.self) {
                _ = try router.send([bytes("nobody"), bytes("hello")], dontWait: true)
            }
            #expect(error?.operation == "zmq_send")
            #expect(error?.code != 0)
        }

        @Test func pollReportsWhichSocketIsReadable() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let quiet = try ZeroMQSocket(context: context, type: .pull)
            defer { quiet.close() }
            let busy = try ZeroMQSocket(context: context, type: .pull)
            defer { busy.close() }
            try quiet.bind("tcp://127.0.0.1:*")
            try busy.bind("tcp://127.0.0.1:*")
            let push = try ZeroMQSocket(context: context, type: .push)
            defer { push.close() }
            try push.connect(try busy.lastEndpoint)
            #expect(try push.send([bytes("x")], dontWait: false))

            let events = try ZeroMQSocket.poll(
                [(quiet, .readable), (busy, .readable)], timeoutMilliseconds: arrivalMilliseconds)
            #expect(events == [[], .readable])
            #expect(try push.poll(.writable, timeoutMilliseconds: 0) == .writable)
            #expect(try busy.receive(dontWait: true)?.frames == [bytes("x")])
        }

        @Test func receivingFromAnEmptySocketWithoutWaitingGivesNil() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let pull = try ZeroMQSocket(context: context, type: .pull)
            defer { pull.close() }
            try pull.bind("tcp://127.0.0.1:*")
            #expect(try pull.receive(dontWait: true) == nil)
            #expect(try pull.poll(.readable, timeoutMilliseconds: 0).isEmpty)
        }

        @Test func sendingWithoutAPeerWithoutWaitingGivesFalse() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let dealer = try ZeroMQSocket(context: context, type: .dealer)
            defer { dealer.close() }
            #expect(try dealer.send([bytes("nobody is listening")], dontWait: true) == false)
        }

        @Test func connectingToAMalformedEndpointThrows() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let dealer = try ZeroMQSocket(context: context, type: .dealer)
            defer { dealer.close() }
            let error = try #require(throws: ZeroMQError.self) { try dealer.connect("tcp://nonsense") }
            #expect(error.code != 0)
            #expect(error.operation == "zmq_connect(tcp://nonsense)")
            #expect(!error.message.isEmpty)
            #expect(error.description.contains("zmq_connect(tcp://nonsense) failed"))
        }

        @Test(arguments: ["tcp://127.0.0.1:notaport", "nosuchtransport://somewhere", "tcp://"])
        func bindingToAnInvalidEndpointThrows(_ endpoint: String) throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let router = try ZeroMQSocket(context: context, type: .router)
            defer { router.close() }
            let error = try #require(throws: ZeroMQError.self) { try router.bind(endpoint) }
            #expect(error.code != 0)
            #expect(error.operation == "zmq_bind(\(endpoint))")
        }

        @Test func aClosedSocketRefusesWork() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let dealer = try ZeroMQSocket(context: context, type: .dealer)
            dealer.close()
            dealer.close()
            #expect(dealer.isClosed)
            #expect(throws: ZeroMQError.self) { _ = try dealer.send([bytes("x")], dontWait: true) }
            #expect(throws: ZeroMQError.self) { _ = try dealer.receive(dontWait: true) }
            #expect(throws: ZeroMQError.self) { _ = try dealer.lastEndpoint }
        }

        @Test func aMessageNeedsAFrame() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let dealer = try ZeroMQSocket(context: context, type: .dealer)
            defer { dealer.close() }
            let error = try #require(throws: ZeroMQError.self) { _ = try dealer.send([], dontWait: true) }
            #expect(error.message.contains("at least one frame"))
        }

        @Test func linkOptionsAreAccepted() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let dealer = try ZeroMQSocket(context: context, type: .dealer)
            defer { dealer.close() }
            try dealer.setLinger(milliseconds: 100)
            try dealer.setSendHighWaterMark(1_000)
            try dealer.setReceiveHighWaterMark(1_000)
            try dealer.setMaxMessageSize(16 << 20)
            try dealer.setImmediate(true)
            try dealer.setReconnectInterval(milliseconds: 100)
            try dealer.setReconnectIntervalMax(milliseconds: 30_000)
            try dealer.setHandshakeInterval(milliseconds: 10_000)
            try dealer.setHeartbeat(
                intervalMilliseconds: 5_000, timeToLiveMilliseconds: 15_000, timeoutMilliseconds: 15_000)
            try dealer.setZAPDomain("federation")

            let error = try #require(throws: ZeroMQError.self) {
                try dealer.setLinger(milliseconds: Int(Int32.max) + 1)
            }
            #expect(error.operation == "zmq_setsockopt(ZMQ_LINGER)")
            #expect(throws: ZeroMQError.self) { try dealer.setRoutingID([]) }
            #expect(throws: ZeroMQError.self) { try dealer.setZAPDomain("") }
        }

        @Test func framesLargerThanTheLimitNeverArrive() throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let router = try ZeroMQSocket(context: context, type: .router)
            defer { router.close() }
            try router.setMaxMessageSize(1_024)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint

            let small = try ZeroMQSocket(context: context, type: .dealer)
            defer { small.close() }
            try small.connect(endpoint)
            #expect(try small.send([[UInt8](repeating: 7, count: 1_024)], dontWait: false))
            let arrived = try #require(try router.receive(within: arrivalMilliseconds))
            #expect(arrived.frames.last?.count == 1_024)

            let large = try ZeroMQSocket(context: context, type: .dealer)
            defer { large.close() }
            try large.setReconnectInterval(milliseconds: -1)
            try large.connect(endpoint)
            #expect(try large.send([[UInt8](repeating: 9, count: 1_025)], dontWait: false))
            #expect(try router.receive(within: silenceMilliseconds) == nil)

            // The router itself is unharmed: the small peer still gets through.
            #expect(try small.send([bytes("still here")], dontWait: false))
            let after = try #require(try router.receive(within: arrivalMilliseconds))
            #expect(after.frames.last == bytes("still here"))
        }
    }
}
