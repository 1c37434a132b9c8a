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
    whatsapp::{
        client::{ClientError, CloudClient},
        send::SendRequest,
    },
};

/// At most this many sends in flight at once.
const CONCURRENCY: usize = 8;
/// How often to look again when nothing is due (a wake-up comes sooner on a new send).
const IDLE: Duration = Duration::from_secs(30);

pub struct Outbox {
    pub store: Store,
    /// `<data dir>/media`, where the files sends carry are kept.
    pub media: std::path::PathBuf,
    pub writer: Writer,
    pub client: CloudClient,
    pub config: OutboxConfig,
    pub wake: Arc<Notify>,
    /// Set when the number was disconnected: nothing leaves (queued messages stay queued).
    pub stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl Outbox {
    pub async fn run(self) {
        let this = Arc::new(self);
        let busy: Arc<Mutex<HashSet<u64>>> = Arc::default();
        loop {
            if this.stopped.load(std::sync::atomic::Ordering::Relaxed) {
                // Connecting again wakes it.
                let _ = tokio::time::timeout(IDLE, this.wake.notified()).await;
                continue;
            }
            let mut next_due = IDLE;
            match this.store.outbox() {
                Ok(items) => {
                    let now = Utc::now();
                    // The messages of one send (files, then the text) reach the contact in
                    // order: each waits for the one queued before it with it.
                    let mut ahead = HashSet::new();
                    for item in items {
                        if item.state == OutboxState::Uncertain
                            || !ahead.insert((item.conversation_id, item.at))
                            || item.state != OutboxState::Pending
                        {
                            continue;
                        }
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

    /// The item as the store has it now, if it still waits to be sent: the list an attempt
    /// came from may be older than the attempt that just sent it.
    fn still_waiting(&self, id: u64) -> Option<OutboxItem> {
        match self.store.outbox_item(id) {
            Ok(Some(item)) if item.state == OutboxState::Pending => Some(item),
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, id, "cannot read an outbox item");
                None
            }
        }
    }

    async fn attempt(&self, listed: OutboxItem) {
        let id = listed.id;
        let Some(mut item) = self.still_waiting(id) else {
            return;
        };
        // A file goes up first. Nothing is posted to the contact yet, so an upload that fails
        // or is cut off is simply tried again; once WhatsApp gave its id, that is stored and
        // the file is never uploaded again.
        if let Some(upload) = item.needs_upload().cloned() {
            match self
                .client
                .upload(&self.media.join(&upload.stored), &upload.mime_type)
                .await
            {
                Ok(media_id) => {
                    let change = Change::Uploaded {
                        id,
                        media_id: media_id.clone(),
                    };
                    if let Err(e) = self.writer.write(vec![change]).await {
                        tracing::error!(error = %e, id, "cannot record an upload");
                        return;
                    }
                    item.uploaded(&media_id);
                }
                Err(e) => {
                    let change = self.after_upload_failure(&item, &e);
                    if let Err(e) = self.writer.write(vec![change]).await {
                        tracing::error!(error = %e, id, "cannot record an upload failure");
                    }
                    return;
                }
            }
        }
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

    /// An upload that did not succeed: tried again while it may pass (no answer included: an
    /// upload alone sends nothing to anyone), else the message fails with why.
    fn after_upload_failure(&self, item: &OutboxItem, e: &ClientError) -> Change {
        let attempt = item.attempts + 1;
        let again = e.retryable() || e.may_have_arrived();
        if again && attempt < self.config.max_attempts {
            let delay = retry_delay_ms(
                attempt,
                self.config.first_retry_ms,
                self.config.max_retry_ms,
                fastrand::f64(),
            );
            tracing::info!(id = item.id, attempt, delay_ms = delay, error = %e, "upload will be retried");
            return Change::UploadRetry {
                id: item.id,
                next_at: Utc::now()
                    + chrono::Duration::milliseconds(i64::try_from(delay).unwrap_or(i64::MAX)),
                error: format!(
                    "The file could not be uploaded: {} It will be tried again.",
                    upload_sentence(e)
                ),
            };
        }
        tracing::info!(id = item.id, attempt, error = %e, "upload failed");
        Change::SendFailed {
            id: item.id,
            code: e.code(),
            error: format!("The file could not be uploaded: {}", upload_sentence(e)),
        }
    }
}

/// What a recruiter reads about a failed upload (no answer is not "may have been sent").
fn upload_sentence(e: &ClientError) -> String {
    if e.may_have_arrived() {
        "WhatsApp did not answer in time.".into()
    } else {
        e.sentence()
    }
}
