//! Sending later from the inbox: `Alt-s` in the reply box asks when (in the status bar, read
//! in the contact's time zone by the engine: "tomorrow 9:00", "17:30", "2h") and schedules the
//! reply; `s` in the chat lists the conversation's waiting sends, to cancel one (`d`) or take
//! its text back into the reply box to change it (`e`). The chat shows them under the newest
//! message, and follows the engine as they go.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph},
};

use super::{Popup, filter::input_spans, moved};
use crate::{
    domain::{
        safe_text::neutralise,
        schedule::{ScheduleState, ScheduledSend, ScheduledWhat},
    },
    tui::{
        action::Action,
        app::{App, Command, Focus, Input},
        line_input::LineInput,
        theme,
    },
};

/// Asking when to send the reply (or the template chosen in the picker).
#[derive(Debug)]
pub struct SendAtPrompt {
    pub to: String,
    pub what: ScheduledWhat,
    pub input: LineInput,
}

/// The open conversation's waiting sends, with the cursor.
#[derive(Debug, Default)]
pub struct ScheduledPanel {
    pub cursor: usize,
}

impl App {
    /// `Alt-s` in the reply box: when to send what it holds.
    pub(in crate::tui) fn ask_send_at(&mut self) {
        let text = self.reply_text();
        if text.trim().is_empty() {
            self.error("Write the message first, then Alt-s to choose when it goes.".into());
            return;
        }
        if self.chat.as_ref().is_some_and(|c| !c.pending.is_empty()) {
            self.error("Files go now or not at all: send them, or remove them (Ctrl-x) to schedule the text.".into());
            return;
        }
        let Some(to) = self.chat_to() else {
            self.error("This contact has neither a number nor a BSUID.".into());
            return;
        };
        self.popup = Some(Popup::SendAt(SendAtPrompt {
            to,
            what: ScheduledWhat::Text { text },
            input: LineInput::default(),
        }));
    }

    pub(super) fn send_at_key(&mut self, key: KeyEvent) {
        if let Some(Popup::SendAt(p)) = self.popup.as_mut() {
            p.input.key(key);
        }
    }

