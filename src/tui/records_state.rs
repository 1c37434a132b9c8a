//! The records pane: candidates and contacts, searched as the recruiter types; `Enter` opens
//! the selected one's conversation (started when there is none yet).

use crate::domain::record::Record;

#[derive(Debug, Default)]
pub struct RecordsPanel {
    pub query: String,
    /// The answer to `query` (the newest asked), and how many match in all.
    pub records: Vec<Record>,
    pub total: usize,
    pub selected: usize,
    /// Waiting for the answer to the current query.
    pub loading: bool,
}

impl RecordsPanel {
    pub fn selected_record(&self) -> Option<&Record> {
        self.records.get(self.selected)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(self.records.len().saturating_sub(1));
    }

    pub fn type_char(&mut self, c: char) {
        self.query.push(c);
        self.loading = true;
    }

    pub fn backspace(&mut self) {
        self.query.pop();
        self.loading = true;
    }

    /// Takes an answer, unless it is for a query that has since changed.
    pub fn answered(&mut self, query: &str, total: usize, records: Vec<Record>) {
        if query != self.query {
            return;
        }
        self.records = records;
        self.total = total;
        self.loading = false;
        self.selected = self.selected.min(self.records.len().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::RecordInput;

    fn record(name: &str) -> Record {
        RecordInput {
            name: name.into(),
            ..RecordInput::default()
        }
        .validate(1)
        .unwrap()
    }

    #[test]
    fn a_late_answer_to_an_old_query_is_dropped() {
        let mut p = RecordsPanel::default();
        p.type_char('k');
        p.type_char('e');
        p.answered("k", 2, vec![record("Ken"), record("Kenji")]);
        assert!(p.records.is_empty() && p.loading);
        p.answered("ke", 1, vec![record("Ken")]);
        assert_eq!((p.total, p.loading), (1, false));
        p.move_by(5);
        assert_eq!(p.selected_record().unwrap().name, "Ken");
    }
}
