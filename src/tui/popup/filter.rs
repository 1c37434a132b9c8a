//! `f`: the filter prompt in the status bar (Enter applies, Ctrl-s saves it as a view, Ctrl-d
//! deletes the saved view it names), and naming a view to save.

use crossterm::event::KeyEvent;
use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};

use super::{Popup, Typed, typed};
use crate::domain::{
    permission::Permission,
    view::{Sort, ViewInput},
};
use crate::tui::{
    action::Action,
    app::{App, Command},
    format::fit,
    theme,
};

/// Saving the filter as a view.
#[derive(Debug, Default)]
pub struct SaveView {
    pub query: String,
    /// The name being typed.
    pub name: String,
    /// Shared with everyone (admins only), or the recruiter's own.
    pub shared: bool,
}

impl App {
    /// Letters are the filter, or the view's name.
    pub(super) fn prompt_key(&mut self, key: KeyEvent) {
        let text = match self.popup.as_mut() {
            Some(Popup::Filter(text)) => text,
            Some(Popup::SaveView(s)) => &mut s.name,
            _ => return,
        };
        match typed(key) {
            Some(Typed::Char(c)) => text.push(c),
            Some(Typed::Backspace) => {
                text.pop();
            }
            None => {}
        }
    }

    pub(super) fn filter_act(&mut self, action: Action, out: &mut Vec<Command>) {
        match (self.popup.take(), action) {
            (Some(Popup::Filter(_) | Popup::SaveView(_)), Action::Back) => {}
            (Some(Popup::Filter(query)), Action::Save) => {
                self.popup = Some(Popup::SaveView(SaveView {
                    query: query.trim().to_owned(),
                    ..SaveView::default()
                }));
            }
            (Some(Popup::Filter(text)), Action::Delete) => self.delete_view(text, out),
            (Some(Popup::Filter(query)), Action::Send) => self.apply_filter(&query, out),
            (Some(Popup::SaveView(mut s)), Action::ToggleShared) => {
                let admin = self
                    .me
                    .as_ref()
                    .is_some_and(|(_, r)| r.allows(Permission::Administer));
                if admin {
                    s.shared = !s.shared;
                } else {
                    self.error("Only admins share views; this one will be yours.".into());
                }
                self.popup = Some(Popup::SaveView(s));
            }
            (Some(Popup::SaveView(s)), Action::Save) => {
                self.select_view_named = Some(s.name.trim().to_owned());
                out.push(Command::SaveView {
                    view: ViewInput {
                        name: s.name,
                        query: s.query,
                        sort: Sort::Newest,
                        shared: s.shared,
                    },
                });
            }
            (other, _) => self.popup = other,
        }
    }

    /// The prompt holds a saved view's name: delete that view (else say so, prompt open).
    fn delete_view(&mut self, text: String, out: &mut Vec<Command>) {
        let name = text.trim();
        if self
            .views
            .iter()
            .any(|v| v.saved.is_some() && v.name == name)
        {
            self.filter = None;
            self.active_view = Some(0);
            self.reload_list(out);
            out.push(Command::DeleteView {
                name: name.to_owned(),
            });
        } else {
            self.error(format!(
                "{name:?} is not a saved view; Ctrl-d deletes one by its name."
            ));
            self.popup = Some(Popup::Filter(text));
        }
    }

    fn apply_filter(&mut self, query: &str, out: &mut Vec<Command>) {
        self.filter = Some(query.trim().to_owned()).filter(|q| !q.is_empty());
        self.active_view = match &self.filter {
            None => Some(0),
            Some(f) => self.views.iter().position(|v| v.name == *f),
        };
        self.list.selected = 0;
        self.list.selected_id = None;
        self.list.offset = 0;
        self.reload_list(out);
    }
}

/// The prompt, drawn in the status bar; false when neither prompt is open.
pub fn render(app: &App, frame: &mut Frame, area: Rect) -> bool {
    let line = match &app.popup {
        Some(Popup::Filter(input)) => Line::from(vec![
            Span::styled(" Filter: ", theme::header()),
            Span::raw(format!(
                " {}",
                fit(input, usize::from(area.width).saturating_sub(60))
            )),
            Span::styled("▏", theme::key()),
            Span::styled(
                "  Enter apply · Ctrl-s save as a view · Ctrl-d delete that view · Esc cancel · e.g. unreplied>3d owner:me",
                theme::dim(),
            ),
        ]),
        Some(Popup::SaveView(s)) => {
            let whom = if s.shared {
                "shared with everyone"
            } else {
                "yours alone"
            };
            Line::from(vec![
                Span::styled(" Save view: ", theme::header()),
                Span::raw(format!(" {}", fit(&s.name, 30))),
                Span::styled("▏", theme::key()),
                Span::styled(
                    format!(
                        "  {whom} (Tab) · Enter save · Esc cancel · query: {}",
                        fit(&s.query, usize::from(area.width).saturating_sub(90))
                    ),
                    theme::dim(),
                ),
            ])
        }
        _ => return false,
    };
    frame.render_widget(Paragraph::new(line), area);
    true
}
