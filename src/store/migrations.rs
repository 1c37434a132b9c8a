//! Each change of the stored layout, as a numbered step: a store written by an older version
//! is brought up to date when opened, one step after another, then stamped with the version.

use std::path::Path;

use super::{Conversation, Store, StoreError, T, apply, decode, keys};

/// The layout this code writes. Bump it with a migration in `check_schema`.
/// 1: the first layout. 2: the unreplied index (`conv_unreplied`, by owner, counters).
/// 3: the search index. 4: the search index as posting lists.
pub const SCHEMA_VERSION: u32 = 4;

/// A step to schema `to`, run on a store older than that.
struct Step {
    to: u32,
    what: &'static str,
    run: fn(&Store) -> Result<(), StoreError>,
}

/// In order. Schema 3 (a key per word) was replaced by 4 before it was ever needed alone.
const STEPS: [Step; 2] = [
    Step {
        to: 2,
        what: "the unreplied index",
        run: build_unreplied_index,
    },
    Step {
        to: 4,
        what: "the search index as posting lists",
        run: Store::build_search_index,
    },
];

impl Store {
    pub(super) fn check_schema(&self, dir: &Path) -> Result<(), StoreError> {
        let meta = self.tree(T::Meta)?;
        match meta.get(keys::SCHEMA_VERSION_KEY)? {
            None => {
                meta.insert(keys::SCHEMA_VERSION_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                self.current()?.db.flush()?;
            }
            Some(v) => {
                let found = u32::from_be_bytes(v.as_ref().try_into().map_err(|_| {
                    StoreError::Corrupt("schema_version is not a 4-byte number".into())
                })?);
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        path: dir.to_owned(),
                        found,
                    });
                }
                for step in STEPS.iter().filter(|s| s.to > found) {
                    tracing::info!(to = step.to, "migrating the store: {}", step.what);
                    (step.run)(self)?;
                }
                if found < SCHEMA_VERSION {
                    meta.insert(keys::SCHEMA_VERSION_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                    self.current()?.db.flush()?;
                }
            }
        }
        Ok(())
    }
}

/// Schema 2: indexes every unreplied conversation (one pass over them all).
fn build_unreplied_index(store: &Store) -> Result<(), StoreError> {
    store.tree(T::ConvUnreplied)?.clear()?;
    store.tree(T::ConvUnrepliedByOwner)?.clear()?;
    let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for kv in &store.tree(T::Conversations)? {
        let c: Conversation = decode(&kv?.1)?;
        if let Some((since, owner)) = apply::waiting(&c) {
            let key = keys::activity(since, c.id);
            store.tree(T::ConvUnreplied)?.insert(key, &[])?;
            *counts
                .entry(keys::UNREPLIED_COUNTER.to_owned())
                .or_default() += 1;
            if let Some(o) = owner {
                store
                    .tree(T::ConvUnrepliedByOwner)?
                    .insert(keys::owned(&o, &key), &[])?;
                *counts.entry(keys::owner_counter(&o)).or_default() += 1;
            }
        }
    }
    for (name, n) in counts {
        store.tree(T::Meta)?.insert(name, &keys::id(n))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::{
            message::{Effect, Summary},
            phone::PhoneNumber,
        },
        store::{Arrived, Change, ContactInfo, Waited},
    };
    use chrono::Utc;

    #[test]
    fn a_schema_1_store_gets_its_unreplied_and_search_indexes_on_open() {
        let dir = std::env::temp_dir().join(format!("hirechat-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let store = Store::open(&dir, 8).unwrap();
            let change = Change::Inbound(Arrived {
                contact: ContactInfo {
                    phone: Some(PhoneNumber::parse("+819012345678").unwrap()),
                    ..ContactInfo::default()
                },
                wamid: "wamid.M".into(),
                at: Utc::now(),
                reply_to: None,
                effect: Effect::New(Summary {
                    kind: "text".into(),
                    text: "Is the interview still on?".into(),
                    media: None,
                }),
                error_code: None,
                payload: None,
            });
            store.apply(&[change]).unwrap();
            // As a schema-1 store left it: no indexes, no counter.
            store.tree(T::ConvUnreplied).unwrap().clear().unwrap();
            store.tree(T::SearchIndex).unwrap().clear().unwrap();
            let meta = store.tree(T::Meta).unwrap();
            meta.remove(keys::UNREPLIED_COUNTER).unwrap();
            meta.insert(keys::SCHEMA_VERSION_KEY, &1u32.to_be_bytes())
                .unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(&dir, 8).unwrap();
        let (total, page) = store.unreplied(None, Waited::Any, 0, 10).unwrap();
        assert_eq!((total, page.len()), (1, 1));
        let found = store
            .search(&crate::domain::search::Query::parse("interview"), 10)
            .unwrap();
        assert_eq!(found.len(), 1);
        let version = store
            .tree(T::Meta)
            .unwrap()
            .get(keys::SCHEMA_VERSION_KEY)
            .unwrap()
            .unwrap();
        assert_eq!(version.as_ref(), SCHEMA_VERSION.to_be_bytes());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
