import Testing
import ZeroMQTransport

extension TransportTests {
    @Suite(.timeLimit(.minutes(10))) struct ZeroMQContextTests {
        @Test func aShutDownContextMakesNoSockets() throws {
            let context = try ZeroMQContext()
            context.shutdown()
            context.shutdown()
            let error = try #require(throws: ZeroMQError.self) { _ = try ZeroMQSocket(context: context, type: .pair) }
            #expect(error.isContextTerminated)
        }

        @Test func shutdownWakesAnOpenSocketWithContextTerminated() throws {
            let context = try ZeroMQContext()
            let pull = try ZeroMQSocket(context: context, type: .pull)
            defer { pull.close() }
            try pull.bind("tcp://127.0.0.1:*")
            context.shutdown()
            let error = try #require(throws: ZeroMQError.self) { _ = try pull.receive(dontWait: false) }
            #expect(error.isContextTerminated)
        }

        /// Messages queued for a peer that never comes: linger 0 lets termination drop them. A hang here
        /// is caught by the test's time limit; the expectation proves a message really was waiting.
        @Test(.timeLimit(.minutes(1))) func releasingAContextWithUnsentMessagesDoesNotHang() throws {
            for _ in 0..<3 {
                let context = try ZeroMQContext()
                let push = try ZeroMQSocket(context: context, type: .push)
                try push.connect("tcp://127.0.0.1:9")
                let queued = try push.send([bytes("never delivered")], dontWait: true)
                #expect(queued, "the message was not queued, so releasing the context had nothing to drop")
                push.close()
            }
        }
    }
}
