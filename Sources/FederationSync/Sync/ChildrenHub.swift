package import Eldercare
import Foundation
package import Logging
package import Replication
import Synchronization
package import ZeroMQTransport

/// The parent side of the links to children: one CURVE ROUTER socket (with a ZAP handler that admits
/// only trusted child keys), owned by this actor and polled on its own thread. For each child it
/// merges what the child sends up — refusing changes whose origin is outside that child's subtree —
/// and streams down the changes about the child's subtree.
package actor ChildrenHub {
    package struct Settings: Sendable {
        var endpoint: String
        var common: LinkSettings
        /// Strips what a child should not send to a node above the privacy level (nil at or below it).
        var privacyGuard: PrivacyReducer?

        package init(endpoint: String, common: LinkSettings, privacyGuard: PrivacyReducer?) {
            self.endpoint = endpoint
            self.common = common
            self.privacyGuard = privacyGuard
        }
    }

    private struct Session {
        let routingID: [UInt8]
        let child: NodeCode
        var outbound: OutboundStream
        var inbound: InboundStream
        var lastHeard: UInt64
        /// When to read the feed for this child and send it a heartbeat (the same rules as the uplink's).
        var pacer: LinkPacer
    }

    private let executor = SerialThreadExecutor(name: "children-hub")
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private let store: ReplicaStore
    private let context: ZeroMQContext
    private let settings: Settings
    private let trusted: @Sendable () -> [String: TrustedChild]
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    private let latestHead = Atomic<UInt64>(0)
    private var socket: ZeroMQSocket?
    private var authenticator: ZAPAuthenticator?
    private var sessions: [[UInt8]: Session] = [:]
    private var statistics: [NodeCode: LinkStatistics] = [:]
    private var dirty: Set<NodeCode> = []
    private var savedAt: UInt64 = 0
    private var trustCheckedAt: UInt64 = 0

    /// - Parameter trusted: the trusted children by Z85 public key, read at each handshake.
    package init(
        store: ReplicaStore, context: ZeroMQContext, settings: Settings,
        trusted: @escaping @Sendable () -> [String: TrustedChild], logger: Logger
    ) {
        self.store = store
        self.context = context
        self.settings = settings
        self.trusted = trusted
        var logger = logger
        logger[metadataKey: "link"] = "children"
        self.logger = logger
    }

    package nonisolated func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    package nonisolated func notify(head: UInt64) { latestHead.store(head, ordering: .relaxed) }

    /// Binds the ROUTER (with CURVE and the ZAP handler) before the run loop starts, so a bad endpoint
    /// fails the node's start-up with a clear error.
    package func bind() throws {
        let node = store.node
        let trusted = self.trusted
        let log = logger
        authenticator = try ZAPAuthenticator(context: context) { key, _, address in
            guard let child = trusted()[key]?.code, child != node else {
                log.warning(
                    "refused a connection with an untrusted key", metadata: ["address": "\(address)", "key": "\(key)"])
                return nil
            }
            return child.rawValue
        }
        let socket = try ZeroMQSocket(context: context, type: .router)
        try socket.setLinger(milliseconds: 0)
        try socket.setMaxMessageSize(Int64(settings.common.maxMessageBytes))
        try socket.setRouterMandatory(true)
        try socket.setSendHighWaterMark(1_000)
        try socket.setReceiveHighWaterMark(1_000)
        try socket.setZAPDomain("eldercare")
        try socket.makeCurveServer(secretKey: settings.common.keys.secretKey)
        try socket.bind(settings.endpoint)
        self.socket = socket
        logger.info("listening for children", metadata: ["endpoint": "\(settings.endpoint)"])
    }

    /// The endpoint actually bound (resolves a `:*` port).
    package func boundEndpoint() throws -> String? { try socket?.lastEndpoint }

    package func run() async {
        while !stopRequested.load(ordering: .relaxed) && !Task.isCancelled {
            step()
            await Task.yield()
        }
        socket?.close()
        socket = nil
        authenticator?.stop()
        for child in statistics.keys { statistics[child]?.connected = false }
        for value in statistics.values { value.save(store.database) }
        logger.info("children hub stopped")
    }

    private func step() {
        guard let socket else {
            usleep(UInt32(settings.common.pollMs * 1000))
            return
        }
        let now = LinkClock.monotonic()
        do {
            if try socket.poll(.readable, timeoutMilliseconds: settings.common.pollMs).contains(.readable) {
                while let message = try socket.receive(dontWait: true) {
                    handle(message, now: now)
                }
            }
        } catch {
            logger.error("children socket failed: \(error)")
        }
        if now.since(trustCheckedAt) >= 1_000 {
            trustCheckedAt = now
            refreshTrust()
        }
        let head = latestHead.load(ordering: .relaxed)
        for routingID in Array(sessions.keys) {
            guard var session = sessions[routingID] else { continue }
            if now.since(session.lastHeard) > settings.common.heartbeatTimeoutMs {
                logger.warning(
                    "child \(session.child) silent for \(now.since(session.lastHeard)) ms; dropping its session")
                drop(routingID)
                continue
            }
            if session.outbound.rewindIfStalled(now: now, timeoutMs: settings.common.heartbeatTimeoutMs) {
                logger.warning(
                    "no ACK from \(session.child) within \(settings.common.heartbeatTimeoutMs) ms; resending from its watermark"
                )
            }
            pump(&session, head: head, now: now)
            if session.pacer.heartbeatDue(now: now) {
                send(
                    .heartbeat(.init(sentAtMilliseconds: LinkClock.wall(), feedHead: (try? store.headSequence()) ?? 0)),
                    to: routingID)
            }
            if sessions[routingID] != nil { sessions[routingID] = session }
        }
        saveStatistics(now: now)
    }

    private func handle(_ message: ZeroMQMessage, now: UInt64) {
        guard message.frames.count == 2 else {
            logger.warning("dropping a \(message.frames.count)-frame message on the children socket")
            return
        }
        let routingID = message.frames[0]
        let decoded: SyncMessage
        do {
            decoded = try WireCodec.decode(message.frames[1])
        } catch {
            logger.warning("malformed frame from \(message.userID ?? "?"): \(error.message)")
            send(.error(.init(code: .malformed, message: error.message)), to: routingID)
            return
        }
        if case .hello(let hello) = decoded {
            greet(hello, routingID: routingID, authenticatedAs: message.userID, now: now)
            return
        }
        guard var session = sessions[routingID] else {
            send(.error(.init(code: .notWelcomed, message: "send HELLO first")), to: routingID)
            return
        }
        session.lastHeard = now
        switch decoded {
        case .batch(let frame):
            var result = session.inbound.accept(frame, into: store, reportForeignOrigins: true)
            if case .foreignOrigins = result {
                // The trust list may have just changed (a subtree moved under this child): apply it
                // before judging the batch, whose changes from origins still foreign are then refused.
                refreshTrust()
                guard let refreshed = sessions[routingID] else { return }
                session = refreshed
                session.lastHeard = now
                result = session.inbound.accept(frame, into: store)
            }
            update(session.child) {
                $0.batchesReceived += 1
                $0.lastSeen = LinkClock.wall()
            }
            switch result {
            case .acknowledged(let ack, let cells, let outcome, let stripped):
                update(session.child) {
                    $0.cellsReceived += Int64(cells)
                    $0.cellsApplied += Int64(ack.applied)
                    $0.count(outcome, stripped: stripped)
                }
                if outcome.refused > 0 {
                    logger.warning(
                        "refused \(outcome.refused) cells of batch \(frame.batchID) from \(session.child) and applied the rest",
                        metadata: [
                            "by_code":
                                "\(outcome.refusedByCode.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ","))",
                            "first": "\(outcome.refusals.first ?? "")",
                        ])
                }
                if stripped > 0 {
                    logger.warning(
                        "stripped \(stripped) personal cells from \(session.child) that may not travel above the privacy level (docs/PRIVACY.md)"
                    )
                }
                send(.ack(ack), to: routingID)
            case .refused(let error, let cells):
                if error.code != .outOfOrder {
                    update(session.child) {
                        $0.refusedBatches += 1
                        $0.refusedCells += Int64(cells)
                        $0.lastError = "\(error.code): \(error.message)"
                    }
                    logger.warning(
                        "refused batch \(frame.batchID) from \(session.child): \(error.code) \(error.message)")
                }
                send(.error(error), to: routingID)
            case .foreignOrigins:
                break
            }
        case .ack(let ack):
            if ack.refused > 0 {
                update(session.child) {
                    $0.lastError = "child refused \(ack.refused) cells of batch \(ack.batchID) (its log names them)"
                }
                logger.warning(
                    "child \(session.child) refused \(ack.refused) cells of batch \(ack.batchID) and applied the rest")
            }
            if let acknowledged = session.outbound.acknowledge(batchID: ack.batchID, seqTo: ack.seqTo) {
                try? store.advanceWatermark(peer: session.child, .sent, epoch: store.feedEpoch, seq: acknowledged)
            }
        case .error(let error):
            if session.outbound.refused(batchID: error.batchID, code: error.code, now: now), error.code != .outOfOrder {
                update(session.child) { $0.lastError = "child refused: \(error.code): \(error.message)" }
                logger.warning("child \(session.child) refused batch \(error.batchID): \(error.code) \(error.message)")
            }
        case .heartbeat(let heartbeat):
            update(session.child) {
                $0.peerHead = heartbeat.feedHead
                $0.lastSeen = LinkClock.wall()
            }
        case .hello, .welcome:
            send(.error(.init(code: .malformed, message: "unexpected message on an established link")), to: routingID)
        }
        if sessions[routingID] != nil { sessions[routingID] = session }
    }

    /// Applies trust-list changes to live sessions: a revoked child is dropped, a changed list of
    /// covered subtrees takes effect for the next batch.
    private func refreshTrust() {
        let entries = Dictionary(trusted().values.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        for (routingID, var session) in sessions {
            guard let entry = entries[session.child] else {
                logger.warning("child \(session.child) is no longer trusted; closing its session")
                send(
                    .error(.init(code: .notTrusted, message: "this node no longer trusts \(session.child)")),
                    to: routingID)
                drop(routingID)
                continue
            }
            if session.inbound.originsWithin != entry.subtrees {
                session.inbound.originsWithin = entry.subtrees
                // Changes skipped under the old filter may pass the new one: stream down from the start
                // (the child merges what it already has as duplicates).
                session.outbound = OutboundStream(
                    filter: FeedFilter(subtrees: entry.subtrees, excludingVia: [session.child]), from: 0)
                sessions[routingID] = session
                logger.info("child \(session.child) now covers \(entry.subtrees.map(\.rawValue))")
            }
        }
    }

    private func greet(_ hello: SyncMessage.Hello, routingID: [UInt8], authenticatedAs user: String?, now: UInt64) {
        guard hello.protocolVersion == FederationVersion.protocolVersion else {
            send(
                .error(
                    .init(
                        code: .unsupportedVersion,
                        message:
                            "this node speaks protocol \(FederationVersion.protocolVersion), not \(hello.protocolVersion)"
                    )), to: routingID)
            return
        }
        guard let user, let child = try? NodeCode(user), hello.nodeCode == user,
            let entry = trusted().values.first(where: { $0.code == child })
        else {
            logger.warning("HELLO as \(hello.nodeCode) from a key trusted as \(user ?? "nobody")")
            send(
                .error(
                    .init(
                        code: .notTrusted,
                        message: "this key is trusted as \(user ?? "nobody"), not as \(hello.nodeCode)")), to: routingID
            )
            return
        }
        // A reconnecting child replaces its old session.
        for (id, session) in sessions where session.child == child && id != routingID { sessions[id] = nil }
        let stored = try? store.watermark(peer: child, .received)
        let upFrom = stored?.epoch == hello.feedEpoch ? stored?.seq ?? 0 : 0
        var downFrom = hello.receivedEpoch == store.feedEpoch ? hello.receivedWatermark : 0
        if let head = try? store.headSequence(), downFrom > head {
            // A watermark beyond this feed's head names changes this node never made: start again from 0
            // (the child merges what it already has as duplicates).
            logger.warning(
                "child \(child) claims this feed up to \(downFrom), beyond its head \(head); streaming from 0")
            downFrom = 0
        }
        sessions[routingID] = Session(
            routingID: routingID, child: child,
            outbound: OutboundStream(
                filter: FeedFilter(subtrees: entry.subtrees, excludingVia: [child]), from: downFrom),
            inbound: InboundStream(
                peer: child, originsWithin: entry.subtrees, peerEpoch: hello.feedEpoch, watermark: upFrom,
                maxPayloadBytes: max(settings.common.maxMessageBytes * 8, WireCodec.defaultMaxPayloadBytes),
                privacyGuard: settings.privacyGuard.map { reducer -> @Sendable (inout ChangeBatch) -> Int in
                    { batch in reducer.enforce(&batch) }
                }),
            lastHeard: now, pacer: LinkPacer(intervalMs: settings.common.heartbeatIntervalMs))
        send(
            .welcome(
                .init(
                    nodeCode: store.node.rawValue, protocolVersion: FederationVersion.protocolVersion,
                    receivedWatermark: upFrom, receivedEpoch: hello.feedEpoch, feedEpoch: store.feedEpoch,
                    maxMessageBytes: UInt64(settings.common.maxMessageBytes),
                    maxInFlight: UInt32(settings.common.maxInFlight))),
            to: routingID)
        update(child) {
            $0.connected = true
            $0.lastSeen = LinkClock.wall()
        }
        logger.info(
            "child linked",
            metadata: [
                "child": "\(child)", "up_from": "\(upFrom)", "down_from": "\(downFrom)",
                "software": "\(hello.software)",
            ])
    }

    private func pump(_ session: inout Session, head: UInt64, now: UInt64) {
        let maxInFlight = settings.common.maxInFlight
        guard
            session.pacer.shouldPump(
                head: head, inFlight: session.outbound.inFlightCount, maxInFlight: maxInFlight, now: now)
        else { return }
        defer { session.pacer.pumped(inFlight: session.outbound.inFlightCount, maxInFlight: maxInFlight) }
        do {
            while let (frame, cells) = try session.outbound.nextFrame(
                store, maxCells: settings.common.batchCells, maxBytes: settings.common.maxMessageBytes - 4_096,
                maxInFlight: settings.common.maxInFlight, now: now,
                idleAdvanceMs: settings.common.heartbeatIntervalMs)
            {
                let copies = settings.common.faults.copies()
                if copies != 1 {
                    logger.notice(
                        "fault injection: \(copies == 0 ? "dropped" : "duplicated") batch \(frame.batchID) to \(session.child)"
                    )
                }
                // A dropped batch stays in flight and is resent after the ACK timeout.
                for _ in 0..<copies {
                    guard send(.batch(frame), to: session.routingID) else { return }
                }
                update(session.child) {
                    $0.batchesSent += 1
                    $0.cellsSent += Int64(cells)
                    $0.bytesSent += Int64(frame.payload.count)
                }
            }
        } catch {
            logger.error("cannot read the feed for \(session.child): \(error)")
        }
    }

    @discardableResult
    private func send(_ message: SyncMessage, to routingID: [UInt8]) -> Bool {
        guard let socket else { return false }
        do {
            return try socket.send([routingID, try WireCodec.encode(message)], dontWait: true)
        } catch {
            // ROUTER_MANDATORY: the peer is gone.
            if let session = sessions[routingID] {
                logger.info("child \(session.child) disconnected")
            }
            drop(routingID)
            return false
        }
    }

    private func drop(_ routingID: [UInt8]) {
        guard let session = sessions.removeValue(forKey: routingID) else { return }
        if !sessions.values.contains(where: { $0.child == session.child }) {
            update(session.child) { $0.connected = false }
        }
    }

    private func update(_ child: NodeCode, _ change: (inout LinkStatistics) -> Void) {
        var value = statistics[child] ?? LinkStatistics.load(peer: child.rawValue, role: .child, store.database)
        change(&value)
        statistics[child] = value
        dirty.insert(child)
    }

    private func saveStatistics(now: UInt64) {
        guard !dirty.isEmpty, now.since(savedAt) >= 1_000 else { return }
        for child in dirty {
            statistics[child]?.updatedAt = LinkClock.wall()
            statistics[child]?.save(store.database)
        }
        dirty.removeAll()
        savedAt = now
    }
}
