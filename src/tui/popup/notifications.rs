//! `n`: new messages by conversation and what rules and the credits said, newest first;
//! `Enter` jumps into the reply box of the conversation (the record's, for a rule's note about
//! a record without one yet).

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph},
};

use super::Popup;
use crate::engine::ConversationView;
use crate::tui::{
    action::Action,
    app::{App, Command, Focus},
    chat_state::Chat,
    format::{ago, fit, width},
    notifications::About,
    theme,
};

impl App {
    pub(super) fn notifications_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(Popup::Notifications(cursor)) = self.popup.as_mut() else {
            return;
        };
        match action {
            Action::Down => *cursor = self.notifications.moved(*cursor, 1),
            Action::Up => *cursor = self.notifications.moved(*cursor, -1),
            Action::ClearSeen => {
                self.notifications.clear_seen();
                *cursor = self.notifications.moved(*cursor, 0);
            }
            Action::Open => {
                let at = *cursor;
                self.open_notification(at, out);
            }
            Action::Back => self.close_popup(),
            _ => {}
        }
    }

    /// Jumps into the notified conversation, in the reply box: the record's (started if it
    /// has none yet) for a note about a record. A note about nothing is only marked seen, the
    /// list left open.
    fn open_notification(&mut self, cursor: usize, out: &mut Vec<Command>) {
        let Some(n) = self.notifications.items.get(cursor).cloned() else {
            return;
        };
        self.notifications.seen_about(n.about);
        let conversation_id = match n.about {
            About::Conversation(id) => id,
            About::Record(record_id) => {
                self.close_popup();
                out.push(Command::OpenRecord { record_id });
                return;
            }
            About::Nothing => return,
        };
        self.close_popup();
        if self
            .chat
            .as_ref()
            .is_none_or(|c| c.conversation.id != conversation_id)
        {
            // What the notification knows, until the thread's load brings the rest.
            let view = ConversationView {
                id: conversation_id,
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
                waiting_since: Some(n.at),
                window_open: crate::domain::window::is_open(Some(n.at), self.now),
                window_expires_at: crate::domain::window::expires_at(Some(n.at)),
                owner: None,
                record_kind: None,
                status: crate::domain::conversation_state::ConversationStatus::Open,
                snoozed_until: None,
                labels: Vec::new(),
            };
            self.switch_chat(Chat::new(view));
            out.push(Command::LoadThread { conversation_id });
        }
        out.push(Command::MarkRead { conversation_id });
        self.focus = Focus::Compose;
    }
}

pub fn render(app: &App, cursor: usize, frame: &mut Frame, area: Rect) {
    let n = &app.notifications;
    let w = area.width.saturating_sub(8).min(80);
    let h = area.height.saturating_sub(6).min(20);
    let popup = Rect::new(area.x + area.width - w - 2, area.y + 1, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(" Notifications ({} new) ", n.unseen()))
        .title_bottom(" Enter open and reply · c clear seen · Esc close ");
    let inner = block.inner(popup);
    crate::tui::view::clear(frame, popup);
    frame.render_widget(block, popup);
    if n.items.is_empty() {
        frame.render_widget(Paragraph::new("Nothing new.").style(theme::dim()), inner);
        return;
    }
    let room = usize::from(inner.width);
    let rows = usize::from(inner.height / 2);
    let top = cursor.saturating_sub(rows.saturating_sub(1));
    let mut lines = Vec::new();
    for (i, item) in n.items.iter().enumerate().skip(top).take(rows) {
        let base = if i == cursor {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        let mark = if item.seen { "  " } else { "● " };
        let when = ago(item.at, app.now, app.tz);
        let name = fit(&item.name, room.saturating_sub(20));
        // A single note about a record or about nothing is not "1 new" message.
        let head = match item.about {
            About::Record(_) | About::Nothing if item.count == 1 => name,
            _ => format!("{name} · {} new", item.count),
        };
        let gap = room.saturating_sub(width(mark) + width(&head) + width(&when));
        let name_style = if item.seen {
            base
        } else {
            base.patch(theme::unread())
        };
        lines.push(Line::from(vec![
            Span::styled(mark, base.patch(theme::good())),
            Span::styled(head, name_style),
            Span::styled(" ".repeat(gap), base),
            Span::styled(when, base.patch(theme::dim())),
        ]));
        let text = fit(&item.last_text, room.saturating_sub(2));
        let pad = room.saturating_sub(2 + width(&text));
        lines.push(Line::from(vec![
            Span::styled(format!("  {text}"), base.patch(theme::dim())),
            Span::styled(" ".repeat(pad), base),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
