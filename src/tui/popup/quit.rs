//! Quitting over an unsent reply asks first: `y` quits (the reply stays as a draft for next
//! time), `n` or `Esc` goes back to it.

use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::Popup;
use crate::tui::{action::Action, app::App, format::fit, theme};

impl App {
    /// `q` or `Ctrl-c`: quits, unless a reply is being written (then asks; a second `Ctrl-c`
    /// quits).
    pub(in crate::tui) fn ask_to_quit(&mut self) {
        let asking = matches!(self.popup, Some(Popup::Quit));
        if asking || self.reply_text().trim().is_empty() {
            self.quit = true;
        } else {
            self.popup = Some(Popup::Quit);
        }
    }

    pub(super) fn quit_act(&mut self, action: Action) {
        match action {
            Action::Confirm => self.quit = true,
            Action::Back => self.close_popup(),
            _ => {}
        }
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let name = app
        .chat
        .as_ref()
        .map_or_else(String::new, |c| c.conversation.name.clone());
    let width = 56.min(area.width.saturating_sub(4));
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + area.height.saturating_sub(6) / 2,
        width,
        6.min(area.height),
    );
    crate::tui::view::clear(frame, popup);
    let text = vec![
        Line::raw(format!(
            "Your reply to {} is not sent.",
            fit(
                &crate::domain::safe_text::neutralise(&name, false),
                usize::from(width).saturating_sub(28)
            )
        )),
        Line::styled("It stays as a draft for next time.", theme::dim()),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Quit? ")
        .title_bottom(" y quit · n stay ");
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
        popup,
    );
}
