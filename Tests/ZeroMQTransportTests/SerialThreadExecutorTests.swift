import Foundation
import Testing
import ZeroMQTransport

/// An actor that owns a PULL socket and polls it on its own thread, as a federation link would.
private actor PullEndpoint {
    private let executor: SerialThreadExecutor
    private let socket: ZeroMQSocket
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(context: ZeroMQContext, executor: SerialThreadExecutor) throws {
        self.executor = executor
        socket = try ZeroMQSocket(context: context, type: .pull)
        try socket.bind("tcp://127.0.0.1:*")
    }

    func endpoint() throws -> String { try socket.lastEndpoint }

    /// Polls in short slices, yielding between them, until a message arrives or `slices` run out.
    func next(slices: Int) async throws -> ZeroMQMessage? {
        for _ in 0..<slices {
            #expect(executor.isCurrentThread)
            if try socket.poll(.readable, timeoutMilliseconds: 20).contains(.readable),
                let message = try socket.receive(dontWait: true)
            {
                return message
            }
            await Task.yield()
        }
        return nil
    }

    /// Whether this code runs on the executor's own thread (a thread's name, as Foundation reports it,
    /// is not a reliable witness under load).
    func runsOnExecutorThread() -> Bool { executor.isCurrentThread }

    func close() { socket.close() }
}

private actor Counter {
    private let executor: SerialThreadExecutor
    private(set) var value = 0
    private(set) var offThread = 0
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(executor: SerialThreadExecutor) { self.executor = executor }

    func increment() async {
        let before = value
        if !executor.isCurrentThread { offThread += 1 }
        await Task.yield()
        value = before + 1
    }

    func incrementWithoutSuspending() {
        if !executor.isCurrentThread { offThread += 1 }
        value += 1
    }
}

extension TransportTests {
    @Suite(.timeLimit(.minutes(10))) struct SerialThreadExecutorTests {
        @Test func anActorOwningASocketPollsAndReceivesAcrossAwaits() async throws {
            let context = try ZeroMQContext()
            defer { context.shutdown() }
            let executor = SerialThreadExecutor(name: "pull-endpoint")
            defer { executor.shutdown() }
            let endpoint = try PullEndpoint(context: context, executor: executor)
            #expect(await endpoint.runsOnExecutorThread())

            let push = try ZeroMQSocket(context: context, type: .push)
            defer { push.close() }
            try push.connect(try await endpoint.endpoint())
            for index in 0..<5 {
                #expect(try push.send([bytes("message"), [UInt8(index)]], dontWait: false))
                let message = try await endpoint.next(slices: arrivalMilliseconds / 20)
                #expect(message?.frames == [bytes("message"), [UInt8(index)]])
            }
            #expect(try await endpoint.next(slices: 5) == nil)
            await endpoint.close()
        }

        @Test func jobsRunOneAtATimeOnTheExecutorsThread() async {
            let executor = SerialThreadExecutor(name: "counter")
            defer { executor.shutdown() }
            let counter = Counter(executor: executor)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<200 {
                    group.addTask { await counter.incrementWithoutSuspending() }
                }
            }
            #expect(await counter.value == 200)
            #expect(await counter.offThread == 0)
            #expect(!executor.isCurrentThread)
        }

        @Test func jobsEnqueuedAfterShutdownStillRun() async {
            let executor = SerialThreadExecutor(name: "late")
            let counter = Counter(executor: executor)
            await counter.increment()
            executor.shutdown()
            await counter.increment()
            await counter.increment()
            #expect(await counter.value == 3)
            #expect(await counter.offThread == 0)
            executor.shutdown()
        }
    }
}
