//! `A` in the list or the chat: whom to hand the conversation to — yourself, a user who
//! answers, a group (its members in turn), or nobody. The engine checks who may (a recruiter
//! takes one or hands over their own) and tells the one it goes to.

use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Block, Borders, Paragraph},
};

use super::{Popup, moved};
use crate::{
    domain::safe_text::neutralise,
    tui::{
        action::Action,
        app::{App, Command, Input},
        theme,
    },
};

#[derive(Debug)]
pub struct AssignPicker {
    pub conversation_id: u64,
    pub name: String,
    /// (what the row says, what `to` it sends); none until the team arrives.
    pub choices: Vec<(String, String)>,
    pub cursor: usize,
}

impl App {
    /// `A`: the picker for the open chat's conversation, else the list's selected one.
    pub(in crate::tui) fn ask_assign(&mut self, out: &mut Vec<Command>) {
        let Some(c) = self.state_target() else {
            return;
        };
        self.popup = Some(Popup::Assign(AssignPicker {
            conversation_id: c.id,
            name: c.name,
            choices: Vec::new(),
            cursor: 0,
        }));
        out.push(Command::LoadTeam);
    }

    /// The team arrived: me first, then the others, the groups, nobody.
    pub(in crate::tui) fn team_input(&mut self, input: Input) {
        let me = self.me.as_ref().map(|(login, _)| login.clone());
        let Some(Popup::Assign(p)) = self.popup.as_mut() else {
            return;
        };
        let Input::Team { users, groups } = input else {
            return;
        };
        let mut choices = Vec::new();
        if let Some(me) = &me {
            choices.push((format!("me ({me})"), me.clone()));
        }
        for (login, name) in users.into_iter().filter(|(l, _)| Some(l) != me.as_ref()) {
            choices.push((format!("{name} ({login})"), login));
        }
        for g in groups {
            choices.push((
                format!("group {g} (its members in turn)"),
                format!("group:{g}"),
            ));
        }
        choices.push(("nobody".into(), "none".into()));
        p.choices = choices;
    }

    pub(super) fn assign_act(&mut self, action: Action, out: &mut Vec<Command>) {
        let Some(Popup::Assign(p)) = self.popup.as_mut() else {
            return;
        };
        match action {
            Action::Down => p.cursor = moved(p.cursor, 1, p.choices.len()),
            Action::Up => p.cursor = moved(p.cursor, -1, p.choices.len()),
            Action::Pick => {
                if let Some((_, to)) = p.choices.get(p.cursor) {
                    out.push(Command::Assign {
                        conversation_id: p.conversation_id,
                        to: to.clone(),
                    });
                    self.close_popup();
                }
            }
            Action::Back => self.close_popup(),
            _ => {}
        }
    }
}

pub fn render(picker: &AssignPicker, frame: &mut Frame, area: Rect) {
    let width = 64.min(area.width.saturating_sub(4));
    let rows = u16::try_from(picker.choices.len()).unwrap_or(u16::MAX);
    let height = (rows + 4).clamp(6, area.height.saturating_sub(2).max(6));
    let popup = crate::tui::view::centred(area, width, height);
    crate::tui::view::clear(frame, popup);
    let mut lines = Vec::new();
    if picker.choices.is_empty() {
        lines.push(Line::styled("Loading the team…", theme::dim()));
    }
    for (i, (label, _)) in picker.choices.iter().enumerate() {
        let label = neutralise(label, false).into_owned();
        lines.push(if i == picker.cursor {
            Line::styled(format!("> {label}"), theme::selected())
        } else {
            Line::raw(format!("  {label}"))
        });
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border())
        .title(format!(
            " Assign {} to ",
            crate::tui::format::fit(&picker.name, usize::from(width).saturating_sub(16))
        ))
        .title_bottom(" ↑↓ choose · Enter assign · Esc cancel ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
