//! How this process takes memory from the system and gives it back.

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

/// Asks the allocator to give freed memory back at once rather than a second later: 40–50 MB
/// less right after the scale bench's searches. Ingest measured the same with either, within
/// the noise of the runs (`docs/performance.md`). An operator's `MIMALLOC_PURGE_DELAY` (read
/// by mimalloc itself) stays.
pub fn give_back_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    set_purge_delay(0);
}

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`include/mimalloc.h`), which the
/// bindings do not name: milliseconds before freed memory goes back to the system.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[expect(
    unsafe_code,
    reason = "a foreign call that only sets a number in mimalloc's options table"
)]
fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: `mi_option_set` stores a value in mimalloc's table of options, which it reads
    // atomically whenever it purges; any option and value are accepted.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}

#[cfg(test)]
mod tests {
    /// The number named is the option meant: it starts at mimalloc 3's default purge delay
    /// (1,000 ms, which no option near it has) and reads back as set.
    #[test]
    #[expect(unsafe_code, reason = "reads the option back")]
    fn the_option_set_is_the_purge_delay() {
        // SAFETY: reads a number from mimalloc's table of options.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
        super::give_back_at_once();
        // SAFETY: as above.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 0);
    }
}
