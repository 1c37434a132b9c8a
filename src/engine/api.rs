//! The Engine API: the commands every transport sends, their answers, and the JSON views
//! the CLI prints (the field names are a contract; see DESIGN.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    merge_source::Picks, message::Message, record::RecordInput, related::RelatedKind,
    template::TemplateInput,
};
pub use crate::engine::answers::{
    AttachmentView, ConversationView, DeadLetterView, Health, SearchHit, ViewCount,
};
pub use crate::engine::error::{EngineError, ErrorKind, ErrorView};
use crate::engine::import::{ImportRow, RelatedRow};
pub use crate::engine::response::{Response, UsageRow};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Request {
    /// Queue a text message to a phone number or BSUID.
    SendText {
        to: String,
        text: String,
    },
    /// Queue files (at most five; absolute paths or https links, each checked by its
    /// content), one message each, the caption on the first that takes one, and a text
    /// after them.
    SendFiles {
        to: String,
        files: Vec<String>,
        #[serde(default)]
        caption: Option<String>,
        #[serde(default)]
        text: Option<String>,
    },
    /// A conversation's files, newest first: by `with` (a number or BSUID) or by
    /// `conversation_id`.
    Attachments {
        #[serde(default)]
        with: Option<String>,
        #[serde(default)]
        conversation_id: Option<u64>,
    },
    /// A piece of a kept file (at most 512 KiB from `offset`, base64): how a client saves a
    /// file the daemon keeps, wherever the daemon's files are not its own.
    ReadAttachment {
        /// The file's id (its message's); not `id`, which a socket line uses.
        attachment: u64,
        #[serde(default)]
        offset: u64,
        /// An image's small copy, for a preview, where there is one.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        preview: bool,
    },
    /// Conversations by last activity, newest first, from `offset` on.
    Conversations {
        #[serde(default)]
        offset: usize,
        limit: Option<usize>,
        /// A filter in the query syntax (`unreplied>3d owner:me`), or a view's name.
        #[serde(default)]
        filter: Option<String>,
    },
    /// One conversation's newest messages.
    Messages {
        with: String,
        limit: Option<usize>,
    },
    /// Wait (up to `timeout_ms`) until a queued message has been sent or has failed.
    Settle {
        message: Box<Message>,
        timeout_ms: u64,
    },
    /// Create (no `record_id`) or replace a candidate or contact.
    SaveRecord {
        record_id: Option<u64>,
        record: RecordInput,
    },
    /// Candidates and contacts matching `query` (name, email, mobile, owner), by name.
    Records {
        #[serde(default)]
        query: String,
        #[serde(default)]
        offset: usize,
        limit: Option<usize>,
    },
    /// A record's conversation (started when there is none yet), as `Messages` answers.
    OpenRecord {
        record_id: u64,
    },
    /// A record's card (by `record_id`), or the card of a conversation's record (by `with` or
    /// `conversation_id`): job openings, upcoming interviews, status, assignee, labels.
    RecordCard {
        #[serde(default)]
        record_id: Option<u64>,
        #[serde(default)]
        with: Option<String>,
        #[serde(default)]
        conversation_id: Option<u64>,
    },
    /// One conversation's newest messages, by its id; with `since`, every message from then
    /// on (a search result's context).
    Thread {
        conversation_id: u64,
        limit: Option<usize>,
        #[serde(default)]
        since: Option<DateTime<Utc>>,
        /// Instead: the `limit` messages before this time (scrolling up past what is loaded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<DateTime<Utc>>,
    },
    /// Every conversation's messages and names containing the query's words.
    Search {
        query: String,
        limit: Option<usize>,
    },
    /// Save a batch of imported candidates or contacts.
    ImportRecords {
        rows: Vec<ImportRow>,
    },
    /// Save a batch of imported job openings, interviews, clients or bookings.
    ImportRelated {
        kind: RelatedKind,
        rows: Vec<RelatedRow>,
    },
    /// The views (all, the built-in ones) with their counts where an index keeps them.
    Views,
    /// Save a view from a query: the caller's own, or shared (admins); same name replaces.
    SaveView {
        view: crate::domain::view::ViewInput,
    },
    /// Delete a view by name: one's own, or a shared one (admins).
    DeleteView {
        name: String,
    },
    /// The settings: routing, and who is in its pool.
    Settings,
    /// Change the routing (admins).
    SetRouting {
        routing: crate::domain::routing::Routing,
    },
    /// Every template, both kinds.
    Templates,
    /// Create a template (an approved-type one is submitted to WhatsApp).
    CreateTemplate {
        template: TemplateInput,
    },
    /// A new body for a template (on WhatsApp too, which reviews it again).
    EditTemplate {
        name: String,
        language: Option<String>,
        body: String,
    },
    /// Bring in what the WhatsApp account holds.
    SyncTemplates,
    /// Delete a template here, and on WhatsApp for an approved-type one.
    DeleteTemplate {
        name: String,
        language: Option<String>,
    },
    /// A template filled in for a contact, before it is sent.
    PreviewTemplate {
        to: String,
        name: String,
        language: Option<String>,
        /// Which value to use where a module has several (module → id).
        #[serde(default)]
        picks: Picks,
    },
    /// Queue a template to a contact, its merge fields filled from their record.
    SendTemplate {
        to: String,
        name: String,
        language: Option<String>,
        #[serde(default)]
        picks: Picks,
    },
    /// Mark a conversation read.
    MarkRead {
        conversation_id: u64,
    },
    /// Tell the other clients that the caller is answering a conversation.
    Answering {
        conversation_id: u64,
    },
    /// Mark a conversation unread again.
    MarkUnread {
        conversation_id: u64,
    },
    /// Stream every event from now on.
    Subscribe,
    /// Who the engine takes the caller for.
    Whoami,
    /// The daemon's health for an admin: what was kept aside (dead letters, webhooks for
    /// another number), sends that may have gone, whether the database takes writes.
    Doctor,
    /// The number was disconnected (`hirechat disconnect`): nothing is sent from now on, and
    /// every client is told.
    Disconnect {
        at: chrono::DateTime<chrono::Utc>,
    },
    /// A business account's phone numbers, read with the token given (empty: the one in use),
    /// to choose the one to connect.
    AccountNumbers {
        #[serde(default)]
        access_token: crate::config::SecretInput,
        business_account_id: String,
    },
    /// Hand a conversation (by `with` or `conversation_id`) to `to`: `LOGIN`, `group:NAME`
    /// (its members in turn), `role:ROLE`, or `none`.
    Assign {
        #[serde(default)]
        with: Option<String>,
        #[serde(default)]
        conversation_id: Option<u64>,
        to: String,
    },
    /// Who conversations can be handed to.
    Team,
    /// The labels defined.
    Labels,
    /// Define a label (admins): a one-word name and a colour.
    SaveLabel {
        name: String,
        colour: String,
    },
    /// Delete a label no conversation carries (admins).
    DeleteLabel {
        name: String,
    },
    /// Put labels on and take them off a conversation (by `with` or `conversation_id`).
    Label {
        #[serde(default)]
        with: Option<String>,
        #[serde(default)]
        conversation_id: Option<u64>,
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    /// What waits in the outbox, is in doubt, or failed (and whether a retry is offered).
    Outbox,
    /// Send a failed message again (its id).
    Retry {
        message_id: u64,
    },
    /// Open, set pending, resolve or snooze a conversation (by `with`, a number or BSUID, or
    /// by `conversation_id`).
    SetState {
        #[serde(default)]
        with: Option<String>,
        #[serde(default)]
        conversation_id: Option<u64>,
        change: crate::domain::conversation_state::StateChange,
    },
    /// A message or a template sent later, as the one who scheduled it: at `at`, or `when`
    /// as a person writes it ("tomorrow 9:00"), read in the contact's time zone (their
    /// record's, else the user's, else the server's).
    Schedule {
        to: String,
        what: crate::domain::schedule::ScheduledWhat,
        #[serde(default)]
        at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when: Option<String>,
    },
    /// The sends waiting (with `all`, also those gone, cancelled or skipped), of one
    /// conversation with `with`.
    Scheduled {
        #[serde(default)]
        with: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<u64>,
        #[serde(default)]
        all: bool,
    },
    /// A waiting send cancelled (by the one who scheduled it, or an admin).
    CancelScheduled {
        scheduled_id: u64,
    },
    /// A waiting send's text or time changed.
    EditScheduled {
        scheduled_id: u64,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        at: Option<DateTime<Utc>>,
    },
    /// The workflow rules.
    Rules,
    /// A rule written in TOML: a new one, or (with `replace`) the one of its name changed.
    SaveRule {
        toml: String,
        #[serde(default)]
        replace: bool,
    },
    EnableRule {
        name: String,
        enabled: bool,
    },
    DeleteRule {
        name: String,
    },
    /// What rules did, newest first: one rule's (by name), or every rule's.
    RuleLog {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Connect a number: every value checked against the API, the app subscribed, the
    /// connection kept, and the engine switched to it.
    Connect {
        form: Box<crate::engine::ConnectForm>,
    },
    /// What a bulk send of an approved template would do: who receives it, who is skipped
    /// and why. Nothing is stored.
    BulkPreflight {
        template: String,
        #[serde(default)]
        language: Option<String>,
        recipients: crate::domain::bulk::Recipients,
    },
    /// A bulk send confirmed: the preflight again, then every send stored at once, waiting
    /// `[outreach] bulk_undo_secs` (or until `at`) before the first leaves.
    BulkSend {
        template: String,
        #[serde(default)]
        language: Option<String>,
        recipients: crate::domain::bulk::Recipients,
        #[serde(default)]
        at: Option<DateTime<Utc>>,
    },
    /// The bulk sends, newest first, with how far each got.
    Batches,
    /// One bulk send with each recipient's outcome.
    Batch {
        batch_id: u64,
    },
    /// A bulk send stopped: what still waits is cancelled (the undo, or later a stop).
    CancelBatch {
        batch_id: u64,
    },
    /// The rate cards imported, oldest first.
    Rates,
    /// A rate card in the shape of Meta's CSV, in force from `effective` (what it makes free:
    /// `rules`, else WhatsApp's model since 2025-07-01).
    ImportRates {
        csv: String,
        effective: chrono::NaiveDate,
        #[serde(default)]
        rules: Option<crate::domain::billing::CardRules>,
    },
    /// The balance and the newest ledger entries.
    Credits {
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Credits bought, or (`refund`) given back.
    AddCredits {
        amount: crate::domain::money::Money,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        refund: bool,
    },
    /// What a month (`YYYY-MM`, this one when absent) spent, by one dimension.
    Usage {
        #[serde(default)]
        month: Option<String>,
        by: crate::domain::credits::By,
    },
}

/// A request on the socket: `id`, when given, comes back on its answer, so that one
/// connection can carry many requests at once and the event stream beside them. Without it,
/// requests are answered one after another, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(flatten)]
    pub request: Request,
}

/// An answer on the socket, with the `id` of its request; events carry none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(flatten)]
    pub response: Response,
}
