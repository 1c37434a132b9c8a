//! `i` in the list or the chat: the contact's record beside the conversation — its fields,
//! the opt-out and its history, the job openings, the upcoming interviews in the record's
//! zone, and the conversation's status, assignee and labels. `e` edits the record (or
//! creates one for a number that has none). It follows the engine's events while open.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph},
};

use super::{Popup, record_form::RecordForm};
use crate::{
    domain::{record::Record, record_card, safe_text::neutralise},
    engine::{ConversationView, RecordCard},
    tui::{
        action::Action,
        app::{App, Command, Input},
        keymap::Mode,
        theme,
    },
};

#[derive(Debug)]
pub struct RecordPopup {
    /// The conversation it was opened from.
    pub conversation_id: u64,
    /// None until the engine answers.
    pub card: Option<Box<RecordCard>>,
    pub scroll: u16,
    /// Editing the record.
    pub form: Option<RecordForm>,
}

impl RecordPopup {
    pub fn mode(&self) -> Mode {
        if self.form.is_some() {
            Mode::RecordForm
        } else {
            Mode::Record
        }
    }
}

impl App {
    /// `i`: the record of the open chat's conversation, else of the list's selected one.
    pub(in crate::tui) fn open_record_card(&mut self, out: &mut Vec<Command>) {
        let Some(c) = self.state_target() else {
            return;
        };
        self.popup = Some(Popup::Record(Box::new(RecordPopup {
            conversation_id: c.id,
            card: None,
            scroll: 0,
            form: None,
        })));
        out.push(Command::LoadRecordCard {
            conversation_id: c.id,
        });
    }

    fn record_popup(&mut self) -> Option<&mut RecordPopup> {
        match self.popup.as_mut() {
            Some(Popup::Record(p)) => Some(p),
            _ => None,
        }
    }

    /// The engine's answers: the card, a save, or why not.
    pub(in crate::tui) fn record_input(&mut self, input: Input, out: &mut Vec<Command>) {
        let Some(p) = self.record_popup() else {
            return;
        };
        match input {
            // An answer for the conversation it was opened from (not one left since).
            Input::RecordCard(card)
                if card.conversation.as_ref().map(|c| c.id) == Some(p.conversation_id) =>
            {
                p.card = Some(card);
            }
            Input::RecordSaved(record) => {
                p.form = None;
                out.push(Command::LoadRecordCard {
                    conversation_id: p.conversation_id,
                });
                self.info(format!("Saved {}", neutralise(&record.name, false)));
            }
            Input::RecordRefused(why) => {
                if let Some(f) = p.form.as_mut() {
                    f.saving = false;
                    f.error = Some(why);
                }
            }
            _ => {}
        }
    }

    /// Someone changed the conversation or a record: the card shows it as it now is.
    pub(in crate::tui) fn record_card_follow(
        &mut self,
        conversation: Option<&ConversationView>,
        record: Option<&Record>,
    ) {
        let Some(card) = self.record_popup().and_then(|p| p.card.as_mut()) else {
            return;
        };
        if let Some(c) = conversation
            && card
                .conversation
                .as_ref()
                .is_some_and(|mine| mine.id == c.id)
        {
            card.conversation = Some(c.clone());
        }
        if let Some(r) = record
            && card.record.as_ref().is_some_and(|mine| mine.id == r.id)
        {
            card.record = Some(r.clone());
        }
    }

    pub(super) fn record_key(&mut self, key: crossterm::event::KeyEvent) {
        if let Some(f) = self.record_popup().and_then(|p| p.form.as_mut())
            && !f.saving
        {
            f.key(key);
        }
    }

    pub(super) fn record_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(p) = self.record_popup() else {
            return;
        };
        if let Some(f) = p.form.as_mut() {
            match action {
                Action::NextField => f.next(1),
                Action::PrevField => f.next(-1),
                Action::Save if !f.saving => {
                    f.saving = true;
                    f.error = None;
                    out.push(Command::SaveRecord {
                        id: f.id,
                        record: Box::new(f.input()),
                    });
                }
                Action::Back => p.form = None,
                _ => {}
            }
            return;
        }
        // Scrolled no further than its last line.
        let last = p.card.as_ref().map_or(0, |c| card_lines(c).len());
        let last = u16::try_from(last).unwrap_or(u16::MAX).saturating_sub(1);
        match action {
            Action::Down => p.scroll = p.scroll.saturating_add(1).min(last),
            Action::Up => p.scroll = p.scroll.saturating_sub(1),
            Action::PageDown => p.scroll = p.scroll.saturating_add(10).min(last),
            Action::PageUp => p.scroll = p.scroll.saturating_sub(10),
            Action::Edit => {
                let Some(card) = p.card.as_ref() else {
                    return;
                };
                p.form = Some(if let Some(r) = &card.record {
                    RecordForm::edit(r)
                } else {
                    let c = card.conversation.as_ref();
                    RecordForm::new_for(
                        &c.map(|c| c.name.clone()).unwrap_or_default(),
                        c.and_then(|c| c.wa_id.as_ref())
                            .map(|w| format!("+{w}"))
                            .as_deref(),
                    )
                });
            }
            Action::Back => self.close_popup(),
            _ => {}
        }
    }
}

