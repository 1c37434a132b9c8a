//! What keys do in the template picker and in its choice between several values.

use crossterm::event::KeyEvent;

use super::Picker;
use crate::tui::{
    action::Action,
    app::{App, Command, Focus},
    keymap::Mode,
    popup::{Popup, Typed, typed},
};

impl App {
    /// Opens the picker on the open conversation (the selected one, opened first).
    pub(in crate::tui) fn open_picker(&mut self, out: &mut Vec<Command>) {
        if self.chat.is_none() {
            self.open(out);
        }
        if self.chat.is_some() {
            self.popup = Some(Popup::Picker(Picker::default()));
            out.push(Command::LoadTemplates);
        }
    }

    /// The language the open conversation's contact writes in, from their messages.
    pub(in crate::tui) fn contact_language(&self) -> Option<&'static str> {
        let chat = self.chat.as_ref()?;
        crate::domain::language::of_texts(
            chat.messages
                .iter()
                .filter(|m| m.direction == crate::domain::message::Direction::In)
                .map(|m| m.text.as_str()),
        )
    }

    pub(in crate::tui::popup) fn picker_act(
        &mut self,
        mode: Mode,
        action: Action,
        out: &mut Vec<Command>,
    ) {
        match (mode, action) {
            (Mode::Picker, Action::Back) => self.close_popup(),
            (Mode::Picker, Action::Down) => self.picker_step(|p| p.move_by(1), out),
            (Mode::Picker, Action::Up) => self.picker_step(|p| p.move_by(-1), out),
            (Mode::Picker, Action::Send) => self.look_before_sending(),
            (Mode::ConfirmSend, Action::Confirm) => self.send_template(out),
            (Mode::Picker | Mode::ConfirmSend, Action::SendLater) => self.schedule_template(),
            (Mode::ConfirmSend, Action::Back) => self.picker_step(|p| p.confirming = false, out),
            (Mode::Choose, Action::Down) => self.picker_step(|p| p.choose_move(1), out),
            (Mode::Choose, Action::Up) => self.picker_step(|p| p.choose_move(-1), out),
            (Mode::Choose, Action::Pick) => self.picker_step(Picker::choose, out),
            (Mode::Choose, Action::Back) => self.picker_step(|p| p.choosing = None, out),
            _ => {}
        }
    }

    /// Letters filter the templates.
    pub(in crate::tui::popup) fn picker_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        match typed(key) {
            Some(Typed::Char(c)) => self.picker_step(|p| p.type_char(c), out),
            Some(Typed::Backspace) => self.picker_step(Picker::backspace, out),
            None => {}
        }
    }

    /// A step in the picker (a move, a letter, a pick); the preview follows.
    fn picker_step(&mut self, f: impl FnOnce(&mut Picker), out: &mut Vec<Command>) {
        if let Some(p) = self.picker_mut() {
            f(p);
        }
        self.preview_selected(out);
    }

    /// Asks for the preview of the selected template, unless it is already shown.
    pub(in crate::tui) fn preview_selected(&mut self, out: &mut Vec<Command>) {
        let Some(to) = self.chat_to() else { return };
        let Some(p) = self.picker() else { return };
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

    /// Enter on a template: first any value still to pick, then the filled message for a last
    /// look (Enter again sends it).
    fn look_before_sending(&mut self) {
        let Some(p) = self.picker_mut() else { return };
        if p.current_preview().is_none() {
            // Not filled in yet: nothing is sent unseen.
            return;
        }
        if let Some(i) = p.unpicked() {
            p.choosing = Some((i, 0));
            return;
        }
        p.confirming = true;
    }

    /// `Alt-s` on a template filled in: when to send it (the status bar asks), instead of now.
    fn schedule_template(&mut self) {
        let Some(to) = self.chat_to() else { return };
        let Some(p) = self.picker_mut() else { return };
        let Some(t) = p.selected_template().cloned() else {
            return;
        };
        if p.current_preview().is_none() {
            return;
        }
        if let Some(i) = p.unpicked() {
            p.choosing = Some((i, 0));
            return;
        }
        let what = crate::domain::schedule::ScheduledWhat::Template {
            name: t.name,
            language: Some(t.language).filter(|l| !l.is_empty()),
            picks: p.picks.clone(),
        };
        self.popup = Some(super::super::Popup::SendAt(
            super::super::scheduled::SendAtPrompt {
                to,
                what,
                input: crate::tui::line_input::LineInput::default(),
            },
        ));
    }

    fn send_template(&mut self, out: &mut Vec<Command>) {
        let Some(to) = self.chat_to() else { return };
        let Some(p) = self.picker_mut() else { return };
        let Some(t) = p.selected_template().cloned() else {
            return;
        };
        if p.current_preview().is_none() || p.unpicked().is_some() {
            p.confirming = false;
            return;
        }
        out.push(Command::SendTemplate {
            to,
            name: t.name,
            language: t.language,
            picks: p.picks.clone(),
        });
        self.close_popup();
        self.focus = Focus::Chat;
    }
}
