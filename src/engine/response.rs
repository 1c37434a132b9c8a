//! The Engine API's answers, one per kind of request (the field names are a contract; see
//! DESIGN.md).

use serde::{Deserialize, Serialize};

use crate::domain::{
    event::Event, merge::Filled, merge_source::Choice, message::Message, record::Record,
    template::Template,
};
use crate::engine::{
    answers::{AttachmentView, ConversationView, Health, SearchHit, ViewCount},
    error::ErrorView,
    import::ImportReport,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Response {
    Message {
        message: Box<Message>,
    },
    Attachments {
        attachments: Vec<AttachmentView>,
    },
    /// A piece of a file: `data` (base64) from `offset`; `size` is the whole file's.
    Chunk {
        attachment: u64,
        /// The name to save it under (safe: no path, no control characters).
        file_name: String,
        size: u64,
        offset: u64,
        data: String,
    },
    /// The messages a send queued, in order.
    Sent {
        messages: Vec<Message>,
    },
    Record {
        record: Record,
    },
    RecordCard {
        card: Box<crate::engine::RecordCard>,
    },
    Records {
        /// How many match in all.
        total: usize,
        records: Vec<Record>,
    },
    Found {
        hits: Vec<SearchHit>,
    },
    Settings {
        routing: crate::domain::routing::Routing,
        /// Who new conversations go to, in turn.
        pool: Vec<String>,
        /// `admin` once an admin set it, else `config`.
        source: String,
    },
    Templates {
        templates: Vec<Template>,
    },
    Imported {
        report: ImportReport,
    },
    Views {
        views: Vec<ViewCount>,
    },
    Template {
        template: Template,
    },
    Preview {
        template: Template,
        filled: Filled,
        /// Modules with several values for this contact: pick one of each before sending.
        #[serde(default)]
        choices: Vec<Choice>,
        /// Why it cannot be sent now, if it cannot.
        refusal: Option<String>,
        /// What it costs ("marketing 0.0732 EUR", "free: window open"), with a rate card.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<String>,
    },
    Conversations {
        /// How many conversations there are in all.
        total: u64,
        offset: usize,
        conversations: Vec<ConversationView>,
    },
    Messages {
        conversation: ConversationView,
        messages: Vec<Message>,
        /// The conversation's trail (resolved, snoozed, reopened…), oldest first; empty on a
        /// page of older messages.
        #[serde(default)]
        events: Vec<crate::domain::conversation_state::TrailEntry>,
        /// Its sends waiting for their time, soonest first; empty on a page of older ones.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        scheduled: Vec<crate::domain::schedule::ScheduledSend>,
    },
    Actor {
        login: String,
        name: String,
        role: crate::domain::permission::Role,
        /// The channel's nickname (`whatsapp.nickname`).
        channel: String,
        /// The language new templates start in (`organization.language`).
        #[serde(default)]
        language: String,
        /// How the link to the relay stands, when webhooks come from one.
        #[serde(default)]
        relay: Option<crate::domain::relay_link::RelayLink>,
        /// When the number was disconnected, if it is: nothing is sent.
        #[serde(default)]
        disconnected_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    Done,
    Subscribed,
    Event {
        event: Box<Event>,
    },
    /// The subscriber fell behind and `missed` events were dropped: it must load again what
    /// it shows.
    Lagged {
        missed: u64,
    },
    Error {
        error: ErrorView,
    },
    Doctor {
        report: Health,
    },
    /// The number is disconnected (since `at`); `warning` says what WhatsApp would not undo.
    Disconnected {
        at: chrono::DateTime<chrono::Utc>,
        warning: Option<String>,
    },
    Outbox {
        items: Vec<crate::engine::OutboxView>,
    },
    Labels {
        labels: Vec<crate::domain::label::Label>,
    },
    /// The users who answer (login, name) and the groups.
    Team {
        users: Vec<(String, String)>,
        groups: Vec<String>,
    },
    /// One conversation as it now stands.
    Conversation {
        conversation: Box<ConversationView>,
    },
    Rules {
        rules: Vec<crate::domain::rule::Rule>,
    },
    Rule {
        rule: Box<crate::domain::rule::Rule>,
    },
    RuleLog {
        entries: Vec<crate::domain::rule::LogEntry>,
    },
    /// A send for later, as it now stands.
    Scheduled {
        scheduled: Box<crate::domain::schedule::ScheduledSend>,
    },
    ScheduledList {
        scheduled: Vec<crate::domain::schedule::ScheduledSend>,
    },
    /// What a bulk send would do.
    Preflight {
        preflight: Box<crate::domain::bulk::Preflight>,
    },
    /// A bulk send, how far it got, and each recipient's outcome.
    Batch {
        batch: Box<crate::domain::bulk::Batch>,
        progress: crate::domain::bulk::Progress,
        outcomes: Vec<crate::domain::bulk::Outcome>,
    },
    Batches {
        batches: Vec<BatchSummary>,
    },
    /// A business account's phone numbers.
    Numbers {
        numbers: Vec<crate::whatsapp::account::PhoneNumberInfo>,
    },
    Connected {
        connected: Box<crate::engine::Connected>,
    },
    RateCards {
        cards: Vec<crate::domain::billing::RateCard>,
    },
    /// The credits: the balance (holds taken off), its currency (the card in force's), whether
    /// it is below `[credits] low_balance`, what auto-recharge added this month, the newest
    /// entries.
    Credits {
        balance: crate::domain::money::Money,
        currency: String,
        low: bool,
        recharged_this_month: crate::domain::money::Money,
        entries: Vec<crate::domain::credits::LedgerEntry>,
    },
    /// A month's spend by one dimension, the largest first, and in all.
    Usage {
        month: String,
        by: crate::domain::credits::By,
        currency: String,
        rows: Vec<UsageRow>,
        total: crate::domain::credits::Spent,
    },
}

/// One line of `usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    pub value: String,
    pub messages: u64,
    pub amount: crate::domain::money::Money,
}

/// A bulk send and how far it got, for `batches list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub batch: crate::domain::bulk::Batch,
    pub progress: crate::domain::bulk::Progress,
}
