//! What rules did: a line per firing and per outcome of what it scheduled.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a rule's log: what it did for a record, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub rule_id: u64,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// It fired: a send waits for its time.
    Scheduled {
        send_id: u64,
        template: String,
        due_at: DateTime<Utc>,
    },
    /// The send went: the message it queued.
    Sent { send_id: u64, message_id: u64 },
    /// A notification or an assignment was made: what.
    Done { send_id: u64, what: String },
    /// The send did not go, and why (opted out, the template not approved, cancelled…).
    NotSent { send_id: u64, reason: String },
    /// It fired but could schedule nothing, and why (no mobile number).
    Skipped { reason: String },
}

impl LogEntry {
    /// The entry as a line: when, the record, what happened.
    pub fn sentence(&self) -> String {
        let record = self
            .record_id
            .map(|r| format!("record {r}: "))
            .unwrap_or_default();
        let what = match &self.outcome {
            Outcome::Scheduled {
                send_id,
                template,
                due_at,
            } => format!(
                "scheduled {template} for {} (send {send_id})",
                due_at.format("%Y-%m-%d %H:%M UTC")
            ),
            Outcome::Sent {
                send_id,
                message_id,
            } => format!("sent (send {send_id}, message {message_id})"),
            Outcome::Done { send_id, what } => format!("{what} (send {send_id})"),
            Outcome::NotSent { send_id, reason } => format!("not sent (send {send_id}): {reason}"),
            Outcome::Skipped { reason } => format!("nothing scheduled: {reason}"),
        };
        format!("{} {record}{what}", self.at.format("%Y-%m-%d %H:%M:%S UTC"))
    }
}
