//! Quitting over an unsent reply, or over files attached to one, asks first: `y` quits (the
//! reply's text stays as a draft for next time, its files do not), `n` or `Esc` goes back.

use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::Popup;
use crate::tui::{action::Action, app::App, format::fit, theme};

impl App {
    /// `q` or `Ctrl-c`: quits, unless a reply is being written or files wait to be sent
    /// (then asks; a second `Ctrl-c` quits).
    pub(in crate::tui) fn ask_to_quit(&mut self) {
        let asking = matches!(self.popup, Some(Popup::Quit));
        if asking || (self.reply_text().trim().is_empty() && self.attached_files() == 0) {
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
    let open_reply = !app.reply_text().trim().is_empty()
        || app.chat.as_ref().is_some_and(|c| !c.pending.is_empty());
    let first = if open_reply {
        format!(
            "Your reply to {} is not sent.",
            fit(
                &crate::domain::safe_text::neutralise(&name, false),
                usize::from(width).saturating_sub(28)
            )
        )
    } else {
        "A reply with files attached is not sent.".to_owned()
    };
    let text = vec![
        Line::raw(first),
        Line::styled(
            kept(app.attached_files(), !app.drafts().is_empty()),
            theme::dim(),
        ),
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

/// What quitting keeps: text as drafts, never the files attached.
fn kept(files: usize, text: bool) -> String {
    match (files, text) {
        (0, _) => "It stays as a draft for next time.".into(),
        (1, true) => "Text stays as a draft; the file attached will not.".into(),
        (1, false) => "The file attached will not be kept.".into(),
        (n, true) => format!("Text stays as a draft; the {n} files attached will not."),
        (n, false) => format!("The {n} files attached will not be kept."),
    }
}
