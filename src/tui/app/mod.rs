//! The app's state and `App::update`: inputs (keys, engine events, answers to commands) in,
//! commands out. No IO, no terminal, no runtime: tests drive it directly.

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::KeyEventKind;
use ratatui_textarea::TextArea;

use super::{
    chat_state::Chat,
    keymap::Mode,
    list_state::{ConversationList, PAGE},
    notifications::Notifications,
    popup::Popup,
};
use crate::{
    domain::permission::{Permission, Role},
    engine::api::ViewCount,
};

mod actions;
mod answers;
mod command;
mod drafts;
mod editor;
mod events;
mod files;
mod input;
mod mouse;
mod outside;
mod retry;
mod toast;
mod views;

pub use command::Command;
pub use drafts::compose_box;
pub use editor::{EditRequest, EditTarget};
pub use input::Input;
pub use mouse::{HitMap, Hits};
pub use outside::Outside;
pub use toast::Toast;

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

pub struct App {
    pub now: DateTime<Utc>,
    /// The recruiter's time zone, for clock times and dates.
    pub tz: FixedOffset,
    pub channel: String,
    pub connection: Connection,
    /// How the engine's link to a relay stands, when webhooks come from one.
    pub relay: Option<crate::domain::relay_link::RelayLink>,
    /// When an admin disconnected the number, if they did: nothing can be sent.
    pub disconnected_at: Option<DateTime<Utc>>,
    /// The labels defined (with their colours), once the labels picker loaded them.
    pub labels: Vec<crate::domain::label::Label>,
    pub me: Option<(String, Role)>,
    pub focus: Focus,
    /// The popup open over the panes, if any.
    pub popup: Option<Popup>,
    pub list: ConversationList,
    pub chat: Option<Chat>,
    pub compose: TextArea<'static>,
    /// The clipboard or a link to open, until the run loop takes it.
    outside: Option<Outside>,
    /// The message whose links `o` goes through, and the one it gave last.
    link_turn: Option<(u64, usize)>,
    /// Whether a desktop is there to open links on.
    pub desktop: bool,
    /// Where files are saved and opened, and how.
    pub file_setup: crate::tui::files::FileSetup,
    /// The image previewed in the Attachments section, or why it cannot be.
    pub preview: Option<Result<crate::tui::preview::PreviewImage, (u64, String)>>,
    /// The image whose preview was asked for last.
    preview_wanted: Option<u64>,
    /// Where the panes were drawn, for the mouse.
    pub hits: HitMap,
    /// The editor asked for, until the run loop takes it.
    edit_request: Option<EditRequest>,
    /// Unsent replies of the conversations not open now.
    drafts: std::collections::BTreeMap<u64, String>,
    /// Files attached to a draft, for the session: they wait with it while another
    /// conversation is open.
    draft_files: std::collections::BTreeMap<u64, Vec<crate::tui::files::PendingFile>>,
    /// A message to select once its conversation's messages arrive (a search hit).
    pub(super) jump_to: Option<u64>,
    /// The language new templates start in.
    pub default_language: String,
    /// The filter applied to the list (a query or a view's name).
    pub filter: Option<String>,
    /// The balance as the header knows it (admins).
    pub credits: crate::tui::popup::credits::CreditsWatch,
    /// What the list has marked for a bulk send.
    pub marks: crate::tui::popup::bulk::Marks,
    /// The bulk send this inbox made last, followed while it goes.
    pub bulk: Option<crate::tui::popup::bulk::Watched>,
    /// A view just saved: selected when the views come back.
    pub(super) select_view_named: Option<String>,
    /// The views of the list (the first is all conversations) and which one is shown.
    pub views: Vec<ViewCount>,
    pub active_view: Option<usize>,
    /// Whether the views' counts are on their way.
    views_load: views::Load,
    /// `g` was pressed: the next key says where to go.
    pending_go: bool,
    pub notifications: Notifications,
    /// Who else is answering which conversation, and until when that is believed.
    pub answering: std::collections::HashMap<u64, (String, DateTime<Utc>)>,
    /// When this recruiter last told the others they are answering (to not repeat it per key).
    told_answering: Option<(u64, DateTime<Utc>)>,
    pub toast: Option<Toast>,
    /// What an empty inbox says about how messages would arrive (no config, no daemon).
    pub empty_hint: Option<String>,
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
            relay: None,
            disconnected_at: None,
            credits: crate::tui::popup::credits::CreditsWatch::default(),
            labels: Vec::new(),
            connection,
            me: None,
            focus: Focus::List,
            popup: None,
            list: ConversationList::default(),
            chat: None,
            compose: compose_box(""),
            drafts: std::collections::BTreeMap::new(),
            draft_files: std::collections::BTreeMap::new(),
            edit_request: None,
            outside: None,
            link_turn: None,
            desktop: false,
            file_setup: crate::tui::files::FileSetup::default(),
            preview: None,
            preview_wanted: None,
            hits: HitMap::default(),
            jump_to: None,
            default_language: "en_US".into(),
            filter: None,
            marks: crate::tui::popup::bulk::Marks::default(),
            bulk: None,
            select_view_named: None,
            views: Vec::new(),
            views_load: views::Load::Idle,
            active_view: Some(0),
            pending_go: false,
            notifications: Notifications::default(),
            answering: std::collections::HashMap::new(),
            told_answering: None,
            toast: None,
            empty_hint: None,
            width,
            height,
            quit: false,
        }
    }

    /// What to ask for first.
    pub fn start(&mut self) -> Vec<Command> {
        self.list.loading = true;
        let mut out = vec![Command::Whoami];
        self.load_views(&mut out);
        out.push(Command::LoadConversations {
            offset: 0,
            limit: PAGE,
            filter: None,
        });
        out
    }

    pub fn mode(&self) -> Mode {
        if let Some(p) = &self.popup {
            return p.mode();
        }
        match self.focus {
            Focus::List => Mode::List,
            Focus::Chat if self.files().is_some() => Mode::Attachments,
            Focus::Chat => Mode::Chat,
            Focus::Compose => Mode::Compose,
        }
    }

    /// `g` was pressed and the next key says where to go (the status bar says so).
    pub fn pending_go(&self) -> bool {
        self.pending_go
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
        let mut next = minute.min(soonest);
        // A bulk send going: its progress every half second.
        if self.bulk.as_ref().is_some_and(|w| !w.progress.done()) {
            next = next.min(self.now + chrono::Duration::milliseconds(500));
        }
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

    /// The clock moved: expiring what shows for a while (someone answering, a toast).
    fn tick(&mut self, now: DateTime<Utc>, out: &mut Vec<Command>) {
        self.now = now;
        self.poll_bulk(out);
        self.follow_balance(out);
        self.answering.retain(|_, (_, until)| *until > now);
        if self.toast.as_ref().is_some_and(|t| t.until <= now) {
            self.toast = None;
        }
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
            Input::Tick(now) => self.tick(now, &mut out),
            Input::Preflight(p) => self.bulk_preflight(p),
            input @ (Input::Rules(_) | Input::RuleChanged(_) | Input::RuleLog { .. }) => {
                self.rules_input(input, &mut out);
            }
            input @ (Input::Credits(_) | Input::Usage(_)) => self.credits_input(input),
            Input::Batch {
                batch,
                progress,
                outcomes,
            } => self.bulk_progress(*batch, progress, outcomes),
            Input::Event(e) => self.event(*e, &mut out),
            Input::Conversations {
                total,
                offset,
                rows,
            } => self.conversations_loaded(total, offset, rows, &mut out),
            Input::Me {
                login,
                role,
                channel,
                language,
                relay,
                disconnected_at,
            } => {
                if role == Role::Admin {
                    // The header warns an admin while the balance is low.
                    out.push(Command::LoadCredits { limit: 0 });
                }
                self.me = Some((login, role));
                self.channel = channel;
                self.relay = relay;
                self.disconnected_at = disconnected_at;
                // Whose notifications are whose is known now.
                out.push(Command::LoadUnread);
                if !language.is_empty() {
                    self.default_language = language;
                }
            }
            input @ (Input::Views(_) | Input::ViewsFailed(_)) => self.views_input(input, &mut out),
            input @ (Input::Health(_) | Input::Routing { .. }) => self.settings_input(input),
            input @ (Input::Numbers(_) | Input::Connected(_) | Input::ConnectRefused(_)) => {
                self.connect_input(input);
            }
            input @ Input::Scheduled(_) => self.scheduled_input(input),
            input @ (Input::RecordCard(_) | Input::RecordSaved(_) | Input::RecordRefused(_)) => {
                self.record_input(input, &mut out);
            }
            input @ (Input::TemplateSaved(_) | Input::TemplateRefused(_) | Input::Templates(_)) => {
                self.templates_input(input, &mut out);
            }
            input @ (Input::Records { .. }
            | Input::Found { .. }
            | Input::Opened { .. }
            | Input::Team { .. }
            | Input::Labels(_)
            | Input::Thread { .. }
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
            Input::SendRefused { text, files, error } => self.send_refused(&text, &files, error),
            Input::Failed(e) => self.error(e),
            Input::ListFailed(e) => self.list_failed(e, &mut out),
            Input::Paste(text) => self.paste(&text, &mut out),
            Input::Hangup => self.quit = true,
            Input::Mouse(m) => self.mouse(m, &mut out),
            Input::Edited { target, text } => self.edited(target, text),
            input @ (Input::Attachments { .. }
            | Input::ImagePreview { .. }
            | Input::FileSaved { .. }
            | Input::Older { .. }
            | Input::OlderFailed { .. }) => self.chat_input(input, &mut out),
            Input::Reconnecting(_) | Input::Reconnected | Input::Resync => {
                self.connection_changed(input, &mut out);
            }
        }
        self.list.scroll_to_selection(self.list_rows_visible());
        out
    }

    fn conversations_loaded(
        &mut self,
        total: u64,
        offset: usize,
        rows: Vec<crate::engine::ConversationView>,
        out: &mut Vec<Command>,
    ) {
        self.list.loaded(total, offset, rows);
        // The counts move with the list.
        self.load_views(out);
        // The selection went elsewhere while this page was on its way (Home, G pressed during
        // a reload): the window it is in now, else nothing would ever load it.
        if self.list.selected_row().is_none()
            && let Some(wanted) = self.list.needs_window()
        {
            self.list.stale = false;
            self.load_window(Some(wanted), out);
        } else if std::mem::take(&mut self.list.stale) {
            self.reload_list(out);
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

    /// Whether free text can be sent in the open conversation now.
    pub fn window_open(&self) -> bool {
        self.chat.as_ref().is_some_and(|c| {
            c.conversation
                .window_expires_at
                .is_some_and(|end| self.now < end)
        })
    }
}
