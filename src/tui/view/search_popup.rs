//! `/`: hits across every conversation, each with its conversation, when, and the words
//! around the match. Message text and names come from outside: shown neutralised.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::Style,
    text::{Line, Span},
    widgets::{Block, Borders, Clear, Paragraph, Wrap},
};

use crate::{
    domain::{
        safe_text::neutralise,
        search::{Query, context},
    },
    tui::{
        app::App,
        format::{ago, fit, width},
        search_state::SearchPanel,
        theme,
    },
};

pub fn render(app: &App, panel: &SearchPanel, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(8).min(110);
    let h = area.height.saturating_sub(4);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(" Search all conversations ({}) ", panel.hits.len()))
        .title_bottom(" type to search · ↑/↓ choose · Enter go to the message · Esc close ");
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [prompt, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("/ ", theme::key()),
            Span::raw(fit(
                &neutralise(&panel.query, false),
                usize::from(prompt.width).saturating_sub(4),
            )),
            Span::styled("▏", theme::key()),
        ])),
        prompt,
    );
    if panel.hits.is_empty() {
        let text = if panel.query.trim().is_empty() {
            "Words from any message or a contact's name; 面接 or 火曜 work too."
        } else if panel.loading {
            "Searching…"
        } else {
            "Nothing found."
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme::dim())
                .wrap(Wrap { trim: true }),
            list,
        );
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
