//! Popups: whatever is open over the panes, at most one at a time. Each popup's module holds
//! its state, what its keys do and how it is drawn; this one says which is open, what mode the
//! keyboard is in because of it, and hands keys, pastes and drawing to it.
//!
//! Adding a popup: a new module here and an arm in `Popup` (and in the matches below, which
//! the compiler lists).

pub mod assign;
pub mod attach;
pub mod bulk;
pub mod connect;
pub mod credits;
pub mod filter;
pub mod help;
pub mod labels;
pub mod notifications;
pub mod picker;
pub mod quit;
pub mod record_card;
pub mod record_form;
pub mod records;
pub mod rules;
pub mod scheduled;
pub mod search;
pub mod settings;
pub mod snooze;
pub mod templates;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Frame, layout::Rect};

use super::{
    action::Action,
    app::{App, Command},
    keymap::{self, Mode},
};

/// The open popup.
#[derive(Debug)]
pub enum Popup {
    /// `?`: every key.
    Help(help::Help),
    /// `n`: the notifications, with the cursor.
    Notifications(usize),
    /// `f`: the filter being typed.
    Filter(super::line_input::LineInput),
    /// Ctrl-s in the filter prompt: naming the filter to save it as a view.
    SaveView(filter::SaveView),
    /// `/`: searching every conversation.
    Search(search::SearchPanel),
    /// `c`: candidates and contacts.
    Records(records::RecordsPanel),
    /// `i`: the record beside the chat.
    Record(Box<record_card::RecordPopup>),
    /// `t`: the template picker.
    Picker(picker::Picker),
    /// `T`: the template manager.
    Templates(Box<templates::TemplateManager>),
    /// Quitting over an unsent reply.
    Quit,
    /// `S`: the connection and the routing (admins).
    Settings(settings::SettingsPanel),
    /// `L`: the labels on a conversation.
    Labels(labels::LabelPicker),
    /// `A`: whom to hand a conversation to.
    Assign(assign::AssignPicker),
    /// `z`: until when to snooze a conversation.
    Snooze(snooze::SnoozePrompt),
    /// `c` in the settings: connecting a number.
    Connect(Box<connect::ConnectPanel>),
    /// `Alt-s` in the compose box: when to send the reply.
    SendAt(scheduled::SendAtPrompt),
    /// `s` in the chat: its sends waiting for their time.
    Scheduled(scheduled::ScheduledPanel),
    /// `Alt-a` in the compose box: the path of a file to attach.
    Attach(attach::AttachPrompt),
    /// `B` in the list: a bulk send of a template to what is marked.
    Bulk(bulk::BulkPanel),
    /// `W`: the workflow rules.
    Rules(rules::RulesPanel),
    /// `$`: the credits (admins).
    Credits(credits::CreditsPanel),
}

impl Popup {
    /// Where the keyboard is while this popup is open.
    pub fn mode(&self) -> Mode {
        match self {
            Self::Help(_) => Mode::Help,
            Self::Notifications(_) => Mode::Notifications,
            Self::Filter(_) => Mode::Filter,
            Self::SaveView(_) => Mode::SaveView,
            Self::Search(_) => Mode::Search,
            Self::Records(_) => Mode::Records,
            Self::Record(p) => p.mode(),
            Self::Picker(p) if p.choosing.is_some() => Mode::Choose,
            Self::Picker(p) if p.confirming => Mode::ConfirmSend,
            Self::Picker(_) => Mode::Picker,
            Self::Templates(m) => m.mode(),
            Self::Quit => Mode::ConfirmQuit,
            Self::Attach(_) => Mode::AttachPath,
            Self::Settings(p) => p.mode(),
            Self::Connect(p) => p.mode(),
            Self::Snooze(_) => Mode::SnoozeUntil,
            Self::SendAt(_) => Mode::SendAt,
            Self::Scheduled(_) => Mode::Scheduled,
            Self::Assign(_) => Mode::Assign,
            Self::Labels(_) => Mode::Labels,
            Self::Bulk(_) => Mode::Bulk,
            Self::Rules(_) => Mode::Rules,
            Self::Credits(_) => Mode::Credits,
        }
    }
}

/// Draws the open popup over the panes (the filter prompts live in the status bar, drawn
/// there).
pub fn render(app: &App, popup: &Popup, frame: &mut Frame, area: Rect) {
    match popup {
        Popup::Help(h) => {
            // Help is drawn over the popup it was opened from.
            if let Some(under) = &h.under {
                render(app, under, frame, area);
            }
            help::render(frame, area, h.scroll);
        }
        Popup::Notifications(cursor) => notifications::render(app, *cursor, frame, area),
        Popup::Filter(_)
        | Popup::SaveView(_)
        | Popup::Attach(_)
        | Popup::Snooze(_)
        | Popup::SendAt(_) => {}
        Popup::Scheduled(panel) => scheduled::render(app, panel, frame, area),
        Popup::Search(panel) => search::render(app, panel, frame, area),
        Popup::Records(panel) => records::render(panel, frame, area),
        Popup::Record(popup) => record_card::render(popup, frame, area),
        Popup::Picker(picker) => picker::view::render(app, picker, frame, area),
        Popup::Templates(m) => templates::view::render(m, frame, area),
        Popup::Quit => quit::render(app, frame, area),
        Popup::Settings(panel) => settings::render(app, panel, frame, area),
        Popup::Connect(panel) => connect::render(panel, frame, area),
        Popup::Assign(picker) => assign::render(picker, frame, area),
        Popup::Labels(picker) => labels::render(app, picker, frame, area),
        Popup::Bulk(panel) => bulk::render(app, panel, frame, area),
        Popup::Rules(panel) => rules::render(app, panel, frame, area),
        Popup::Credits(panel) => credits::render(app, panel, frame, area),
    }
}

