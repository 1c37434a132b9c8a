//! The app's state and `App::update`: inputs (keys, engine events, answers to commands) in,
//! commands out. No IO, no terminal, no runtime: tests drive it directly.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui_textarea::TextArea;

use super::{
    chat_state::Chat,
    keymap::Mode,
    list_state::{ConversationList, PAGE},
    notifications::Notifications,
    popup::{Popup, picker::Picker},
};
use crate::{
    domain::{
        conversation::Conversation,
        event::Event,
        merge_source::Picks,
        message::Message,
        permission::{Permission, Role},
        template::Template,
    },
    engine::{ConversationView, api::ViewCount},
};

mod actions;
mod views;

/// How long "… is answering" shows without news from the one answering.
const ANSWERING_SECONDS: i64 = 30;

/// How long a toast stays in the status bar.
const TOAST_SECONDS: i64 = 6;
/// How long a warning at start stays.
const WARNING_SECONDS: i64 = 30;

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Input {
    Key(KeyEvent),
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
    },
    Me {
        login: String,
        role: Role,
        channel: String,
        /// The language new templates start in.
        language: String,
    },
    /// Every template (the picker keeps what can be sent now).
    Templates(Vec<Template>),
    /// A template filled in for the open conversation.
    Preview(super::popup::picker::Preview),
    /// The records matching `query`.
    Records {
        query: String,
        total: usize,
        records: Vec<crate::domain::record::Record>,
    },
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
    },
    /// The views and their counts.
    Views(Vec<ViewCount>),
    /// A send was refused before it was queued; the text goes back into the compose box.
    SendRefused {
        text: String,
        error: String,
    },
    /// A command failed.
    Failed(String),
    /// Loading the list failed (a filter that does not read): the list may load again.
    ListFailed(String),
    /// Text pasted into the terminal (bracketed paste): one piece, line breaks and all.
    Paste(String),
    /// Older messages of a conversation, asked for by scrolling up.
    Older {
        conversation_id: u64,
        messages: Vec<Message>,
    },
    /// Events were missed: load again what is shown.
    Resync,
    /// The daemon went away; the link is reaching it again.
    Reconnecting(String),
    /// The daemon is back.
    Reconnected,
}

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Chat,
    Compose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// The engine runs in this process.
    InProcess,
    /// Through the daemon's socket.
    Daemon,
    /// The built-in simulator.
    Demo,
    /// The daemon went away (why); it is being reached again.
    Reconnecting(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

pub struct App {
    pub now: DateTime<Utc>,
    /// The recruiter's time zone, for clock times and dates.
    pub tz: FixedOffset,
    pub channel: String,
    pub connection: Connection,
    pub me: Option<(String, Role)>,
    pub focus: Focus,
    /// The popup open over the panes, if any.
    pub popup: Option<Popup>,
    pub list: ConversationList,
    pub chat: Option<Chat>,
    pub compose: TextArea<'static>,
    /// A message to select once its conversation's messages arrive (a search hit).
    pub(super) jump_to: Option<u64>,
    /// The language new templates start in.
    pub default_language: String,
    /// The filter applied to the list (a query or a view's name).
    pub filter: Option<String>,
    /// A view just saved: selected when the views come back.
    pub(super) select_view_named: Option<String>,
    /// The views of the list (the first is all conversations) and which one is shown.
    pub views: Vec<ViewCount>,
    pub active_view: Option<usize>,
    /// `g` was pressed: the next key says where to go.
    pending_go: bool,
    pub notifications: Notifications,
    /// Who else is answering which conversation, and until when that is believed.
    pub answering: std::collections::HashMap<u64, (String, DateTime<Utc>)>,
    /// When this recruiter last told the others they are answering (to not repeat it per key).
    told_answering: Option<(u64, DateTime<Utc>)>,
    pub toast: Option<Toast>,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
}

impl App {
    pub fn new(now: DateTime<Utc>, connection: Connection, width: u16, height: u16) -> Self {
        Self {
            now,
            tz: FixedOffset::east_opt(0).expect("UTC is a valid offset"),
            channel: String::new(),
            connection,
            me: None,
            focus: Focus::List,
            popup: None,
            list: ConversationList::default(),
            chat: None,
            compose: TextArea::default(),
            jump_to: None,
            default_language: "en_US".into(),
            filter: None,
            select_view_named: None,
            views: Vec::new(),
            active_view: Some(0),
            pending_go: false,
            notifications: Notifications::default(),
            answering: std::collections::HashMap::new(),
            told_answering: None,
            toast: None,
            width,
            height,
            quit: false,
        }
    }

    /// What to ask for first.
    pub fn start(&mut self) -> Vec<Command> {
        self.list.loading = true;
        vec![
            Command::Whoami,
            Command::LoadViews,
            Command::LoadConversations {
                offset: 0,
                limit: PAGE,
                filter: None,
            },
        ]
    }

    pub fn mode(&self) -> Mode {
        if let Some(p) = &self.popup {
            return p.mode();
        }
        match self.focus {
            Focus::List => Mode::List,
            Focus::Chat => Mode::Chat,
            Focus::Compose => Mode::Compose,
        }
    }

    /// When the app next needs a redraw without any input: a toast expiring, or the minute
    /// turning (relative times and window countdowns).
    pub fn next_wake(&self) -> DateTime<Utc> {
        let minute =
            DateTime::from_timestamp((self.now.timestamp() / 60 + 1) * 60, 0).unwrap_or(self.now);
        let soonest = self
            .answering
            .values()
            .map(|(_, until)| *until)
            .min()
            .unwrap_or(minute);
        let next = minute.min(soonest);
        match &self.toast {
            Some(t) if t.until < next => t.until,
            _ => next,
        }
    }

    /// Rows of the list pane that fit on screen (two lines each, under the views' line).
    pub fn list_rows_visible(&self) -> usize {
        usize::from(self.height.saturating_sub(5) / 2).max(1)
    }

    pub fn update(&mut self, input: Input) -> Vec<Command> {
        let mut out = self.step(input);
        if self
            .me
            .as_ref()
            .is_some_and(|(_, role)| !role.allows(Permission::Reply))
        {
            // Opening marks read for those who answer; a viewer's reading changes nothing,
            // and a viewer typing is not someone answering.
            out.retain(|c| !matches!(c, Command::MarkRead { .. } | Command::Answering { .. }));
        }
        out
    }

    fn step(&mut self, input: Input) -> Vec<Command> {
        let mut out = Vec::new();
        match input {
            Input::Key(k) if k.kind != KeyEventKind::Release => self.key(k, &mut out),
            Input::Key(_) => {}
            Input::Resize { width, height } => {
                self.width = width;
                self.height = height;
            }
            Input::Tick(now) => {
                self.now = now;
                self.answering.retain(|_, (_, until)| *until > now);
                if self.toast.as_ref().is_some_and(|t| t.until <= now) {
                    self.toast = None;
                }
            }
            Input::Event(e) => self.event(*e, &mut out),
            Input::Conversations {
                total,
                offset,
                rows,
            } => {
                self.list.loaded(total, offset, rows);
                // The counts move with the list; they come from counters, so this is cheap.
                out.push(Command::LoadViews);
                if std::mem::take(&mut self.list.stale) {
                    self.reload_list(&mut out);
                }
            }
            Input::Thread {
                conversation,
                messages,
            } => {
                if let Some(chat) = self
                    .chat
                    .as_mut()
                    .filter(|c| c.conversation.id == conversation.id)
                {
                    chat.conversation = conversation;
                    for m in messages {
                        chat.upsert(m);
                    }
                    chat.loaded = true;
                    if let Some(id) = self.jump_to.take() {
                        chat.select_id(id);
                    }
                }
            }
            Input::Me {
                login,
                role,
                channel,
                language,
            } => {
                self.me = Some((login, role));
                self.channel = channel;
                // Whose notifications are whose is known now.
                out.push(Command::LoadUnread);
                if !language.is_empty() {
                    self.default_language = language;
                }
            }
            Input::Views(views) => {
                self.views = views;
                if let Some(name) = self.select_view_named.take()
                    && let Some(i) = self.views.iter().position(|v| v.name == name)
                {
                    self.select_view(i, &mut out);
                }
            }
            input @ (Input::TemplateSaved(_) | Input::TemplateRefused(_) | Input::Templates(_)) => {
                self.templates_input(input, &mut out);
            }
            input @ (Input::Records { .. }
            | Input::Found { .. }
            | Input::Opened { .. }
            | Input::Unread(_)) => {
                self.pane_input(input, &mut out);
            }
            Input::Preview(preview) => {
                // Answers arrive in any order: one for a template no longer selected, or
                // filled before the latest pick, is stale.
                if let Some(p) = self.picker_mut().filter(|p| {
                    p.picks == preview.picks
                        && p.selected_template().map(|t| t.id) == Some(preview.template_id)
                }) {
                    p.preview = Some(preview);
                }
            }
            Input::SendRefused { text, error } => self.send_refused(&text, error),
            Input::Failed(e) => self.error(e),
            Input::ListFailed(e) => self.list_failed(e, &mut out),
            Input::Paste(text) => self.paste(&text, &mut out),
            Input::Older {
                conversation_id,
                messages,
            } => self.older(conversation_id, messages),
            Input::Reconnecting(_) | Input::Reconnected | Input::Resync => {
                self.connection_changed(input, &mut out);
            }
        }
        self.list.scroll_to_selection(self.list_rows_visible());
        out
    }

    /// Answers for the records pane, the search and the notifications.
    fn pane_input(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            Input::Unread(rows) => {
                let me = self.me.as_ref().map(|(l, _)| l.as_str());
                for r in rows.into_iter().filter(|r| r.unread > 0) {
                    if Notifications::is_for(r.owner.as_deref(), me) {
                        let at = r.last_message_at.unwrap_or(self.now);
                        self.notifications
                            .restore(r.id, &r.name, &r.last_text, r.unread, at);
                    }
                }
            }
            Input::Records {
                query,
                total,
                records,
            } => {
                if let Some(p) = self.records_mut() {
                    p.answered(&query, total, records);
                }
            }
            Input::Opened {
                conversation,
                messages,
            } => self.opened(conversation, messages, out),
            Input::Found { query, hits } => {
                if let Some(p) = self.search_mut() {
                    p.answered(&query, hits);
                }
            }
            _ => {}
        }
    }

    /// Templates arrived (for the picker and the manager), or the manager's save was answered.
    fn templates_input(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            Input::TemplateSaved(t) => self.template_saved(&t, out),
            Input::TemplateRefused(why) => {
                if let Some(f) = self.manager_mut().and_then(|m| m.form.as_mut()) {
                    f.saving = false;
                    f.error = Some(why);
                } else {
                    self.error(why);
                }
            }
            Input::Templates(all) => {
                if let Some(m) = self.manager_mut() {
                    m.loaded(all.clone());
                }
                let open = self.window_open();
                if let Some(p) = self.picker_mut() {
                    p.templates = Picker::sendable(all, open);
                    p.loaded = true;
                    p.selected = 0;
                }
                self.preview_selected(out);
            }
            _ => {}
        }
    }

    pub(super) fn error(&mut self, text: String) {
        self.toast = Some(Toast {
            text,
            error: true,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }

    /// A warning that stays a while (a config file others can read).
    pub fn warn(&mut self, text: String) {
        self.toast = Some(Toast {
            text,
            error: true,
            until: self.now + Duration::seconds(WARNING_SECONDS),
        });
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            error: false,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }

    /// The daemon went away or came back, or events were missed.
    fn connection_changed(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            Input::Reconnecting(why) => self.connection = Connection::Reconnecting(why),
            Input::Reconnected => {
                self.connection = Connection::Daemon;
                self.info("Connected to the daemon again");
                self.resync(out);
            }
            _ => self.resync(out),
        }
    }

    /// A send was refused before it was queued: the text goes back into an empty box.
    fn send_refused(&mut self, text: &str, error: String) {
        if self.compose.is_empty() {
            self.compose = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
        }
        self.error(error);
    }

    /// Older messages of the open conversation arrived.
    fn older(&mut self, conversation_id: u64, messages: Vec<Message>) {
        if let Some(chat) = self
            .chat
            .as_mut()
            .filter(|c| c.conversation.id == conversation_id)
        {
            chat.older_loaded(messages);
        }
    }

    /// Loading the list failed: the answer that never came must not hold every later load back.
    fn list_failed(&mut self, error: String, out: &mut Vec<Command>) {
        self.list.loading = false;
        self.error(error);
        if std::mem::take(&mut self.list.stale) {
            self.reload_list(out);
        }
    }

    /// Loads again everything on screen: the list, the views and the open conversation
    /// (after missed events, or once the daemon is back).
    fn resync(&mut self, out: &mut Vec<Command>) {
        // An answer in flight when the connection broke never comes.
        self.list.loading = false;
        self.reload_list(out);
        out.push(Command::LoadViews);
        if let Some(chat) = &self.chat {
            out.push(Command::LoadThread {
                conversation_id: chat.conversation.id,
            });
        }
    }

    pub(super) fn reload_list(&mut self, out: &mut Vec<Command>) {
        if self.list.loading {
            self.list.stale = true;
            return;
        }
        self.list.loading = true;
        out.push(Command::LoadConversations {
            offset: self.list.offset,
            limit: PAGE,
            filter: self.filter.clone(),
        });
    }

    fn load_window(&mut self, offset: Option<usize>, out: &mut Vec<Command>) {
        if let Some(offset) = offset
            && !self.list.loading
        {
            self.list.loading = true;
            out.push(Command::LoadConversations {
                offset,
                limit: PAGE,
                filter: self.filter.clone(),
            });
        }
    }

    fn event(&mut self, event: Event, out: &mut Vec<Command>) {
        let (conversation, message): (Conversation, Option<Message>) = match event {
            Event::MessageReceived {
                conversation,
                message,
            }
            | Event::MessageQueued {
                conversation,
                message,
            }
            | Event::MessageChanged {
                conversation,
                message,
            }
            | Event::SendFailed {
                conversation,
                message,
            } => (conversation, Some(message)),
            Event::ConversationChanged { conversation } => (conversation, None),
            Event::Answering {
                conversation_id,
                login,
                name,
            } => {
                if self.me.as_ref().is_none_or(|(me, _)| *me != login) {
                    let until = self.now + Duration::seconds(ANSWERING_SECONDS);
                    self.answering.insert(conversation_id, (name, until));
                }
                return;
            }
            Event::RecordSaved { .. } => return,
            Event::TemplateChanged { .. } | Event::TemplateDeleted { .. } => {
                // An open picker or manager follows reviews: approved now, sendable now.
                if self.picker().is_some() || self.manager().is_some() {
                    out.push(Command::LoadTemplates);
                }
                return;
            }
        };
        if let Some(m) = message
            .as_ref()
            .filter(|m| m.direction == crate::domain::message::Direction::Out)
        {
            let theirs = self
                .me
                .as_ref()
                .is_none_or(|(me, _)| m.sent_by.as_deref() != Some(me.as_str()));
            if theirs {
                self.answering.remove(&conversation.id);
            }
        }
        let view = ConversationView::new(&conversation, self.now);
        if let Some(m) = message
            .as_ref()
            .filter(|m| m.direction == crate::domain::message::Direction::In)
        {
            let looking = self.focus != Focus::List
                && self
                    .chat
                    .as_ref()
                    .is_some_and(|c| c.conversation.id == conversation.id);
            let me = self.me.as_ref().map(|(login, _)| login.as_str());
            if !looking && Notifications::is_for(conversation.owner.as_deref(), me) {
                self.notifications
                    .add(conversation.id, &view.name, &m.text, m.at);
            }
        }
        let moved = message
            .as_ref()
            .is_some_and(|m| Some(m.at) == conversation.last_message_at);
        let known = self.list.update(view.clone());
        if moved || !known {
            // Its place in the list may have changed, or it is new: reload what is shown.
            self.reload_list(out);
        }
        let Some(chat) = self
            .chat
            .as_mut()
            .filter(|c| c.conversation.id == conversation.id)
        else {
            return;
        };
        chat.conversation = view;
        if let Some(m) = message {
            let inbound = m.direction == crate::domain::message::Direction::In;
            chat.upsert(m);
            // The recruiter is looking at it: it is read.
            if inbound && self.focus != Focus::List && conversation.unread > 0 {
                out.push(Command::MarkRead {
                    conversation_id: conversation.id,
                });
            }
        }
    }

    /// Whether free text can be sent in the open conversation now.
    pub fn window_open(&self) -> bool {
        self.chat.as_ref().is_some_and(|c| {
            c.conversation
                .window_expires_at
                .is_some_and(|end| self.now < end)
        })
    }
}
