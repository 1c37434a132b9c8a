//! Fetching an inbound file: where it stands (shown in the chat), why a try failed, whether
//! to try again (temporary failures, with a growing wait) or give up, and whether the bytes
//! are the ones WhatsApp described.

use serde::{Deserialize, Serialize};

use super::attachment::human_size;

/// Where fetching an inbound file stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Fetch {
    /// On its way (queued, or being retried).
    Fetching,
    /// Kept in the data directory.
    Ready,
    /// Not kept, and why.
    Failed { why: String },
    /// WhatsApp no longer has it (it keeps inbound media for seven days).
    Expired,
    /// Kept, then removed by the retention rule (`[attachments] keep_days`).
    Removed { after_days: u32 },
}

impl Fetch {
    /// A word or two for the chat.
    pub fn label(&self) -> String {
        match self {
            Self::Fetching => "downloading…".into(),
            Self::Ready => "ready".into(),
            Self::Failed { why } => format!("not kept: {why}"),
            Self::Expired => "expired (WhatsApp keeps files for 7 days)".into(),
            Self::Removed { after_days } => format!("removed after {after_days} days"),
        }
    }
}

impl Fetch {
    /// One word for scripts: `downloading`, `ready`, `failed`, `expired`.
    pub fn state(&self) -> &'static str {
        match self {
            Self::Fetching => "downloading",
            Self::Ready => "ready",
            Self::Failed { .. } => "failed",
            Self::Expired => "expired",
            Self::Removed { .. } => "removed",
        }
    }
}

/// Why a fetch did not succeed this time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFailure {
    /// WhatsApp does not know the media id (any more).
    Gone,
    /// A network failure, a rate limit, a server error: worth trying again.
    Temporary(String),
    /// Bigger than allowed.
    TooLarge { limit: u64 },
    /// The bytes do not have the checksum WhatsApp gave.
    Mismatch,
    /// Refused for good (the token, the request).
    Refused(String),
}

/// What to do after a failed fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    RetryInSecs(u64),
    GiveUp(Fetch),
}

/// An inbound file waiting to be fetched (the `media_queue` tree, by message id): it survives
/// restarts until it is kept or given up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchJob {
    pub message_id: u64,
    pub wamid: String,
    pub media_id: String,
    /// The checksum the webhook gave, if any.
    pub sha256: Option<String>,
    pub attempts: u32,
    pub next_at: chrono::DateTime<chrono::Utc>,
}

/// How many times an inbound file is tried before it is given up.
pub const FETCH_ATTEMPTS: u32 = 8;

/// The rule after the `attempts`-th failed fetch: temporary failures are retried (10 s,
/// doubling, at most an hour) up to [`FETCH_ATTEMPTS`]; the others are final.
pub fn after_failure(attempts: u32, failure: FetchFailure) -> AfterFailure {
    match failure {
        FetchFailure::Gone => AfterFailure::GiveUp(Fetch::Expired),
        FetchFailure::TooLarge { limit } => AfterFailure::GiveUp(Fetch::Failed {
            why: format!("larger than the {} allowed", human_size(limit)),
        }),
        FetchFailure::Mismatch => AfterFailure::GiveUp(Fetch::Failed {
            why: "it did not match the checksum WhatsApp gave".into(),
        }),
        FetchFailure::Refused(why) => AfterFailure::GiveUp(Fetch::Failed { why }),
        FetchFailure::Temporary(why) if attempts >= FETCH_ATTEMPTS => {
            AfterFailure::GiveUp(Fetch::Failed {
                why: format!("{attempts} tries failed, the last: {why}"),
            })
        }
        FetchFailure::Temporary(_) => {
            AfterFailure::RetryInSecs((10u64 << attempts.saturating_sub(1).min(9)).min(3600))
        }
    }
}

/// Whether `got` (hex) is the checksum WhatsApp gave, in hex (media facts) or base64 (some
/// webhooks); none given is no mismatch.
pub fn checksum_matches(expected: Option<&str>, got_hex: &str) -> bool {
    use base64::Engine as _;
    let Some(expected) = expected.map(str::trim).filter(|e| !e.is_empty()) else {
        return true;
    };
    if expected.eq_ignore_ascii_case(got_hex) {
        return true;
    }
    hex::decode(got_hex)
        .is_ok_and(|raw| base64::engine::general_purpose::STANDARD.encode(raw) == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fetches_retry_what_may_pass_and_give_up_on_the_rest() {
        assert_eq!(
            after_failure(1, FetchFailure::Temporary("503".into())),
            AfterFailure::RetryInSecs(10)
        );
        assert_eq!(
            after_failure(3, FetchFailure::Temporary("503".into())),
            AfterFailure::RetryInSecs(40)
        );
        assert!(matches!(
            after_failure(FETCH_ATTEMPTS, FetchFailure::Temporary("503".into())),
            AfterFailure::GiveUp(Fetch::Failed { .. })
        ));
        assert_eq!(
            after_failure(1, FetchFailure::Gone),
            AfterFailure::GiveUp(Fetch::Expired)
        );
        let hex = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
        assert!(checksum_matches(Some(hex), hex));
        assert!(checksum_matches(
            Some("LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564="),
            hex
        ));
        assert!(!checksum_matches(Some("00"), hex));
        assert!(checksum_matches(None, hex));
    }
}