impl App {
    /// A key while a popup is open: its action if the keymap has one in this mode, else the
    /// popup's typing (a query, a form).
    pub(super) fn popup_key(&mut self, mode: Mode, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(popup) = self.popup.as_ref() else {
            return;
        };
        let Some(action) = keymap::action_for(mode, key) else {
            match popup {
                Popup::Filter(_) | Popup::SaveView(_) => self.prompt_key(key),
                Popup::Attach(_) => self.attach_key(key),
                Popup::Search(_) => self.search_key(key, out),
                Popup::Records(_) => self.records_key(key, out),
                Popup::Record(_) => self.record_key(key),
                Popup::Picker(_) if mode == Mode::Picker => self.picker_key(key, out),
                Popup::Templates(_) if mode == Mode::TemplateForm => self.form_key(key),
                Popup::Settings(_) if mode == Mode::SettingsInput => self.settings_key(key),
                Popup::Connect(_) => self.connect_key(key),
                Popup::Snooze(_) => self.snooze_key(key),
                Popup::SendAt(_) => self.send_at_key(key),
                Popup::Help(_)
                | Popup::Notifications(_)
                | Popup::Picker(_)
                | Popup::Templates(_)
                | Popup::Settings(_)
                | Popup::Assign(_)
                | Popup::Labels(_)
                | Popup::Scheduled(_)
                | Popup::Bulk(_)
                | Popup::Rules(_)
                | Popup::Credits(_)
                | Popup::Quit => {}
            }
            return;
        };
        self.popup_action(action, out);
    }

    /// An action in the open popup (a key's, or the mouse wheel's).
    pub(in crate::tui) fn popup_action(&mut self, action: Action, out: &mut Vec<Command>) {
        let mode = self.mode();
        let Some(popup) = self.popup.as_ref() else {
            return;
        };
        if action == Action::Quit {
            self.ask_to_quit();
            return;
        }
        if action == Action::Help && !matches!(popup, Popup::Help(_)) {
            self.open_help();
            return;
        }
        match popup {
            Popup::Help(_) => self.help_act(action),
            Popup::Notifications(_) => self.notifications_act(action, out),
            Popup::Filter(_) | Popup::SaveView(_) => self.filter_act(action, out),
            Popup::Search(_) => self.search_act(action, out),
            Popup::Records(_) => self.records_act(action, out),
            Popup::Record(_) => self.record_act(action, out),
            Popup::Picker(_) => self.picker_act(mode, action, out),
            Popup::Templates(_) => self.manager_act(mode, action, out),
            Popup::Quit => self.quit_act(action),
            Popup::Attach(_) => self.attach_act(action),
            Popup::Settings(_) => self.settings_act(action, out),
            Popup::Connect(_) => self.connect_act(action, out),
            Popup::Snooze(_) => self.snooze_act(action, out),
            Popup::SendAt(_) => self.send_at_act(action, out),
            Popup::Scheduled(_) => self.scheduled_act(action, out),
            Popup::Assign(_) => self.assign_act(action, out),
            Popup::Labels(_) => self.labels_act(action, out),
            Popup::Bulk(_) => self.bulk_act(action, out),
            Popup::Rules(_) => self.rules_act(action, out),
            Popup::Credits(_) => self.credits_act(action),
        }
    }

    /// The template picker, while it is open.
    pub fn picker(&self) -> Option<&picker::Picker> {
        match &self.popup {
            Some(Popup::Picker(p)) => Some(p),
            _ => None,
        }
    }

    pub(super) fn picker_mut(&mut self) -> Option<&mut picker::Picker> {
        match &mut self.popup {
            Some(Popup::Picker(p)) => Some(p),
            _ => None,
        }
    }

    /// The template manager, while it is open.
    pub fn manager(&self) -> Option<&templates::TemplateManager> {
        match &self.popup {
            Some(Popup::Templates(m)) => Some(m),
            _ => None,
        }
    }

    pub(super) fn manager_mut(&mut self) -> Option<&mut templates::TemplateManager> {
        match &mut self.popup {
            Some(Popup::Templates(m)) => Some(m),
            _ => None,
        }
    }

    /// The records pane, while it is open.
    pub fn records(&self) -> Option<&records::RecordsPanel> {
        match &self.popup {
            Some(Popup::Records(p)) => Some(p),
            _ => None,
        }
    }

    pub(super) fn records_mut(&mut self) -> Option<&mut records::RecordsPanel> {
        match &mut self.popup {
            Some(Popup::Records(p)) => Some(p),
            _ => None,
        }
    }

    /// The search, while it is open.
    pub fn search(&self) -> Option<&search::SearchPanel> {
        match &self.popup {
            Some(Popup::Search(p)) => Some(p),
            _ => None,
        }
    }

    pub(super) fn search_mut(&mut self) -> Option<&mut search::SearchPanel> {
        match &mut self.popup {
            Some(Popup::Search(p)) => Some(p),
            _ => None,
        }
    }

    /// Closes whatever popup is open.
    pub(super) fn close_popup(&mut self) {
        self.popup = None;
    }
}

/// A cursor moved by `delta` over `len` rows, kept on one of them.
pub fn moved(cursor: usize, delta: isize, len: usize) -> usize {
    cursor
        .saturating_add_signed(delta)
        .min(len.saturating_sub(1))
}

/// A key typed into a query.
pub(super) enum Typed {
    Char(char),
    Backspace,
}

/// What a key does to a query, if it is typing at all.
pub(super) fn typed(key: KeyEvent) -> Option<Typed> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(Typed::Char(c))
        }
        KeyCode::Backspace => Some(Typed::Backspace),
        _ => None,
    }
}
