//! Where a conversation stands in the team's work: open, pending (waiting on the contact) or
//! resolved, and perhaps snoozed until a time. Only an open conversation that is not snoozed
//! waits for an answer (the unreplied views); the contact writing again opens it, and a snooze
//! that ends brings it back as unread. Each change leaves a line in the conversation's trail
//! ("Aiko resolved this · 10:42"), with who and when.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::conversation::Conversation;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    #[default]
    Open,
    /// Waiting on the contact: not in the unreplied views until they write.
    Pending,
    /// Done: out of the unreplied views until the contact writes again.
    Resolved,
}

impl ConversationStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "pending" => Some(Self::Pending),
            "resolved" => Some(Self::Resolved),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Resolved => "resolved",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }
}

/// What a person asks of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum StateChange {
    /// Open (again); ends a snooze.
    Open,
    Pending,
    Resolved,
    /// Out of sight until `until`, then back as unread (the status stays).
    Snooze {
        until: DateTime<Utc>,
    },
}

/// What happened to a conversation, for its trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Happened {
    Status {
        from: ConversationStatus,
        to: ConversationStatus,
    },
    Snoozed {
        until: DateTime<Utc>,
    },
    /// The snooze's time came: back, unread.
    SnoozeEnded,
    /// The contact wrote to a conversation that was pending, resolved or snoozed.
    ReopenedByContact,
    /// Labels put on and taken off.
    Labelled {
        #[serde(default)]
        added: Vec<String>,
        #[serde(default)]
        removed: Vec<String>,
    },
    /// Handed to someone (a login), or to nobody.
    Assigned {
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        to: Option<String>,
    },
}

/// One line of a conversation's trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEntry {
    pub conversation_id: u64,
    pub at: DateTime<Utc>,
    /// Who did it (a login); none when the contact or the clock did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_name: Option<String>,
    #[serde(flatten)]
    pub what: Happened,
}

