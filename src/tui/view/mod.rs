//! Drawing: a pure function of the app's state. One pane per file (popups draw themselves, in
//! `popup/`); nothing here does IO.

mod attachments_pane;

pub use attachments_pane::preview_area;
mod chat_pane;
mod compose_pane;
mod header;
mod list_pane;
mod status_bar;

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::Line,
    widgets::Paragraph,
};

use super::app::App;

/// The smallest terminal the layout is made for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(app, frame, top);
    // The list takes a third, between 30 and 56 columns.
    let list_width = (area.width / 3).clamp(30, 56);
    let [list, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(body);
    list_pane::render(app, frame, list);
    let compose_height = compose_pane::height(app, right.width);
    let [chat, compose] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(compose_height)]).areas(right);
    chat_pane::render(app, frame, chat);
    compose_pane::render(app, frame, compose);
    status_bar::render(app, frame, bottom);
    if let Some(popup) = &app.popup {
        super::popup::render(app, popup, frame, area);
    }
}

/// Clears `area` for a popup. A double-width character just left of it would cover the
/// popup's first column on screen (ratatui does not send the cell after a wide character), so
/// it is blanked too.
/// A popup of `width` × `height` (at most what `area` holds) in the middle of `area`.
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

pub(super) fn clear(frame: &mut Frame, area: Rect) {
    use unicode_width::UnicodeWidthStr;
    frame.render_widget(ratatui::widgets::Clear, area);
    let Some(left) = area.x.checked_sub(1) else {
        return;
    };
    let buffer = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        if let Some(cell) = buffer.cell_mut((left, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("The terminal is too small for hirechat."),
        Line::from(format!(
            "It needs {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}.",
            area.width, area.height
        )),
        Line::from("Enlarge it, or press q to quit."),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let inner = Rect::new(area.x, area.y + y, area.width, area.height.min(3));
    frame.render_widget(Paragraph::new(text).centered(), inner);
}

/// A large popup with a query line on top (the records pane, the search): draws the frame and
/// the query, and returns the area left for the results.
pub(super) fn query_popup(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    keys: &str,
    prompt: ratatui::text::Span<'static>,
    query: &str,
) -> Rect {
    use ratatui::{
        text::Span,
        widgets::{Block, Borders},
    };
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
        .border_style(super::theme::focused_border())
        .title(title.to_owned())
        .title_bottom(keys.to_owned());
    let inner = block.inner(popup);
    clear(frame, popup);
    frame.render_widget(block, popup);
    let [line, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    let room = usize::from(line.width).saturating_sub(prompt.width() + 2);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            prompt,
            Span::raw(super::format::fit(
                &crate::domain::safe_text::neutralise(query, false),
                room,
            )),
            Span::styled("▏", super::theme::key()),
        ])),
        line,
    );
    rest
}

/// A dim note where a list has nothing to show.
pub(super) fn note(frame: &mut Frame, area: Rect, text: &str) {
    frame.render_widget(
        Paragraph::new(text.to_owned())
            .style(super::theme::dim())
            .wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}
