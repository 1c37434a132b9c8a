//! Sends that wait for their time: a recruiter's "send later" (and, later, a rule's scheduled
//! action). Each is stored before its time, runs at most once (the change that marks it sent
//! is in the transaction that queues the message, and refuses one no longer waiting), and one
//! whose time passed while nothing ran is sent late only within a grace period, else skipped
//! with why.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::merge_source::Picks;

/// What is sent when the time comes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduledWhat {
    /// Free text: only while the contact's 24-hour window is open at that time.
    Text { text: String },
    /// An approved template, its merge fields filled when it is sent.
    Template {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        #[serde(default)]
        picks: Picks,
    },
    /// A rule's notification to users in the inbox (`owner`: the record's; `admins`).
    Notify { users: Vec<String>, note: String },
    /// A rule's handing of the conversation to someone, as routing would (`group:NAME`…).
    Assign { to: String },
}

impl ScheduledWhat {
    /// Whether it sends a message (else a rule notifies or assigns).
    pub fn is_message(&self) -> bool {
        matches!(self, Self::Text { .. } | Self::Template { .. })
    }
}

/// Where a scheduled send stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ScheduleState {
    Waiting,
    /// Queued in the outbox at `at` (the message then lives its own life in the chat).
    Sent {
        at: DateTime<Utc>,
        message_id: u64,
    },
    /// A notification or an assignment made: what.
    Done {
        at: DateTime<Utc>,
        what: String,
    },
    /// Not sent: a rule said no when its time came (the window had closed, they opted out…).
    Failed {
        at: DateTime<Utc>,
        reason: String,
    },
    Cancelled {
        at: DateTime<Utc>,
        cancelled_by: String,
    },
    /// Its time passed while nothing ran, longer ago than the grace period.
    Skipped {
        at: DateTime<Utc>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledSend {
    pub id: u64,
    /// Whom, as given: a phone number or a BSUID.
    pub to: String,
    /// The conversation it belongs to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<u64>,
    pub what: ScheduledWhat,
    pub due_at: DateTime<Utc>,
    /// The login it is sent as.
    pub by: String,
    pub created_at: DateTime<Utc>,
    /// Why it goes later than it was asked for (quiet hours where the recipient is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// The rule that scheduled it, and the record it fired for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleFiring>,
    /// The bulk send it is part of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
    /// Why a rule's send will be skipped when its time comes, as things stand when the sends
    /// are listed (its rule turned off or deleted, its record no longer one the rule is for):
    /// worked out for the list, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub will_skip: Option<String>,
    #[serde(flatten)]
    pub state: ScheduleState,
}

impl ScheduledSend {
    pub fn waiting(&self) -> bool {
        self.state == ScheduleState::Waiting
    }
}

impl ScheduledSend {
    /// The text it sends, or the template's name.
    pub fn summary(&self) -> String {
        match &self.what {
            ScheduledWhat::Text { text } => text.clone(),
            ScheduledWhat::Template { name, .. } => format!("template {name}"),
            ScheduledWhat::Notify { users, .. } => format!("notify {}", users.join(", ")),
            ScheduledWhat::Assign { to } => format!("assign to {to}"),
        }
    }
}

/// Which rule scheduled a send, for which record, and the key of that firing (a send is
/// scheduled once per key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFiring {
    pub rule_id: u64,
    pub rule: String,
    pub record_id: u64,
    pub key: String,
}

/// What to do with a waiting send at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    NotYet,
    Run,
    /// Missed by more than the grace period.
    Missed,
}

/// A send found this late is on time whatever the grace (the scheduler woke a little after).
const ON_TIME: Duration = Duration::minutes(1);

pub fn due(s: &ScheduledSend, now: DateTime<Utc>, grace: Duration) -> Due {
    if s.due_at > now {
        Due::NotYet
    } else if now - s.due_at > grace.max(ON_TIME) {
        Due::Missed
    } else {
        Due::Run
    }
}

/// Why a send was skipped, in words for the chat and `scheduled list`.
pub fn missed_reason(s: &ScheduledSend, now: DateTime<Utc>) -> String {
    format!(
        "its time ({}) passed {} minutes ago while hirechat was not running, longer than [outreach] late_grace_minutes",
        s.due_at.format("%Y-%m-%d %H:%M UTC"),
        (now - s.due_at).num_minutes()
    )
}

/// Whether a send may be scheduled for `at`: in the future, and free text only while the
/// window will still be open then.
pub fn check_time(
    what: &ScheduledWhat,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    window_ends: Option<DateTime<Utc>>,
) -> Result<(), String> {
    if at <= now {
        return Err(format!(
            "{} has passed: a send later is for a time to come",
            at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if let ScheduledWhat::Text { .. } = what {
        match window_ends {
            Some(end) if at < end => {}
            Some(end) => {
                return Err(format!(
                    "their 24-hour window closes at {}, before then: schedule an approved template instead",
                    end.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            None => {
                return Err(
                    "their 24-hour window is not open: schedule an approved template instead"
                        .into(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn send(due: &str) -> ScheduledSend {
        ScheduledSend {
            id: 1,
            to: "+819012345678".into(),
            conversation_id: Some(1),
            what: ScheduledWhat::Text {
                text: "See you".into(),
            },
            due_at: at(due),
            by: "aiko".into(),
            created_at: at("2026-12-01T00:00:00Z"),
            held: None,
            rule: None,
            batch: None,
            will_skip: None,
            state: ScheduleState::Waiting,
        }
    }

    #[test]
    fn a_send_runs_at_its_time_late_within_the_grace_else_is_skipped() {
        let s = send("2026-12-01T09:00:00Z");
        let grace = Duration::minutes(60);
        assert_eq!(due(&s, at("2026-12-01T08:59:59Z"), grace), Due::NotYet);
        assert_eq!(due(&s, at("2026-12-01T09:00:00Z"), grace), Due::Run);
        assert_eq!(due(&s, at("2026-12-01T10:00:00Z"), grace), Due::Run);
        assert_eq!(due(&s, at("2026-12-01T10:00:01Z"), grace), Due::Missed);
        assert!(missed_reason(&s, at("2026-12-01T11:00:00Z")).contains("120 minutes ago"));
        // Without grace, a send a few seconds late is still on time.
        assert_eq!(
            due(&s, at("2026-12-01T09:00:05Z"), Duration::zero()),
            Due::Run
        );
        assert_eq!(
            due(&s, at("2026-12-01T09:05:00Z"), Duration::zero()),
            Due::Missed
        );
    }

    #[test]
    fn text_is_scheduled_only_inside_the_window() {
        let now = at("2026-12-01T09:00:00Z");
        let text = send("2026-12-01T12:00:00Z").what;
        let end = Some(at("2026-12-01T20:00:00Z"));
        assert_eq!(
            check_time(&text, at("2026-12-01T12:00:00Z"), now, end),
            Ok(())
        );
        assert!(
            check_time(&text, at("2026-12-01T21:00:00Z"), now, end)
                .unwrap_err()
                .contains("approved template")
        );
        assert!(check_time(&text, at("2026-12-01T12:00:00Z"), now, None).is_err());
        assert!(
            check_time(&text, at("2026-12-01T08:00:00Z"), now, end)
                .unwrap_err()
                .contains("has passed")
        );
        let template = ScheduledWhat::Template {
            name: "interview_reminder".into(),
            language: None,
            picks: Picks::default(),
        };
        assert_eq!(
            check_time(&template, at("2026-12-09T09:00:00Z"), now, None),
            Ok(())
        );
    }
}
