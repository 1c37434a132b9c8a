//! The conversation list as the app holds it: a window of rows loaded around the selection
//! (never all of them), the total, and which one is selected.

use crate::engine::ConversationView;

/// How many rows one load brings. The screen shows at most ~20; the rest make moving cheap.
pub const PAGE: usize = 150;

#[derive(Debug, Default)]
pub struct ConversationList {
    /// How many conversations exist in all.
    pub total: u64,
    /// The position of `rows[0]` in the whole list.
    pub offset: usize,
    pub rows: Vec<ConversationView>,
    /// The selected position in the whole list.
    pub selected: usize,
    /// The first position shown (the pane scrolls to keep the selection visible).
    pub top: usize,
    /// The selected conversation's id: the selection follows it when the order changes.
    pub selected_id: Option<u64>,
    /// Whether the first load has arrived.
    pub loaded: bool,
    /// A load is on its way.
    pub loading: bool,
    /// Something changed while loading: load again when it arrives.
    pub stale: bool,
}

impl ConversationList {
    pub fn len(&self) -> usize {
        usize::try_from(self.total).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The row at a position of the whole list, when it is loaded.
    pub fn row(&self, position: usize) -> Option<&ConversationView> {
        position
            .checked_sub(self.offset)
            .and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&ConversationView> {
        self.row(self.selected)
    }

    /// Moves the selection by `delta` (clamped) and returns the offset to load from when the
    /// selection has come near the edge of what is loaded.
    pub fn move_by(&mut self, delta: isize) -> Option<usize> {
        if self.total == 0 {
            return None;
        }
        let last = self.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.selected_id = self.selected_row().map(|r| r.id);
        self.needs_window()
    }

    pub fn move_to(&mut self, position: usize) -> Option<usize> {
        let delta = isize::try_from(position).unwrap_or(isize::MAX)
            - isize::try_from(self.selected).unwrap_or(isize::MAX);
        self.move_by(delta)
    }

    /// The offset to load when the selection is within a few rows of the loaded window's
    /// edges (and there is more beyond them).
    pub fn needs_window(&self) -> Option<usize> {
        const MARGIN: usize = 30;
        let end = self.offset + self.rows.len();
        let near_start = self.offset > 0 && self.selected < self.offset + MARGIN;
        let near_end = end < self.len() && self.selected + MARGIN >= end;
        (near_start || near_end || self.selected_row().is_none())
            .then(|| self.selected.saturating_sub(PAGE / 2))
    }

    /// Takes a loaded window, keeping the selection on the same conversation if it is there.
    pub fn loaded(&mut self, total: u64, offset: usize, rows: Vec<ConversationView>) {
        self.total = total;
        self.offset = offset;
        self.rows = rows;
        self.loaded = true;
        self.loading = false;
        if let Some(i) = self
            .selected_id
            .and_then(|id| self.rows.iter().position(|r| r.id == id))
        {
            self.selected = offset + i;
        }
        self.selected = self.selected.min(self.len().saturating_sub(1));
        self.selected_id = self.selected_row().map(|r| r.id);
    }

    /// Replaces a loaded row with a newer copy. Returns whether it was loaded.
    pub fn update(&mut self, row: ConversationView) -> bool {
        match self.rows.iter_mut().find(|r| r.id == row.id) {
            Some(slot) => {
                *slot = row;
                true
            }
            None => false,
        }
    }

    /// Scrolls so the selection is inside a pane of `visible` rows.
    pub fn scroll_to_selection(&mut self, visible: usize) {
        let visible = visible.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + visible {
            self.top = self.selected + 1 - visible;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64) -> ConversationView {
        ConversationView {
            id,
            wa_id: Some(format!("8190{id:08}")),
            user_id: None,
            username: None,
            name: format!("Person {id}"),
            unread: 0,
            failed: 0,
            last_text: String::new(),
            last_message_at: None,
            last_inbound_at: None,
            last_outbound_at: None,
            waiting_since: None,
            window_open: false,
            window_expires_at: None,
            owner: None,
            record_kind: None,
            status: crate::domain::conversation_state::ConversationStatus::Open,
            snoozed_until: None,
            labels: Vec::new(),
        }
    }

    #[test]
    fn asks_for_more_near_the_edge_only() {
        let mut l = ConversationList::default();
        l.loaded(1000, 0, (0..PAGE as u64).map(row).collect());
        assert_eq!(l.move_by(5), None);
        assert_eq!(l.selected_row().unwrap().id, 5);
        assert_eq!(l.move_by(120), Some(125 - PAGE / 2));
        assert_eq!(l.move_to(999), Some(999 - PAGE / 2));
        assert_eq!(l.move_by(10), Some(999 - PAGE / 2), "clamped at the end");
    }

    #[test]
    fn selection_follows_its_conversation_when_the_order_changes() {
        let mut l = ConversationList::default();
        l.loaded(3, 0, vec![row(1), row(2), row(3)]);
        l.move_by(1);
        assert_eq!(l.selected_id, Some(2));
        // Conversation 3 had a new message and moved to the top.
        l.loaded(3, 0, vec![row(3), row(1), row(2)]);
        assert_eq!(l.selected, 2);
        assert_eq!(l.selected_row().unwrap().id, 2);
    }

    #[test]
    fn scrolling_keeps_the_selection_visible() {
        let mut l = ConversationList::default();
        l.loaded(100, 0, (0..100).map(row).collect());
        l.move_to(30);
        l.scroll_to_selection(10);
        assert_eq!(l.top, 21);
        l.move_to(5);
        l.scroll_to_selection(10);
        assert_eq!(l.top, 5);
    }
}
