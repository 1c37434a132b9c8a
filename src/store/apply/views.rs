//! Saved views inside a transaction.

use super::{T, Tx, TxResult};
use crate::domain::{event::Event, view::SavedView};
use crate::store::keys;

impl Tx<'_> {
    pub(super) fn save_view(&self, mut view: SavedView) -> TxResult<Vec<Event>> {
        if view.id == 0 {
            view.id = self.new_id()? + 1;
        }
        self.put(T::Views, keys::id(view.id), &view)?;
        Ok(vec![])
    }
}
