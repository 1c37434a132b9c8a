//! The mouse (`[tui] mouse`, on by default): the wheel scrolls what is under it, a click on
//! a conversation opens it, a click on the chat or the reply box moves the keyboard there.
//! Where things are is noted by the drawing (`Hits`), as the screen last showed them.

use std::cell::Cell;

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{App, Command, Focus};
use crate::tui::{action::Action, chat_state::Chat};

/// Where the panes were drawn last.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hits {
    /// The list's rows (two lines each, from the first shown).
    pub list_rows: Rect,
    pub chat: Rect,
    pub compose: Rect,
}

/// Noted by the drawing, read by the mouse.
#[derive(Debug, Default)]
pub struct HitMap(Cell<Hits>);

impl HitMap {
    pub fn note(&self, f: impl FnOnce(&mut Hits)) {
        let mut hits = self.0.get();
        f(&mut hits);
        self.0.set(hits);
    }

    pub fn get(&self) -> Hits {
        self.0.get()
    }
}

impl App {
    pub(super) fn mouse(&mut self, m: MouseEvent, out: &mut Vec<Command>) {
        let at = Position::new(m.column, m.row);
        let hits = self.hits.get();
        let step = match m.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            _ => None,
        };
        if let Some(action) = step {
            if self.popup.is_some() {
                // The open popup scrolls, whatever is under the pointer.
                return self.popup_action(action, out);
            }
            if hits.chat.contains(at) && self.chat.is_some() {
                let delta = if action == Action::Up { -1 } else { 1 };
                return self.chat_move(|c: &mut Chat| c.move_by(delta), out);
            }
            if hits.list_rows.contains(at) {
                let delta = if action == Action::Up { -1 } else { 1 };
                return self.load_window_after(|l| l.move_by(delta), out);
            }
            return;
        }
        if m.kind != MouseEventKind::Down(MouseButton::Left) || self.popup.is_some() {
            return;
        }
        if hits.list_rows.contains(at) {
            let row = self.list.top + usize::from((at.y - hits.list_rows.y) / 2);
            if row < self.list.len() {
                self.load_window_after(|l| l.move_to(row), out);
                self.open(out);
                if self.chat.is_some() {
                    self.focus = Focus::Chat;
                }
            }
        } else if hits.chat.contains(at) && self.chat.is_some() {
            self.focus = Focus::Chat;
        } else if hits.compose.contains(at) && self.chat.is_some() {
            self.reply(out);
        }
    }
}
