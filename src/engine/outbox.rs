//! The outbox worker: sends what is queued, retries temporary failures with exponential
//! backoff and jitter, and marks failed what cannot go. Each attempt is recorded as in flight
//! before the request leaves, so a crash mid-send is known on restart.

use std::{collections::HashSet, sync::Arc, time::Duration};

use chrono::Utc;
use tokio::sync::{Mutex, Notify};

use super::writer::Writer;
use crate::{
    config::OutboxConfig,
    domain::outbox::{OutboxItem, OutboxState, retry_delay_ms},
    store::{Change, Store},
    whatsapp::{client::CloudClient, send::SendRequest},
};

/// At most this many sends in flight at once.
const CONCURRENCY: usize = 8;
/// How often to look again when nothing is due (a wake-up comes sooner on a new send).
const IDLE: Duration = Duration::from_secs(30);

pub struct Outbox {
    pub store: Store,
    pub writer: Writer,
    pub client: CloudClient,
    pub config: OutboxConfig,
    pub wake: Arc<Notify>,
}

impl Outbox {
    pub async fn run(self) {
        let this = Arc::new(self);
        let busy: Arc<Mutex<HashSet<u64>>> = Arc::default();
        loop {
            let mut next_due = IDLE;
            match this.store.outbox() {
                Ok(items) => {
                    let now = Utc::now();
                    for item in items
                        .into_iter()
                        .filter(|i| i.state == OutboxState::Pending)
                    {
                        if item.next_attempt_at > now {
                            let wait = (item.next_attempt_at - now).to_std().unwrap_or_default();
                            next_due = next_due.min(wait);
                            continue;
                        }
                        let mut b = busy.lock().await;
                        if b.len() >= CONCURRENCY || !b.insert(item.id) {
                            next_due = next_due.min(Duration::from_millis(50));
                            continue;
                        }
                        drop(b);
                        let (this, busy) = (this.clone(), busy.clone());
                        tokio::spawn(async move {
                            let id = item.id;
                            this.attempt(item).await;
                            busy.lock().await.remove(&id);
                            this.wake.notify_one();
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
            }
            let _ = tokio::time::timeout(next_due, this.wake.notified()).await;
        }
    }

    async fn attempt(&self, item: OutboxItem) {
        let id = item.id;
        if let Err(e) = self.writer.write(vec![Change::AttemptStarted { id }]).await {
            tracing::error!(error = %e, id, "cannot record a send attempt");
            return;
        }
        let attempt = item.attempts + 1;
        let change = match serde_json::from_value::<SendRequest>(item.request) {
            Err(e) => Change::SendFailed {
                id,
                code: None,
                error: format!("The stored message could not be read: {e}"),
            },
            Ok(request) => match self.client.send(&request).await {
                Ok(response) => match response.messages.first() {
                    Some(m) => Change::Accepted {
                        id,
                        wamid: m.id.clone(),
                    },
                    None => Change::SendFailed {
                        id,
                        code: None,
                        error: "WhatsApp accepted the message but returned no message id.".into(),
                    },
                },
                Err(e) if e.may_have_arrived() => {
                    tracing::warn!(id, attempt, error = %e, "send may have reached WhatsApp; not repeated");
                    Change::SendUncertain {
                        id,
                        error: e.sentence(),
                    }
                }
                Err(e) if e.retryable() && attempt < self.config.max_attempts => {
                    let delay = retry_delay_ms(
                        attempt,
                        self.config.first_retry_ms,
                        self.config.max_retry_ms,
                        fastrand::f64(),
                    );
                    tracing::info!(id, attempt, delay_ms = delay, error = %e, "send will be retried");
                    Change::RetryLater {
                        id,
                        next_at: Utc::now()
                            + chrono::Duration::milliseconds(
                                i64::try_from(delay).unwrap_or(i64::MAX),
                            ),
                        error: format!("{} It will be tried again.", e.sentence()),
                    }
                }
                Err(e) => {
                    tracing::info!(id, attempt, error = %e, "send failed");
                    let error = if e.retryable() {
                        format!("{} Gave up after {attempt} attempts.", e.sentence())
                    } else {
                        e.sentence()
                    };
                    Change::SendFailed {
                        id,
                        code: e.code(),
                        error,
                    }
                }
            },
        };
        if let Err(e) = self.writer.write(vec![change]).await {
            tracing::error!(error = %e, id, "cannot record a send result");
        }
    }
}
