//! Bulk sends: one approved template to many people at once. Before anything happens the
//! sender sees a preflight (who receives it, who is skipped and why); confirming stores a
//! batch whose sends wait a short undo period, then go through the scheduler and the outbox
//! like any send for later (each once, the rules checked again when it goes, paced under
//! WhatsApp's limits). What each recipient got is read back from those sends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    message::{Message, Status},
    schedule::{ScheduleState, ScheduledSend},
};

/// Whom a bulk send is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Recipients {
    /// Conversations (marked in the inbox).
    Conversations { ids: Vec<u64> },
    /// Candidates or contacts (marked in the records pane): to their mobile.
    Records { ids: Vec<u64> },
    /// The conversations a filter or a view selects now.
    Filter { query: String },
    /// Numbers or BSUIDs, as given (a file, one a line).
    Numbers { numbers: Vec<String> },
}

/// One who will receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub to: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<u64>,
}

/// One who will not, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// As given, or the record's name when it has no number.
    pub to: String,
    pub name: String,
    pub reason: String,
}

/// What confirming would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub send: Vec<Planned>,
    pub skipped: Vec<Skipped>,
    /// What it costs by the rate card in force (none without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
}

/// What a bulk send costs by the rate card, and the balance it draws on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    pub total: super::money::Money,
    pub currency: String,
    /// Recipients it is charged for, and those for whom it is free (their window is open).
    pub charged: usize,
    pub free: usize,
    pub balance: super::money::Money,
}

impl Cost {
    /// "Cost: 3.66 EUR (50 charged, 12 free) · balance 25.00 EUR".
    pub fn sentence(&self) -> String {
        let short = if self.total > self.balance {
            " — not enough: the sends past the balance will be refused"
        } else {
            ""
        };
        format!(
            "Cost: {} {cur} ({} charged, {} free) · balance {} {cur}{short}",
            self.total,
            self.charged,
            self.free,
            self.balance,
            cur = self.currency
        )
    }
}

/// A confirmed bulk send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub id: u64,
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The login it is sent as.
    pub by: String,
    pub created_at: DateTime<Utc>,
    /// When the first send may leave: after the undo period, or at the time asked for.
    pub starts_at: DateTime<Utc>,
    /// How many it was sent to (skipped ones aside).
    pub recipients: usize,
    pub skipped: Vec<Skipped>,
}

/// Where one recipient's send stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Not yet queued (the undo period, or its time).
    Waiting,
    /// In the outbox, waiting for its turn or WhatsApp's answer.
    Sending,
    /// WhatsApp took it (sent, delivered or read).
    Sent,
    Failed,
    /// Not sent: a rule said no when its time came, or its time was missed.
    Skipped,
    Cancelled,
}

/// One recipient's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub to: String,
    pub stage: Stage,
    /// The message's status once queued (sent, delivered, read, failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Outcome {
    /// A send of the batch, with its message once queued.
    pub fn of(send: &ScheduledSend, message: Option<&Message>) -> Self {
        let (stage, reason) = match &send.state {
            ScheduleState::Waiting => (Stage::Waiting, None),
            ScheduleState::Done { .. } => (Stage::Sent, None),
            ScheduleState::Sent { .. } => match message.map(|m| m.status) {
                Some(Status::Failed) => (Stage::Failed, message.and_then(|m| m.error.clone())),
                Some(Status::Sent | Status::Delivered | Status::Read) => (Stage::Sent, None),
                _ => (Stage::Sending, None),
            },
            ScheduleState::Failed { reason, .. } | ScheduleState::Skipped { reason, .. } => {
                (Stage::Skipped, Some(reason.clone()))
            }
            ScheduleState::Cancelled { cancelled_by, .. } => (
                Stage::Cancelled,
                Some(format!("cancelled by {cancelled_by}")),
            ),
        };
        Self {
            to: send.to.clone(),
            stage,
            status: message.map(|m| m.status),
            message_id: message.map(|m| m.id),
            reason,
        }
    }
}

