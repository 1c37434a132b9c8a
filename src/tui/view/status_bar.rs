//! The bottom line: a toast when there is one, else the keys that matter in this mode,
//! generated from the keymap.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::tui::{app::App, format::fit, keymap, theme};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if crate::tui::popup::filter::render(app, frame, area)
        || crate::tui::popup::attach::render(app, frame, area)
        || crate::tui::popup::snooze::render(app, frame, area)
        || crate::tui::popup::scheduled::render_prompt(app, frame, area)
    {
        return;
    }
    if let Some(t) = &app.toast {
        let style = if t.error {
            theme::error_toast()
        } else {
            theme::info_toast()
        };
        let text = format!(
            " {} ",
            fit(&t.text, usize::from(area.width).saturating_sub(2))
        );
        frame.render_widget(Paragraph::new(text).style(style), area);
        return;
    }
    // After `g`, what the next key does.
    let mode = if app.pending_go() {
        keymap::Mode::GoTo
    } else {
        app.mode()
    };
    let mut spans = vec![Span::styled(format!(" {} ", mode.title()), theme::header())];
    for (keys, label) in keymap::hints(mode) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(keys, theme::key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
