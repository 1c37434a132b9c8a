//! What WhatsApp only pushes by webhook, read again on a schedule (`[whatsapp] resync_secs`):
//! a missed `message_template_status_update` or `phone_number_quality_update` is never sent
//! again. The number's quality, limit and status are read at start and then each time;
//! templates each time after the first interval (a sync at every start would race the
//! recruiter's own template changes for nothing).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Engine;
use crate::whatsapp::{
    client::CloudClient,
    number::{NumberStatus, QualityUpdate},
};

/// The number as `doctor` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberView {
    pub status: NumberStatus,
    /// When WhatsApp last said it (read, or by webhook).
    pub checked_at: DateTime<Utc>,
    /// Why the last read failed, if it did (the status is then the one read before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub(super) fn start(engine: &Engine, client: CloudClient, every: Duration) {
    let engine = engine.clone();
    tokio::spawn(async move {
        let mut first = true;
        loop {
            engine.read_number(&client).await;
            if !first && let Err(e) = engine.sync_templates().await {
                tracing::warn!(error = %e, "templates not re-read from WhatsApp; tried again later");
            }
            first = false;
            tokio::time::sleep(every).await;
        }
    });
}

impl Engine {
    pub(super) async fn read_number(&self, client: &CloudClient) {
        let read = client.number_status().await;
        let mut slot = self
            .inner
            .number
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match read {
            Ok(status) => {
                let before = slot.as_ref().map(|n| n.status.quality_rating.clone());
                if before.is_some_and(|q| q != status.quality_rating) {
                    tracing::warn!(quality = ?status.quality_rating, "the number's quality rating changed");
                }
                *slot = Some(NumberView {
                    status,
                    checked_at: Utc::now(),
                    error: None,
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "the number's status could not be read from WhatsApp");
                let view = slot.get_or_insert_with(|| NumberView {
                    status: NumberStatus::default(),
                    checked_at: Utc::now(),
                    error: None,
                });
                view.error = Some(e.sentence());
            }
        }
    }

    /// A `phone_number_quality_update` webhook.
    pub(super) fn number_changed(&self, update: &QualityUpdate) {
        let mut slot = self
            .inner
            .number
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let view = slot.get_or_insert_with(|| NumberView {
            status: NumberStatus::default(),
            checked_at: Utc::now(),
            error: None,
        });
        view.status.apply(update);
        view.checked_at = Utc::now();
    }

    /// The number as last read, if it was.
    pub fn number(&self) -> Option<NumberView> {
        self.inner
            .number
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