/// How far a batch got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    pub total: usize,
    pub waiting: usize,
    pub sending: usize,
    pub sent: usize,
    pub failed: usize,
    /// Skipped in the preflight or when its time came.
    pub skipped: usize,
    pub cancelled: usize,
}

impl Progress {
    pub fn of(batch: &Batch, outcomes: &[Outcome]) -> Self {
        let mut p = Self {
            total: batch.recipients,
            skipped: batch.skipped.len(),
            ..Self::default()
        };
        for o in outcomes {
            match o.stage {
                Stage::Waiting => p.waiting += 1,
                Stage::Sending => p.sending += 1,
                Stage::Sent => p.sent += 1,
                Stage::Failed => p.failed += 1,
                Stage::Skipped => p.skipped += 1,
                Stage::Cancelled => p.cancelled += 1,
            }
        }
        p
    }

    /// Nothing more will happen.
    pub fn done(&self) -> bool {
        self.waiting == 0 && self.sending == 0
    }

    /// How many of the batch's sends are settled, of how many.
    pub fn settled(&self) -> (usize, usize) {
        (self.sent + self.failed + self.cancelled, self.total)
    }

    /// "412 sent, 3 failed, 12 skipped" and what still waits.
    pub fn sentence(&self) -> String {
        let mut parts = vec![format!("{} sent", self.sent)];
        for (n, what) in [
            (self.failed, "failed"),
            (self.skipped, "skipped"),
            (self.cancelled, "cancelled"),
            (self.sending, "sending"),
            (self.waiting, "waiting"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }
}

/// The addresses given, without repeats: the second of a pair is skipped, saying so.
pub fn distinct(addresses: Vec<(String, String)>) -> (Vec<(String, String)>, Vec<Skipped>) {
    let mut seen = std::collections::HashSet::new();
    let mut keep = Vec::new();
    let mut twice = Vec::new();
    for (to, name) in addresses {
        let key: String = to.chars().filter(char::is_ascii_alphanumeric).collect();
        if seen.insert(key) {
            keep.push((to, name));
        } else {
            twice.push(Skipped {
                to,
                name,
                reason: "listed twice: sent once".into(),
            });
        }
    }
    (keep, twice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(recipients: usize) -> Batch {
        Batch {
            id: 1,
            template: "job_details".into(),
            language: None,
            by: "aiko".into(),
            created_at: DateTime::UNIX_EPOCH,
            starts_at: DateTime::UNIX_EPOCH,
            recipients,
            skipped: vec![Skipped {
                to: "+819000000000".into(),
                name: "Ken".into(),
                reason: "opted out".into(),
            }],
        }
    }

    fn outcome(stage: Stage) -> Outcome {
        Outcome {
            to: "+819012345678".into(),
            stage,
            status: None,
            message_id: None,
            reason: None,
        }
    }

    #[test]
    fn progress_counts_each_stage_and_is_done_when_nothing_waits() {
        let b = batch(4);
        let mut outcomes = vec![
            outcome(Stage::Sent),
            outcome(Stage::Sent),
            outcome(Stage::Failed),
            outcome(Stage::Sending),
        ];
        let p = Progress::of(&b, &outcomes);
        assert!(!p.done());
        assert_eq!(p.settled(), (3, 4));
        assert_eq!(p.sentence(), "2 sent, 1 failed, 1 skipped, 1 sending");
        outcomes[3].stage = Stage::Cancelled;
        let p = Progress::of(&b, &outcomes);
        assert!(p.done());
        assert_eq!(p.sentence(), "2 sent, 1 failed, 1 skipped, 1 cancelled");
    }

    #[test]
    fn the_same_number_written_two_ways_is_sent_once() {
        let (keep, twice) = distinct(vec![
            ("+81 90-1234-5678".into(), "Ken".into()),
            ("+819012345678".into(), "Ken S.".into()),
            ("+447400123456".into(), "Emily".into()),
        ]);
        assert_eq!(keep.len(), 2);
        assert_eq!(twice[0].name, "Ken S.");
    }
}
