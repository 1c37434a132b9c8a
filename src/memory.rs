//! How this process takes memory from the system.

/// Asks Linux not to back this process's memory with 2 MB transparent huge pages. The
/// allocator asks for them for its arenas (where the kernel allows it on request), and a heap
/// of many small values (sled's pages, the filters' facts) is then resident in whole 2 MB
/// pages: about 45 MB more for a daemon on 100,000 conversations (`docs/performance.md`).
pub fn small_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!(error = %e, "huge pages stay as the system has them");
    }
}
