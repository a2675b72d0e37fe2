import Eldercare
public import FederationHTTP
public import FederationSync
import Foundation
public import Logging
public import Replication
import ServiceLifecycle
import Synchronization
import ZeroMQTransport

/// A running node: the replicated store, the ROUTER for children, the DEALER to the parent and the
/// HTTP server, run as one `ServiceGroup` with graceful shutdown on SIGTERM/SIGINT.
///
///     let daemon = try NodeDaemon(directory: DataDirectory(path: "/var/lib/eldercare/130102001001"))
///     try await daemon.run()
public final class NodeDaemon: Sendable {
    public let directory: DataDirectory
    public let config: NodeConfig
    public let context: NodeContext
    public var store: ReplicaStore { context.store }
    private let zmq: ZeroMQContext
    private let hub: ChildrenHub
    private let uplink: ParentLink?
    private let boundHTTPPort = Mutex<Int?>(nil)

    /// Opens the data directory and the store and binds the children socket.
    ///
    /// - Throws: `NodeError` with what to fix (missing config, bad keys, endpoint in use).
    public init(directory: DataDirectory, logger: Logger = Logger(label: "eldercare.node")) async throws {
        self.directory = directory
        let config = try directory.loadConfig()
        self.config = config
        let code = try config.code
        var logger = logger
        logger[metadataKey: "node"] = "\(code)"
        let keys = try directory.loadKeyPair()
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.maxForwardSkewMilliseconds = UInt64(config.sync.maxClockSkewMs)
        storeConfiguration.fsyncEveryCommit = config.sync.durable
        storeConfiguration.statisticGrammar = DomainStatistics.grammar
        storeConfiguration.maxDatabaseBytes = config.storage?.maxDatabaseMB.map { Int64($0) << 20 }
        if let faults = config.faults, faults.isActive {
            logger.warning("FAULT INJECTION IS ON ([faults] in node.toml, for testing only): \(faults.summary)")
            if faults.clockOffsetMs != 0 {
                let offset = Int64(faults.clockOffsetMs)
                storeConfiguration.now = { UInt64(max(1, Int64(Date().timeIntervalSince1970 * 1000) + offset)) }
            }
        }
        let store = try NodeSchema.open(path: directory.databasePath, node: code, configuration: storeConfiguration)
        if store.quarantinedAtOpen > 0 {
            logger.warning(
                "moved \(store.quarantinedAtOpen) stored statistics cells that break the cell grammar to crdt_stats_refused; reports leave them out",
                metadata: ["table": "crdt_stats_refused"])
        }
        let (tokens, createdTokens) = try directory.loadOrCreateTokens()
        if !createdTokens.isEmpty {
            logger.notice(
                "created access tokens for this data directory; print them with fedctl token show --data DIR --role viewer|operator",
                metadata: [
                    "roles": "\(createdTokens.map(\.rawValue).joined(separator: ","))",
                    "directory": "\(directory.tokensURL.path)",
                ])
        }
        let trustDirectory = directory
        context = NodeContext(
            config: config, code: code, store: store, logger: logger, tokens: tokens,
            expectedChildren: { trustDirectory.trustedChildren().values.map(\.code) })
        zmq = try ZeroMQContext()
        hub = ChildrenHub(
            store: store, context: zmq,
            settings: .init(
                endpoint: config.sync.listen, common: LinkSettings(config.sync, keys: keys, faults: config.faults),
                privacyGuard: try (config.privacy ?? PrivacyPolicy()).receivingGuard(
                    at: code.level, schema: store.schema)),
            trusted: { trustDirectory.trustedChildren() }, logger: logger)
        do {
            try await hub.bind()
        } catch {
            throw NodeError(
                .startup,
                "cannot listen for children on \(config.sync.listen): \(error); is another node using that port?")
        }
        if let parent = config.sync.parent, let parentKey = config.sync.parentKey {
            uplink = ParentLink(
                store: store, context: zmq,
                settings: .init(
                    endpoint: parent, parentKey: parentKey,
                    expectedParent: config.sync.parentCode.flatMap { try? NodeCode($0) },
                    common: LinkSettings(config.sync, keys: keys, faults: config.faults),
                    privacy: config.privacy ?? PrivacyPolicy()),
                logger: logger)
        } else {
            uplink = nil
        }
        let hub = self.hub
        let uplink = self.uplink
        store.onCommit { head in
            hub.notify(head: head)
            uplink?.notify(head: head)
        }
    }

    /// The endpoint the children socket is bound to (a `:*` port resolved).
    public func childrenEndpoint() async throws -> String? { try await hub.boundEndpoint() }

    /// Runs until SIGTERM/SIGINT (when `handleSignals`) or until the calling task is cancelled.
    public func run(handleSignals: Bool = true) async throws {
        var services: [any Service] = [
            LoopService(run: { [hub] in await hub.run() }, stop: { [hub] in hub.requestStop() })
        ]
        if let uplink {
            services.append(LoopService(run: { await uplink.run() }, stop: { uplink.requestStop() }))
        }
        let folder = RollupFolder(store: store, logger: context.logger)
        services.append(LoopService(run: { await folder.run() }, stop: { folder.requestStop() }))
        services.append(contentsOf: try additionalServices())
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: context.logger))
        context.logger.info(
            "node running", metadata: ["name": "\(config.node.name)", "level": "\(context.code.level)"])
        try await group.run()
        zmq.shutdown()
        context.logger.info("node stopped")
    }

    /// The uplink's counters now (nil at the top of the tree).
    public func uplinkStatistics() async -> LinkStatistics? { await uplink?.currentStatistics() }

    /// The HTTP port once the server listens (nil before).
    public var httpPort: Int? { boundHTTPPort.withLock { $0 } }

    /// Services beyond the links (the HTTP server).
    private func additionalServices() throws -> [any Service] {
        [
            try NodeHTTP.makeApplication(context: context) { [self] port in
                boundHTTPPort.withLock { $0 = port }
                context.logger.info(
                    "HTTP listening", metadata: ["address": "\(config.http.listen)", "port": "\(port)"])
            }
        ]
    }
}

/// Adapts a link's run loop to swift-service-lifecycle.
struct LoopService: Service {
    let run: @Sendable () async -> Void
    let stop: @Sendable () -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await run()
            } onCancel: {
                stop()
            }
        } onGracefulShutdown: {
            stop()
        }
    }
}
