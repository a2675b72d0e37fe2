import Synchronization
import Testing

@testable import FederationNode

/// `concurrentMap` (the roster import's row checks on every core) gives exactly `map`'s result, in
/// order, for every size around its chunk boundaries, and calls the transform once per element.
@Suite(.timeLimit(.minutes(10))) struct ConcurrentMapTests {
    @Test(arguments: [0, 1, 999, 1_000, 1_999, 2_000, 2_001, 10_007])
    func equalsMapInOrder(_ count: Int) {
        let values = (0..<count).map { $0 &* 7_919 % 10_007 }
        let calls = Atomic<Int>(0)
        let result = values.concurrentMap { value -> String in
            calls.add(1, ordering: .relaxed)
            return "\(value)-\(value % 13)"
        }
        #expect(result == values.map { "\($0)-\($0 % 13)" })
        #expect(calls.load(ordering: .relaxed) == count)
    }

    @Test func smallChunksStillKeepOrder() {
        let values = Array(0..<257)
        #expect(values.concurrentMap(minimumChunk: 1) { $0 * 2 } == values.map { $0 * 2 })
    }
}
