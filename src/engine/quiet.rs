//! When webhooks last arrived: background work that competes with them for the disk and the
//! cores (fetching files) waits for a pause, so a burst of deliveries is acknowledged as fast
//! with files arriving as without. The wait is bounded: under deliveries that never pause the
//! work still goes on.

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

#[derive(Clone, Default)]
pub struct Activity(Arc<AtomicI64>);

impl Activity {
    /// A delivery arrived now.
    pub fn touch(&self) {
        self.0
            .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
    }

    /// When the last delivery arrived; none since start.
    pub fn last(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            ms => chrono::DateTime::from_timestamp_millis(ms),
        }
    }

    fn idle_for(&self) -> Duration {
        let last = self.0.load(Ordering::Relaxed);
        let ms = chrono::Utc::now().timestamp_millis().saturating_sub(last);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// Returns once no delivery arrived for `pause`, or after `at_most`.
    pub async fn wait_for_pause(&self, pause: Duration, at_most: Duration) {
        let deadline = tokio::time::Instant::now() + at_most;
        loop {
            let idle = self.idle_for();
            if idle >= pause || tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep(pause.saturating_sub(idle).min(Duration::from_millis(50))).await;
        }
    }
}