    pub(super) fn send_at_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(Popup::SendAt(prompt)) = self.popup.take() else {
            return;
        };
        match action {
            Action::Back => {}
            Action::Send if prompt.input.text().trim().is_empty() => {
                self.popup = Some(Popup::SendAt(prompt));
            }
            Action::Send => {
                if matches!(prompt.what, ScheduledWhat::Text { .. }) {
                    // As a send does: the box empties, and a refusal gives the text back.
                    self.clear_reply();
                }
                out.push(Command::Schedule {
                    to: prompt.to,
                    what: prompt.what,
                    when: prompt.input.text().trim().to_owned(),
                });
                self.focus = Focus::Chat;
            }
            _ => self.popup = Some(Popup::SendAt(prompt)),
        }
    }

    /// `s` in the chat: its waiting sends.
    pub(in crate::tui) fn open_scheduled(&mut self) {
        if self.chat.as_ref().is_some_and(|c| c.scheduled.is_empty()) {
            self.info("Nothing is scheduled here: write a reply, then Alt-s to send it later.");
            return;
        }
        self.popup = Some(Popup::Scheduled(ScheduledPanel::default()));
    }

    pub(super) fn scheduled_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let waiting = self.chat.as_ref().map_or(0, |c| c.scheduled.len());
        let Some(Popup::Scheduled(p)) = self.popup.as_mut() else {
            return;
        };
        let chosen = self
            .chat
            .as_ref()
            .and_then(|c| c.scheduled.get(p.cursor))
            .cloned();
        match (action, chosen) {
            (Action::Down, _) => p.cursor = moved(p.cursor, 1, waiting),
            (Action::Up, _) => p.cursor = moved(p.cursor, -1, waiting),
            (Action::Delete, Some(s)) => out.push(Command::CancelScheduled { id: s.id }),
            (Action::Edit, Some(s)) => {
                let ScheduledWhat::Text { text } = &s.what else {
                    self.error(
                        "A scheduled template keeps its text: cancel it (d) and schedule another."
                            .into(),
                    );
                    return;
                };
                if !self.reply_text().trim().is_empty() {
                    self.error("The reply box holds a message: send or clear it first.".into());
                    return;
                }
                // Cancelled here, its text back in the box: changed, then Alt-s again.
                out.push(Command::CancelScheduled { id: s.id });
                self.compose = crate::tui::app::compose_box(text);
                self.close_popup();
                self.focus = Focus::Compose;
            }
            (Action::Back, _) => self.close_popup(),
            _ => {}
        }
    }

    /// The engine's answers and news about sends for later.
    pub(in crate::tui) fn scheduled_input(&mut self, input: Input) {
        if let Input::Scheduled(s) = input {
            let when = s.due_at.with_timezone(&self.tz).format("%a %-d %b %H:%M");
            match &s.held {
                Some(why) => self.info(format!(
                    "Scheduled for {when}, later than asked: {}",
                    neutralise(why, false)
                )),
                None => self.info(format!("Scheduled for {when}")),
            }
            self.scheduled_changed(&s);
        }
    }

    /// A record saved may change whether a rule's send for it still goes: the open chat,
    /// when one of its waiting sends fired for that record, is loaded again, so that what it
    /// says will be skipped (or no longer) is as things stand.
    pub(in crate::tui) fn record_may_skip(&self, record_id: u64, out: &mut Vec<Command>) {
        if let Some(chat) = &self.chat
            && chat
                .scheduled
                .iter()
                .any(|s| s.rule.as_ref().is_some_and(|r| r.record_id == record_id))
        {
            out.push(Command::LoadThread {
                conversation_id: chat.conversation.id,
            });
        }
    }

    /// A send for later changed: the chat's list follows; the one who scheduled it is told
    /// when it could not go.
    pub(in crate::tui) fn scheduled_changed(&mut self, s: &ScheduledSend) {
        let me = self.me.as_ref().is_some_and(|(login, _)| *login == s.by);
        if me {
            match &s.state {
                ScheduleState::Failed { reason, .. } | ScheduleState::Skipped { reason, .. } => {
                    self.error(format!(
                        "A scheduled message to {} did not go: {}",
                        neutralise(&s.to, false),
                        neutralise(reason, false)
                    ));
                }
                _ => {}
            }
        }
        let Some(chat) = self
            .chat
            .as_mut()
            .filter(|c| Some(c.conversation.id) == s.conversation_id)
        else {
            return;
        };
        chat.scheduled.retain(|x| x.id != s.id);
        if s.waiting() {
            chat.scheduled.push(s.clone());
            chat.scheduled.sort_by_key(|x| (x.due_at, x.id));
        }
        let left = chat.scheduled.len();
        if let Some(Popup::Scheduled(p)) = self.popup.as_mut() {
            p.cursor = p.cursor.min(left.saturating_sub(1));
            if left == 0 {
                self.close_popup();
            }
        }
    }
}

/// The prompt, drawn in the status bar; false when it is not open.
pub fn render_prompt(app: &App, frame: &mut Frame, area: Rect) -> bool {
    let Some(Popup::SendAt(prompt)) = &app.popup else {
        return false;
    };
    let width = usize::from(area.width);
    let mut spans = vec![Span::styled(" Send at: ", theme::header()), Span::raw(" ")];
    spans.extend(input_spans(
        &prompt.input,
        width.saturating_sub(100).max(16),
    ));
    spans.push(Span::styled(
        "  tomorrow 9:00, 17:30, 2h, 2026-12-03 14:00 — in their time zone (else yours) · Enter schedule · Esc back",
        theme::dim(),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    true
}

pub fn render(app: &App, panel: &ScheduledPanel, frame: &mut Frame, area: Rect) {
    let waiting = app
        .chat
        .as_ref()
        .map(|c| c.scheduled.as_slice())
        .unwrap_or_default();
    let width = 90.min(area.width.saturating_sub(4));
    let rows = u16::try_from(waiting.len()).unwrap_or(u16::MAX);
    let height = (rows + 2).clamp(3, area.height.saturating_sub(2).max(3));
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let room = usize::from(width).saturating_sub(4);
    let lines: Vec<Line> = waiting
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let when = s.due_at.with_timezone(&app.tz).format("%a %-d %b %H:%M");
            let what = neutralise(&s.summary(), false).replace('\n', " ");
            let skip = s.will_skip.as_deref().map_or_else(String::new, |why| {
                format!(" · will be skipped: {}", neutralise(why, false))
            });
            let text = crate::tui::format::fit(
                &format!("{when} · by {}{skip} · {what}", neutralise(&s.by, false)),
                room,
            );
            if i == panel.cursor {
                Line::styled(format!("> {text}"), theme::selected())
            } else {
                Line::raw(format!("  {text}"))
            }
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Scheduled ")
        .title_bottom(" ↑↓ choose · e change (back to the reply box) · d cancel · Esc close ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
