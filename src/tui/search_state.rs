//! `/`: searching every conversation's messages and names; `Enter` jumps to the hit.

use crate::engine::api::SearchHit;

#[derive(Debug, Default)]
pub struct SearchPanel {
    pub query: String,
    /// The answer to `query` (the newest asked).
    pub hits: Vec<SearchHit>,
    pub selected: usize,
    pub loading: bool,
}

impl SearchPanel {
    pub fn selected_hit(&self) -> Option<&SearchHit> {
        self.hits.get(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(self.hits.len().saturating_sub(1));
    }

    /// Edits the query; true when there is something to search for.
    pub fn edit(&mut self, c: Option<char>) -> bool {
        match c {
            Some(c) => self.query.push(c),
            None => {
                self.query.pop();
            }
        }
        self.selected = 0;
        self.loading = !self.query.trim().is_empty();
        if !self.loading {
            self.hits.clear();
        }
        self.loading
    }

    /// Takes an answer, unless it is for a query that has since changed.
    pub fn answered(&mut self, query: &str, hits: Vec<SearchHit>) {
        if query == self.query {
            self.hits = hits;
            self.loading = false;
            self.selected = self.selected.min(self.hits.len().saturating_sub(1));
        }
    }
}
