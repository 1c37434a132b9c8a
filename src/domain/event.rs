//! What the engine tells every connected client after a change is durably stored.

use serde::{Deserialize, Serialize};

use super::{conversation::Conversation, message::Message, record::Record, template::Template};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A contact's message arrived.
    MessageReceived {
        conversation: Conversation,
        message: Message,
    },
    /// A message of ours was queued in the outbox.
    MessageQueued {
        conversation: Conversation,
        message: Message,
    },
    /// A message changed: a delivery status, an edit, a deletion, a reaction.
    MessageChanged {
        conversation: Conversation,
        message: Message,
    },
    /// A message of ours could not be sent.
    SendFailed {
        conversation: Conversation,
        message: Message,
    },
    /// The conversation's summary changed (read state, name).
    ConversationChanged {
        conversation: Conversation,
    },
    /// A candidate or contact was created or changed.
    RecordSaved {
        record: Record,
    },
    /// A template was created, reviewed by WhatsApp, or synced.
    TemplateChanged {
        template: Template,
    },
    /// Someone started answering a conversation (not stored: it only tells the others, so two
    /// recruiters do not answer the same candidate twice).
    Answering {
        conversation_id: u64,
        login: String,
        name: String,
    },
    TemplateDeleted {
        id: u64,
    },
    /// A bulk send was confirmed or cancelled (its sends' own changes follow as `Scheduled`).
    Batch {
        batch: super::bulk::Batch,
    },
    /// A send for later was scheduled, changed, sent, cancelled, or not sent and why.
    Scheduled {
        scheduled: super::schedule::ScheduledSend,
    },
    /// Users are told something (`users`: logins; none: everyone): a rule about a record and
    /// its conversation, if any; the credits about the balance.
    Notice {
        users: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        record_id: Option<u64>,
        name: String,
        note: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The credits' balance moved (an entry written in the ledger).
    Balance {
        balance: super::money::Money,
        entry: Box<super::credits::LedgerEntry>,
    },
    /// A line added to a conversation's trail (resolved, snoozed, reopened…).
    Trail {
        entry: super::conversation_state::TrailEntry,
    },
    /// An admin disconnected the number: nothing is sent from now on.
    Disconnected {
        at: chrono::DateTime<chrono::Utc>,
    },
    /// An admin connected a number (perhaps another one): sending resumes, under `nickname`.
    Connected {
        nickname: String,
    },
    /// The link to the relay connected, failed, or its backlog changed (not stored).
    RelayLink {
        link: super::relay_link::RelayLink,
    },
}
