//! `/`: searching every conversation's messages and names; `Enter` jumps to the hit. The hits
//! show their conversation, when, and the words around the match; message text and names come
//! from outside, so they are shown neutralised.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    style::Style,
    text::{Line, Span},
    widgets::Paragraph,
};

use super::{Popup, Typed, typed};
use crate::{
    domain::{
        safe_text::neutralise,
        search::{Query, context},
    },
    engine::api::SearchHit,
    tui::{
        action::Action,
        app::{App, Command, Focus},
        chat_state::Chat,
        format::{ago, fit, width},
        theme,
    },
};

#[derive(Debug, Default)]
pub struct SearchPanel {
    pub query: String,
    /// The answer to `query` (the newest asked).
    pub hits: Vec<SearchHit>,
    pub selected: usize,
    pub loading: bool,
}

impl SearchPanel {
    pub fn selected_hit(&self) -> Option<&SearchHit> {
        self.hits.get(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = super::moved(self.selected, delta, self.hits.len());
    }

    /// Edits the query; true when there is something to search for.
    pub fn edit(&mut self, c: Option<char>) -> bool {
        match c {
            Some(c) => self.query.push(c),
            None => {
                self.query.pop();
            }
        }
        self.selected = 0;
        self.loading = !self.query.trim().is_empty();
        if !self.loading {
            self.hits.clear();
        }
        self.loading
    }

    /// Takes an answer, unless it is for a query that has since changed.
    pub fn answered(&mut self, query: &str, hits: Vec<SearchHit>) {
        if query == self.query {
            self.hits = hits;
            self.loading = false;
            self.selected = self.selected.min(self.hits.len().saturating_sub(1));
        }
    }
}

impl App {
    pub(in crate::tui) fn open_search(&mut self) {
        self.popup = Some(Popup::Search(SearchPanel::default()));
    }

    pub(super) fn search_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(p) = self.search_mut() else { return };
        match action {
            Action::Down => p.move_by(1),
            Action::Up => p.move_by(-1),
            Action::PageDown => p.move_by(5),
            Action::PageUp => p.move_by(-5),
            Action::Open => self.open_hit(out),
            Action::Back => self.close_popup(),
            _ => {}
        }
    }

    /// Letters are the search's query; each change asks again.
    pub(super) fn search_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(p) = self.search_mut() else { return };
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

    /// Opens the selected hit's conversation, from its message on, with that message selected.
    fn open_hit(&mut self, out: &mut Vec<Command>) {
        let Some(hit) = self.search().and_then(|p| p.selected_hit().cloned()) else {
            return;
        };
        self.close_popup();
        let id = hit.conversation.id;
        self.notifications.seen(id);
        if hit.conversation.unread > 0 {
            out.push(Command::MarkRead {
                conversation_id: id,
            });
        }
        self.switch_chat(Chat::new(hit.conversation));
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
}

pub fn render(app: &App, panel: &SearchPanel, frame: &mut Frame, area: Rect) {
    let list = crate::tui::view::query_popup(
        frame,
        area,
        &format!(" Search all conversations ({}) ", panel.hits.len()),
        " type to search · ↑/↓ choose · Enter go to the message · Esc close ",
        Span::styled("/ ", theme::key()),
        &panel.query,
    );
    if panel.hits.is_empty() {
        let text = if panel.query.trim().is_empty() {
            "Words from any message or a contact's name; 面接 or 火曜 work too."
        } else if panel.loading {
            "Searching…"
        } else {
            "Nothing found."
        };
        crate::tui::view::note(frame, list, text);
        return;
    }
    let query = Query::parse(&panel.query);
    let room = usize::from(list.width);
    let rows = usize::from(list.height / 2).max(1);
    let top = panel.selected.saturating_sub(rows - 1);
    let mut lines = Vec::new();
    for (i, hit) in panel.hits.iter().enumerate().skip(top).take(rows) {
        let base = if i == panel.selected {
            theme::selected()
        } else {
            Style::new()
        };
        let name = neutralise(&hit.conversation.name, false);
        let (when, text) = match &hit.message {
            Some(m) => (
                ago(m.at, app.now, app.tz),
                context(&m.text, &query, room.saturating_sub(4)),
            ),
            None => (String::new(), "(the name matches)".to_owned()),
        };
        let name = fit(&name, room.saturating_sub(width(&when) + 3));
        let gap = room.saturating_sub(1 + width(&name) + width(&when));
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {name}{}", " ".repeat(gap)),
                base.patch(theme::unread()),
            ),
            Span::styled(when, base.patch(theme::dim())),
        ]));
        lines.push(Line::styled(
            format!(
                "   {}",
                fit(&neutralise(&text, false), room.saturating_sub(4))
            ),
            base.patch(theme::dim()),
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
}
