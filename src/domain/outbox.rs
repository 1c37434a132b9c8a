//! The durable outbox: what is waiting to go to WhatsApp, and when to try again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt has started: the request may have reached WhatsApp.
    InFlight,
    /// An attempt may have reached WhatsApp: it timed out, its answer was lost, or the
    /// process stopped during it. It is not sent again blindly: a status webhook carrying its
    /// callback data settles it, or the user resends.
    Uncertain,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// The id of the message it sends (one id space for both).
    pub id: u64,
    pub conversation_id: u64,
    /// When it was queued: with the conversation and the id, where its message is stored.
    pub at: DateTime<Utc>,
    /// The exact body to post to `/{phone-number-id}/messages`.
    pub request: serde_json::Value,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// The value of `biz_opaque_callback_data` for an outbox item.
pub fn callback_data(id: u64) -> String {
    format!("hirechat-outbox-{id}")
}

/// The outbox id in a status webhook's callback data, if it is one of ours.
pub fn parse_callback_data(data: &str) -> Option<u64> {
    data.strip_prefix("hirechat-outbox-")?.parse().ok()
}

/// How long to wait before attempt `attempt` (1 = the first retry): exponential, capped, and
/// with "full jitter" (a random share of the delay) so that many senders hitting a rate limit
/// do not all come back at the same instant. `random` is in `[0, 1)`.
pub fn retry_delay_ms(attempt: u32, first_ms: u64, max_ms: u64, random: f64) -> u64 {
    let exp = first_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(30));
    let capped = exp.min(max_ms);
    // Half fixed, half random: never zero, never more than the cap.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "delays are far below 2^52 ms"
    )]
    let jitter = ((capped / 2) as f64 * random.clamp(0.0, 1.0)) as u64;
    capped / 2 + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_round_trip() {
        assert_eq!(parse_callback_data(&callback_data(42)), Some(42));
        assert_eq!(parse_callback_data("outbox-9f2c"), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(retry_delay_ms(1, 1000, 60_000, 0.0), 500);
        assert_eq!(retry_delay_ms(1, 1000, 60_000, 1.0), 1000);
        assert_eq!(retry_delay_ms(3, 1000, 60_000, 1.0), 4000);
        assert_eq!(retry_delay_ms(20, 1000, 60_000, 1.0), 60_000);
        assert!(retry_delay_ms(40, 1000, 60_000, 0.5) <= 60_000);
    }
}
