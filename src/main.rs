//! The `ontap-conform` binary: everything is in the library; this only picks the allocator and
//! hands over to the command line.

/// mimalloc instead of glibc's malloc: the emulator allocates a few small JSON maps per request
/// from many threads, where glibc's allocator spent about a sixth of the emulator's time under
/// load (perf, `scripts/bench/load.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ontap_conform::cli::main()
}
