//! `n`: new messages by conversation, newest first; `Enter` jumps into the reply box.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Clear, Paragraph},
};

use crate::tui::{
    app::App,
    format::{ago, fit, width},
    theme,
};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let n = &app.notifications;
    let w = area.width.saturating_sub(8).min(80);
    let h = area.height.saturating_sub(6).min(20);
    let popup = Rect::new(area.x + area.width - w - 2, area.y + 1, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(" Notifications ({} new) ", n.unseen()))
        .title_bottom(" Enter reply · c clear seen · Esc close ");
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    if n.items.is_empty() {
        frame.render_widget(Paragraph::new("Nothing new.").style(theme::dim()), inner);
        return;
    }
    let room = usize::from(inner.width);
    let rows = usize::from(inner.height / 2);
    let cursor = n.panel.unwrap_or(0);
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
        let head = format!(
            "{} · {} new",
            fit(&item.name, room.saturating_sub(20)),
            item.count
        );
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
