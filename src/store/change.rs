//! The changes the engine asks the store to make. One webhook delivery or one command becomes
//! a few of these, applied together in one transaction.

use chrono::{DateTime, Utc};

use crate::domain::{
    message::{Effect, Pricing, Status},
    record::Record,
    related::RelatedData,
    template::{Template, TemplateStatus},
};

pub use crate::domain::contact::ContactInfo;

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A contact's message arrived by webhook.
    Inbound(Arrived),
    /// A status of one of our messages arrived by webhook.
    Status(Reported),
    /// A signed payload that could not be parsed, kept for a person to look at.
    DeadLetter {
        at: DateTime<Utc>,
        reason: String,
        body: Vec<u8>,
    },
    /// Queue a message: stored as `queued` before any network call.
    Queue(Queued),
    /// An attempt is about to start.
    AttemptStarted {
        id: u64,
    },
    /// WhatsApp took a send's file and gave it this id: never uploaded again.
    Uploaded {
        id: u64,
        media_id: String,
    },
    /// WhatsApp accepted the message.
    Accepted {
        id: u64,
        wamid: String,
    },
    /// A temporary failure: try again at `next_at`.
    RetryLater {
        id: u64,
        next_at: DateTime<Utc>,
        error: String,
    },
    /// A send's file could not be uploaded this time: counted as an attempt, tried again at
    /// `next_at` (nothing reached the contact).
    UploadRetry {
        id: u64,
        next_at: DateTime<Utc>,
        error: String,
    },
    /// It cannot go.
    SendFailed {
        id: u64,
        code: Option<i64>,
        error: String,
    },
    /// The attempt may have reached WhatsApp (no answer came): it is not repeated blindly.
    SendUncertain {
        id: u64,
        error: String,
    },
    /// After a restart: attempts that were in flight are not repeated blindly.
    MarkInterrupted {
        ids: Vec<u64>,
    },
    /// Create (`id` none) or replace a candidate or contact; links the conversation of its
    /// mobile number.
    SaveRecord {
        id: Option<u64>,
        record: Record,
    },
    /// Create or update (same natural key) a job opening, interview, client or booking.
    SaveRelated {
        data: RelatedData,
    },
    /// Create (`template.id` 0) or replace a template.
    SaveTemplate {
        template: Template,
    },
    DeleteTemplate {
        id: u64,
    },
    /// WhatsApp reviewed a template (`message_template_status_update`).
    TemplateReviewed {
        whatsapp_id: Option<String>,
        name: String,
        language: String,
        status: TemplateStatus,
        reason: Option<String>,
    },
    /// What the WhatsApp account holds: updates the templates known here, adds the others.
    SyncTemplates {
        remote: Vec<Template>,
    },
    /// The routing settings, and the plan the store follows for new conversations.
    SetRouting {
        /// Set by an admin (kept over the config's from then on); none: the plan only.
        routing: Option<crate::domain::routing::Routing>,
        plan: crate::domain::routing::Plan,
    },
    /// Create (`view.id` 0) or replace a saved view.
    SaveView {
        view: crate::domain::view::SavedView,
    },
    DeleteView {
        id: u64,
    },
    /// An inbound file was fetched and kept, or given up (the fetch queue's item goes).
    MediaFetched {
        message_id: u64,
        wamid: String,
        fetch: crate::domain::attachment::Fetch,
        size: Option<u64>,
        stored: Option<String>,
        mime_type: Option<String>,
    },
    /// A kept file was removed by the retention rule (`[attachments] keep_days`): its
    /// message says so.
    FileRemoved {
        message_id: u64,
        after_days: u32,
    },
    /// An inbound file's fetch failed for now: tried again at `next_at`.
    MediaRetry {
        message_id: u64,
        attempts: u32,
        next_at: DateTime<Utc>,
    },
    /// The contact's conversation, started (without messages) if there is none yet.
    OpenConversation {
        contact: ContactInfo,
    },
    /// A failed send queued again from its first attempt (the engine checked it may go).
    Retry {
        id: u64,
        at: DateTime<Utc>,
    },
    /// A person opened, set pending, resolved or snoozed a conversation.
    SetState {
        conversation_id: u64,
        change: crate::domain::conversation_state::StateChange,
        by: String,
        by_name: String,
        at: DateTime<Utc>,
    },
    /// The conversation handed to whose turn it is in the plan's pool (counted as routing
    /// counts), or to nobody when the pool is empty (the engine checked who may).
    Assign {
        conversation_id: u64,
        plan: crate::domain::routing::Plan,
        by: String,
        by_name: String,
        at: DateTime<Utc>,
    },
    /// A record without a conversation yet, handed by a rule as `Assign` hands one: it becomes
    /// the record's owner, whom its conversation will have when it starts.
    AssignRecord {
        record_id: u64,
        plan: crate::domain::routing::Plan,
    },
    /// Labels put on or taken off a conversation (the engine checked they are defined).
    Label {
        conversation_id: u64,
        add: Vec<String>,
        remove: Vec<String>,
        by: String,
        by_name: String,
        at: DateTime<Utc>,
    },
    /// Define a label, or change its colour.
    SaveLabel {
        label: crate::domain::label::Label,
    },
    /// A label no conversation carries any more, no longer defined.
    DeleteLabel {
        name: String,
    },
    /// Snoozes whose time came end (each checked again against `at`).
    EndSnoozes {
        conversation_ids: Vec<u64>,
        at: DateTime<Utc>,
    },
    /// The recruiter has read the conversation.
    MarkRead {
        conversation_id: u64,
    },
    /// The recruiter wants it back among the unread.
    MarkUnread {
        conversation_id: u64,
    },
    /// A rate card imported (`card.id` 0: given one).
    SaveRateCard {
        card: crate::domain::billing::RateCard,
    },
    /// Credits bought, refunded or added by auto-recharge.
    Credit {
        entry: crate::domain::credits::Entry,
        at: DateTime<Utc>,
    },
    /// The workflow rules, whole, as they now are.
    SaveRules {
        rules: Vec<crate::domain::rule::Rule>,
    },
    /// Rule `rule_id` fires for a conversation that has waited for an answer since `since`
    /// (nothing when it no longer waits since then).
    FireUnreplied {
        rule_id: u64,
        conversation_id: u64,
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// The `date_near` rules look again at a record's dates: its own date fields and these
    /// interviews of it (a rule written after them; the engine read them).
    FireDates {
        record_id: u64,
        interviews: Vec<crate::domain::related::Related>,
    },
    /// A rule notifies users in the inbox.
    Notify {
        users: Vec<String>,
        conversation_id: Option<u64>,
        /// The record it is about, when it is about one (a notice without a conversation
        /// opens the record's).
        record_id: Option<u64>,
        name: String,
        note: String,
        at: DateTime<Utc>,
    },
    /// A bulk send confirmed: the batch (`batch.id` 0: given one) and its sends, each waiting
    /// for `batch.starts_at`.
    SaveBatch {
        batch: crate::domain::bulk::Batch,
        sends: Vec<crate::domain::schedule::ScheduledSend>,
    },
    /// A bulk send stopped: of its sends (`sends`, all of them: a batch never gains one),
    /// those still waiting are cancelled; those gone stay gone.
    CancelBatch {
        id: u64,
        sends: Vec<u64>,
        by: String,
        at: DateTime<Utc>,
    },
    /// A send for later: a new one (`send.id` 0), or a waiting one changed.
    Schedule {
        send: crate::domain::schedule::ScheduledSend,
    },
    /// A waiting send's time came and it passed the rules: `queue` (a `Change::Queue`) is
    /// queued and the send marked sent in one transaction, or neither when it no longer waits.
    ScheduleRun {
        id: u64,
        queue: Box<Change>,
        at: DateTime<Utc>,
    },
    /// A waiting send ends unsent: failed, cancelled or skipped.
    ScheduleEnd {
        id: u64,
        state: crate::domain::schedule::ScheduleState,
    },
}

/// A contact's message as a webhook delivered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrived {
    pub contact: ContactInfo,
    pub wamid: String,
    pub at: DateTime<Utc>,
    pub reply_to: Option<String>,
    pub effect: Effect,
    pub error_code: Option<i64>,
    pub payload: Option<serde_json::Value>,
}

/// A status of one of our messages, as a webhook delivered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub wamid: String,
    pub status: Status,
    pub callback_data: Option<String>,
    pub recipient: ContactInfo,
    pub error: Option<(i64, String)>,
    pub pricing: Option<Pricing>,
}

/// A message to queue: stored as `queued` before any network call.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub contact: ContactInfo,
    pub kind: String,
    pub text: String,
    /// The request body, less `biz_opaque_callback_data` which the store fills in.
    pub request: serde_json::Value,
    pub sent_by: String,
    pub at: DateTime<Utc>,
    /// A file: as the thread shows it, and what uploads it.
    pub file: Option<(crate::domain::message::Media, crate::domain::outbox::Upload)>,
    /// The bulk send it is part of.
    pub batch: Option<u64>,
    /// Its price, held from the balance while WhatsApp has not said what it cost (none
    /// without a rate card).
    pub hold: Option<Box<crate::domain::credits::Hold>>,
}