impl TrailEntry {
    /// The quiet line the chat shows, times in `tz`.
    pub fn sentence<Z: TimeZone>(&self, tz: &Z) -> String
    where
        Z::Offset: std::fmt::Display,
    {
        let who = self
            .by_name
            .as_deref()
            .or(self.by.as_deref())
            .unwrap_or("Someone");
        let when = self.at.with_timezone(tz).format("%H:%M");
        let what = match &self.what {
            Happened::Status { to, .. } => match to {
                ConversationStatus::Open => format!("{who} reopened this"),
                ConversationStatus::Pending => format!("{who} set this pending"),
                ConversationStatus::Resolved => format!("{who} resolved this"),
            },
            Happened::Snoozed { until } => format!(
                "{who} snoozed this until {}",
                until.with_timezone(tz).format("%a %-d %b %H:%M")
            ),
            Happened::SnoozeEnded => "The snooze ended".to_owned(),
            Happened::ReopenedByContact => "Reopened: the contact wrote again".to_owned(),
            Happened::Labelled { added, removed } => {
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("labelled this {}", added.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("took off {}", removed.join(", ")));
                }
                format!("{who} {}", parts.join(" and "))
            }
            Happened::Assigned { to: None, .. } => format!("{who} unassigned this"),
            Happened::Assigned { to: Some(to), .. } if Some(to) == self.by.as_ref() => {
                format!("{who} took this")
            }
            Happened::Assigned { to: Some(to), .. } => format!("{who} assigned this to {to}"),
        };
        format!("{what} · {when}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("a snooze ends in the future: {0} has passed")]
    SnoozeInThePast(DateTime<Utc>),
}

/// Whether the conversation waits for an answer at all (the unreplied views' first rule).
pub fn awaits_answer(c: &Conversation) -> bool {
    c.status.is_open() && c.snoozed_until.is_none()
}

/// A person's change at `now`: what the trail says, none when nothing changes.
pub fn change(
    c: &mut Conversation,
    change: StateChange,
    now: DateTime<Utc>,
) -> Result<Option<Happened>, StateError> {
    let to = match change {
        StateChange::Snooze { until } => {
            if until <= now {
                return Err(StateError::SnoozeInThePast(until));
            }
            c.snoozed_until = Some(until);
            return Ok(Some(Happened::Snoozed { until }));
        }
        StateChange::Open => ConversationStatus::Open,
        StateChange::Pending => ConversationStatus::Pending,
        StateChange::Resolved => ConversationStatus::Resolved,
    };
    let from = c.status;
    let snoozed = c.snoozed_until.take().is_some();
    if from == to && !snoozed {
        return Ok(None);
    }
    c.status = to;
    Ok(Some(Happened::Status { from, to }))
}

/// The contact wrote: a pending, resolved or snoozed conversation is open again.
pub fn contact_wrote(c: &mut Conversation) -> Option<Happened> {
    if awaits_answer(c) {
        return None;
    }
    c.status = ConversationStatus::Open;
    c.snoozed_until = None;
    Some(Happened::ReopenedByContact)
}

/// At `now`, a snooze whose time came ends: the conversation is back, unread.
pub fn snooze_due(c: &mut Conversation, now: DateTime<Utc>) -> Option<Happened> {
    if c.snoozed_until.is_none_or(|until| until > now) {
        return None;
    }
    c.snoozed_until = None;
    c.unread = c.unread.max(1);
    Some(Happened::SnoozeEnded)
}

/// What a snooze's end may be written as, for help and errors.
pub const UNTIL_SYNTAX: &str = "30m, 2h, 3d, 1w, tomorrow (9:00), tomorrow 14:30, 17:30 (today, else tomorrow), 2026-12-03, 2026-12-03 14:00 or 2026-12-03T14:00:00Z";

/// When a snooze typed as `text` ends, `now` in the zone `tz`.
pub fn parse_until<Z: TimeZone>(
    text: &str,
    now: DateTime<Utc>,
    tz: &Z,
) -> Result<DateTime<Utc>, String> {
    let t = text.trim().to_lowercase();
    let bad = || format!("{text:?} is not a time to snooze until; write {UNTIL_SYNTAX}");
    let morning = NaiveTime::from_hms_opt(9, 0, 0).ok_or_else(bad)?;
    let local = |day: NaiveDate, time: NaiveTime| {
        tz.from_local_datetime(&day.and_time(time))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .ok_or_else(bad)
    };
    // An exact instant, as scripts write it.
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.to_utc());
    }
    let today = now.with_timezone(tz).date_naive();
    if t == "tomorrow" {
        return local(today.succ_opt().ok_or_else(bad)?, morning);
    }
    if let Some(time) = t
        .strip_prefix("tomorrow ")
        .and_then(|h| NaiveTime::parse_from_str(h.trim(), "%H:%M").ok())
    {
        return local(today.succ_opt().ok_or_else(bad)?, time);
    }
    if let Some((n, unit)) = t
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&i| i > 0)
        .map(|i| t.split_at(i))
        && let Ok(n) = n.parse::<i64>()
    {
        let span = match unit {
            "s" | "sec" => Some(Duration::seconds(n)),
            "m" | "min" => Some(Duration::minutes(n)),
            "h" => Some(Duration::hours(n)),
            "d" => Some(Duration::days(n)),
            "w" => Some(Duration::weeks(n)),
            _ => None,
        };
        if let Some(span) = span {
            return Ok(now + span);
        }
    }
    if let Ok(time) = NaiveTime::parse_from_str(&t, "%H:%M") {
        let at = local(today, time)?;
        return if at > now {
            Ok(at)
        } else {
            local(today.succ_opt().ok_or_else(bad)?, time)
        };
    }
    if let Ok(at) = chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M") {
        return local(at.date(), at.time());
    }
    if let Ok(day) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return local(day, morning);
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn waiting() -> Conversation {
        let mut c = Conversation::new(1, None, None);
        c.last_inbound_at = Some(at("2026-12-01T08:00:00Z"));
        c
    }

    #[test]
    fn resolving_and_snoozing_stop_the_wait_and_the_contact_writing_opens_it_again() {
        let now = at("2026-12-01T10:00:00Z");
        let mut c = waiting();
        assert!(awaits_answer(&c));
        assert_eq!(
            change(&mut c, StateChange::Resolved, now),
            Ok(Some(Happened::Status {
                from: ConversationStatus::Open,
                to: ConversationStatus::Resolved
            }))
        );
        assert!(!awaits_answer(&c));
        assert_eq!(change(&mut c, StateChange::Resolved, now), Ok(None), "once");
        assert_eq!(contact_wrote(&mut c), Some(Happened::ReopenedByContact));
        assert!(awaits_answer(&c));
        assert_eq!(contact_wrote(&mut c), None, "open already");

        let until = at("2026-12-02T09:00:00Z");
        assert_eq!(
            change(&mut c, StateChange::Snooze { until }, now),
            Ok(Some(Happened::Snoozed { until }))
        );
        assert!(!awaits_answer(&c));
        assert_eq!(snooze_due(&mut c, now), None, "not yet");
        assert_eq!(snooze_due(&mut c, until), Some(Happened::SnoozeEnded));
        assert!(awaits_answer(&c) && c.unread == 1);
        assert_eq!(
            change(&mut c, StateChange::Snooze { until: now }, now),
            Err(StateError::SnoozeInThePast(now))
        );
        // Reopening a snoozed open conversation ends the snooze.
        change(&mut c, StateChange::Snooze { until }, now).unwrap();
        assert!(change(&mut c, StateChange::Open, now).unwrap().is_some());
        assert!(c.snoozed_until.is_none());
    }

    #[test]
    fn snooze_times_read_as_a_recruiter_writes_them_in_their_zone() {
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        // 19:00 in Tokyo.
        let now = at("2026-12-01T10:00:00Z");
        let p = |s: &str| parse_until(s, now, &tokyo);
        assert_eq!(p("2h"), Ok(at("2026-12-01T12:00:00Z")));
        assert_eq!(p("30m"), Ok(at("2026-12-01T10:30:00Z")));
        assert_eq!(p("3d"), Ok(at("2026-12-04T10:00:00Z")));
        assert_eq!(p("tomorrow"), Ok(at("2026-12-02T00:00:00Z")), "9:00 Tokyo");
        assert_eq!(p("tomorrow 14:30"), Ok(at("2026-12-02T05:30:00Z")));
        assert_eq!(p("20:00"), Ok(at("2026-12-01T11:00:00Z")), "later today");
        assert_eq!(
            p("08:00"),
            Ok(at("2026-12-01T23:00:00Z")),
            "tomorrow morning"
        );
        assert_eq!(p("2026-12-03"), Ok(at("2026-12-03T00:00:00Z")));
        assert_eq!(p("2026-12-03 14:00"), Ok(at("2026-12-03T05:00:00Z")));
        assert_eq!(p("45s"), Ok(at("2026-12-01T10:00:45Z")));
        assert_eq!(
            p("2026-12-01T10:05:00+09:00"),
            Ok(at("2026-12-01T01:05:00Z")),
            "an instant keeps its own offset"
        );
        assert!(p("next week").unwrap_err().contains("tomorrow (9:00)"));
    }

    #[test]
    fn the_trail_says_who_did_what_and_when() {
        let utc = Utc;
        let e = TrailEntry {
            conversation_id: 1,
            at: at("2026-12-01T10:42:00Z"),
            by: Some("aiko".into()),
            by_name: Some("Aiko Tanaka".into()),
            what: Happened::Status {
                from: ConversationStatus::Open,
                to: ConversationStatus::Resolved,
            },
        };
        assert_eq!(e.sentence(&utc), "Aiko Tanaka resolved this · 10:42");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["event"], "status");
        assert_eq!(json["to"], "resolved");
    }
}
