//! Reading job openings, interviews, clients and bookings through their lookups.

use super::{Store, StoreError, T, get_value, keys};
use crate::domain::related::{Related, RelatedData, RelatedKind};

impl Store {
    /// The items of `kind` looked up `by` (see [`keys::related_prefix`]).
    fn related_by(&self, kind: RelatedKind, by: &str) -> Result<Vec<Related>, StoreError> {
        let prefix = keys::related_prefix(kind, by);
        let mut out = Vec::new();
        for kv in self.tree(T::RelatedIndex)?.scan_prefix(&prefix) {
            let (k, _) = kv?;
            // Exactly the prefix and an id: not a longer name that starts the same.
            if k.len() != prefix.len() + 8 {
                continue;
            }
            let id = keys::read_id(&k[prefix.len()..]);
            if let Some(r) = get_value(&self.tree(T::Related)?, keys::id(id))? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// A candidate's interviews, in the order they were first imported.
    pub fn interviews_of(&self, candidate_id: u64) -> Result<Vec<Related>, StoreError> {
        self.related_by(RelatedKind::Interview, &format!("{candidate_id:016x}"))
    }

    /// Job openings with this posting title (any case).
    pub fn job_openings_titled(&self, title: &str) -> Result<Vec<Related>, StoreError> {
        self.related_by(RelatedKind::JobOpening, title)
    }

    /// A client's departments (any case).
    pub fn clients_named(&self, name: &str) -> Result<Vec<Related>, StoreError> {
        self.related_by(RelatedKind::Client, name)
    }

    /// The user's booking pages and the shared ones.
    pub fn bookings_for(&self, login: &str) -> Result<Vec<Related>, StoreError> {
        let mut own = self.related_by(RelatedKind::Booking, login)?;
        own.extend(self.related_by(RelatedKind::Booking, "")?);
        Ok(own)
    }

    /// The id of the stored item that `data` would update, if any.
    pub fn related_id(&self, data: &RelatedData) -> Result<Option<u64>, StoreError> {
        Ok(self
            .tree(T::RelatedIndex)?
            .get(keys::related_natural(data))?
            .map(|v| keys::read_id(&v)))
    }
}
