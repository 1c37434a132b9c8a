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
            // No further than the last line, so that `k` moves at once after many `j`.
            Action::Down => help.scroll = (help.scroll + 1).min(lines().len().saturating_sub(1)),
            Action::Up => help.scroll = help.scroll.saturating_sub(1),
            Action::Back | Action::Help => {
                self.popup = help.under.take().map(|p| *p);
            }
            _ => {}
        }
    }
}

/// The width of the keys' column, before each label.
const KEYS_WIDTH: usize = 24;
/// The widest the help gets; longer labels wrap.
const MAX_WIDTH: usize = 90;

/// Every section with its keys, a line per action.
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

/// `line` in lines of at most `width` columns: a label too long goes on under its own column,
/// so that nothing a key does is cut off on a narrow terminal.
fn wrapped(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let [keys, label] = line.spans.as_slice() else {
        return vec![line];
    };
    if line.width() <= width || width <= KEYS_WIDTH + 8 {
        return vec![line];
    }
    let keys_width = keys.width().max(KEYS_WIDTH);
    crate::tui::format::wrap(&label.content, width.saturating_sub(keys_width))
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let lead = if i == 0 {
                keys.clone()
            } else {
                Span::raw(" ".repeat(keys_width))
            };
            Line::from(vec![lead, Span::raw(part)])
        })
        .collect()
}

/// Draws help as wide as its longest line (within [`MAX_WIDTH`] and the screen), from the
/// line `scroll` (counted in [`lines`]) on.
pub fn render(frame: &mut Frame, area: Rect, scroll: usize) {
    let all = lines();
    // Wide enough for most labels, not so wide that the eye has to travel from key to label.
    let widest = all.iter().map(Line::width).max().unwrap_or(0) + 2;
    let width = u16::try_from(widest.min(MAX_WIDTH))
        .unwrap_or(u16::MAX)
        .min(area.width.saturating_sub(4));
    let inner = usize::from(width.saturating_sub(2));
    let mut shown = Vec::new();
    let mut starts = Vec::new();
    for line in all {
        starts.push(shown.len());
        shown.extend(wrapped(line, inner));
    }
    let height = area
        .height
        .saturating_sub(4)
        .min(u16::try_from(shown.len()).unwrap_or(u16::MAX) + 2);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let visible = usize::from(height.saturating_sub(2));
    let top = starts
        .get(scroll)
        .copied()
        .unwrap_or(shown.len())
        .min(shown.len().saturating_sub(visible));
    let shown: Vec<Line> = shown.into_iter().skip(top).take(visible).collect();
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

    #[test]
    fn a_long_label_goes_on_under_its_column_instead_of_being_cut() {
        let line = ratatui::text::Line::from(vec![
            ratatui::text::Span::raw(format!("  {:<22}", "Enter")),
            ratatui::text::Span::raw("next: see who gets it, then send it"),
        ]);
        let parts: Vec<String> = super::wrapped(line.clone(), 44)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            parts,
            [
                "  Enter                 next: see who gets",
                "                        it, then send it",
            ]
        );
        assert_eq!(super::wrapped(line, 80).len(), 1, "it fits: one line");
    }
}
