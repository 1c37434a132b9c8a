//! A conversation: everything exchanged with one WhatsApp user.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{identity::Bsuid, phone::PhoneNumber, window};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: u64,
    /// The phone number, when WhatsApp shares it (users with a username may hide it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// The business-scoped user ID, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bsuid: Option<Bsuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The contact's profile name on WhatsApp, or the record's name.
    pub name: String,
    pub unread: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_inbound_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_outbound_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_text: String,
    pub failed: u32,
    /// The candidate or contact this number belongs to, and their name there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_name: Option<String>,
    /// A candidate or a client contact (which templates fit them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<super::record::RecordKind>,
    /// The record's owner (a login), for "owner:me" filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Who sent our last message (a login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_replied_by: Option<String>,
    /// Conversations found to be the same contact (a BSUID and a number that turned out to
    /// belong together) and merged into this one; their messages are read with this one's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<u64>,
    /// Set on a conversation that was merged into another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<u64>,
    /// Open, pending or resolved (`conversation_state`).
    #[serde(default)]
    pub status: super::conversation_state::ConversationStatus,
    /// Out of sight until then (`conversation_state`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The labels on it (`label`), in the order they were put on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl Conversation {
    pub fn new(id: u64, phone: Option<PhoneNumber>, bsuid: Option<Bsuid>) -> Self {
        Self {
            id,
            phone,
            bsuid,
            username: None,
            name: String::new(),
            unread: 0,
            last_inbound_at: None,
            last_outbound_at: None,
            last_message_at: None,
            last_text: String::new(),
            failed: 0,
            record_id: None,
            record_name: None,
            record_kind: None,
            status: super::conversation_state::ConversationStatus::Open,
            snoozed_until: None,
            labels: Vec::new(),
            owner: None,
            last_replied_by: None,
            merged: Vec::new(),
            merged_into: None,
        }
    }

    pub fn window_open(&self, now: DateTime<Utc>) -> bool {
        window::is_open(self.last_inbound_at, now)
    }

    pub fn window_expires_at(&self) -> Option<DateTime<Utc>> {
        window::expires_at(self.last_inbound_at)
    }

    /// What to call the contact on screen: the record's name, else their WhatsApp name, else
    /// username, else number, else BSUID.
    pub fn display_name(&self) -> String {
        if let Some(n) = self.record_name.as_ref().filter(|n| !n.is_empty()) {
            return n.clone();
        }
        if !self.name.is_empty() {
            return self.name.clone();
        }
        if let Some(u) = &self.username {
            return format!("@{u}");
        }
        self.phone
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| self.bsuid.as_ref().map(ToString::to_string))
            .unwrap_or_default()
    }

    /// What filters look at.
    pub fn subject(&self) -> super::filter::Subject<'_> {
        super::filter::Subject {
            last_inbound_at: self.last_inbound_at,
            last_outbound_at: self.last_outbound_at,
            last_message_at: self.last_message_at,
            unread: self.unread,
            failed: self.failed,
            owner: self.owner.as_deref(),
            last_replied_by: self.last_replied_by.as_deref(),
            window_expires_at: self.window_expires_at(),
            status: self.status,
            snoozed_until: self.snoozed_until,
            labels: &self.labels,
        }
    }

    /// The contact wrote at `at`: any message from them (a reaction, an edit too) reopens the
    /// 24-hour window from then.
    pub fn heard_from(&mut self, at: DateTime<Utc>) {
        if self.last_inbound_at.is_none_or(|t| t < at) {
            self.last_inbound_at = Some(at);
        }
    }

    /// A message of ours failed, or one that had failed no longer has.
    pub fn count_failure(&mut self, change: super::delivery::Failed) {
        match change {
            super::delivery::Failed::Now => self.failed += 1,
            super::delivery::Failed::NoLonger => self.failed = self.failed.saturating_sub(1),
            super::delivery::Failed::Same => {}
        }
    }

    /// Notes a message in the summary fields the list screen reads.
    pub fn note_message(&mut self, inbound: bool, at: DateTime<Utc>, text: &str) {
        let slot = if inbound {
            &mut self.last_inbound_at
        } else {
            &mut self.last_outbound_at
        };
        if slot.is_none_or(|t| t < at) {
            *slot = Some(at);
        }
        if self.last_message_at.is_none_or(|t| t <= at) {
            self.last_message_at = Some(at);
            text.clone_into(&mut self.last_text);
        }
        if inbound {
            self.unread += 1;
        }
    }
}

