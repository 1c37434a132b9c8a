//! The open conversation: messages aligned by direction, with times, day separators, wrapped
//! text and delivery ticks. Only the messages that fit on screen are laid out, from the
//! anchor (the selected message, else the newest) upwards.

use ratatui::{
    Frame,
    layout::Rect,
    style::Style,
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::{
    domain::message::{Direction, Message, Status},
    tui::{
        app::{App, Focus},
        format::{countdown, fit, width, wrap},
        theme,
    },
};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    app.hits.note(|h| h.chat = area);
    let focused =
        app.focus == Focus::Chat && !matches!(app.popup, Some(crate::tui::popup::Popup::Help(_)));
    let Some(chat) = &app.chat else {
        let block = theme::pane(focused).title(" Chat ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let hint = if app.list.is_empty() {
            ""
        } else {
            "Select a conversation and press Enter."
        };
        frame.render_widget(Paragraph::new(hint).style(theme::dim()), inner);
        return;
    };
    let c = &chat.conversation;
    let title = title(app, c, area.width);
    let block = theme::pane(focused)
        .title(title)
        .title_bottom(sections(chat.files.is_some()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(files) = &chat.files {
        super::attachments_pane::render(app, files, focused, frame, inner);
        return;
    }
    if !chat.loaded && chat.messages.is_empty() {
        frame.render_widget(Paragraph::new("Loading…").style(theme::dim()), inner);
        return;
    }
    let Some(anchor) = chat.anchor() else {
        frame.render_widget(
            Paragraph::new("No messages yet.").style(theme::dim()),
            inner,
        );
        return;
    };
    let height = usize::from(inner.height);
    let w = usize::from(inner.width);
    // Lay out from the anchor upwards until the pane is full.
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    for i in (0..=anchor).rev() {
        let m = &chat.messages[i];
        // With the chat focused, the anchor is the cursor (the newest message by default).
        let mut lines = message_lines(app, m, w, focused && i == anchor);
        lines.extend(trail_lines(app, chat, i, w));
        if i + 1 == chat.messages.len() {
            lines.extend(scheduled_lines(app, chat, w));
        }
        let day = m.at.with_timezone(&app.tz).date_naive();
        let new_day = i == 0 || chat.messages[i - 1].at.with_timezone(&app.tz).date_naive() != day;
        if new_day {
            let label = format!(" {} ", m.at.with_timezone(&app.tz).format("%a %-d %b %Y"));
            let side = w.saturating_sub(width(&label)) / 2;
            lines.insert(
                0,
                Line::styled(
                    format!("{}{label}{}", "─".repeat(side), "─".repeat(side)),
                    theme::dim(),
                ),
            );
        } else {
            lines.insert(0, Line::raw(""));
        }
        used += lines.len();
        blocks.push(lines);
        if used >= height {
            break;
        }
    }
    let mut all: Vec<Line> = blocks.into_iter().rev().flatten().collect();
    // Keep the bottom (the anchor) in view: drop what does not fit at the top.
    if all.len() > height {
        all.drain(..all.len() - height);
    }
    let pad = height - all.len();
    let mut shown = vec![Line::raw(""); pad];
    shown.extend(all);
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The trail's quiet lines that follow message `i` (before the next one; the first message
/// also takes those before it).
fn trail_lines(
    app: &App,
    chat: &crate::tui::chat_state::Chat,
    i: usize,
    w: usize,
) -> Vec<Line<'static>> {
    let from = (i > 0).then(|| chat.messages[i].at);
    let to = chat.messages.get(i + 1).map(|m| m.at);
    chat.trail
        .iter()
        .filter(|e| from.is_none_or(|f| e.at >= f) && to.is_none_or(|t| e.at < t))
        .map(|e| {
            let text = fit(&e.sentence(&app.tz), w.saturating_sub(4));
            let pad = w.saturating_sub(width(&text) + 4) / 2;
            Line::styled(format!("{}· {text} ·", " ".repeat(pad)), theme::dim())
        })
        .collect()
}

/// The sends waiting for their time, under the newest message: when, and what.
fn scheduled_lines(app: &App, chat: &crate::tui::chat_state::Chat, w: usize) -> Vec<Line<'static>> {
    chat.scheduled
        .iter()
        .map(|s| {
            let when = s.due_at.with_timezone(&app.tz).format("%a %-d %b %H:%M");
            let what = crate::domain::safe_text::neutralise(&s.summary(), false).replace('\n', " ");
            let quiet = if s.held.is_some() {
                " (after quiet hours)"
            } else {
                ""
            };
            // What will not go says so before what it is, where a long line is cut.
            let skip = s.will_skip.as_deref().map_or_else(String::new, |why| {
                format!(
                    ", will be skipped ({})",
                    crate::domain::safe_text::neutralise(why, false)
                )
            });
            let text = fit(
                &format!("🕒 scheduled for {when}{quiet}{skip}: {what}"),
                w.saturating_sub(2),
            );
            let pad = w.saturating_sub(width(&text));
            Line::styled(format!("{}{text}", " ".repeat(pad)), theme::dim())
        })
        .collect()
}

/// The two sections under the chat, the one shown in bold, and the key between them.
fn sections(attachments: bool) -> Line<'static> {
    let (messages, files) = if attachments {
        (theme::dim(), theme::header())
    } else {
        (theme::header(), theme::dim())
    };
    Line::from(vec![
        Span::raw(" "),
        Span::styled("Messages", messages),
        Span::styled(" · ", theme::dim()),
        Span::styled("Attachments", files),
        Span::styled(" (a) ", theme::dim()),
    ])
}

