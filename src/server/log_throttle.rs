//! A log line that may come thousands of times a second (forged webhooks, a failing accept)
//! is written at most once per period, with how many were left out: the log must not become
//! the way to fill the disk.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct LogThrottle {
    every: Duration,
    /// When a line was last written, and how many were left out since.
    state: Mutex<(Option<Instant>, u64)>,
}

impl LogThrottle {
    pub const fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(left out since the last line)` when a line may be written now.
    pub fn allow(&self) -> Option<u64> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (last, skipped) = &mut *state;
        if last.is_some_and(|t| t.elapsed() < self.every) {
            *skipped += 1;
            return None;
        }
        *last = Some(Instant::now());
        Some(std::mem::take(skipped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_period_with_the_count_left_out() {
        let t = LogThrottle::new(Duration::from_secs(60));
        assert_eq!(t.allow(), Some(0));
        assert_eq!(t.allow(), None);
        assert_eq!(t.allow(), None);
        let quick = LogThrottle::new(Duration::ZERO);
        assert_eq!(quick.allow(), Some(0));
        assert_eq!(quick.allow(), Some(0));
    }
}
