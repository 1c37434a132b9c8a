//! The inbox's link to a relay (`[webhook] mode = "relay"`): how it stands, as every header
//! shows it, and the rules of its worker (how long to wait after failures, what the relay may
//! delete).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayLink {
    pub state: LinkState,
    /// Deliveries the relay holds that this inbox has not read yet.
    pub backlog: u64,
    /// Deliveries refused since start because Meta's signature did not match their bytes
    /// (changed on the way).
    pub refused: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LinkState {
    /// Not reached yet since start.
    Connecting,
    Connected {
        since: DateTime<Utc>,
    },
    /// Failing since `since`, for the reason given (without secrets).
    Reconnecting {
        since: DateTime<Utc>,
        why: String,
    },
}

impl RelayLink {
    pub fn connecting() -> Self {
        Self {
            state: LinkState::Connecting,
            backlog: 0,
            refused: 0,
        }
    }

    /// Connected: since when it already was, else from `now`.
    pub fn connected(&mut self, now: DateTime<Utc>, backlog: u64) {
        if !matches!(self.state, LinkState::Connected { .. }) {
            self.state = LinkState::Connected { since: now };
        }
        self.backlog = backlog;
    }

    /// Failing: since the first failure of this run of them.
    pub fn failed(&mut self, now: DateTime<Utc>, why: String) {
        let since = match &self.state {
            LinkState::Reconnecting { since, .. } => *since,
            _ => now,
        };
        self.state = LinkState::Reconnecting { since, why };
    }
}

/// How long to wait after `failures` failed attempts in a row: one second, doubling, at most
/// `max`; `jitter` (0 to 1) spreads inboxes that failed together over the second half.
pub fn retry_delay(failures: u32, max: Duration, jitter: f64) -> Duration {
    let base = Duration::from_secs(1)
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(max);
    base.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
}

/// The newest cursor every consumer has acknowledged: what the relay may delete once old
/// enough. A consumer that never acknowledged holds everything.
pub fn deletable_through(acks: impl IntoIterator<Item = u64>) -> u64 {
    acks.into_iter().min().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter_below() {
        let max = Duration::from_secs(60);
        assert_eq!(retry_delay(1, max, 1.0), Duration::from_secs(1));
        assert_eq!(retry_delay(3, max, 1.0), Duration::from_secs(4));
        assert_eq!(retry_delay(30, max, 1.0), max);
        assert_eq!(retry_delay(3, max, 0.0), Duration::from_secs(2));
    }

    #[test]
    fn the_slowest_consumer_decides() {
        assert_eq!(deletable_through([7, 3, 9]), 3);
        assert_eq!(deletable_through([]), 0);
    }

    #[test]
    fn failing_keeps_its_first_time_and_connecting_its_own() {
        let t0 = Utc::now();
        let later = t0 + chrono::Duration::seconds(30);
        let mut link = RelayLink::connecting();
        link.failed(t0, "refused".into());
        link.failed(later, "timed out".into());
        assert_eq!(
            link.state,
            LinkState::Reconnecting {
                since: t0,
                why: "timed out".into()
            }
        );
        link.connected(later, 4);
        link.connected(later + chrono::Duration::seconds(5), 0);
        assert_eq!(link.state, LinkState::Connected { since: later });
        assert_eq!(link.backlog, 0);
    }
}
