package import Eldercare
import Foundation
package import Logging
package import Replication
import Synchronization
package import ZeroMQTransport

/// The child side of the link to the parent: a CURVE-authenticated DEALER socket, owned by this actor
/// and polled on the actor's own thread. Sends HELLO, then streams this node's feed up (everything
/// except what came from the parent) and merges what the parent streams down; reconnects with
/// backoff; resumes from durable watermarks.
package actor ParentLink {
    package struct Settings: Sendable {
        var endpoint: String
        var parentKey: String
        /// The parent's code when the configuration states it.
        var expectedParent: NodeCode?
        var common: LinkSettings
        /// What personal data may go up (applied when the parent is above the policy's level).
        var privacy = PrivacyPolicy()

        package init(
            endpoint: String, parentKey: String, expectedParent: NodeCode?, common: LinkSettings,
            privacy: PrivacyPolicy = PrivacyPolicy()
        ) {
            self.endpoint = endpoint
            self.parentKey = parentKey
            self.expectedParent = expectedParent
            self.common = common
            self.privacy = privacy
        }
    }

    private enum State {
        case disconnected(retryAt: UInt64)
        case greeting(since: UInt64)
        case established(Session)
    }

    private struct Session {
        var parent: NodeCode
        var outbound: OutboundStream
        var inbound: InboundStream
        var maxInFlight: Int
        /// The smaller of this node's and the parent's message limits, less room for the envelope.
        var maxPayloadBytes: Int
        /// When to read the feed and send a heartbeat (the same rules as the children hub's).
        var pacer: LinkPacer
    }

    private let executor = SerialThreadExecutor(name: "parent-link")
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private let store: ReplicaStore
    private let context: ZeroMQContext
    private let settings: Settings
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    private let latestHead = Atomic<UInt64>(0)
    private var socket: ZeroMQSocket?
    private var state: State = .disconnected(retryAt: 0)
    private var backoffMs: UInt64 = 100
    private var lastHeard: UInt64 = 0
    private var statistics: LinkStatistics
    private var statisticsSavedAt: UInt64 = 0
    private var statisticsDirty = true

    package init(store: ReplicaStore, context: ZeroMQContext, settings: Settings, logger: Logger) {
        self.store = store
        self.context = context
        self.settings = settings
        var logger = logger
        logger[metadataKey: "link"] = "parent"
        self.logger = logger
        let expected = store.node.parent?.rawValue ?? "parent"
        self.statistics = LinkStatistics.load(peer: expected, role: .parent, store.database)
    }

    /// Asks the run loop to finish (graceful shutdown).
    package nonisolated func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// Wakes the uplink: a commit moved the feed head.
    package nonisolated func notify(head: UInt64) { latestHead.store(head, ordering: .relaxed) }

    /// Runs until `requestStop()`; never throws: every failure becomes a reconnect.
    package func run() async {
        logger.info("uplink starting", metadata: ["endpoint": "\(settings.endpoint)"])
        while !stopRequested.load(ordering: .relaxed) && !Task.isCancelled {
            step()
            await Task.yield()
        }
        disconnect(reason: "node stopping", retry: false)
        statistics.save(store.database)
        logger.info("uplink stopped")
    }

    private func step() {
        let now = LinkClock.monotonic()
        switch state {
        case .disconnected(let retryAt):
            if now >= retryAt {
                connect(now: now)
            } else {
                usleep(UInt32(settings.common.pollMs * 1000))
            }
        case .greeting(let since):
            receiveAll(now: now)
            if case .greeting = state, now.since(since) > settings.common.heartbeatTimeoutMs {
                disconnect(reason: "no WELCOME within \(settings.common.heartbeatTimeoutMs) ms", retry: true)
            }
        case .established:
            receiveAll(now: now)
            pump(now: now)
            heartbeat(now: now)
            if case .established = state, now.since(lastHeard) > settings.common.heartbeatTimeoutMs {
                disconnect(reason: "parent silent for \(now.since(lastHeard)) ms", retry: true)
            }
        }
        saveStatistics(now: now)
    }

    private func connect(now: UInt64) {
        do {
            let socket = try ZeroMQSocket(context: context, type: .dealer)
            try socket.setLinger(milliseconds: 0)
            try socket.setMaxMessageSize(Int64(settings.common.maxMessageBytes))
            try socket.setSendHighWaterMark(64)
            try socket.setReceiveHighWaterMark(64)
            try socket.makeCurveClient(
                serverPublicKey: settings.parentKey, publicKey: settings.common.keys.publicKey,
                secretKey: settings.common.keys.secretKey)
            try socket.connect(settings.endpoint)
            self.socket = socket
            let received = try newestAncestorWatermark()
            let hello = SyncMessage.Hello(
                nodeCode: store.node.rawValue, protocolVersion: FederationVersion.protocolVersion,
                receivedWatermark: received?.seq ?? 0, receivedEpoch: received?.epoch ?? "", feedEpoch: store.feedEpoch,
                software: "fedctl \(FederationVersion.software)")
            // Queued until the CURVE handshake completes (the socket is not in immediate mode).
            guard try socket.send([try WireCodec.encode(.hello(hello))], dontWait: true) else {
                throw ZeroMQError(code: 11, operation: "send HELLO", message: "the send queue refused HELLO")
            }
            state = .greeting(since: now)
            lastHeard = now
        } catch {
            logger.warning("cannot connect to parent: \(error)")
            statistics.lastError = "\(error)"
            disconnect(reason: "\(error)", retry: true)
        }
    }

    /// The received watermark of the higher-level node we last synced with (the parent).
    private func newestAncestorWatermark() throws -> Watermark? {
        try store.watermarks()
            .filter { $0.direction == .received && $0.peer.level < store.node.level }
            .max { $0.updatedAt < $1.updatedAt }
    }

    private func disconnect(reason: String, retry: Bool) {
        if case .established = state {
            if retry {
                logger.warning("uplink down: \(reason)")
            } else {
                logger.info("uplink closed: \(reason)")
            }
        }
        socket?.close()
        socket = nil
        statistics.connected = false
        statisticsDirty = true
        if retry {
            state = .disconnected(retryAt: LinkClock.monotonic() + backoffMs)
            backoffMs = min(backoffMs * 2, 5_000)
        } else {
            state = .disconnected(retryAt: .max)
        }
    }

    private func receiveAll(now: UInt64) {
        guard let socket else { return }
        do {
            let ready = try socket.poll(.readable, timeoutMilliseconds: settings.common.pollMs)
            guard ready.contains(.readable) else { return }
            while let message = try socket.receive(dontWait: true) {
                guard message.frames.count == 1 else {
                    logger.warning("dropping a \(message.frames.count)-frame message from the parent")
                    continue
                }
                lastHeard = LinkClock.monotonic()
                handle(message.frames[0], now: now)
                guard self.socket != nil else { return }
            }
        } catch {
            disconnect(reason: "\(error)", retry: true)
        }
    }

    private func handle(_ frame: [UInt8], now: UInt64) {
        let message: SyncMessage
        do {
            message = try WireCodec.decode(frame)
        } catch {
            logger.warning("malformed frame from the parent: \(error.message)")
            send(.error(.init(code: .malformed, message: error.message)))
            return
        }
        let isGreeting = if case .greeting = state { true } else { false }
        switch (state, message) {
        case (.greeting, .welcome(let welcome)):
            welcomed(welcome)
        case (_, .error(let error)) where error.batchID == 0 || isGreeting:
            if error.code == .notWelcomed {
                logger.info("parent does not know this link (it restarted); greeting again")
            } else {
                logger.error("parent refused the link: \(error.code) \(error.message)")
            }
            statistics.lastError = "\(error.code): \(error.message)"
            disconnect(reason: error.message, retry: true)
            if error.code == .notTrusted || error.code == .unsupportedVersion { backoffMs = 5_000 }
        case (.established(var session), .batch(let frame)):
            let result = session.inbound.accept(frame, into: store)
            statistics.batchesReceived += 1
            switch result {
            case .acknowledged(let ack, let cells, let outcome, let stripped):
                statistics.cellsReceived += Int64(cells)
                statistics.cellsApplied += Int64(ack.applied)
                statistics.count(outcome, stripped: stripped)
                if outcome.refused > 0 {
                    logger.warning(
                        "refused \(outcome.refused) cells of batch \(frame.batchID) from the parent and applied the rest: \(outcome.refusals.first ?? "")"
                    )
                }
                send(.ack(ack))
            case .foreignOrigins:
                break
            case .refused(let error, let cells):
                statistics.refusedBatches += 1
                statistics.refusedCells += Int64(cells)
                statistics.lastError = "\(error.code): \(error.message)"
                logger.warning("refused batch \(frame.batchID) from the parent: \(error.message)")
                send(.error(error))
            }
            state = .established(session)
            statisticsDirty = true
        case (.established(var session), .ack(let ack)):
            if ack.refused > 0 {
                statistics.lastError =
                    "parent refused \(ack.refused) cells of batch \(ack.batchID) (its log names them)"
                logger.warning(
                    "parent refused \(ack.refused) cells of batch \(ack.batchID) and applied the rest; its log and fedctl status name them"
                )
                statisticsDirty = true
            }
            if let acknowledged = session.outbound.acknowledge(batchID: ack.batchID, seqTo: ack.seqTo) {
                try? store.advanceWatermark(peer: session.parent, .sent, epoch: store.feedEpoch, seq: acknowledged)
                state = .established(session)
                statisticsDirty = true
            }
        case (.established(var session), .error(let error)):
            if session.outbound.refused(batchID: error.batchID, code: error.code, now: now) {
                if error.code != .outOfOrder {
                    statistics.refusedBatches += 1
                    statistics.lastError = "\(error.code): \(error.message)"
                    logger.warning("parent refused batch \(error.batchID): \(error.code) \(error.message)")
                }
                state = .established(session)
                statisticsDirty = true
            }
        case (.established, .heartbeat(let heartbeat)):
            statistics.peerHead = heartbeat.feedHead
            statistics.lastSeen = LinkClock.wall()
        default:
            logger.warning("unexpected message from the parent in this state: \(message)")
        }
    }

    private func welcomed(_ welcome: SyncMessage.Welcome) {
        guard welcome.protocolVersion == FederationVersion.protocolVersion,
            let parent = try? NodeCode(welcome.nodeCode), parent.level < store.node.level,
            settings.expectedParent.map({ $0 == parent }) ?? true
        else {
            logger.error(
                "WELCOME from \(welcome.nodeCode) (protocol \(welcome.protocolVersion)) is not from the expected parent \(settings.expectedParent?.rawValue ?? "of a higher level") speaking protocol \(FederationVersion.protocolVersion)"
            )
            disconnect(reason: "bad WELCOME", retry: true)
            return
        }
        var upFrom = welcome.receivedEpoch == store.feedEpoch ? welcome.receivedWatermark : 0
        if let head = try? store.headSequence(), upFrom > head {
            logger.warning("parent \(parent) claims this feed up to \(upFrom), beyond its head \(head); sending from 0")
            upFrom = 0
        }
        let stored = try? store.watermark(peer: parent, .received)
        let downFrom = stored?.epoch == welcome.feedEpoch ? stored?.seq ?? 0 : 0
        let reducer: PrivacyReducer?
        do {
            reducer = try settings.privacy.reducer(towards: parent.level, schema: store.schema)
        } catch {
            logger.error(
                "cannot apply the privacy policy: \(error.message); not sending to \(parent) until node.toml is fixed")
            disconnect(reason: "bad [privacy] settings", retry: true)
            return
        }
        let session = Session(
            parent: parent,
            // Up: everything except what came down from above — from this parent or any former one
            // (a community moved to another street must not hand its old street's changes to the new).
            outbound: OutboundStream(
                filter: FeedFilter(
                    excludingVia: Array(Set(store.knownNodes().filter { $0.level < store.node.level } + [parent]))),
                from: upFrom, reducer: reducer),
            inbound: InboundStream(
                peer: parent, originsWithin: nil, peerEpoch: welcome.feedEpoch, watermark: downFrom,
                maxPayloadBytes: max(settings.common.maxMessageBytes * 8, WireCodec.defaultMaxPayloadBytes)),
            maxInFlight: max(1, min(settings.common.maxInFlight, Int(welcome.maxInFlight))),
            // A parent's limit below 64 KiB is taken as 64 KiB: no batch is smaller than one record.
            maxPayloadBytes: min(settings.common.maxMessageBytes, max(65_536, Int(clamping: welcome.maxMessageBytes)))
                - 4_096,
            pacer: LinkPacer(intervalMs: settings.common.heartbeatIntervalMs))
        state = .established(session)
        backoffMs = 100
        statistics.peer = parent.rawValue
        statistics.connected = true
        statistics.lastSeen = LinkClock.wall()
        statisticsDirty = true
        logger.info(
            "uplink established", metadata: ["parent": "\(parent)", "up_from": "\(upFrom)", "down_from": "\(downFrom)"])
    }

    private func pump(now: UInt64) {
        guard case .established(var session) = state else { return }
        if session.outbound.rewindIfStalled(now: now, timeoutMs: settings.common.heartbeatTimeoutMs) {
            logger.warning(
                "no ACK from the parent within \(settings.common.heartbeatTimeoutMs) ms; resending from its watermark")
        }
        let head = latestHead.load(ordering: .relaxed)
        // Read the feed when a commit woke us, a window slot freed up, or at least every heartbeat.
        guard
            session.pacer.shouldPump(
                head: head, inFlight: session.outbound.inFlightCount, maxInFlight: session.maxInFlight, now: now)
        else {
            // A stalled window rewound above must be kept even when the feed is not read now.
            state = .established(session)
            return
        }
        do {
            while let (frame, cells) = try session.outbound.nextFrame(
                store, maxCells: settings.common.batchCells, maxBytes: session.maxPayloadBytes,
                maxInFlight: session.maxInFlight, now: now,
                idleAdvanceMs: settings.common.heartbeatIntervalMs)
            {
                sendBatch(frame)
                statistics.batchesSent += 1
                statistics.bytesSent += Int64(frame.payload.count)
                statistics.cellsSent += Int64(cells)
                statisticsDirty = true
            }
        } catch {
            logger.error("cannot read the feed for the parent: \(error)")
        }
        session.pacer.pumped(inFlight: session.outbound.inFlightCount, maxInFlight: session.maxInFlight)
        if case .established = state { state = .established(session) }
    }

    private func heartbeat(now: UInt64) {
        guard case .established(var session) = state, session.pacer.heartbeatDue(now: now) else { return }
        state = .established(session)
        let head = (try? store.headSequence()) ?? 0
        send(.heartbeat(.init(sentAtMilliseconds: LinkClock.wall(), feedHead: head)))
    }

    /// Sends a batch, through the testing-only drop/duplicate switches.
    private func sendBatch(_ frame: SyncMessage.BatchFrame) {
        let copies = settings.common.faults.copies()
        if copies != 1 {
            logger.notice(
                "fault injection: \(copies == 0 ? "dropped" : "duplicated") batch \(frame.batchID) to the parent")
        }
        for _ in 0..<copies { send(.batch(frame)) }
    }

    private func send(_ message: SyncMessage) {
        guard let socket else { return }
        do {
            if try !socket.send([try WireCodec.encode(message)], dontWait: true) {
                logger.debug("send queue to the parent is full; message dropped (it will be resent)")
            }
        } catch {
            disconnect(reason: "\(error)", retry: true)
        }
    }

    /// The link's counters as they are now (not waiting for the once-a-second flush).
    package func currentStatistics() -> LinkStatistics { statistics }

    private func saveStatistics(now: UInt64) {
        guard statisticsDirty, now.since(statisticsSavedAt) >= 1_000 else { return }
        statistics.updatedAt = LinkClock.wall()
        statistics.save(store.database)
        statisticsSavedAt = now
        statisticsDirty = false
    }
}
