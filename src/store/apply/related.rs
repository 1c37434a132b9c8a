//! Job openings, interviews, clients and bookings inside a transaction.

use super::{T, Tx, TxResult};
use crate::domain::{
    event::Event,
    related::{Related, RelatedData},
};
use crate::store::keys;

impl Tx<'_> {
    /// Saves `data`, replacing the one with the same natural key (a re-import updates).
    pub(super) fn save_related(&self, data: &RelatedData) -> TxResult<Vec<Event>> {
        let natural = keys::related_natural(data);
        let id = match self.get_id(T::RelatedIndex, &natural)? {
            Some(id) => {
                if let Some(old) = self.get::<Related>(T::Related, keys::id(id))? {
                    for k in keys::related_lookups(&old) {
                        self.tree(T::RelatedIndex).remove(k)?;
                    }
                }
                id
            }
            None => self.new_id()? + 1,
        };
        let related = Related {
            id,
            data: data.clone(),
        };
        self.put(T::Related, keys::id(id), &related)?;
        self.tree(T::RelatedIndex).insert(natural, &keys::id(id))?;
        for k in keys::related_lookups(&related) {
            self.tree(T::RelatedIndex).insert(k, &[])?;
        }
        // An interview may bring a reminder near (`date_near` rules).
        self.fire_interview(&related)
    }
}