/// The chat's title: who, their number, the window, and who else is answering.
fn title(app: &App, c: &crate::engine::ConversationView, area_width: u16) -> Line<'static> {
    let who = c
        .wa_id
        .as_ref()
        .map(|w| format!("+{w}"))
        .or_else(|| c.user_id.clone())
        .unwrap_or_default();
    let window = countdown(c.window_expires_at, app.now).map_or_else(
        || Span::styled("window closed", theme::bad()),
        |t| Span::styled(t, theme::good()),
    );
    // The name gives way first, so the window's state always shows.
    let name_room = usize::from(area_width)
        .saturating_sub(width(&who) + 24)
        .clamp(8, 40);
    let mut title = vec![
        Span::raw(format!(
            " {} · {} · ",
            fit(&c.name, name_room),
            fit(&who, 30)
        )),
        window,
        Span::raw(" "),
    ];
    // Another recruiter is answering this conversation: say so, so it is not answered twice.
    if let Some((name, _)) = app.answering.get(&c.id) {
        title.push(Span::styled(
            format!("· {} is answering ", fit(name, 20)),
            theme::info_toast(),
        ));
    }
    Line::from(title)
}

fn body_text(m: &Message) -> String {
    let text = caption_text(m);
    match attachment_line(m) {
        Some(line) => format!("{text}\n{line}"),
        None => text,
    }
}

/// What the message says, with the kind of file it carries.
fn caption_text(m: &Message) -> String {
    let label = match m.kind.as_str() {
        "image" => Some("📷 Photo"),
        "video" => Some("🎬 Video"),
        "audio" => Some("🎤 Audio"),
        "document" => Some("📄 Document"),
        "sticker" => Some("🌟 Sticker"),
        _ => None,
    };
    match label {
        Some(l) if m.text.is_empty() => l.to_owned(),
        Some(l) => format!("{l}: {}", m.text),
        None => m.text.clone(),
    }
}

/// A file the message carries: its name as the sender gave it (only shown), its size, and
/// whether it is kept (`Fetch`).
fn attachment_line(m: &Message) -> Option<String> {
    use crate::domain::attachment::{display_name, human_size};
    let media = m.media.as_ref()?;
    let fetch = media.fetch.as_ref()?;
    let name = media
        .filename
        .as_deref()
        .map_or_else(|| m.kind.clone(), display_name);
    let size = media
        .size
        .map(|s| format!(" · {}", human_size(s)))
        .unwrap_or_default();
    Some(format!("📎 {name}{size} · {}", fetch.label()))
}

fn ticks(m: &Message) -> Span<'static> {
    match m.status {
        Status::Queued => Span::styled("🕓", theme::dim()),
        Status::Sent => Span::styled("✓", theme::dim()),
        Status::Delivered => Span::styled("✓✓", theme::dim()),
        Status::Read => Span::styled("✓✓", theme::read_ticks()),
        Status::Uncertain => Span::styled("? may have been sent", theme::uncertain()),
        Status::Failed => Span::styled("✗ failed", theme::failed()),
    }
}

fn message_lines(app: &App, m: &Message, w: usize, selected: bool) -> Vec<Line<'static>> {
    let out_going = m.direction == Direction::Out;
    let bubble = (w * 3 / 4).clamp(10, w.saturating_sub(2).max(10));
    let base = if selected {
        theme::selected()
    } else {
        Style::new()
    };
    let text_style = base.patch(if out_going {
        theme::outbound()
    } else {
        theme::inbound()
    });
    let mut body = wrap(&body_text(m), bubble);
    if m.deleted {
        body.push("(deleted by the contact)".into());
    }
    let mut meta: Vec<Span<'static>> = Vec::new();
    if let Some(by) = m.sent_by.as_ref().filter(|_| out_going) {
        meta.push(Span::styled(format!("{} · ", fit(by, 16)), theme::dim()));
    }
    meta.push(Span::styled(
        m.at.with_timezone(&app.tz).format("%H:%M").to_string(),
        theme::dim(),
    ));
    if m.edited {
        meta.push(Span::styled(" · edited", theme::dim()));
    }
    if let Some(r) = &m.reaction {
        meta.push(Span::raw(format!(" {}", fit(r, 4))));
    }
    if out_going {
        meta.push(Span::raw(" "));
        meta.push(ticks(m));
    }
    let mut lines: Vec<Vec<Span<'static>>> = body
        .into_iter()
        .map(|l| vec![Span::styled(l, text_style)])
        .collect();
    let meta_at = lines.len();
    lines.push(meta);
    if selected && let Some(e) = &m.error {
        let (mark, style) = if m.status == Status::Uncertain {
            ('?', theme::uncertain())
        } else {
            ('✗', theme::failed())
        };
        for l in wrap(&format!("{mark} {e}"), bubble) {
            lines.push(vec![Span::styled(l, style)]);
        }
    }
    let widths: Vec<usize> = lines
        .iter()
        .map(|spans| spans.iter().map(|s| width(&s.content)).sum())
        .collect();
    // Ours sit on the right as one block, its lines starting at one column (a ragged left
    // edge is hard to read); the time and ticks keep to the right edge.
    let block = widths.iter().copied().max().unwrap_or(0);
    lines
        .into_iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (spans, used))| {
            let pad = match (out_going, i == meta_at) {
                (false, _) => 1,
                (true, true) => w.saturating_sub(used + 1),
                (true, false) => w.saturating_sub(block + 1),
            };
            let mut all = vec![Span::styled(" ".repeat(pad), base)];
            all.extend(spans.into_iter().map(|s| {
                let style = base.patch(s.style);
                Span::styled(s.content, style)
            }));
            let used_total = pad + used;
            all.push(Span::styled(" ".repeat(w.saturating_sub(used_total)), base));
            Line::from(all)
        })
        .collect()
}
