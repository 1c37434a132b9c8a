//! `/`: hits across every conversation, each with its conversation, when, and the words
//! around the match. Message text and names come from outside: shown neutralised.

use ratatui::{
    Frame,
    layout::Rect,
    style::Style,
    text::{Line, Span},
    widgets::Paragraph,
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
    let list = super::query_popup(
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
        super::note(frame, list, text);
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
