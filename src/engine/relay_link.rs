//! How the relay link stands (`[webhook] mode = "relay"`): kept by the engine for clients that
//! ask later (`Whoami`, `doctor`) and sent to every client when it changes.

use super::Engine;
use crate::domain::{event::Event, relay_link::RelayLink};

impl Engine {
    /// Records how the relay link stands and tells every client when that changed.
    pub fn set_relay_link(&self, link: RelayLink) {
        let mut current = self
            .inner
            .relay
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current.as_ref() != Some(&link) {
            *current = Some(link.clone());
            drop(current);
            let _ = self
                .inner
                .events
                .send(std::sync::Arc::new(Event::RelayLink { link }));
        }
    }

    /// How the relay link stands; none when webhooks come directly.
    pub fn relay_link(&self) -> Option<RelayLink> {
        self.inner
            .relay
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
