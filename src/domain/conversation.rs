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
    /// When the wait for an answer began: the contact's first message not yet answered
    /// (read through [`Conversation::waiting_since`], which knows when it no longer holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_since: Option<DateTime<Utc>>,
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
            unanswered_since: None,
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

    /// Since when the contact has waited for an answer (`waiting_since`); none when we wrote
    /// last.
    pub fn waiting_since(&self) -> Option<DateTime<Utc>> {
        waiting_since(
            self.last_inbound_at,
            self.last_outbound_at,
            self.unanswered_since,
        )
    }

    /// What filters look at.
    pub fn subject(&self) -> super::filter::Subject<'_> {
        super::filter::Subject {
            last_outbound_at: self.last_outbound_at,
            waiting_since: self.waiting_since(),
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
    /// 24-hour window from then, and starts a wait for an answer unless one goes on.
    pub fn heard_from(&mut self, at: DateTime<Utc>) {
        self.note_unanswered(at);
        if self.last_inbound_at.is_none_or(|t| t < at) {
            self.last_inbound_at = Some(at);
        }
        self.tidy_wait();
    }

    /// A message of ours failed, or one that had failed no longer has.
    pub fn count_failure(&mut self, change: super::delivery::Failed) {
        match change {
            super::delivery::Failed::Now => self.failed += 1,
            super::delivery::Failed::NoLonger => self.failed = self.failed.saturating_sub(1),
            super::delivery::Failed::Same => {}
        }
    }

    /// A message from the contact at `at`, before it is noted: the wait for an answer that goes
    /// on keeps its start (a contact who writes again is not answered by it), or the earlier
    /// of the two for a message that comes late; otherwise a wait starts now. A conversation
    /// set aside (resolved, pending, snoozed) waits anew from the message that brings it back.
    /// A message dated before our last one was answered by it and changes nothing.
    fn note_unanswered(&mut self, at: DateTime<Utc>) {
        if self.last_outbound_at.is_some_and(|o| o >= at) {
            return;
        }
        let going_on = self
            .waiting_since()
            .filter(|_| super::conversation_state::awaits_answer(self));
        self.unanswered_since = Some(going_on.map_or(at, |w| w.min(at)));
    }

    /// A wait that began with the contact's last message is kept as none, which reads the
    /// same (`waiting_since`): only a contact who wrote more than once unanswered stores it.
    fn tidy_wait(&mut self) {
        if self.unanswered_since == self.last_inbound_at {
            self.unanswered_since = None;
        }
    }

    /// Notes a message in the summary fields the list screen reads.
    pub fn note_message(&mut self, inbound: bool, at: DateTime<Utc>, text: &str) {
        if inbound {
            self.heard_from(at);
            self.unread += 1;
        } else {
            if self.last_outbound_at.is_none_or(|t| t < at) {
                self.last_outbound_at = Some(at);
            }
            if self.waiting_since().is_none() {
                // Answered: the wait is over.
                self.unanswered_since = None;
            }
        }
        if self.last_message_at.is_none_or(|t| t <= at) {
            self.last_message_at = Some(at);
            text.clone_into(&mut self.last_text);
        }
    }
}

/// Two conversations that turn out to be one person (first seen by number, later by BSUID):
/// the older keeps everything, the newer is marked as merged into it (its messages stay where
/// they are and are read through `merged`). Returns (kept, gone).
pub fn merge(a: Conversation, b: Conversation) -> (Conversation, Conversation) {
    let (mut keep, mut gone) = if a.id < b.id { (a, b) } else { (b, a) };
    let waits = [keep.waiting_since(), gone.waiting_since()];
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
    // The longer wait of the two, unless an answer in either came after it.
    keep.unanswered_since = waits
        .into_iter()
        .flatten()
        .filter(|w| keep.last_outbound_at.is_none_or(|o| o < *w))
        .min();
    keep.tidy_wait();
    keep.owner = keep.owner.or_else(|| gone.owner.clone());
    gone.merged_into = Some(keep.id);
    (keep, gone)
}

/// Since when a contact has waited for an answer, from what a conversation keeps: none when
/// we wrote last (or nobody wrote), else the first of their messages not answered. A
/// conversation stored before that was kept (`unanswered_since` absent), or one whose kept
/// start no longer holds, counts from the contact's last message.
pub fn waiting_since(
    last_inbound_at: Option<DateTime<Utc>>,
    last_outbound_at: Option<DateTime<Utc>>,
    unanswered_since: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let last = last_inbound_at.filter(|i| last_outbound_at.is_none_or(|o| o < *i))?;
    let holds = |w: &DateTime<Utc>| *w <= last && last_outbound_at.is_none_or(|o| o < *w);
    Some(unanswered_since.filter(holds).unwrap_or(last))
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
    fn a_wait_for_an_answer_starts_with_the_first_message_not_answered() {
        let t = |h: i64| {
            DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
                .unwrap()
                .to_utc()
                + Duration::hours(h)
        };
        let mut c = Conversation::new(1, None, None);
        assert_eq!(c.waiting_since(), None, "nobody wrote");
        c.note_message(true, t(0), "hello");
        assert_eq!(c.waiting_since(), Some(t(0)));
        assert_eq!(
            c.unanswered_since, None,
            "read as the last message: not stored"
        );
        c.note_message(true, t(30), "anyone there?");
        assert_eq!(
            c.waiting_since(),
            Some(t(0)),
            "writing again is not an answer"
        );
        c.note_message(true, t(-2), "came late");
        assert_eq!(c.waiting_since(), Some(t(-2)), "an earlier message, late");
        c.note_message(false, t(31), "sorry, yes");
        assert_eq!((c.waiting_since(), c.unanswered_since), (None, None));
        c.note_message(true, t(20), "dated before our answer");
        assert_eq!(c.waiting_since(), None, "answered by it");
        c.note_message(true, t(40), "thanks");
        c.note_message(true, t(41), "one more thing");
        assert_eq!(c.waiting_since(), Some(t(40)), "a new wait");
        // Set aside, then brought back by the contact: the wait starts with that message.
        c.status = super::super::conversation_state::ConversationStatus::Resolved;
        c.heard_from(t(50));
        assert_eq!(c.waiting_since(), Some(t(50)));
    }

    #[test]
    fn a_conversation_stored_before_the_wait_was_kept_counts_from_the_last_message() {
        let now = Utc::now();
        let t = |h: i64| now - Duration::hours(h);
        let mut c = Conversation::new(1, None, None);
        c.last_inbound_at = Some(t(30));
        c.last_outbound_at = Some(t(40));
        assert_eq!(c.waiting_since(), Some(t(30)));
        // And keeps that start when the contact writes again (its place in the index).
        c.note_message(true, t(2), "again");
        assert_eq!(c.waiting_since(), Some(t(30)));
        // A start kept from before our last answer no longer holds.
        assert_eq!(
            waiting_since(Some(t(2)), Some(t(5)), Some(t(9))),
            Some(t(2))
        );
    }

    #[test]
    fn merged_conversations_keep_the_longer_wait() {
        let now = Utc::now();
        let t = |h: i64| now - Duration::hours(h);
        let mut a = Conversation::new(3, None, None);
        a.note_message(true, t(10), "by number");
        let mut b = Conversation::new(8, None, None);
        b.note_message(true, t(30), "by BSUID");
        b.note_message(true, t(1), "again");
        assert_eq!(merge(a.clone(), b.clone()).0.waiting_since(), Some(t(30)));
        // Unless an answer came after it.
        b.note_message(false, t(20), "answer");
        assert_eq!(merge(a, b).0.waiting_since(), Some(t(10)));
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