/// Two conversations that turn out to be one person (first seen by number, later by BSUID):
/// the older keeps everything, the newer is marked as merged into it (its messages stay where
/// they are and are read through `merged`). Returns (kept, gone).
pub fn merge(a: Conversation, b: Conversation) -> (Conversation, Conversation) {
    let (mut keep, mut gone) = if a.id < b.id { (a, b) } else { (b, a) };
    keep.merged.push(gone.id);
    keep.merged.append(&mut gone.merged);
    keep.unread += gone.unread;
    keep.failed += gone.failed;
    for (k, g) in [
        (&mut keep.last_inbound_at, gone.last_inbound_at),
        (&mut keep.last_outbound_at, gone.last_outbound_at),
    ] {
        *k = (*k).max(g);
    }
    if gone.last_message_at > keep.last_message_at {
        keep.last_text.clone_from(&gone.last_text);
    }
    keep.last_message_at = keep.last_message_at.max(gone.last_message_at);
    keep.owner = keep.owner.or_else(|| gone.owner.clone());
    gone.merged_into = Some(keep.id);
    (keep, gone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn the_older_conversation_absorbs_the_newer() {
        let t = |m: i64| Utc::now() - Duration::minutes(m);
        let mut by_number = Conversation::new(3, None, None);
        by_number.note_message(true, t(60), "first");
        let mut by_bsuid = Conversation::new(8, None, None);
        by_bsuid.note_message(true, t(5), "later");
        by_bsuid.owner = Some("aiko".into());
        let (keep, gone) = merge(by_bsuid, by_number);
        assert_eq!((keep.id, gone.merged_into), (3, Some(3)));
        assert_eq!(keep.merged, [8]);
        assert_eq!((keep.unread, keep.last_text.as_str()), (2, "later"));
        assert_eq!(keep.owner.as_deref(), Some("aiko"));
    }

    #[test]
    fn summary_keeps_the_newest() {
        let t = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let mut c = Conversation::new(1, None, None);
        c.note_message(true, t, "hello");
        c.note_message(true, t - Duration::minutes(5), "earlier, arrived late");
        assert_eq!(c.last_text, "hello");
        assert_eq!(c.last_inbound_at, Some(t));
        assert_eq!(c.unread, 2);
        assert!(c.window_open(t + Duration::hours(1)));
        c.note_message(false, t + Duration::minutes(1), "reply");
        assert_eq!(c.last_text, "reply");
        assert_eq!(c.last_outbound_at, Some(t + Duration::minutes(1)));
    }

    #[test]
    fn a_reaction_reopens_the_window_and_a_late_one_does_not_shorten_it() {
        let t = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let mut c = Conversation::new(1, None, None);
        c.heard_from(t);
        c.heard_from(t - Duration::hours(3));
        assert_eq!(c.window_expires_at(), Some(t + Duration::hours(24)));
        assert_eq!(c.unread, 0, "a reaction is not a message to read");
    }

    #[test]
    fn failures_count_once_and_go_when_settled() {
        use crate::domain::delivery::Failed;
        let mut c = Conversation::new(1, None, None);
        c.count_failure(Failed::Now);
        c.count_failure(Failed::Same);
        assert_eq!(c.failed, 1);
        c.count_failure(Failed::NoLonger);
        c.count_failure(Failed::NoLonger);
        assert_eq!(c.failed, 0);
    }

    #[test]
    fn display_name_falls_back() {
        let mut c = Conversation::new(1, None, Bsuid::parse("JP.123"));
        assert_eq!(c.display_name(), "JP.123");
        c.username = Some("ken".into());
        assert_eq!(c.display_name(), "@ken");
        c.name = "Ken Sato".into();
        assert_eq!(c.display_name(), "Ken Sato");
        c.record_name = Some("Sato Ken (Data Engineer)".into());
        assert_eq!(c.display_name(), "Sato Ken (Data Engineer)");
    }
}
