//! The views and their counts, and choosing one: `g1`…`g9`, or one just saved.

use super::{App, Command, Input};

/// Whether the views' counts are on their way. One load at a time: every page of the list asks
/// for them, and a count may scan every conversation's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Load {
    Idle,
    Loading,
    /// The list moved while they were on their way: once more when they come.
    LoadingStale,
}

impl App {
    /// Asks for the views' counts, unless a load is on its way (then once more after it).
    pub(super) fn load_views(&mut self, out: &mut Vec<Command>) {
        if self.views_load == Load::Idle {
            self.views_load = Load::Loading;
            out.push(Command::LoadViews);
        } else {
            self.views_load = Load::LoadingStale;
        }
    }

    /// The views with their counts (or the failure to load them): the next load may go, at
    /// once if one was wanted meanwhile.
    pub(super) fn views_input(&mut self, input: Input, out: &mut Vec<Command>) {
        match input {
            Input::Views(views) => {
                self.views = views;
                if let Some(name) = self.select_view_named.take()
                    && let Some(i) = self.views.iter().position(|v| v.name == name)
                {
                    self.select_view(i, out);
                }
            }
            Input::ViewsFailed(e) => self.error(e),
            _ => return,
        }
        let again = self.views_load == Load::LoadingStale;
        self.views_load = Load::Idle;
        if again {
            self.load_views(out);
        }
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
