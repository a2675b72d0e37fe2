import Testing
import ZeroMQTransport

extension TransportTests {
    @Suite struct ZeroMQContextTests {
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

        @Test func releasingAContextWithUnsentMessagesDoesNotHang() throws {
            // Messages queued for a peer that never comes: linger 0 lets termination drop them.
            for _ in 0..<3 {
                let context = try ZeroMQContext()
                let push = try ZeroMQSocket(context: context, type: .push)
                try push.connect("tcp://127.0.0.1:9")
                _ = try push.send([bytes("never delivered")], dontWait: true)
                push.close()
            }
        }
    }
}
