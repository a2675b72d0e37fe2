import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `fedctl run` child processes of `fedctl demo`: starts them with their logs in files, waits for
/// their health, and stops them all with SIGTERM (SIGKILL after a grace period).
final class NodeSupervisor: @unchecked Sendable {
    private let executable: URL
    private let logs: URL
    private let lock = NSLock()
    private var processes: [(code: String, process: Process)] = []

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    init(executable: URL, logs: URL) throws {
        self.executable = executable
        self.logs = logs
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
    }

    var running: [String] { locked { processes.filter { $0.process.isRunning }.map(\.code) } }

    func logURL(_ code: String) -> URL { logs.appendingPathComponent("\(code).log") }

    /// Starts `fedctl run --data DIR`, appending its output to `logs/CODE.log`.
    func start(_ code: String, data: String) throws {
        let log = logURL(code)
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--data", data, "--log-level", "notice"]
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw FedctlFailure(
                message: "cannot start \(executable.path) run --data \(data): \(error.localizedDescription)")
        }
        locked { processes.append((code, process)) }
    }

    /// Waits until the node answers /healthz; fails early, with its log's end, if its process exits.
    func waitForHealth(_ code: String, client: NodeClient, timeout: Duration = .seconds(60)) async throws {
        let process = locked { processes.first { $0.code == code }?.process }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            if (try? await client.get("/healthz", timeout: 2)) != nil { return }
            if let process, !process.isRunning {
                throw FedctlFailure(
                    message:
                        "node \(code) exited (status \(process.terminationStatus)) before answering:\n\(tail(code))")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw FedctlFailure(
            message:
                "node \(code) did not answer at \(client.base.absoluteString) within \(timeout); its log:\n\(tail(code))"
        )
    }

    struct StopReport {
        var lines: [String]
        var clean: Bool
    }

    /// SIGTERM to every node, then waits up to `grace` for all; stragglers get SIGKILL.
    func stopAll(grace: Duration = .seconds(15)) -> StopReport {
        let all = locked { processes }
        for (_, process) in all where process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + grace
        while all.contains(where: { $0.process.isRunning }) && ContinuousClock.now < deadline { usleep(50_000) }
        var lines: [String] = []
        var clean = true
        var stopped = 0
        for (code, process) in all {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                lines.append("  \(code): did not stop within \(grace), killed")
                clean = false
            } else if process.terminationReason == .exit && process.terminationStatus == 0 {
                stopped += 1
            } else {
                // SIGINT from the terminal's Ctrl-C reaches the nodes too; they stop cleanly on it.
                let how =
                    process.terminationReason == .uncaughtSignal
                    ? "signal \(process.terminationStatus)" : "status \(process.terminationStatus)"
                lines.append("  \(code): exited with \(how); see \(logURL(code).path)")
                clean = false
            }
        }
        lines.insert("stopped \(stopped) of \(all.count) nodes cleanly", at: 0)
        locked { processes.removeAll() }
        return StopReport(lines: lines, clean: clean)
    }

    /// The last lines of a node's log.
    func tail(_ code: String, lines: Int = 15) -> String {
        let text = (try? String(contentsOf: logURL(code), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).map { "    " + $0 }.joined(separator: "\n")
    }
}
