public import SeededRandom

/// The tests' name for the one seeded generator (`SplitMix`); every randomized test prints or receives
/// its seed.
public typealias SeededGenerator = SplitMix
