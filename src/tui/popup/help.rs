//! `?` (or F1, which works while typing too): every key of every mode, generated from the
//! keymap, opened at the section of the place it was asked from; j/k scroll. Asked from a
//! popup, it opens over it and closing it goes back there.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph},
};

use super::Popup;
use crate::tui::{
    action::Action,
    app::App,
    keymap::{self, Mode},
    theme,
};

/// The help overlay: where it is scrolled to, and the popup it was opened over.
#[derive(Debug)]
pub struct Help {
    pub scroll: usize,
    pub under: Option<Box<Popup>>,
}

/// The modes in the order help shows them.
const MODES: [Mode; 32] = [
    Mode::List,
    Mode::Bulk,
    Mode::Chat,
    Mode::Attachments,
    Mode::Compose,
    Mode::AttachPath,
    Mode::SendAt,
    Mode::Scheduled,
    Mode::Rules,
    Mode::Credits,
    Mode::Picker,
    Mode::Notifications,
    Mode::GoTo,
    Mode::Choose,
    Mode::ConfirmSend,
    Mode::Filter,
    Mode::SaveView,
    Mode::Records,
    Mode::Search,
    Mode::Templates,
    Mode::TemplateForm,
    Mode::MergeFields,
    Mode::Record,
    Mode::RecordForm,
    Mode::Assign,
    Mode::Labels,
    Mode::SnoozeUntil,
    Mode::Settings,
    Mode::SettingsInput,
    Mode::Connect,
    Mode::ConnectNumber,
    Mode::ConfirmQuit,
];

/// The line where `mode`'s section starts.
fn section_start(mode: Mode) -> usize {
    let mut line = 0;
    for m in MODES {
        if m == mode {
            return line;
        }
        // A title, its keys, and a blank line between sections.
        line += 2 + keymap::help_lines(m).len();
    }
    0
}

impl App {
    /// Opens help at the section of where the keyboard is, over any popup open.
    pub(in crate::tui) fn open_help(&mut self) {
        let scroll = section_start(self.mode());
        let under = self.popup.take().map(Box::new);
        self.popup = Some(Popup::Help(Help { scroll, under }));
    }

    pub(super) fn help_act(&mut self, action: Action) {
        let Some(Popup::Help(help)) = self.popup.as_mut() else {
            return;
        };
        match action {
            Action::Down => help.scroll += 1,
            Action::Up => help.scroll = help.scroll.saturating_sub(1),
            Action::Back | Action::Help => {
                self.popup = help.under.take().map(|p| *p);
            }
            _ => {}
        }
    }
}

pub fn lines() -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for mode in MODES {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(mode.title(), theme::unread()));
        for (keys, label) in keymap::help_lines(mode) {
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), theme::key()),
                Span::raw(label),
            ]));
        }
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, scroll: usize) {
    let all = lines();
    let width = 56.min(area.width.saturating_sub(4));
    let height = area
        .height
        .saturating_sub(4)
        .min(u16::try_from(all.len()).unwrap_or(u16::MAX) + 2);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let visible = usize::from(height.saturating_sub(2));
    let scroll = scroll.min(all.len().saturating_sub(visible));
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(visible).collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(" Keys ")
        .title_bottom(" j/k scroll · Esc close ");
    crate::tui::view::clear(frame, popup);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}

#[cfg(test)]
mod tests {
    #[test]
    fn help_covers_every_place_the_keyboard_can_be() {
        let text: Vec<String> = super::lines().iter().map(ToString::to_string).collect();
        for title in [
            "After g",
            "Filter",
            "Search",
            "New template",
            "Merge fields",
        ] {
            assert!(text.iter().any(|l| l == title), "{title} missing");
        }
        assert!(
            text.iter()
                .any(|l| l.contains("Ctrl-d") && l.contains("delete the saved view it names"))
        );
    }
}
