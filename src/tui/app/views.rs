//! What keys do in the filter prompt and when saving the filter as a view; choosing a view.

use super::{App, Command};
use crate::domain::permission::Permission;
use crate::tui::{action::Action, keymap::Mode};

impl App {
    /// The filter prompt's and the save-view prompt's actions; false when not theirs.
    pub(super) fn filter_act(&mut self, action: Action, out: &mut Vec<Command>) -> bool {
        match (self.mode(), action) {
            (Mode::Filter, Action::Back) => self.filter_input = None,
            (Mode::Filter, Action::Save) => {
                let query = self.filter_input.take().unwrap_or_default();
                self.save_view = Some((query.trim().to_owned(), String::new(), false));
            }
            (Mode::Filter, Action::Delete) => {
                // The prompt holds a saved view's name: delete that view.
                let name = self.filter_input.clone().unwrap_or_default();
                let name = name.trim();
                if self
                    .views
                    .iter()
                    .any(|v| v.saved.is_some() && v.name == name)
                {
                    self.filter_input = None;
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
                }
            }
            (Mode::SaveView, Action::Back) => self.save_view = None,
            (Mode::SaveView, Action::ToggleShared) => {
                let admin = self
                    .me
                    .as_ref()
                    .is_some_and(|(_, r)| r.allows(Permission::Administer));
                match self.save_view.as_mut() {
                    Some((_, _, shared)) if admin => *shared = !*shared,
                    _ => self.error("Only admins share views; this one will be yours.".into()),
                }
            }
            (Mode::SaveView, Action::Save) => {
                if let Some((query, name, shared)) = self.save_view.take() {
                    self.select_view_named = Some(name.trim().to_owned());
                    out.push(Command::SaveView {
                        view: crate::domain::view::ViewInput {
                            name,
                            query,
                            sort: crate::domain::view::Sort::Newest,
                            shared,
                        },
                    });
                }
            }
            (Mode::Filter, Action::Send) => {
                let query = self.filter_input.take().unwrap_or_default();
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
            _ => return false,
        }
        true
    }

    /// Shows view `i` (0 is every conversation).
    pub(super) fn select_view(&mut self, i: usize, out: &mut Vec<Command>) {
        let Some(view) = self.views.get(i) else {
            self.info(format!("There is no view {}.", i + 1));
            return;
        };
        self.filter = Some(view.name.clone()).filter(|n| !n.is_empty());
        self.active_view = Some(i);
        self.list.selected = 0;
        self.list.selected_id = None;
        self.list.offset = 0;
        self.reload_list(out);
    }
}
