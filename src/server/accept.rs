//! What an accept loop does when `accept` fails. A failure of one connection (reset before it
//! was taken) is skipped; a failure of the process (out of file descriptors or memory) would
//! fail again at once, so the loop waits, longer each time, and logs a line now and then
//! rather than spinning and filling the disk with the same line.

use std::time::Duration;

use super::log_throttle::LogThrottle;

const FIRST: Duration = Duration::from_millis(10);
const MOST: Duration = Duration::from_secs(1);
/// At most one log line per listener this often while accepting keeps failing.
const LOG_EVERY: Duration = Duration::from_secs(10);

pub struct Backoff {
    listener: &'static str,
    delay: Duration,
    log: LogThrottle,
}

impl Backoff {
    pub fn new(listener: &'static str) -> Self {
        Self {
            listener,
            delay: FIRST,
            log: LogThrottle::new(LOG_EVERY),
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
        if let Some(more) = self.log.allow() {
            tracing::error!(
                listener = self.listener,
                error = %e,
                more_since_last_line = more,
                "cannot accept connections (out of file descriptors?); slowing down"
            );
        }
        tokio::time::sleep(self.delay).await;
        self.delay = (self.delay * 2).min(MOST);
    }
}
