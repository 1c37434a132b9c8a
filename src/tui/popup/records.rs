//! The records pane: candidates and contacts, searched as the recruiter types; `Enter` opens
//! the selected one's conversation (started when there is none yet).

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
        record::{Record, RecordKind},
        safe_text::neutralise,
    },
    tui::{
        action::Action,
        app::{App, Command},
        format::{fit, width},
        theme,
    },
};

#[derive(Debug, Default)]
pub struct RecordsPanel {
    pub query: String,
    /// The answer to `query` (the newest asked), and how many match in all.
    pub records: Vec<Record>,
    pub total: usize,
    pub selected: usize,
    /// Waiting for the answer to the current query.
    pub loading: bool,
}

impl RecordsPanel {
    pub fn selected_record(&self) -> Option<&Record> {
        self.records.get(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = super::moved(self.selected, delta, self.records.len());
    }

    pub fn type_char(&mut self, c: char) {
        self.query.push(c);
        self.loading = true;
    }

    pub fn backspace(&mut self) {
        self.query.pop();
        self.loading = true;
    }

    /// Takes an answer, unless it is for a query that has since changed.
    pub fn answered(&mut self, query: &str, total: usize, records: Vec<Record>) {
        if query != self.query {
            return;
        }
        self.records = records;
        self.total = total;
        self.loading = false;
        self.selected = self.selected.min(self.records.len().saturating_sub(1));
    }
}

impl App {
    /// Opens the pane, listing everyone until something is typed.
    pub(in crate::tui) fn open_records(&mut self, out: &mut Vec<Command>) {
        self.popup = Some(Popup::Records(RecordsPanel {
            loading: true,
            ..RecordsPanel::default()
        }));
        out.push(Command::LoadRecords {
            query: String::new(),
        });
    }

    pub(super) fn records_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(p) = self.records_mut() else { return };
        match action {
            Action::Down => p.move_by(1),
            Action::Up => p.move_by(-1),
            Action::PageDown => p.move_by(10),
            Action::PageUp => p.move_by(-10),
            Action::Open => {
                if let Some(r) = p.selected_record() {
                    out.push(Command::OpenRecord { record_id: r.id });
                }
            }
            Action::Back => self.close_popup(),
            _ => {}
        }
    }

    /// Letters search the records.
    pub(super) fn records_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let Some(p) = self.records_mut() else { return };
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
}

pub fn render(panel: &RecordsPanel, frame: &mut Frame, area: Rect) {
    let count = if panel.loading {
        "…".to_owned()
    } else {
        panel.total.to_string()
    };
    let list = crate::tui::view::query_popup(
        frame,
        area,
        &format!(" Candidates and contacts ({count}) "),
        " type to search · ↑/↓ choose · Enter open the conversation · Esc close ",
        Span::styled("Search: ", theme::dim()),
        &panel.query,
    );
    if panel.records.is_empty() {
        let text = if panel.loading {
            "Searching…"
        } else if panel.query.is_empty() {
            "No candidates or contacts yet: `hirechat import candidates FILE.csv` brings them in."
        } else {
            "Nobody matches: search by name, email, mobile or owner."
        };
        crate::tui::view::note(frame, list, text);
        return;
    }
    let rows = usize::from(list.height);
    let top = panel.selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = panel
        .records
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, r)| row(r, i == panel.selected, usize::from(list.width)))
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

/// Name, then kind · mobile · email · owner, and a red mark for an opt-out.
fn row(r: &Record, selected: bool, room: usize) -> Line<'static> {
    let base = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    let kind = match r.kind {
        RecordKind::Candidate => "candidate",
        RecordKind::Contact => "contact",
    };
    let details: Vec<String> = [
        Some(kind.to_owned()),
        Some(
            r.mobile
                .as_ref()
                .map_or_else(|| "no mobile".to_owned(), ToString::to_string),
        ),
        r.email.clone(),
        r.owner.as_ref().map(|o| format!("owner {o}")),
    ]
    .into_iter()
    .flatten()
    .map(|d| neutralise(&d, false).into_owned())
    .collect();
    // Who recorded the opt-out, and when: the answer to "can we write to them?".
    let opt_out = match (r.opted_out, r.consent.last()) {
        (false, _) => String::new(),
        (true, None) => " opted out".to_owned(),
        (true, Some(c)) => format!(
            " opted out {} by {}",
            c.at.format("%Y-%m-%d"),
            neutralise(&c.by, false)
        ),
    };
    let name_room = (room / 3).max(12);
    let name = fit(&neutralise(&r.name, false), name_room);
    let pad = name_room.saturating_sub(width(&name));
    let rest = fit(
        &details.join(" · "),
        room.saturating_sub(name_room + 3 + width(&opt_out)),
    );
    let gap = room.saturating_sub(1 + name_room + 2 + width(&rest) + width(&opt_out));
    Line::from(vec![
        Span::styled(
            format!(" {name}{}  ", " ".repeat(pad)),
            base.patch(theme::unread()),
        ),
        Span::styled(rest, base.patch(theme::dim())),
        Span::styled(" ".repeat(gap), base),
        Span::styled(opt_out, base.patch(theme::failed())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::RecordInput;

    fn record(name: &str) -> Record {
        RecordInput {
            name: name.into(),
            ..RecordInput::default()
        }
        .validate(1)
        .unwrap()
    }

    #[test]
    fn a_late_answer_to_an_old_query_is_dropped() {
        let mut p = RecordsPanel::default();
        p.type_char('k');
        p.type_char('e');
        p.answered("k", 2, vec![record("Ken"), record("Kenji")]);
        assert!(p.records.is_empty() && p.loading);
        p.answered("ke", 1, vec![record("Ken")]);
        assert_eq!((p.total, p.loading), (1, false));
        p.move_by(5);
        assert_eq!(p.selected_record().unwrap().name, "Ken");
    }
}
