//! Read receipts and "typing…" for the contact (`[whatsapp] read_receipts`,
//! `typing_indicator`): opening a conversation marks their newest message read on WhatsApp,
//! and writing a reply (the TUI's `Answering`) shows them "typing…". Best effort: sent in the
//! background, never holding up the request; a failure is logged, not shown.

use std::time::Instant;

use chrono::Utc;

use super::Engine;
use crate::{
    domain::{message::Direction, receipts},
    store::Change,
};

/// How many of the newest messages are looked through for the contact's newest one.
const LOOK_BACK: usize = 50;

impl Engine {
    /// Read (the contact told, when the config says so) or unread again.
    pub(super) async fn read_command(
        &self,
        request: super::Request,
    ) -> Result<super::Response, super::EngineError> {
        match request {
            super::Request::MarkRead { conversation_id } => {
                self.apply_history(vec![Change::MarkRead { conversation_id }])
                    .await?;
                self.tell_contact(conversation_id, false);
            }
            super::Request::MarkUnread { conversation_id } => {
                self.apply_history(vec![Change::MarkUnread { conversation_id }])
                    .await?;
            }
            _ => {}
        }
        Ok(super::Response::Done)
    }

    /// Tells the contact of `conversation_id` their newest message was read (with `typing`,
    /// that a reply is being written), if the config says so and it is news.
    pub(super) fn tell_contact(&self, conversation_id: u64, typing: bool) {
        let wa = self.whatsapp();
        let typing = typing && wa.typing_indicator;
        if !(wa.read_receipts || typing) || self.disconnected_at().is_some() {
            return;
        }
        let Some(client) = self.inner.client.get().cloned() else {
            return;
        };
        let Ok(Some(conv)) = self.store().conversation(conversation_id) else {
            return;
        };
        // "Typing…" only where a reply can go.
        let typing = typing && conv.window_open(Utc::now());
        let newest = self.store().messages(&conv, LOOK_BACK).ok().and_then(|m| {
            m.into_iter()
                .rev()
                .find(|m| m.direction == Direction::In)
                .and_then(|m| m.wamid)
        });
        let Some(wamid) = newest else {
            return;
        };
        let send = {
            let mut told = self
                .inner
                .told
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let entry = told.entry(conversation_id).or_default();
            receipts::to_send(entry, &wamid, wa.read_receipts, typing, Instant::now())
        };
        let Some(typing) = send else {
            return;
        };
        tokio::spawn(async move {
            if let Err(e) = client.mark_read(&wamid, typing).await {
                tracing::info!(error = %e, typing, "the contact was not told (read receipt)");
            }
        });
    }
}
