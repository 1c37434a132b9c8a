//! The `hirechat` binary: everything lives in the library; see `cli`.

/// sled allocates and frees a small buffer for nearly every key it touches, from every
/// thread: with glibc's allocator a quarter of the webhook path's time went to `malloc` and
/// `free` and their locks (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hirechat::cli::main()
}
