//! The compose box (ratatui-textarea). When the 24-hour window is closed it says so and points
//! to templates instead of letting the recruiter type into a dead end.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Paragraph, Wrap},
};

use crate::{
    domain::message::MAX_TEXT_CHARS,
    tui::{
        app::{App, Focus},
        theme,
    },
};

/// How many rows the box needs for `app`'s reply at `width` columns (wrapped), between 2
/// and 8, plus its frame.
pub fn height(app: &App, width: u16) -> u16 {
    let room = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = app
        .compose
        .lines()
        .iter()
        .map(|l| crate::tui::format::width(l).div_ceil(room).max(1))
        .sum();
    u16::try_from(rows.clamp(2, 8)).unwrap_or(8) + 2 + pending_rows(app)
}

/// One row per file attached to the reply.
fn pending_rows(app: &App) -> u16 {
    app.chat
        .as_ref()
        .map_or(0, |c| u16::try_from(c.pending.len()).unwrap_or(0))
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    app.hits.note(|h| h.compose = area);
    let focused = app.focus == Focus::Compose
        && !matches!(app.popup, Some(crate::tui::popup::Popup::Help(_)));
    let mut block = theme::pane(focused).title(" Reply ");
    // Near WhatsApp's limit, how much room is left.
    let chars = app.reply_text().trim_end().chars().count();
    if chars * 4 >= MAX_TEXT_CHARS * 3 {
        let style = if chars > MAX_TEXT_CHARS {
            theme::failed()
        } else {
            theme::dim()
        };
        block = block.title_bottom(
            Line::styled(format!(" {chars}/{MAX_TEXT_CHARS} "), style).right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(chat) = &app.chat else {
        frame.render_widget(
            Paragraph::new("Open a conversation (Enter) to reply.").style(theme::dim()),
            inner,
        );
        return;
    };
    if !app.window_open() {
        let since = chat.conversation.window_expires_at.map_or_else(
            || "never opened: they have not written to this number".into(),
            |t| format!("closed {}", t.with_timezone(&app.tz).format("%-d %b %H:%M")),
        );
        let text = vec![
            Line::from(vec![
                Span::styled("24-hour window ", theme::bad()),
                Span::styled(since, theme::bad()),
            ]),
            Line::from(vec![
                Span::raw("WhatsApp only accepts an approved template now: press "),
                Span::styled("t", theme::key()),
                Span::raw(" to pick one."),
            ]),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    }
    if app.compose.is_empty() && !focused && chat.pending.is_empty() {
        let hint = Line::from(vec![
            Span::styled("r", theme::key()),
            Span::styled(
                if inner.width >= 66 {
                    " to write · Enter sends · Alt-Enter new line · Ctrl-o in $EDITOR"
                } else {
                    " to write · Enter sends · Alt-Enter new line"
                },
                theme::dim(),
            ),
        ]);
        frame.render_widget(Paragraph::new(hint), inner);
        return;
    }
    let files = pending_rows(app).min(inner.height.saturating_sub(1));
    let [text, list] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(1),
        ratatui::layout::Constraint::Length(files),
    ])
    .areas(inner);
    frame.render_widget(&app.compose, text);
    let lines: Vec<Line> = chat
        .pending
        .iter()
        .map(|f| {
            Line::from(vec![
                Span::raw("📎 "),
                Span::raw(crate::tui::format::fit(&f.name, 60)),
                Span::styled(
                    format!(" · {}", crate::domain::attachment::human_size(f.size)),
                    theme::dim(),
                ),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
