//! `L` in the list or the chat: the labels defined, those on the conversation checked; Enter
//! puts the one under the cursor on or takes it off (the engine records who did it).

use ratatui::{
    Frame,
    layout::Rect,
    style::{Color, Style},
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph},
};

use super::{Popup, moved};
use crate::{
    domain::{label::Label, safe_text::neutralise},
    tui::{
        action::Action,
        app::{App, Command, Input},
        theme,
    },
};

#[derive(Debug)]
pub struct LabelPicker {
    pub conversation_id: u64,
    pub name: String,
    /// Those on the conversation.
    pub on: Vec<String>,
    pub loaded: bool,
    pub cursor: usize,
}

/// A label's colour on screen.
pub fn colour(app: &App, name: &str) -> Style {
    let c = app
        .labels
        .iter()
        .find(|l| l.name == name)
        .map_or("cyan", |l| l.colour.as_str());
    Style::new().fg(match c {
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "gray" => Color::Gray,
        _ => Color::Cyan,
    })
}

impl App {
    /// `L`: the picker for the open chat's conversation, else the list's selected one.
    pub(in crate::tui) fn ask_labels(&mut self, out: &mut Vec<Command>) {
        let Some(c) = self.state_target() else {
            return;
        };
        self.popup = Some(Popup::Labels(LabelPicker {
            conversation_id: c.id,
            name: c.name,
            on: c.labels,
            loaded: false,
            cursor: 0,
        }));
        out.push(Command::LoadLabels);
    }

    pub(in crate::tui) fn labels_input(&mut self, input: Input) {
        let Input::Labels(labels) = input else {
            return;
        };
        self.labels = labels;
        if let Some(Popup::Labels(p)) = self.popup.as_mut() {
            p.loaded = true;
        }
    }

    pub(super) fn labels_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let count = self.labels.len();
        let label = |i: usize| self.labels.get(i).map(|l: &Label| l.name.clone());
        let Some(Popup::Labels(p)) = self.popup.as_ref() else {
            return;
        };
        let under = label(p.cursor);
        let Some(Popup::Labels(p)) = self.popup.as_mut() else {
            return;
        };
        match action {
            Action::Down => p.cursor = moved(p.cursor, 1, count),
            Action::Up => p.cursor = moved(p.cursor, -1, count),
            Action::Pick => {
                let Some(name) = under else {
                    return;
                };
                let on = p.on.contains(&name);
                if on {
                    p.on.retain(|l| *l != name);
                } else {
                    p.on.push(name.clone());
                }
                let (add, remove) = if on {
                    (vec![], vec![name])
                } else {
                    (vec![name], vec![])
                };
                out.push(Command::Label {
                    conversation_id: p.conversation_id,
                    add,
                    remove,
                });
            }
            Action::Back => self.close_popup(),
            _ => {}
        }
    }
}

pub fn render(app: &App, picker: &LabelPicker, frame: &mut Frame, area: Rect) {
    let width = 56.min(area.width.saturating_sub(4));
    let rows = u16::try_from(app.labels.len()).unwrap_or(u16::MAX);
    let height = (rows + 4).clamp(6, area.height.saturating_sub(2).max(6));
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let mut lines = Vec::new();
    if !picker.loaded {
        lines.push(Line::styled("Loading the labels…", theme::dim()));
    } else if app.labels.is_empty() {
        lines.push(Line::styled(
            "No labels yet: an admin defines them (`hirechat labels create NAME --colour C`).",
            theme::dim(),
        ));
    }
    for (i, l) in app.labels.iter().enumerate() {
        let mark = if picker.on.contains(&l.name) {
            "[x]"
        } else {
            "[ ]"
        };
        let cursor = if i == picker.cursor { "> " } else { "  " };
        let base = if i == picker.cursor {
            theme::selected()
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{cursor}{mark} "), base),
            Span::styled(
                neutralise(&l.name, false).into_owned(),
                base.patch(colour(app, &l.name)),
            ),
        ]));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(
            " Labels on {} ",
            crate::tui::format::fit(&picker.name, usize::from(width).saturating_sub(16))
        ))
        .title_bottom(" ↑↓ choose · Enter put on / take off · Esc done ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
