//! `e` on the record beside the chat: its editable fields as a form (a new record, with the
//! conversation's number and name, when the number has none). The engine checks the values
//! (the mobile against the numbering plan, the email, the zone) and records who changed the
//! opt-out and when; a refusal shows in the form, in its words.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::text::{Line, Span};

use crate::{
    domain::{
        record::{Record, RecordInput, RecordKind},
        safe_text::neutralise,
    },
    tui::{line_input::LineInput, theme},
};

/// The text fields every record has, in order; the record's own columns follow them.
const TEXTS: [&str; 8] = [
    "Name",
    "First name",
    "Last name",
    "Mobile",
    "Country",
    "Email",
    "Time zone",
    "Owner",
];

/// One row of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    /// Candidate or contact.
    Kind,
    /// A text field, by its place in `texts`.
    Text(usize),
    OptedOut,
}

#[derive(Debug)]
pub struct RecordForm {
    /// None: a new record.
    pub id: Option<u64>,
    kind: RecordKind,
    opted_out: bool,
    /// The fields of `TEXTS`, then the record's own columns (label, value).
    texts: Vec<(String, LineInput)>,
    focus: usize,
    /// Waiting for the engine.
    pub saving: bool,
    /// Why the engine refused the last save.
    pub error: Option<String>,
}

impl RecordForm {
    /// The form for `record`'s fields as they are.
    pub fn edit(record: &Record) -> Self {
        let values = [
            Some(record.name.clone()),
            record.first_name.clone(),
            record.last_name.clone(),
            record.mobile.as_ref().map(ToString::to_string),
            record.country.clone(),
            record.email.clone(),
            record.time_zone.clone(),
            record.owner.clone(),
        ];
        let mut texts: Vec<(String, LineInput)> = TEXTS
            .iter()
            .zip(values)
            .map(|(label, v)| ((*label).to_owned(), LineInput::new(&v.unwrap_or_default())))
            .collect();
        texts.extend(
            record
                .custom
                .iter()
                .map(|(k, v)| (k.clone(), LineInput::new(v))),
        );
        Self {
            id: Some(record.id),
            kind: record.kind,
            opted_out: record.opted_out,
            texts,
            focus: 1,
            saving: false,
            error: None,
        }
    }

    /// A new record for a conversation's number, named as WhatsApp names them.
    pub fn new_for(name: &str, mobile: Option<&str>) -> Self {
        let mut texts: Vec<(String, LineInput)> = TEXTS
            .iter()
            .map(|label| ((*label).to_owned(), LineInput::default()))
            .collect();
        texts[0].1 = LineInput::new(name);
        texts[3].1 = LineInput::new(mobile.unwrap_or_default());
        Self {
            id: None,
            kind: RecordKind::Candidate,
            opted_out: false,
            texts,
            focus: 1,
            saving: false,
            error: None,
        }
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = vec![Row::Kind];
        rows.extend((0..TEXTS.len()).map(Row::Text));
        rows.push(Row::OptedOut);
        rows.extend((TEXTS.len()..self.texts.len()).map(Row::Text));
        rows
    }

    pub fn next(&mut self, delta: isize) {
        let n = self.rows().len();
        self.focus = (self.focus + n).saturating_add_signed(delta) % n;
    }

    /// Typing into the focused field; Space and ←/→ turn a choice.
    pub fn key(&mut self, key: KeyEvent) {
        let turn = matches!(
            key.code,
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
        );
        match self.rows()[self.focus] {
            Row::Text(i) => {
                self.texts[i].1.key(key);
            }
            Row::Kind if turn => {
                self.kind = match self.kind {
                    RecordKind::Candidate => RecordKind::Contact,
                    RecordKind::Contact => RecordKind::Candidate,
                };
            }
            Row::OptedOut if turn => self.opted_out = !self.opted_out,
            Row::Kind | Row::OptedOut => {}
        }
    }

    /// What the engine is asked to save: the record whole, as the form now says.
    pub fn input(&self) -> RecordInput {
        let text = |i: usize| {
            let v = self.texts[i].1.text().trim();
            (!v.is_empty()).then(|| v.to_owned())
        };
        RecordInput {
            kind: self.kind,
            name: text(0).unwrap_or_default(),
            first_name: text(1),
            last_name: text(2),
            mobile: text(3),
            country: text(4),
            email: text(5),
            time_zone: text(6),
            owner: text(7),
            opted_out: Some(self.opted_out),
            custom: (TEXTS.len()..self.texts.len())
                .filter_map(|i| text(i).map(|v| (self.texts[i].0.clone(), v)))
                .collect(),
        }
    }

    pub fn lines(&self) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (at, row) in self.rows().into_iter().enumerate() {
            let focused = at == self.focus;
            let (label, value, hint) = match row {
                Row::Kind => (
                    "Kind".to_owned(),
                    match self.kind {
                        RecordKind::Candidate => "(•) candidate  ( ) contact",
                        RecordKind::Contact => "( ) candidate  (•) contact",
                    }
                    .to_owned(),
                    "Space turns it",
                ),
                Row::OptedOut => (
                    "Opted out".to_owned(),
                    format!(
                        "[{}] nothing is sent to them",
                        if self.opted_out { "x" } else { " " }
                    ),
                    "Space turns it; who and when is recorded",
                ),
                Row::Text(i) => {
                    let (label, input) = &self.texts[i];
                    let cursor = if focused && !self.saving { "▏" } else { "" };
                    let hint = match i {
                        0 => "empty: first and last name",
                        3 => "+81 90 1234 5678, or national with a country",
                        4 => "two letters: JP, GB, US",
                        6 => "Asia/Tokyo, Europe/London",
                        7 => "a login",
                        _ => "",
                    };
                    let hint = if input.text().is_empty() { hint } else { "" };
                    (
                        label.clone(),
                        format!("{}{cursor}", neutralise(input.text(), false)),
                        hint,
                    )
                }
            };
            let style = if focused {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            };
            let label = crate::tui::format::fit(&neutralise(&label, false), 16);
            lines.push(Line::from(vec![
                Span::styled(format!("  {label:<16} {value}"), style),
                Span::styled(
                    if focused || matches!(row, Row::Text(_)) {
                        format!("  {hint}")
                    } else {
                        String::new()
                    },
                    theme::dim(),
                ),
            ]));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn a_new_record_takes_the_number_and_the_typed_fields() {
        let mut f = RecordForm::new_for("Ken", Some("+819012345678"));
        // From the name to the email: first, last, mobile, country, email.
        for _ in 0..5 {
            f.next(1);
        }
        for c in "ken@example.jp".chars() {
            f.key(press(KeyCode::Char(c)));
        }
        f.focus = f.rows().iter().position(|r| *r == Row::OptedOut).unwrap();
        f.key(press(KeyCode::Char(' ')));
        let input = f.input();
        assert_eq!(input.name, "Ken");
        assert_eq!(input.mobile.as_deref(), Some("+819012345678"));
        assert_eq!(input.email.as_deref(), Some("ken@example.jp"));
        assert_eq!(input.opted_out, Some(true));
        assert_eq!(input.owner, None);
        // From the first row, back wraps to the last.
        f.focus = 0;
        f.next(-1);
        assert_eq!(f.rows()[f.focus], Row::OptedOut);
    }
}