fn heading(text: &str) -> Line<'static> {
    Line::styled(format!("  {text}"), theme::header())
}

/// One of a section's entries.
fn item(text: &str) -> Line<'static> {
    Line::raw(format!("    {}", neutralise(text, false)))
}

fn field(label: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("  {:<16} ", crate::tui::format::fit(label, 16)),
            theme::dim(),
        ),
        Span::raw(neutralise(value, false).into_owned()),
    ])
}

/// The card as lines: the record, what hangs off it, the conversation.
fn card_lines(card: &RecordCard) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &card.record {
        None => {
            lines.push(Line::raw(
                "This number has no record yet: e creates one (name, email, owner, opt-out).",
            ));
        }
        Some(r) => {
            for (label, value) in record_card::rows(r) {
                lines.push(field(&label, &value));
            }
            let history = record_card::consent_history(r);
            if !history.is_empty() {
                lines.push(Line::raw(""));
                lines.push(heading("Opt-out history"));
                lines.extend(history.iter().map(|h| item(h)));
            }
            let zone = r.time_zone.as_deref();
            lines.push(Line::raw(""));
            lines.push(heading("Job openings"));
            if card.job_openings.is_empty() {
                lines.push(Line::styled("    none linked", theme::dim()));
            }
            lines.extend(card.job_openings.iter().map(|j| item(&j.label(zone))));
            lines.push(Line::raw(""));
            lines.push(heading(&match zone {
                Some(z) => format!("Upcoming interviews ({z})"),
                None => "Upcoming interviews".to_owned(),
            }));
            if card.interviews.is_empty() {
                lines.push(Line::styled("    none", theme::dim()));
            }
            lines.extend(card.interviews.iter().map(|i| item(&i.label(zone))));
        }
    }
    if let Some(c) = &card.conversation {
        lines.push(Line::raw(""));
        lines.push(heading("Conversation"));
        let status = match c.snoozed_until {
            Some(t) => format!(
                "{}, snoozed until {}",
                c.status.as_str(),
                t.with_timezone(&chrono::Local).format("%a %-d %b %H:%M")
            ),
            None => c.status.as_str().to_owned(),
        };
        lines.push(field("Status", &status));
        lines.push(field("Assignee", c.owner.as_deref().unwrap_or("nobody")));
        let labels = if c.labels.is_empty() {
            "none".to_owned()
        } else {
            c.labels
                .iter()
                .map(|l| format!("#{l}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        lines.push(field("Labels", &labels));
    }
    lines
}

pub fn render(popup: &RecordPopup, frame: &mut Frame, area: Rect) {
    let width = 96.min(area.width.saturating_sub(4));
    let name = popup
        .card
        .as_ref()
        .and_then(|c| {
            c.record
                .as_ref()
                .map(|r| r.name.clone())
                .or_else(|| c.conversation.as_ref().map(|c| c.name.clone()))
        })
        .unwrap_or_default();
    let name = crate::tui::format::fit(
        &neutralise(&name, false),
        usize::from(width).saturating_sub(20),
    );
    let (title, hints, lines, scroll) = match (&popup.form, &popup.card) {
        (Some(form), _) => {
            let mut lines = form.lines();
            lines.push(Line::raw(""));
            if form.saving {
                lines.push(Line::styled("Saving…", theme::dim()));
            }
            if let Some(e) = &form.error {
                lines.push(Line::styled(
                    neutralise(e, false).into_owned(),
                    theme::bad(),
                ));
            }
            let title = if form.id.is_some() {
                format!(" Edit {name} ")
            } else {
                " New record ".to_owned()
            };
            (
                title,
                " Tab next · Shift-Tab previous · Enter save · Esc cancel ",
                lines,
                0,
            )
        }
        (None, None) => (
            " Record ".to_owned(),
            " Esc close ",
            vec![Line::styled("Loading the record…", theme::dim())],
            0,
        ),
        (None, Some(card)) => (
            format!(" {name} "),
            " j/k scroll · e edit · Esc close ",
            card_lines(card),
            popup.scroll,
        ),
    };
    // As tall as what it shows, scrolling when the terminal is shorter.
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let height = rows
        .saturating_add(2)
        .min(area.height.saturating_sub(2))
        .max(5);
    let rect = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(title)
        .title_bottom(hints);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}
