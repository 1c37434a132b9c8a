//! What keys do: the keymap's actions carried out on the app's state, and the small steps they
//! share (open, reply, send, the picker, views, notifications).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{App, Command, Focus};
use crate::domain::message::MAX_TEXT_CHARS;
use crate::{
    engine::ConversationView,
    tui::{
        action::Action,
        chat_state::Chat,
        keymap::{self, Mode},
        list_state::ConversationList,
        picker_state::Picker,
        records_state::RecordsPanel,
        search_state::SearchPanel,
    },
};

impl App {
    pub(super) fn key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let mode = self.mode();
        if std::mem::take(&mut self.pending_go) {
            match (keymap::action_for(Mode::GoTo, key), key.code) {
                (Some(Action::Top), _) => return self.act(Action::Top, out),
                (Some(Action::View), KeyCode::Char(d @ '1'..='9')) if mode == Mode::List => {
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
            if mode == Mode::Records {
                self.records_key(key, out);
                return;
            }
            if mode == Mode::Search {
                self.search_key(key, out);
                return;
            }
            if mode == Mode::TemplateForm {
                self.form_key(key);
                return;
            }
            if let Some((_, name, _)) = self.save_view.as_mut() {
                match key.code {
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        name.push(c);
                    }
                    KeyCode::Backspace => {
                        name.pop();
                    }
                    _ => {}
                }
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
            if mode == Mode::Compose && !self.window_open() {
                // Nothing can be typed to a closed window: keys do what they do in the chat,
                // the `t` the compose box points to first of all.
                if let Some(action) = keymap::action_for(Mode::Chat, key) {
                    self.focus = Focus::Chat;
                    self.act(action, out);
                }
                return;
            }
            if mode == Mode::Compose {
                // Everything else is typing. Ctrl and Alt combinations edit (ratatui-textarea's
                // emacs-like keys); a lone Alt-letter would only insert noise, so it is ignored.
                if !(key.modifiers.contains(KeyModifiers::ALT)
                    && matches!(key.code, KeyCode::Char(_)))
                {
                    self.compose.input(key);
                    if let Some(id) = self.chat.as_ref().map(|c| c.conversation.id) {
                        self.tell_answering(id, out);
                    }
                }
            }
            return;
        };
        self.act(action, out);
    }

    /// A paste is text, never keys: in the reply box it goes in whole, line breaks and all (it
    /// is sent only on Enter); in a one-line prompt its line breaks become spaces; where
    /// nothing is being typed it is ignored, so pasted letters never act as shortcuts.
    pub(super) fn paste(&mut self, text: &str, out: &mut Vec<Command>) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        match self.mode() {
            Mode::Compose if self.window_open() => {
                self.compose.insert_str(&text);
                if let Some(id) = self.chat.as_ref().map(|c| c.conversation.id) {
                    self.tell_answering(id, out);
                }
            }
            Mode::Filter | Mode::SaveView | Mode::Search | Mode::Records | Mode::Picker => {
                for c in text.chars() {
                    let c = if c == '\n' || c == '\t' { ' ' } else { c };
                    if !c.is_control() {
                        self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), out);
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn act(&mut self, action: Action, out: &mut Vec<Command>) {
        if self.act_in_popup(action, out) {
            return;
        }
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
                self.reply(out);
            }
            (Mode::Chat, Action::Reply) => self.reply(out),
            (Mode::Chat, Action::Down) => self.chat_move(|c| c.move_by(1), out),
            (Mode::Chat, Action::Up) => self.chat_move(|c| c.move_by(-1), out),
            (Mode::Chat, Action::PageDown) => self.chat_move(|c| c.move_by(10), out),
            (Mode::Chat, Action::PageUp) => self.chat_move(|c| c.move_by(-10), out),
            (Mode::Chat, Action::Top) => self.chat_move(Chat::to_top, out),
            (Mode::Chat, Action::Bottom) => self.chat_move(Chat::to_bottom, out),
            (Mode::Chat, Action::Back) => self.focus = Focus::List,
            (Mode::Compose, Action::Back) => self.focus = Focus::Chat,
            (_, Action::SwitchPane) => {
                self.focus = match self.focus {
                    Focus::List if self.chat.is_some() => Focus::Chat,
                    _ => Focus::List,
                };
            }
            (Mode::List | Mode::Chat, Action::Search) => {
                self.search = Some(SearchPanel::default());
            }
            (Mode::List | Mode::Chat, Action::Records) => {
                let panel = RecordsPanel {
                    loading: true,
                    ..RecordsPanel::default()
                };
                self.records = Some(panel);
                out.push(Command::LoadRecords {
                    query: String::new(),
                });
            }
            (_, Action::Notifications) => self.notifications.panel = Some(0),
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

    /// The keys of the picker, the choice, the records pane and the notifications; false when
    /// the action is not one of theirs.
    fn act_in_popup(&mut self, action: Action, out: &mut Vec<Command>) -> bool {
        if self.manager_act(action, out) || self.filter_act(action, out) {
            return true;
        }
        match (self.mode(), action) {
            (Mode::Search, Action::Back) => self.search = None,
            (Mode::Search, Action::Down) => self.search_move(1),
            (Mode::Search, Action::Up) => self.search_move(-1),
            (Mode::Search, Action::PageDown) => self.search_move(5),
            (Mode::Search, Action::PageUp) => self.search_move(-5),
            (Mode::Search, Action::Open) => self.open_hit(out),
            (Mode::Picker, Action::Back) => self.picker = None,
            (Mode::Records, Action::Back) => self.records = None,
            (Mode::Records, Action::Down) => self.records_move(1),
            (Mode::Records, Action::Up) => self.records_move(-1),
            (Mode::Records, Action::PageDown) => self.records_move(10),
            (Mode::Records, Action::PageUp) => self.records_move(-10),
            (Mode::Records, Action::Open) => {
                if let Some(r) = self.records.as_ref().and_then(|p| p.selected_record()) {
                    out.push(Command::OpenRecord { record_id: r.id });
                }
            }
            (Mode::Notifications, Action::Back) => self.notifications.panel = None,
            (Mode::Notifications, Action::Down) => self.notifications.move_by(1),
            (Mode::Notifications, Action::Up) => self.notifications.move_by(-1),
            (Mode::Notifications, Action::ClearSeen) => self.notifications.clear_seen(),
            (Mode::Notifications, Action::Open) => self.open_notification(out),
            (Mode::Picker, Action::Down) => self.picker_move(1, out),
            (Mode::Picker, Action::Up) => self.picker_move(-1, out),
            (Mode::Picker, Action::Send) => self.send_template(out),
            (Mode::Choose, Action::Down) => self.picker_choose(|p| p.choose_move(1), out),
            (Mode::Choose, Action::Up) => self.picker_choose(|p| p.choose_move(-1), out),
            (Mode::Choose, Action::Pick) => self.picker_choose(Picker::choose, out),
            (Mode::Choose, Action::Back) => self.picker_choose(|p| p.choosing = None, out),
            _ => return false,
        }
        true
    }

    pub(super) fn load_window_after(
        &mut self,
        f: impl FnOnce(&mut ConversationList) -> Option<usize>,
        out: &mut Vec<Command>,
    ) {
        let offset = f(&mut self.list);
        self.load_window(offset, out);
    }

    /// Moves the chat's cursor; at the oldest loaded message, asks for the ones before it.
    pub(super) fn chat_move(&mut self, f: impl FnOnce(&mut Chat), out: &mut Vec<Command>) {
        if let Some(c) = self.chat.as_mut() {
            f(c);
            if let Some(before) = c.wants_older() {
                c.loading_older = true;
                out.push(Command::LoadOlder {
                    conversation_id: c.conversation.id,
                    before,
                });
            }
        }
    }

    /// Opens the selected conversation (and marks it read).
    pub(super) fn open(&mut self, out: &mut Vec<Command>) {
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

    pub(super) fn reply(&mut self, out: &mut Vec<Command>) {
        let Some(id) = self.chat.as_ref().map(|c| c.conversation.id) else {
            return;
        };
        self.focus = Focus::Compose;
        self.tell_answering(id, out);
        if !self.window_open() {
            self.info("The 24-hour window is closed: only an approved template can be sent (t).");
        }
    }

    /// Tells the other clients, at most every 20 s per conversation, that this recruiter is
    /// answering it.
    pub(super) fn tell_answering(&mut self, conversation_id: u64, out: &mut Vec<Command>) {
        let fresh = self.told_answering.is_some_and(|(id, at)| {
            id == conversation_id && self.now - at < chrono::Duration::seconds(20)
        });
        if !fresh {
            self.told_answering = Some((conversation_id, self.now));
            out.push(Command::Answering { conversation_id });
        }
    }

    /// Jumps into the notified conversation, in the reply box.
    pub(super) fn open_notification(&mut self, out: &mut Vec<Command>) {
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
                window_open: crate::domain::window::is_open(Some(n.at), self.now),
                window_expires_at: crate::domain::window::expires_at(Some(n.at)),
                owner: None,
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

    /// Whom the open conversation's messages go to: the number, else the BSUID.
    pub(super) fn chat_to(&self) -> Option<String> {
        let c = &self.chat.as_ref()?.conversation;
        c.wa_id
            .as_ref()
            .map(|w| format!("+{w}"))
            .or_else(|| c.user_id.clone())
    }

    /// Letters search the records pane.
    fn records_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(p) = self.records.as_mut() else {
            return;
        };
        match typed(key) {
            Some(Typed::Char(c)) => p.type_char(c),
            Some(Typed::Backspace) => p.backspace(),
            None => return,
        }
        p.selected = 0;
        out.push(Command::LoadRecords {
            query: p.query.clone(),
        });
    }

    /// Letters are the search's query; each change asks again.
    fn search_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(p) = self.search.as_mut() else {
            return;
        };
        let edit = match typed(key) {
            Some(Typed::Char(c)) => Some(c),
            Some(Typed::Backspace) => None,
            None => return,
        };
        if p.edit(edit) {
            out.push(Command::Search {
                query: p.query.clone(),
            });
        }
    }

    fn search_move(&mut self, delta: isize) {
        if let Some(p) = self.search.as_mut() {
            p.move_by(delta);
        }
    }

    /// Opens the selected hit's conversation, from its message on, with that message selected.
    fn open_hit(&mut self, out: &mut Vec<Command>) {
        let Some(hit) = self.search.as_ref().and_then(|p| p.selected_hit().cloned()) else {
            return;
        };
        self.search = None;
        let id = hit.conversation.id;
        self.notifications.seen(id);
        if hit.conversation.unread > 0 {
            out.push(Command::MarkRead {
                conversation_id: id,
            });
        }
        self.chat = Some(Chat::new(hit.conversation));
        self.compose = TextArea::default();
        self.focus = Focus::Chat;
        match hit.message {
            Some(m) => {
                self.jump_to = Some(m.id);
                out.push(Command::LoadThreadFrom {
                    conversation_id: id,
                    since: m.at,
                });
            }
            None => out.push(Command::LoadThread {
                conversation_id: id,
            }),
        }
    }

    fn records_move(&mut self, delta: isize) {
        if let Some(p) = self.records.as_mut() {
            p.move_by(delta);
        }
    }

    /// A record's conversation arrived: it becomes the open chat, with the reply box ready.
    pub(super) fn opened(
        &mut self,
        conversation: ConversationView,
        messages: Vec<crate::domain::message::Message>,
        out: &mut Vec<Command>,
    ) {
        self.records = None;
        let id = conversation.id;
        let mut chat = Chat::new(conversation);
        for m in messages {
            chat.upsert(m);
        }
        chat.loaded = true;
        self.chat = Some(chat);
        self.compose = TextArea::default();
        self.focus = Focus::Chat;
        self.notifications.seen(id);
        out.push(Command::MarkRead {
            conversation_id: id,
        });
        if !self.window_open() {
            self.info("The 24-hour window is closed: press t to send an approved template.");
        }
    }

    pub(super) fn picker_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(p) = self.picker.as_mut() else {
            return;
        };
        match typed(key) {
            Some(Typed::Char(c)) => p.type_char(c),
            Some(Typed::Backspace) => p.backspace(),
            None => return,
        }
        self.preview_selected(out);
    }

    pub(super) fn picker_move(&mut self, delta: isize, out: &mut Vec<Command>) {
        if let Some(p) = self.picker.as_mut() {
            p.move_by(delta);
        }
        self.preview_selected(out);
    }

    /// Asks for the preview of the selected template, unless it is already shown.
    pub(super) fn preview_selected(&mut self, out: &mut Vec<Command>) {
        let Some(to) = self.chat_to() else { return };
        let Some(p) = self.picker.as_ref() else {
            return;
        };
        let Some(t) = p.selected_template() else {
            return;
        };
        if p.current_preview().is_some() {
            return;
        }
        out.push(Command::PreviewTemplate {
            template_id: t.id,
            to,
            name: t.name.clone(),
            language: t.language.clone(),
            picks: p.picks.clone(),
        });
    }

    /// A step of picking one of several values; a pick asks for the preview again.
    fn picker_choose(&mut self, f: impl FnOnce(&mut Picker), out: &mut Vec<Command>) {
        if let Some(p) = self.picker.as_mut() {
            f(p);
        }
        self.preview_selected(out);
    }

    pub(super) fn send_template(&mut self, out: &mut Vec<Command>) {
        let Some(to) = self.chat_to() else { return };
        let Some(p) = self.picker.as_mut() else {
            return;
        };
        let Some(t) = p.selected_template().cloned() else {
            return;
        };
        if p.current_preview().is_none() {
            // Not filled in yet: nothing is sent unseen.
            return;
        }
        if let Some(i) = p.unpicked() {
            p.choosing = Some((i, 0));
            return;
        }
        out.push(Command::SendTemplate {
            to,
            name: t.name,
            language: t.language,
            picks: p.picks.clone(),
        });
        self.picker = None;
        self.focus = Focus::Chat;
    }

    pub(super) fn send(&mut self, out: &mut Vec<Command>) {
        let text = self.compose.lines().join("\n");
        if text.trim().is_empty() {
            return;
        }
        let chars = text.trim_end().chars().count();
        if chars > MAX_TEXT_CHARS {
            // The text stays in the box, to be shortened.
            self.error(format!(
                "The reply has {chars} characters; WhatsApp takes at most {MAX_TEXT_CHARS}: shorten it, or send it in two."
            ));
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

/// A key typed into a query.
enum Typed {
    Char(char),
    Backspace,
}

/// What a key does to a query, if it is typing at all.
fn typed(key: KeyEvent) -> Option<Typed> {
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
