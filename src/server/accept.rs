//! What an accept loop does when `accept` fails. A failure of one connection (reset before it
//! was taken) is skipped; a failure of the process (out of file descriptors or memory) would
//! fail again at once, so the loop waits, longer each time, and logs a line now and then
//! rather than spinning and filling the disk with the same line.

use std::time::{Duration, Instant};

const FIRST: Duration = Duration::from_millis(10);
const MOST: Duration = Duration::from_secs(1);
/// At most one log line per listener this often while accepting keeps failing.
const LOG_EVERY: Duration = Duration::from_secs(10);

pub struct Backoff {
    listener: &'static str,
    delay: Duration,
    logged_at: Option<Instant>,
    unlogged: u64,
}

impl Backoff {
    pub fn new(listener: &'static str) -> Self {
        Self {
            listener,
            delay: FIRST,
            logged_at: None,
            unlogged: 0,
        }
    }

    /// Accepting works again.
    pub fn reset(&mut self) {
        if self.delay != FIRST {
            tracing::info!(listener = self.listener, "accepting connections again");
        }
        self.delay = FIRST;
    }

    /// Handles a failed `accept`: returns at once for a failure of that one connection, else
    /// after a pause that doubles up to a second.
    pub async fn failed(&mut self, e: &std::io::Error) {
        use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
        if matches!(
            e.kind(),
            ConnectionAborted | ConnectionReset | ConnectionRefused
        ) {
            return;
        }
        self.unlogged += 1;
        if self.logged_at.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
            tracing::error!(
                listener = self.listener,
                error = %e,
                failures = self.unlogged,
                "cannot accept connections (out of file descriptors?); slowing down"
            );
            self.logged_at = Some(Instant::now());
            self.unlogged = 0;
        }
        tokio::time::sleep(self.delay).await;
        self.delay = (self.delay * 2).min(MOST);
    }
}
