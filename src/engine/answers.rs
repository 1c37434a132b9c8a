//! The shapes answers carry besides records and messages: a conversation as `--json` prints
//! it, a search hit, a view with its count, and the daemon's health.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{conversation::Conversation, message::Message};

/// A view of the list and how many conversations are in it (`None`: not counted, as no index
/// keeps that number yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewCount {
    /// What `filter` takes; empty for all conversations.
    pub name: String,
    pub title: String,
    pub count: Option<u64>,
    /// A saved view: its query, order and owner (none: shared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<crate::domain::view::SavedView>,
}

/// A search hit: the conversation, and the message that matched (none when the name did).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub conversation: ConversationView,
    pub message: Option<Message>,
}

/// A conversation as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: u64,
    /// The phone number's digits; null when WhatsApp hides it.
    pub wa_id: Option<String>,
    /// The BSUID, when known.
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub name: String,
    pub unread: u32,
    pub failed: u32,
    pub last_text: String,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_outbound_at: Option<DateTime<Utc>>,
    pub window_open: bool,
    pub window_expires_at: Option<DateTime<Utc>>,
    /// The login of the record's owner (or the assignee).
    #[serde(default)]
    pub owner: Option<String>,
    /// `candidate` or `contact`, when the number belongs to a record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<crate::domain::record::RecordKind>,
}

impl ConversationView {
    pub fn new(c: &Conversation, now: DateTime<Utc>) -> Self {
        Self {
            id: c.id,
            wa_id: c.phone.as_ref().map(|p| p.wa_id().to_owned()),
            user_id: c.bsuid.as_ref().map(ToString::to_string),
            username: c.username.clone(),
            name: c.display_name(),
            unread: c.unread,
            failed: c.failed,
            last_text: c.last_text.clone(),
            last_message_at: c.last_message_at,
            last_inbound_at: c.last_inbound_at,
            last_outbound_at: c.last_outbound_at,
            window_open: c.window_open(now),
            window_expires_at: c.window_expires_at(),
            owner: c.owner.clone(),
            record_kind: c.record_kind,
        }
    }
}

/// What `hirechat doctor` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Whether the database takes writes now.
    pub writable: bool,
    /// Deliveries kept whole because some part was not taken, and the newest few.
    pub dead_letters: u64,
    pub recent_dead_letters: Vec<DeadLetterView>,
    /// Changes for another phone number or business account since the daemon started.
    pub foreign_since_start: u64,
    /// Messages waiting to be sent, and those that may have been sent (not resent).
    pub outbox_pending: u64,
    pub outbox_uncertain: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub reason: String,
}
