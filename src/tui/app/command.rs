//! What the app asks of the engine.

use chrono::{DateTime, Utc};

use crate::domain::merge_source::Picks;

/// What the app asks the engine to do. The run loop carries these out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Whoami,
    LoadConversations {
        offset: usize,
        limit: usize,
        /// The active filter, if any.
        filter: Option<String>,
    },
    LoadThread {
        conversation_id: u64,
    },
    MarkRead {
        conversation_id: u64,
    },
    MarkUnread {
        conversation_id: u64,
    },
    /// Tell the others this recruiter is answering.
    Answering {
        conversation_id: u64,
    },
    SendText {
        to: String,
        text: String,
    },
    LoadTemplates,
    /// The engine's report (the connection, the number, the relay), for the settings panel.
    LoadHealth,
    /// The routing in force, for the settings panel.
    LoadRouting,
    SetRouting(crate::domain::routing::Routing),
    /// The labels defined, for the labels picker.
    LoadLabels,
    /// Put labels on a conversation, or take them off.
    Label {
        conversation_id: u64,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Who conversations can be handed to, for the assign picker.
    LoadTeam,
    /// Hand a conversation to someone (`LOGIN`, `group:NAME`, `none`).
    Assign {
        conversation_id: u64,
        to: String,
    },
    /// Send a message later: `when` as typed, read by the engine in the contact's zone.
    Schedule {
        to: String,
        what: crate::domain::schedule::ScheduledWhat,
        when: String,
    },
    /// A waiting send cancelled.
    CancelScheduled {
        id: u64,
    },
    /// Who a bulk send would reach, and who it would skip.
    BulkPreflight {
        template: String,
        language: String,
        recipients: crate::domain::bulk::Recipients,
    },
    /// A bulk send confirmed.
    BulkSend {
        template: String,
        language: String,
        recipients: crate::domain::bulk::Recipients,
    },
    /// How far a bulk send got.
    LoadBatch {
        id: u64,
    },
    /// Take a bulk send back, or stop what has not gone.
    CancelBatch {
        id: u64,
    },
    /// The balance and the newest `limit` ledger entries (admins).
    LoadCredits {
        limit: usize,
    },
    /// This month's spend by one dimension (admins).
    LoadUsage {
        by: crate::domain::credits::By,
    },
    /// The workflow rules.
    LoadRules,
    /// A rule's last runs.
    RuleLog {
        name: String,
    },
    /// Turn a rule on or off (admins).
    EnableRule {
        name: String,
        enabled: bool,
    },
    /// Send a failed message again.
    Retry {
        message_id: u64,
    },
    /// Open, set pending, resolve or snooze a conversation.
    SetState {
        conversation_id: u64,
        change: crate::domain::conversation_state::StateChange,
    },
    /// The account's numbers, read with the token typed (empty: the one in use).
    AccountNumbers {
        access_token: crate::config::SecretInput,
        business_account_id: String,
    },
    /// Connect the number chosen, with the values typed.
    Connect(Box<crate::engine::ConnectForm>),
    /// Disconnect the number (the admin typed its nickname).
    Disconnect {
        at: chrono::DateTime<chrono::Utc>,
    },
    LoadViews,
    /// The unread conversations, to bring back their notifications.
    LoadUnread,
    SaveView {
        view: crate::domain::view::ViewInput,
    },
    DeleteView {
        name: String,
    },
    /// Candidates and contacts matching the records pane's query.
    LoadRecords {
        query: String,
    },
    /// A record's conversation, started when there is none.
    OpenRecord {
        record_id: u64,
    },
    /// The record beside a conversation, for its card.
    LoadRecordCard {
        conversation_id: u64,
    },
    /// A record as the form says (a new one without an id).
    SaveRecord {
        id: Option<u64>,
        record: Box<crate::domain::record::RecordInput>,
    },
    /// Every conversation's messages and names with these words.
    Search {
        query: String,
    },
    /// A conversation's messages from a search hit on.
    LoadThreadFrom {
        conversation_id: u64,
        since: DateTime<Utc>,
    },
    /// A page of a conversation's messages before `before` (scrolling up past the loaded).
    LoadOlder {
        conversation_id: u64,
        before: DateTime<Utc>,
    },
    CreateTemplate {
        template: crate::domain::template::TemplateInput,
    },
    /// A new body for a template.
    EditTemplate {
        name: String,
        language: Option<String>,
        body: String,
    },
    DeleteTemplate {
        name: String,
        language: String,
    },
    PreviewTemplate {
        template_id: u64,
        to: String,
        name: String,
        language: String,
        picks: Picks,
    },
    SendTemplate {
        to: String,
        name: String,
        language: String,
        picks: Picks,
    },
    /// Files (full paths) and the reply's text, as one send.
    SendFiles {
        to: String,
        files: Vec<String>,
        text: String,
    },
    /// A conversation's files, for the Attachments section.
    LoadAttachments {
        conversation_id: u64,
    },
    /// An image prepared to be drawn in `cols`×`rows` cells.
    LoadPreview {
        id: u64,
        cols: u16,
        rows: u16,
    },
    /// A file written into `dir` (then opened, with `open`).
    SaveAttachment {
        id: u64,
        dir: std::path::PathBuf,
        open: bool,
    },
}
