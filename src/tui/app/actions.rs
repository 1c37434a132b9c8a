//! What keys do in the panes: the keymap's actions carried out on the app's state, and the
//! small steps they share (open, reply, send). Popups' keys are in their own modules.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Command, Focus};
use crate::domain::message::MAX_TEXT_CHARS;
use crate::{
    engine::ConversationView,
    tui::{
        action::Action,
        chat_state::Chat,
        keymap::{self, Mode},
        list_state::ConversationList,
        popup::Popup,
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
        if self.popup.is_some() {
            return self.popup_key(mode, key, out);
        }
        let Some(action) = keymap::action_for(mode, key) else {
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
            Mode::Filter
            | Mode::SaveView
            | Mode::Search
            | Mode::Records
            | Mode::Picker
            | Mode::SettingsInput
            | Mode::SnoozeUntil
            | Mode::Connect => {
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
        let page = isize::try_from(self.list_rows_visible()).unwrap_or(10);
        match (self.mode(), action) {
            (_, Action::Quit) => self.ask_to_quit(),
            (_, Action::Help) => self.open_help(),
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
            (Mode::Chat | Mode::Attachments, Action::Reply) => self.reply(out),
            (Mode::Chat, Action::Copy) => self.copy_selected(),
            (Mode::Chat, Action::Retry) => self.retry_selected(out),
            (Mode::Chat, Action::OpenLink) => self.open_link(),
            (Mode::Chat, Action::Down) => self.chat_move(|c| c.move_by(1), out),
            (Mode::Chat, Action::Up) => self.chat_move(|c| c.move_by(-1), out),
            (Mode::Chat, Action::PageDown) => self.chat_move(|c| c.move_by(10), out),
            (Mode::Chat, Action::PageUp) => self.chat_move(|c| c.move_by(-10), out),
            (Mode::Chat, Action::Top) => self.chat_move(Chat::to_top, out),
            (Mode::Chat, Action::Bottom) => self.chat_move(Chat::to_bottom, out),
            (Mode::Chat, Action::Back) => self.focus = Focus::List,
            (Mode::Chat | Mode::Attachments, Action::Attachments)
            | (Mode::Attachments, Action::Back) => self.toggle_attachments(out),
            (Mode::Attachments, Action::Down) => self.files_move(1, out),
            (Mode::Attachments, Action::Up) => self.files_move(-1, out),
            (Mode::Attachments, Action::PageDown) => self.files_move(10, out),
            (Mode::Attachments, Action::PageUp) => self.files_move(-10, out),
            (Mode::Attachments, Action::Top) => self.files_move(isize::MIN, out),
            (Mode::Attachments, Action::Bottom) => self.files_move(isize::MAX, out),
            (Mode::Attachments, Action::Open) => self.open_file(out),
            (Mode::Attachments, Action::Save) => self.save_file(out),
            (Mode::Compose, Action::Attach) => self.ask_attach(),
            (Mode::Compose, Action::SendLater) => self.ask_send_at(),
            (Mode::Chat, Action::ScheduledList) => self.open_scheduled(),
            (Mode::Compose, Action::Unattach) => self.unattach(),
            (Mode::Compose, Action::Back) => self.focus = Focus::Chat,
            (_, Action::SwitchPane) => {
                self.focus = match self.focus {
                    Focus::List if self.chat.is_some() => Focus::Chat,
                    _ => Focus::List,
                };
            }
            (_, Action::Search) => self.open_search(),
            (_, Action::Records) => self.open_records(out),
            (_, Action::ManageTemplates) => self.open_manager(out),
            (_, Action::Settings) => self.open_settings(out),
            (_, Action::Rules) => self.open_rules(out),
            (_, Action::Credits) => self.open_credits(out),
            (_, Action::Notifications) => self.popup = Some(Popup::Notifications(0)),
            (_, Action::GoTo) => self.pending_go = true,
            (Mode::List, Action::Filter) => self.open_filter(),
            (Mode::List, Action::Mark) => self.toggle_mark(out),
            (Mode::List, Action::MarkAll) => self.mark_view(),
            (Mode::List, Action::Bulk) => self.open_bulk(out),
            (Mode::List, Action::MarkUnread) => {
                if let Some(row) = self.list.selected_row() {
                    out.push(Command::MarkUnread {
                        conversation_id: row.id,
                    });
                }
            }
            (Mode::List | Mode::Chat, Action::Assign) => self.ask_assign(out),
            (Mode::List | Mode::Chat, Action::Labels) => self.ask_labels(out),
            (Mode::List | Mode::Chat, Action::RecordCard) => self.open_record_card(out),
            (Mode::List | Mode::Chat, Action::Resolve | Action::Pending | Action::Snooze) => {
                self.state_act(action, out);
            }
            (_, Action::Templates) => self.open_picker(out),
            (Mode::Compose, Action::NewLine) => self.compose.insert_newline(),
            (Mode::Compose, Action::Editor) => self.ask_editor(super::EditTarget::Reply),
            (Mode::Compose, Action::Send) => self.send(out),
            _ => {}
        }
    }

    pub(in crate::tui) fn load_window_after(
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
    pub(in crate::tui) fn open(&mut self, out: &mut Vec<Command>) {
        let Some(row) = self.list.selected_row().cloned() else {
            return;
        };
        if self
            .chat
            .as_ref()
            .is_none_or(|c| c.conversation.id != row.id)
        {
            self.switch_chat(Chat::new(row.clone()));
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

    /// Whom the open conversation's messages go to: the number, else the BSUID.
    pub(in crate::tui) fn chat_to(&self) -> Option<String> {
        let c = &self.chat.as_ref()?.conversation;
        c.wa_id
            .as_ref()
            .map(|w| format!("+{w}"))
            .or_else(|| c.user_id.clone())
    }

    /// A record's conversation arrived: it becomes the open chat, with the reply box ready.
    pub(super) fn opened(
        &mut self,
        conversation: ConversationView,
        messages: Vec<crate::domain::message::Message>,
        (trail, scheduled): (
            Vec<crate::domain::conversation_state::TrailEntry>,
            Vec<crate::domain::schedule::ScheduledSend>,
        ),
        out: &mut Vec<Command>,
    ) {
        if self.records().is_some() {
            self.close_popup();
        }
        let id = conversation.id;
        let mut chat = Chat::new(conversation);
        chat.trail = trail;
        chat.scheduled = scheduled;
        for m in messages {
            chat.upsert(m);
        }
        chat.loaded = true;
        self.switch_chat(chat);
        self.focus = Focus::Chat;
        self.notifications.seen(id);
        out.push(Command::MarkRead {
            conversation_id: id,
        });
        if !self.window_open() {
            self.info("The 24-hour window is closed: press t to send an approved template.");
        }
    }

    pub(super) fn send(&mut self, out: &mut Vec<Command>) {
        let text = self.reply_text();
        let files = self.chat.as_ref().is_some_and(|c| !c.pending.is_empty());
        if text.trim().is_empty() && !files {
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
        if files {
            self.send_files(to, text, out);
        } else {
            out.push(Command::SendText { to, text });
        }
        self.clear_reply();
    }
}
