#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

/// Makes standard output line-buffered, so that a long-running command's lines come as they are
/// printed, in order with the progress on standard error, also through a pipe or `tee`.
func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
}
