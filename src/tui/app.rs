//! The app's state and `App::update`: inputs (keys, engine events, answers to commands) in,
//! commands out. No IO, no terminal, no runtime: tests drive it directly.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{
    action::Action,
    chat_state::Chat,
    keymap::{self, Mode},
    list_state::{ConversationList, PAGE},
    notifications::Notifications,
    picker_state::Picker,
};
use crate::{
    domain::{
        conversation::Conversation, event::Event, merge::Filled, message::Message,
        template::Template,
    },
    engine::{ConversationView, api::ViewCount},
};

/// How long a toast stays in the status bar.
const TOAST_SECONDS: i64 = 6;

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
        role: String,
        channel: String,
    },
    /// Every template (the picker keeps what can be sent now).
    Templates(Vec<Template>),
    /// A template filled in for the open conversation.
    Preview {
        template_id: u64,
        filled: Filled,
        refusal: Option<String>,
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
    /// The connection to the engine was lost.
    Disconnected(String),
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
    SendText {
        to: String,
        text: String,
    },
    LoadTemplates,
    LoadViews,
    PreviewTemplate {
        template_id: u64,
        to: String,
        name: String,
        language: String,
    },
    SendTemplate {
        to: String,
        name: String,
        language: String,
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
    Lost(String),
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
    pub me: Option<(String, String)>,
    pub focus: Focus,
    /// The help overlay, with its scroll position.
    pub help: Option<usize>,
    pub list: ConversationList,
    pub chat: Option<Chat>,
    pub compose: TextArea<'static>,
    /// The template picker, while it is open.
    pub picker: Option<Picker>,
    /// The filter applied to the list (a query or a view's name).
    pub filter: Option<String>,
    /// The filter being typed, while the prompt is open.
    pub filter_input: Option<String>,
    /// The views of the list (the first is all conversations) and which one is shown.
    pub views: Vec<ViewCount>,
    pub active_view: Option<usize>,
    /// `g` was pressed: the next key says where to go.
    pending_go: bool,
    pub notifications: Notifications,
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
            help: None,
            list: ConversationList::default(),
            chat: None,
            compose: TextArea::default(),
            picker: None,
            filter: None,
            filter_input: None,
            views: Vec::new(),
            active_view: Some(0),
            pending_go: false,
            notifications: Notifications::default(),
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
        if self.help.is_some() {
            return Mode::Help;
        }
        if self.picker.is_some() {
            return Mode::Picker;
        }
        if self.filter_input.is_some() {
            return Mode::Filter;
        }
        if self.notifications.panel.is_some() {
            return Mode::Notifications;
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
        match &self.toast {
            Some(t) if t.until < minute => t.until,
            _ => minute,
        }
    }

    /// Rows of the list pane that fit on screen (two lines each, under the views' line).
    pub fn list_rows_visible(&self) -> usize {
        usize::from(self.height.saturating_sub(5) / 2).max(1)
    }

    pub fn update(&mut self, input: Input) -> Vec<Command> {
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
                }
            }
            Input::Me {
                login,
                role,
                channel,
            } => {
                self.me = Some((login, role));
                self.channel = channel;
            }
            Input::Views(views) => self.views = views,
            Input::Templates(all) => {
                let open = self.window_open();
                if let Some(p) = self.picker.as_mut() {
                    p.templates = Picker::sendable(all, open);
                    p.loaded = true;
                    p.selected = 0;
                }
                self.preview_selected(&mut out);
            }
            Input::Preview {
                template_id,
                filled,
                refusal,
            } => {
                if let Some(p) = self.picker.as_mut() {
                    p.preview = Some((template_id, filled, refusal));
                }
            }
            Input::SendRefused { text, error } => {
                if self.compose.is_empty() {
                    self.compose =
                        TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
                }
                self.error(error);
            }
            Input::Failed(e) => self.error(e),
            Input::Disconnected(why) => {
                self.connection = Connection::Lost(why.clone());
                self.error(format!("Connection lost: {why}"));
            }
        }
        self.list.scroll_to_selection(self.list_rows_visible());
        out
    }

    fn error(&mut self, text: String) {
        self.toast = Some(Toast {
            text,
            error: true,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }

    fn info(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            error: false,
            until: self.now + Duration::seconds(TOAST_SECONDS),
        });
    }

    fn reload_list(&mut self, out: &mut Vec<Command>) {
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
            Event::RecordSaved { .. }
            | Event::TemplateChanged { .. }
            | Event::TemplateDeleted { .. } => return,
        };
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

    fn key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let mode = self.mode();
        if std::mem::take(&mut self.pending_go) {
            match key.code {
                KeyCode::Char('g') => return self.act(Action::Top, out),
                KeyCode::Char(d @ '1'..='9') if mode == Mode::List => {
                    return self.select_view(usize::from(d as u8 - b'1'), out);
                }
                _ => {}
            }
        }
        let Some(action) = keymap::action_for(mode, key) else {
            if mode == Mode::Picker {
                self.picker_key(key, out);
                return;
            }
            if let Some(input) = self.filter_input.as_mut() {
                match key.code {
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        input.push(c);
                    }
                    KeyCode::Backspace => {
                        input.pop();
                    }
                    _ => {}
                }
                return;
            }
            if mode == Mode::Compose && self.window_open() {
                // Everything else is typing. Ctrl and Alt combinations edit (ratatui-textarea's
                // emacs-like keys); a lone Alt-letter would only insert noise, so it is ignored.
                if !(key.modifiers.contains(KeyModifiers::ALT)
                    && matches!(key.code, KeyCode::Char(_)))
                {
                    self.compose.input(key);
                }
            }
            return;
        };
        self.act(action, out);
    }

    /// Whether free text can be sent in the open conversation now.
    pub fn window_open(&self) -> bool {
        self.chat.as_ref().is_some_and(|c| {
            c.conversation
                .window_expires_at
                .is_some_and(|end| self.now < end)
        })
    }

    fn act(&mut self, action: Action, out: &mut Vec<Command>) {
        let page = isize::try_from(self.list_rows_visible()).unwrap_or(10);
        match (self.mode(), action) {
            (_, Action::Quit) => self.quit = true,
            (Mode::Help, Action::Back | Action::Help) => self.help = None,
            (Mode::Help, Action::Down) => self.help = self.help.map(|s| s + 1),
            (Mode::Help, Action::Up) => self.help = self.help.map(|s| s.saturating_sub(1)),
            (_, Action::Help) => self.help = Some(0),
            (Mode::List, Action::Down) => self.load_window_after(|l| l.move_by(1), out),
            (Mode::List, Action::Up) => self.load_window_after(|l| l.move_by(-1), out),
            (Mode::List, Action::PageDown) => self.load_window_after(|l| l.move_by(page), out),
            (Mode::List, Action::PageUp) => self.load_window_after(|l| l.move_by(-page), out),
            (Mode::List, Action::Top) => self.load_window_after(|l| l.move_to(0), out),
            (Mode::List, Action::Bottom) => {
                let last = self.list.len().saturating_sub(1);
                self.load_window_after(|l| l.move_to(last), out);
            }
            (Mode::List, Action::Open) => {
                self.open(out);
                if self.chat.is_some() {
                    self.focus = Focus::Chat;
                }
            }
            (Mode::List, Action::Reply) => {
                self.open(out);
                self.reply();
            }
            (Mode::Chat, Action::Reply) => self.reply(),
            (Mode::Chat, Action::Down) => self.chat_move(|c| c.move_by(1)),
            (Mode::Chat, Action::Up) => self.chat_move(|c| c.move_by(-1)),
            (Mode::Chat, Action::PageDown) => self.chat_move(|c| c.move_by(10)),
            (Mode::Chat, Action::PageUp) => self.chat_move(|c| c.move_by(-10)),
            (Mode::Chat, Action::Top) => self.chat_move(Chat::to_top),
            (Mode::Chat, Action::Bottom) => self.chat_move(Chat::to_bottom),
            (Mode::Chat, Action::Back) => self.focus = Focus::List,
            (Mode::Compose, Action::Back) => self.focus = Focus::Chat,
            (_, Action::SwitchPane) => {
                self.focus = match self.focus {
                    Focus::List if self.chat.is_some() => Focus::Chat,
                    _ => Focus::List,
                };
            }
            (Mode::Picker, Action::Back) => self.picker = None,
            (Mode::Notifications, Action::Back) => self.notifications.panel = None,
            (Mode::Notifications, Action::Down) => self.notifications.move_by(1),
            (Mode::Notifications, Action::Up) => self.notifications.move_by(-1),
            (Mode::Notifications, Action::ClearSeen) => self.notifications.clear_seen(),
            (Mode::Notifications, Action::Open) => self.open_notification(out),
            (_, Action::Notifications) => self.notifications.panel = Some(0),
            (Mode::Filter, Action::Back) => self.filter_input = None,
            (Mode::Filter, Action::Send) => {
                let query = self.filter_input.take().unwrap_or_default();
                self.filter = Some(query.trim().to_owned()).filter(|q| !q.is_empty());
                self.active_view = match &self.filter {
                    None => Some(0),
                    Some(f) => self.views.iter().position(|v| v.name == *f),
                };
                self.list.selected = 0;
                self.list.selected_id = None;
                self.list.offset = 0;
                self.reload_list(out);
            }
            (Mode::List | Mode::Chat, Action::GoTo) => self.pending_go = true,
            (Mode::List, Action::Filter) => {
                self.filter_input = Some(self.filter.clone().unwrap_or_default());
            }
            (Mode::List, Action::MarkUnread) => {
                if let Some(row) = self.list.selected_row() {
                    out.push(Command::MarkUnread {
                        conversation_id: row.id,
                    });
                }
            }
            (Mode::Picker, Action::Down) => self.picker_move(1, out),
            (Mode::Picker, Action::Up) => self.picker_move(-1, out),
            (Mode::Picker, Action::Send) => self.send_template(out),
            (_, Action::Templates) => {
                if self.chat.is_none() {
                    self.open(out);
                }
                if self.chat.is_some() {
                    self.picker = Some(Picker::default());
                    out.push(Command::LoadTemplates);
                }
            }
            (Mode::Compose, Action::NewLine) => self.compose.insert_newline(),
            (Mode::Compose, Action::Send) => self.send(out),
            _ => {}
        }
    }

    fn load_window_after(
        &mut self,
        f: impl FnOnce(&mut ConversationList) -> Option<usize>,
        out: &mut Vec<Command>,
    ) {
        let offset = f(&mut self.list);
        self.load_window(offset, out);
    }

    fn chat_move(&mut self, f: impl FnOnce(&mut Chat)) {
        if let Some(c) = self.chat.as_mut() {
            f(c);
        }
    }

    /// Opens the selected conversation (and marks it read).
    fn open(&mut self, out: &mut Vec<Command>) {
        let Some(row) = self.list.selected_row().cloned() else {
            return;
        };
        if self
            .chat
            .as_ref()
            .is_none_or(|c| c.conversation.id != row.id)
        {
            self.chat = Some(Chat::new(row.clone()));
            self.compose = TextArea::default();
            out.push(Command::LoadThread {
                conversation_id: row.id,
            });
        }
        self.notifications.seen(row.id);
        if row.unread > 0 {
            out.push(Command::MarkRead {
                conversation_id: row.id,
            });
        }
    }

    fn reply(&mut self) {
        if self.chat.is_none() {
            return;
        }
        self.focus = Focus::Compose;
        if !self.window_open() {
            self.info("The 24-hour window is closed: only an approved template can be sent (t).");
        }
    }

    /// Jumps into the notified conversation, in the reply box.
    fn open_notification(&mut self, out: &mut Vec<Command>) {
        let Some(n) = self.notifications.selected().cloned() else {
            return;
        };
        self.notifications.panel = None;
        self.notifications.seen(n.conversation_id);
        if self
            .chat
            .as_ref()
            .is_none_or(|c| c.conversation.id != n.conversation_id)
        {
            // What the notification knows, until the thread's load brings the rest.
            let view = ConversationView {
                id: n.conversation_id,
                wa_id: None,
                user_id: None,
                username: None,
                name: n.name.clone(),
                unread: n.count,
                failed: 0,
                last_text: n.last_text.clone(),
                last_message_at: Some(n.at),
                last_inbound_at: Some(n.at),
                last_outbound_at: None,
                window_open: true,
                window_expires_at: crate::domain::window::expires_at(Some(n.at)),
            };
            self.chat = Some(Chat::new(view));
            self.compose = TextArea::default();
            out.push(Command::LoadThread {
                conversation_id: n.conversation_id,
            });
        }
        out.push(Command::MarkRead {
            conversation_id: n.conversation_id,
        });
        self.focus = Focus::Compose;
    }

    /// Shows view `i` (0: all conversations).
    fn select_view(&mut self, i: usize, out: &mut Vec<Command>) {
        let Some(view) = self.views.get(i) else {
            self.info(format!("There is no view {}.", i + 1));
            return;
        };
        self.filter = Some(view.name.clone()).filter(|n| !n.is_empty());
        self.active_view = Some(i);
        self.list.selected = 0;
        self.list.selected_id = None;
        self.list.offset = 0;
        self.reload_list(out);
    }

    /// Whom the open conversation's messages go to: the number, else the BSUID.
    fn chat_to(&self) -> Option<String> {
        let c = &self.chat.as_ref()?.conversation;
        c.wa_id
            .as_ref()
            .map(|w| format!("+{w}"))
            .or_else(|| c.user_id.clone())
    }

    fn picker_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(p) = self.picker.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                p.type_char(c);
            }
            KeyCode::Backspace => p.backspace(),
            _ => return,
        }
        self.preview_selected(out);
    }

    fn picker_move(&mut self, delta: isize, out: &mut Vec<Command>) {
        if let Some(p) = self.picker.as_mut() {
            p.move_by(delta);
        }
        self.preview_selected(out);
    }

    /// Asks for the preview of the selected template, unless it is already shown.
    fn preview_selected(&mut self, out: &mut Vec<Command>) {
        let Some(to) = self.chat_to() else { return };
        let Some(p) = self.picker.as_ref() else {
            return;
        };
        let Some(t) = p.selected_template() else {
            return;
        };
        if p.preview.as_ref().is_some_and(|(id, ..)| *id == t.id) {
            return;
        }
        out.push(Command::PreviewTemplate {
            template_id: t.id,
            to,
            name: t.name.clone(),
            language: t.language.clone(),
        });
    }

    fn send_template(&mut self, out: &mut Vec<Command>) {
        let Some(to) = self.chat_to() else { return };
        let Some(t) = self
            .picker
            .as_ref()
            .and_then(|p| p.selected_template().cloned())
        else {
            return;
        };
        out.push(Command::SendTemplate {
            to,
            name: t.name,
            language: t.language,
        });
        self.picker = None;
        self.focus = Focus::Chat;
    }

    fn send(&mut self, out: &mut Vec<Command>) {
        let text = self.compose.lines().join("\n");
        if text.trim().is_empty() {
            return;
        }
        if self.chat.is_none() {
            return;
        }
        if !self.window_open() {
            self.error(
                "The 24-hour window is closed: only an approved template can be sent (t).".into(),
            );
            return;
        }
        let Some(to) = self.chat_to() else {
            self.error("This contact has neither a number nor a BSUID.".into());
            return;
        };
        out.push(Command::SendText { to, text });
        self.compose = TextArea::default();
    }
}
