//! What happens to the app: keys, time, the engine's events and the answers to commands.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::{
    domain::{event::Event, message::Message, permission::Role, template::Template},
    engine::{ConversationView, api::ViewCount},
};

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Input {
    Key(KeyEvent),
    /// Who a bulk send would reach.
    Preflight(Box<crate::domain::bulk::Preflight>),
    /// The balance (and ledger entries, when asked for).
    Credits(Box<crate::tui::popup::credits::CreditsView>),
    /// A month's spend by one dimension.
    Usage(Box<crate::tui::popup::credits::UsageView>),
    /// The workflow rules.
    Rules(Vec<crate::domain::rule::Rule>),
    /// A rule turned on or off.
    RuleChanged(Box<crate::domain::rule::Rule>),
    /// A rule's last runs, newest first.
    RuleLog {
        name: String,
        entries: Vec<crate::domain::rule::LogEntry>,
    },
    /// How far a bulk send got.
    Batch {
        batch: Box<crate::domain::bulk::Batch>,
        progress: crate::domain::bulk::Progress,
        outcomes: Vec<crate::domain::bulk::Outcome>,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (window countdowns, relative times, toasts).
    Tick(DateTime<Utc>),
    /// The engine stored a change.
    Event(Box<Event>),
    Conversations {
        total: u64,
        offset: usize,
        rows: Vec<ConversationView>,
    },
    Thread {
        conversation: ConversationView,
        messages: Vec<Message>,
        /// Its trail (resolved, snoozed, reopened…), oldest first.
        trail: Vec<crate::domain::conversation_state::TrailEntry>,
        /// Its sends waiting for their time.
        scheduled: Vec<crate::domain::schedule::ScheduledSend>,
    },
    Me {
        login: String,
        role: Role,
        channel: String,
        /// The language new templates start in.
        language: String,
        /// How the link to a relay stands, when webhooks come from one.
        relay: Option<crate::domain::relay_link::RelayLink>,
        /// When the number was disconnected, if it is.
        disconnected_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Every template (the picker keeps what can be sent now).
    Templates(Vec<Template>),
    /// The engine's report, for the settings panel.
    Health(Box<crate::engine::api::Health>),
    /// The labels defined.
    Labels(Vec<crate::domain::label::Label>),
    /// Who conversations can be handed to: users (login, name) and groups.
    Team {
        users: Vec<(String, String)>,
        groups: Vec<String>,
    },
    /// The account's numbers, to connect one.
    Numbers(Vec<crate::whatsapp::account::PhoneNumberInfo>),
    /// A number was connected.
    Connected(Box<crate::engine::Connected>),
    /// Reading the numbers or connecting was refused, with why.
    ConnectRefused(String),
    /// The routing in force, the logins it assigns in turn, and where it was set.
    Routing {
        routing: crate::domain::routing::Routing,
        pool: Vec<String>,
        source: String,
    },
    /// A template filled in for the open conversation.
    Preview(crate::tui::popup::picker::Preview),
    /// The records matching `query`.
    Records {
        query: String,
        total: usize,
        records: Vec<crate::domain::record::Record>,
    },
    /// A send for later was taken.
    Scheduled(Box<crate::domain::schedule::ScheduledSend>),
    /// The record beside a conversation.
    RecordCard(Box<crate::engine::RecordCard>),
    /// The record was saved as the form said.
    RecordSaved(Box<crate::domain::record::Record>),
    /// …or refused, with why.
    RecordRefused(String),
    /// The template manager's new template was taken (an approved-type one is pending).
    TemplateSaved(Template),
    /// …or refused, with why.
    TemplateRefused(String),
    /// The unread conversations (at start).
    Unread(Vec<ConversationView>),
    /// The hits of a search.
    Found {
        query: String,
        hits: Vec<crate::engine::api::SearchHit>,
    },
    /// A record's conversation, opened from the records pane.
    Opened {
        conversation: ConversationView,
        messages: Vec<Message>,
        trail: Vec<crate::domain::conversation_state::TrailEntry>,
        scheduled: Vec<crate::domain::schedule::ScheduledSend>,
    },
    /// The views and their counts.
    Views(Vec<ViewCount>),
    /// A send was refused before it was queued; the text goes back into the compose box.
    SendRefused {
        text: String,
        /// The files that were to go with it (full paths).
        files: Vec<String>,
        error: String,
    },
    /// A command failed.
    Failed(String),
    /// Loading the list failed (a filter that does not read): the list may load again.
    ListFailed(String),
    /// Loading the views' counts failed: they may load again.
    ViewsFailed(String),
    /// Text pasted into the terminal (bracketed paste): one piece, line breaks and all.
    Paste(String),
    /// Older messages of a conversation, asked for by scrolling up.
    Older {
        conversation_id: u64,
        messages: Vec<Message>,
    },
    /// Loading older messages failed: scrolling up may ask again.
    OlderFailed {
        conversation_id: u64,
        error: String,
    },
    /// Events were missed: load again what is shown.
    Resync,
    /// The daemon went away; the link is reaching it again.
    Reconnecting(String),
    /// The daemon is back.
    Reconnected,
    /// The mouse: a click or the wheel.
    Mouse(crossterm::event::MouseEvent),
    /// The editor closed: its text, or why it failed.
    Edited {
        target: super::EditTarget,
        text: Result<String, String>,
    },
    /// A conversation's files.
    Attachments {
        conversation_id: u64,
        list: Vec<crate::engine::api::AttachmentView>,
    },
    /// An image prepared for the Attachments section, or why it cannot be shown.
    ImagePreview {
        id: u64,
        image: Result<crate::tui::preview::PreviewImage, String>,
    },
    /// A file was written (and is to be opened, with `open`).
    FileSaved {
        path: std::path::PathBuf,
        open: bool,
    },
    /// The terminal went away or the process was asked to stop: quit now (drafts are saved
    /// on the way out), asking nothing.
    Hangup,
}
