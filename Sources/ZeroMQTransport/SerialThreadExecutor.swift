import Foundation

/// A serial executor that runs every job on one dedicated thread, for actors that own ZeroMQ sockets: blocking
/// `zmq_poll` then never occupies a thread of the shared cooperative pool, and the socket is only ever touched from
/// one thread.
///
///     actor Link {
///         let executor = SerialThreadExecutor(name: "link")
///         nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
///     }
///
/// Jobs run one at a time in the order they were enqueued. `shutdown()` (or releasing the executor) lets the thread
/// finish what is queued and exit; a job enqueued after `shutdown()` still runs, on a fresh thread, so no task is
/// stranded.
public final class SerialThreadExecutor: SerialExecutor, Sendable {
    private let queue: JobQueue

    /// Starts the executor's thread, named `name` (as `Thread.current.name` reports on it).
    public init(name: String = "SerialThreadExecutor") {
        queue = JobQueue(name: name)
        queue.start(executor: asUnownedSerialExecutor())
    }

    deinit { queue.shutdown() }

    public func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job))
    }

    /// Lets the thread run the jobs already queued and then exit. Calling it again does nothing.
    public func shutdown() { queue.shutdown() }

    /// True when called on the executor's thread.
    public var isCurrentThread: Bool { queue.isWorkerThread }

    public func checkIsolated() {
        precondition(isCurrentThread, "not on the thread of SerialThreadExecutor \"\(queue.name)\"")
    }

    public func isIsolatingCurrentContext() -> Bool? { isCurrentThread }

    /// The jobs and the thread that runs them. The thread holds this queue, not the executor, so releasing the
    /// executor (when the last actor using it goes) ends the thread.
    private final class JobQueue: @unchecked Sendable {
        // @unchecked: every mutable field is guarded by `condition`.
        let name: String
        private let condition = NSCondition()
        private var jobs: [UnownedJob] = []
        private var head = 0
        private var isShutDown = false
        private var worker: Thread?
        private var executor: UnownedSerialExecutor?

        init(name: String) { self.name = name }

        func start(executor: UnownedSerialExecutor) {
            condition.withLock {
                self.executor = executor
                startWorker()
            }
        }

        func push(_ job: UnownedJob) {
            condition.withLock {
                jobs.append(job)
                if worker == nil { startWorker() }
                condition.signal()
            }
        }

        func shutdown() {
            condition.withLock {
                isShutDown = true
                condition.broadcast()
            }
        }

        var isWorkerThread: Bool {
            condition.withLock { worker.map { $0 === Thread.current } ?? false }
        }

        /// Called with `condition` held.
        private func startWorker() {
            let thread = Thread { [self] in
                // Named from inside: swift-corelibs-foundation drops a name set before `start()`.
                Thread.current.name = name
                runJobs()
            }
            worker = thread
            thread.start()
        }

        private func runJobs() {
            while let (job, executor) = nextJob() {
                job.runSynchronously(on: executor)
            }
        }

        /// The next job, waiting for one; nil once shut down with nothing left, after which the thread exits.
        private func nextJob() -> (UnownedJob, UnownedSerialExecutor)? {
            condition.withLock {
                while head == jobs.count {
                    if isShutDown {
                        worker = nil
                        return nil
                    }
                    condition.wait()
                }
                guard let executor else { preconditionFailure("a job was queued before the executor started") }
                let job = jobs[head]
                head += 1
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    head = 0
                }
                return (job, executor)
            }
        }
    }
}
