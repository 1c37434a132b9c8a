//! The conversation list: two lines a conversation, only the rows on screen are built.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::Style,
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::{
    domain::safe_text::neutralise,
    engine::ConversationView,
    tui::{
        app::{App, Focus},
        format::{ago, countdown, fit, width},
        theme,
    },
};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let focused =
        app.focus == Focus::List && !matches!(app.popup, Some(crate::tui::popup::Popup::Help(_)));
    let title = match &app.filter {
        Some(f) => format!(" Conversations · {} ({}) ", fit(f, 30), app.list.total),
        None => format!(" Conversations ({}) ", app.list.total),
    };
    let title = if app.marks.is_empty() {
        title
    } else {
        format!("{title}· {} marked (B: bulk send) ", app.marked_count())
    };
    let block = theme::pane(focused).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Up to a quarter of the list's height: the list itself needs the rest.
    let most = usize::from(inner.height / 4).max(1);
    let views = views_lines(app, usize::from(inner.width), most);
    let height = u16::try_from(views.len()).unwrap_or(1).max(1);
    let [tabs, inner] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(views), tabs);
    if !app.list.loaded {
        frame.render_widget(Paragraph::new("Loading…").style(theme::dim()), inner);
        return;
    }
    if app.list.is_empty() {
        let text = if app.filter.is_some() {
            vec![
                Line::raw("No conversations match."),
                Line::raw(""),
                Line::styled("g1 shows them all; f changes the filter.", theme::dim()),
            ]
        } else {
            let hint = app.empty_hint.as_deref().unwrap_or(
                "Messages from candidates appear here as soon as WhatsApp delivers them.",
            );
            vec![
                Line::raw("No conversations yet."),
                Line::raw(""),
                Line::styled(hint.to_owned(), theme::dim()),
            ]
        };
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    app.hits.note(|h| h.list_rows = inner);
    let rows = usize::from(inner.height / 2);
    let w = usize::from(inner.width);
    let mut lines = Vec::with_capacity(rows * 2);
    for position in app.list.top..(app.list.top + rows).min(app.list.len()) {
        let selected = position == app.list.selected;
        if let Some(c) = app.list.row(position) {
            lines.extend(row(app, c, w, selected));
        } else {
            // Not loaded yet: the window around the selection is on its way.
            lines.push(Line::styled("  …", theme::dim()));
            lines.push(Line::raw(""));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn row<'a>(app: &App, c: &ConversationView, w: usize, selected: bool) -> [Line<'a>; 2] {
    let base = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    let when = c
        .last_message_at
        .map(|t| ago(t, app.now, app.tz))
        .unwrap_or_default();
    let badge = if c.unread > 0 {
        format!(" {} ", c.unread.min(999))
    } else {
        String::new()
    };
    let name_room = w.saturating_sub(3 + width(&when) + width(&badge) + 1);
    let name = fit(&c.name, name_room);
    let marked = app.marked(c.id);
    let mark = match (marked, c.unread > 0) {
        (true, _) => "✓ ",
        (false, true) => "● ",
        (false, false) => "  ",
    };
    let gap = w.saturating_sub(width(mark) + width(&name) + width(&badge) + 1 + width(&when));
    let name_style = if c.unread > 0 {
        base.patch(theme::unread())
    } else {
        base
    };
    let first = Line::from(vec![
        Span::styled(
            mark,
            base.patch(if marked {
                theme::key()
            } else {
                theme::badge()
                    .bg(ratatui::style::Color::Reset)
                    .fg(ratatui::style::Color::Green)
            }),
        ),
        Span::styled(name, name_style),
        Span::styled(" ".repeat(gap), base),
        Span::styled(badge, theme::badge()),
        Span::styled(format!(" {when}"), base.patch(theme::dim())),
    ]);
    let window = countdown(c.window_expires_at, app.now);
    let (window_text, window_style) = match &window {
        Some(t) => (t.clone(), theme::good()),
        None => ("closed".to_owned(), theme::dim()),
    };
    let failed = if c.failed > 0 { "✗ " } else { "" };
    let state = state_mark(app, c);
    // Labels, compactly, each in its colour (at most three shown).
    let labels: Vec<Span> = c
        .labels
        .iter()
        .take(3)
        .map(|l| {
            Span::styled(
                format!("#{} ", fit(&neutralise(l, false), 12)),
                base.patch(crate::tui::popup::labels::colour(app, l)),
            )
        })
        .collect();
    let marks =
        width(failed) + width(&state) + labels.iter().map(|s| width(&s.content)).sum::<usize>();
    let text_room = w.saturating_sub(2 + width(&window_text) + marks + 1);
    let snippet = fit(&c.last_text, text_room);
    let gap = w.saturating_sub(2 + width(&snippet) + marks + width(&window_text));
    let mut second = vec![
        Span::styled("  ", base),
        Span::styled(snippet, base.patch(theme::dim())),
        Span::styled(" ".repeat(gap), base),
    ];
    second.extend(labels);
    second.extend([
        Span::styled(state, base.patch(theme::key())),
        Span::styled(failed, base.patch(theme::failed())),
        Span::styled(window_text, base.patch(window_style)),
    ]);
    let second = Line::from(second);
    [first, second]
}

/// Whose the conversation is (when not mine) and where it stands, when not simply open:
/// snoozed (until when), pending or resolved.
fn state_mark(app: &App, c: &ConversationView) -> String {
    use crate::domain::conversation_state::ConversationStatus;
    // Whose it is, when it is someone else's.
    let owner = c
        .owner
        .as_deref()
        .filter(|o| app.me.as_ref().is_none_or(|(me, _)| me != o))
        .map(|o| format!("→{} ", fit(o, 10)))
        .unwrap_or_default();
    if let Some(until) = c.snoozed_until {
        return format!(
            "{owner}💤 {} ",
            until.with_timezone(&app.tz).format("%a %H:%M")
        );
    }
    match c.status {
        ConversationStatus::Open => owner,
        ConversationStatus::Pending => format!("{owner}pending "),
        ConversationStatus::Resolved => format!("{owner}resolved "),
    }
}

/// `1 All 12  2 Mine 3  …`: the views, `g` and a digit away, with their counts, on as many
/// lines as they need (up to `most`) so that saved views are seen even in a narrow list.
fn views_lines(app: &App, room: usize, most: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (i, v) in app.views.iter().enumerate().take(9) {
        let short = match v.name.as_str() {
            "" => "All",
            "my-unreplied" => "Mine",
            "all-unreplied" => "Unreplied",
            "sent-today" => "Sent today",
            other => other,
        };
        let count = v.count.map(|c| format!(" {c}")).unwrap_or_default();
        // A saved view's name is a user's text.
        let text = format!(
            "{} {}{count}",
            i + 1,
            fit(
                &neutralise(short, false),
                room.saturating_sub(8).clamp(4, 24)
            )
        );
        let w = width(&text) + 2;
        if used + w > room && used > 0 {
            if lines.len() == most {
                break;
            }
            lines.push(Vec::new());
            used = 0;
        }
        used += w;
        let style = if app.active_view == Some(i) {
            theme::badge()
        } else {
            theme::dim()
        };
        if let Some(line) = lines.last_mut() {
            line.push(Span::styled(format!(" {text} "), style));
        }
    }
    lines.into_iter().map(Line::from).collect()
}
