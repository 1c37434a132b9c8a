//! Choosing a view: `g1`…`g9`, or one just saved.

use super::{App, Command};

impl App {
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
