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
    /// Since when the contact has waited for an answer: their first message not answered;
    /// absent when we wrote last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<DateTime<Utc>>,
    pub window_open: bool,
    pub window_expires_at: Option<DateTime<Utc>>,
    /// The login of the record's owner (or the assignee).
    #[serde(default)]
    pub owner: Option<String>,
    /// `candidate` or `contact`, when the number belongs to a record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<crate::domain::record::RecordKind>,
    /// `open`, `pending` or `resolved`.
    #[serde(default)]
    pub status: crate::domain::conversation_state::ConversationStatus,
    /// Out of sight until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The labels on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
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
            waiting_since: c.waiting_since(),
            window_open: c.window_open(now),
            window_expires_at: c.window_expires_at(),
            owner: c.owner.clone(),
            status: c.status,
            snoozed_until: c.snoozed_until,
            labels: c.labels.clone(),
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
    /// The number as WhatsApp last rated it (none before the first read).
    #[serde(default)]
    pub number: Option<super::resync::NumberView>,
    /// How the link to the relay stands, when webhooks come from one.
    #[serde(default)]
    pub relay: Option<crate::domain::relay_link::RelayLink>,
    /// When the engine started, and when the last webhook delivery arrived since.
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// When the number was disconnected, if it is.
    #[serde(default)]
    pub disconnected_at: Option<DateTime<Utc>>,
    /// The connection, without its secrets.
    pub connection: super::connection::ConnectionView,
    /// The database's size on disk (none from a daemon that did not tell).
    #[serde(default)]
    pub database: Option<crate::store::DiskUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// A file of a conversation, as `attachments list --json` prints it and the Attachments
/// section shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    /// The message's id: what `attachments save` takes.
    pub id: u64,
    pub conversation_id: u64,
    pub direction: crate::domain::message::Direction,
    pub at: DateTime<Utc>,
    /// `image`, `document`, `audio`, `video`, `sticker`.
    pub kind: String,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    /// The name it came with (made safe to show), if any.
    pub file_name: Option<String>,
    /// `downloading`, `ready`, `failed`, `expired`, or `removed` (retention).
    pub state: String,
    /// Why it is not here, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    pub caption: String,
    /// Where it is kept, once ready.
    pub path: Option<std::path::PathBuf>,
}

impl AttachmentView {
    /// The file `m` carries, kept in `media_dir` when ready.
    pub fn of(m: &Message, media_dir: &std::path::Path) -> Option<Self> {
        use crate::domain::attachment::{Fetch, display_name};
        let media = m.media.as_ref()?;
        // A file sent from here is kept from the start; one from before files were fetched
        // has no state.
        let fetch = media.fetch.clone();
        let (state, why) = match &fetch {
            Some(f @ (Fetch::Failed { .. } | Fetch::Removed { .. } | Fetch::Expired)) => {
                (f.state().to_owned(), Some(f.label()))
            }
            Some(f) => (f.state().to_owned(), None),
            None => (
                "failed".to_owned(),
                Some("received before files were kept".to_owned()),
            ),
        };
        let path = media
            .stored
            .as_ref()
            .filter(|_| fetch == Some(Fetch::Ready))
            .map(|sha| media_dir.join(sha));
        Some(Self {
            id: m.id,
            conversation_id: m.conversation_id,
            direction: m.direction,
            at: m.at,
            kind: m.kind.clone(),
            mime_type: media.mime_type.clone(),
            size: media.size,
            sha256: media.stored.clone().or_else(|| media.sha256.clone()),
            file_name: media.filename.as_deref().map(display_name),
            state,
            why,
            caption: crate::domain::safe_text::neutralise(&m.text, false).into_owned(),
            path,
        })
    }
}
