//! Where a conversation stands, from the keyboard: `x` resolves it (or reopens a resolved
//! one), `p` sets it pending (waiting on the contact), `z` asks until when to snooze it (a
//! prompt in the status bar, read in the user's zone). The list row or the open chat is the
//! one acted on; the engine records who did it, and the chat shows it in its trail.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};

use super::{Popup, filter::input_spans};
use crate::{
    domain::conversation_state::{ConversationStatus, StateChange, UNTIL_SYNTAX, parse_until},
    engine::ConversationView,
    tui::{
        action::Action,
        app::{App, Command, Focus},
        line_input::LineInput,
        theme,
    },
};

/// Until when to snooze the conversation `conversation_id`.
#[derive(Debug)]
pub struct SnoozePrompt {
    pub conversation_id: u64,
    pub input: LineInput,
}

impl App {
    /// The conversation a state key acts on: the open chat's when it has the focus, else the
    /// list's selected row.
    pub(super) fn state_target(&self) -> Option<ConversationView> {
        match (&self.chat, self.focus) {
            (Some(chat), Focus::Chat | Focus::Compose) => Some(chat.conversation.clone()),
            _ => self.list.selected_row().cloned(),
        }
    }

    /// `x`, `p` and `z` in the list or the chat.
    pub(in crate::tui) fn state_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(c) = self.state_target() else {
            return;
        };
        let change = match action {
            Action::Resolve if c.status == ConversationStatus::Resolved => StateChange::Open,
            Action::Resolve => StateChange::Resolved,
            Action::Pending => StateChange::Pending,
            Action::Snooze => {
                self.popup = Some(Popup::Snooze(SnoozePrompt {
                    conversation_id: c.id,
                    input: LineInput::default(),
                }));
                return;
            }
            _ => return,
        };
        out.push(Command::SetState {
            conversation_id: c.id,
            change,
        });
    }

    pub(super) fn snooze_key(&mut self, key: KeyEvent) {
        if let Some(Popup::Snooze(p)) = self.popup.as_mut() {
            p.input.key(key);
        }
    }

    pub(super) fn snooze_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(Popup::Snooze(prompt)) = self.popup.take() else {
            return;
        };
        match action {
            Action::Back => {}
            Action::Send => match parse_until(prompt.input.text(), self.now, &self.tz) {
                Ok(until) => out.push(Command::SetState {
                    conversation_id: prompt.conversation_id,
                    change: StateChange::Snooze { until },
                }),
                Err(why) => {
                    self.error(why);
                    self.popup = Some(Popup::Snooze(prompt));
                }
            },
            _ => self.popup = Some(Popup::Snooze(prompt)),
        }
    }
}

/// The prompt, drawn in the status bar; false when it is not open.
pub fn render(app: &App, frame: &mut Frame, area: Rect) -> bool {
    let Some(Popup::Snooze(prompt)) = &app.popup else {
        return false;
    };
    let width = usize::from(area.width);
    let mut spans = vec![
        Span::styled(" Snooze until: ", theme::header()),
        Span::raw(" "),
    ];
    spans.extend(input_spans(
        &prompt.input,
        width.saturating_sub(100).max(16),
    ));
    spans.push(Span::styled(
        format!("  {UNTIL_SYNTAX} · Enter snooze · Esc cancel"),
        theme::dim(),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    true
}
