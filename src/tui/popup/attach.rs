//! `Alt-a` in the compose box: a path prompt in the status bar (readline keys, `Tab`
//! completes from the folder typed so far), the file then listed under the reply. With
//! `[attachments] picker_command` the chooser runs instead.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};

use super::{Popup, filter::input_spans};
use crate::tui::{
    action::Action,
    app::{App, EditTarget},
    files::complete_path,
    line_input::LineInput,
    theme,
};

/// The prompt: the path being typed, and what `Tab` last found.
#[derive(Debug, Default)]
pub struct AttachPrompt {
    pub input: LineInput,
    pub matches: Vec<String>,
}

impl App {
    /// Opens the chooser or the path prompt.
    pub(in crate::tui) fn ask_attach(&mut self) {
        if !self.window_open() {
            self.error("The 24-hour window is closed: files go only within it.".into());
            return;
        }
        if self.file_setup.picker.is_some() {
            self.ask_editor(EditTarget::Attach);
        } else {
            self.popup = Some(Popup::Attach(AttachPrompt::default()));
        }
    }

    pub(super) fn attach_key(&mut self, key: KeyEvent) {
        if let Some(Popup::Attach(p)) = self.popup.as_mut() {
            p.input.key(key);
        }
    }

    pub(super) fn attach_act(&mut self, action: Action) {
        let Some(Popup::Attach(mut prompt)) = self.popup.take() else {
            return;
        };
        match action {
            Action::Back => {}
            Action::Send => self.attach_path(prompt.input.text()),
            Action::NextField => {
                let (completed, matches) = complete_path(prompt.input.text());
                prompt.input = LineInput::new(&completed);
                prompt.matches = matches;
                self.popup = Some(Popup::Attach(prompt));
            }
            _ => self.popup = Some(Popup::Attach(prompt)),
        }
    }
}

/// The prompt, drawn in the status bar; false when it is not open.
pub fn render(app: &App, frame: &mut Frame, area: Rect) -> bool {
    let Some(Popup::Attach(prompt)) = &app.popup else {
        return false;
    };
    let width = usize::from(area.width);
    let mut spans = vec![Span::styled(" Attach: ", theme::header()), Span::raw(" ")];
    spans.extend(input_spans(&prompt.input, width.saturating_sub(60).max(20)));
    let hint = if prompt.matches.is_empty() {
        "  Tab complete · Enter attach · Esc cancel · a full path or ~/…".to_owned()
    } else {
        format!("  {}", prompt.matches.join("  "))
    };
    spans.push(Span::styled(hint, theme::dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    true
}
