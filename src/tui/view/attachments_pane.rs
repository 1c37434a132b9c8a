//! The chat's Attachments section: every file of the conversation, newest first, one row
//! each (who sent it, when, its kind, name, size and state), the cursor on one.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::Style,
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::{
    domain::{attachment::human_size, message::Direction},
    engine::api::AttachmentView,
    tui::{
        app::App,
        files::FilesSection,
        format::{fit, width},
        theme,
    },
};

pub fn render(app: &App, files: &FilesSection, focused: bool, frame: &mut Frame, area: Rect) {
    let Some(list) = &files.list else {
        frame.render_widget(Paragraph::new("Loading…").style(theme::dim()), area);
        return;
    };
    if list.is_empty() {
        frame.render_widget(
            Paragraph::new("No files in this conversation yet. a: back to the messages.")
                .style(theme::dim()),
            area,
        );
        return;
    }
    // An image under the cursor is shown below the list, in what the list leaves.
    let image = files
        .selected()
        .filter(|a| app.file_setup.previews && a.kind == "image" && a.state == "ready");
    let area = match image {
        Some(a) => {
            let [top, gap, bottom] = split(area, list.len());
            frame.render_widget(Paragraph::new(" ─ preview ─").style(theme::dim()), gap);
            preview(app, a.id, frame, bottom);
            top
        }
        None => area,
    };
    let height = usize::from(area.height);
    // The cursor stays in view: the window starts where it has to.
    let start = files.cursor.saturating_sub(height.saturating_sub(1));
    let w = usize::from(area.width);
    let lines: Vec<Line> = list
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, a)| row(app, a, w, focused && i == files.cursor))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The section's inside with an image shown: the list (a third at most), a line, the image.
fn split(inner: Rect, files: usize) -> [Rect; 3] {
    let rows = u16::try_from(files)
        .unwrap_or(u16::MAX)
        .clamp(1, (inner.height / 3).max(1));
    Layout::vertical([
        Constraint::Length(rows),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner)
}

/// Where an image goes in a chat pane drawn at `chat` with `files` files listed (what the
/// preview is sized for before it is drawn).
pub fn preview_area(chat: Rect, files: usize) -> Rect {
    split(chat.inner(ratatui::layout::Margin::new(1, 1)), files)[2]
}

/// The selected image as prepared for this terminal, or what stands in for it.
fn preview(app: &App, id: u64, frame: &mut Frame, area: Rect) {
    match app.preview_of(id) {
        Some(Ok(p)) => frame.render_widget(
            ratatui_image::Image::new(&p.protocol).allow_clipping(true),
            area,
        ),
        Some(Err(why)) => frame.render_widget(
            Paragraph::new(format!("No preview: {why}")).style(theme::dim()),
            area,
        ),
        None => frame.render_widget(
            Paragraph::new("Preparing the preview…").style(theme::dim()),
            area,
        ),
    }
}

fn row(app: &App, a: &AttachmentView, w: usize, selected: bool) -> Line<'static> {
    let arrow = match a.direction {
        Direction::In => "←",
        Direction::Out => "→",
    };
    let when =
        a.at.with_timezone(&app.tz)
            .format("%-d %b %H:%M")
            .to_string();
    let icon = match a.kind.as_str() {
        "image" => "📷",
        "video" => "🎬",
        "audio" => "🎧",
        "sticker" => "🌟",
        _ => "📄",
    };
    let size = a.size.map_or_else(String::new, human_size);
    let state = match a.state.as_str() {
        "ready" => String::new(),
        _ => a.why.clone().unwrap_or_else(|| a.state.clone()),
    };
    // A photo has no name: its caption, else its kind and id, stand for one.
    let name = a
        .file_name
        .clone()
        .or_else(|| Some(format!("“{}”", a.caption)).filter(|_| !a.caption.trim().is_empty()))
        .unwrap_or_else(|| format!("{} {}", a.kind, a.id));
    let fixed = width(&when) + width(&size) + width(&state) + 12;
    let name = fit(&name, w.saturating_sub(fixed).max(8));
    let state_style = match a.state.as_str() {
        "failed" | "expired" => theme::failed(),
        _ => theme::dim(),
    };
    let line = Line::from(vec![
        Span::raw(format!(" {arrow} ")),
        Span::styled(format!("{when:<13}"), theme::dim()),
        Span::raw(format!("{icon} {name}  ")),
        Span::styled(size, theme::dim()),
        Span::raw("  "),
        Span::styled(state, state_style),
    ]);
    if selected {
        line.style(theme::selected())
    } else {
        line.style(Style::default())
    }
}
