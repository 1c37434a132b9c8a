//! The outbox worker: sends what is queued, retries temporary failures with exponential
//! backoff and jitter, and marks failed what cannot go. Each attempt is recorded as in flight
//! before the request leaves, so a crash mid-send is known on restart. Sends leave evenly
//! spaced under the number's rate (`[outbox] messages_per_second`); a person's own messages go
//! before a bulk send's, and a bulk send writes to each person at most once every 6 seconds.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::Utc;
use futures_util::FutureExt;
use tokio::sync::{Notify, Semaphore};

use super::writer::Writer;
use crate::{
    config::OutboxConfig,
    domain::{
        outbox::{OutboxItem, OutboxState, retry_delay_ms},
        pacing::{PAIR_ATTEMPTS, PAIR_INTERVAL, Spacing, pair_wait},
    },
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
/// While a long list is being sent, how often the outbox looks again for what was queued
/// meanwhile (a person's reply during a bulk send), at most.
const RESCAN: Duration = Duration::from_millis(500);

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

/// What the worker remembers between looks at the outbox.
#[derive(Default)]
struct Pace {
    /// Items being attempted now.
    busy: Mutex<HashSet<u64>>,
    /// When a bulk send last wrote to each conversation.
    batch_sent: Mutex<HashMap<u64, Instant>>,
}

impl Outbox {
    pub async fn run(self) {
        let this = Arc::new(self);
        let pace = Arc::new(Pace::default());
        let slots = Arc::new(Semaphore::new(CONCURRENCY));
        let mut spacing = Spacing::per_second(this.config.messages_per_second);
        loop {
            if this.stopped() {
                // Connecting again wakes it.
                let _ = tokio::time::timeout(IDLE, this.wake.notified()).await;
                continue;
            }
            let (ready, next_due) = this.due(&pace);
            let looked = Instant::now();
            for item in ready {
                if this.stopped() {
                    break;
                }
                if item.batch.is_some() {
                    // Two bulk sends to one person: the second waits its 6 seconds.
                    let mut sent = lock(&pace.batch_sent);
                    if sent
                        .get(&item.conversation_id)
                        .is_some_and(|at| at.elapsed() < PAIR_INTERVAL)
                    {
                        continue;
                    }
                    sent.insert(item.conversation_id, Instant::now());
                }
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    return;
                };
                tokio::time::sleep_until(spacing.take(Instant::now()).into()).await;
                lock(&pace.busy).insert(item.id);
                let (worker, shared) = (this.clone(), pace.clone());
                tokio::spawn(async move {
                    let id = item.id;
                    worker.attempt(item).await;
                    lock(&shared.busy).remove(&id);
                    drop(permit);
                    worker.wake.notify_one();
                });
                // What was queued meanwhile may go before the rest of this list.
                if looked.elapsed() >= RESCAN && this.wake.notified().now_or_never().is_some() {
                    break;
                }
            }
            let _ = tokio::time::timeout(next_due, this.wake.notified()).await;
        }
    }

    fn stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What may be attempted now, a person's messages first, and how long until more may.
    fn due(&self, pace: &Pace) -> (Vec<OutboxItem>, Duration) {
        let mut next_due = IDLE;
        let items = match self.store.outbox() {
            Ok(items) => items,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                return (Vec::new(), next_due);
            }
        };
        let now = Utc::now();
        let busy = lock(&pace.busy).clone();
        let mut batch_sent = lock(&pace.batch_sent);
        batch_sent.retain(|_, at| at.elapsed() < PAIR_INTERVAL);
        // The messages of one send (files, then the text) reach the contact in order: each
        // waits for the one queued before it with it.
        let mut ahead = HashSet::new();
        let mut ready = Vec::new();
        for item in items {
            if item.state == OutboxState::Uncertain
                || !ahead.insert((item.conversation_id, item.at))
                || item.state != OutboxState::Pending
                || busy.contains(&item.id)
            {
                continue;
            }
            if item.next_attempt_at > now {
                let wait = (item.next_attempt_at - now).to_std().unwrap_or_default();
                next_due = next_due.min(wait);
                continue;
            }
            if item.batch.is_some()
                && let Some(at) = batch_sent.get(&item.conversation_id)
            {
                next_due = next_due.min(PAIR_INTERVAL.saturating_sub(at.elapsed()));
                continue;
            }
            ready.push(item);
        }
        // Stable: in queue order within each kind.
        ready.sort_by_key(|item| item.batch.is_some());
        // A message queued behind one of these goes once it is done: look again soon.
        if busy.len() + ready.len() > 0 {
            next_due = next_due.min(RESCAN);
        }
        (ready, next_due)
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
                Err(e) => self.after_send_failure(id, attempt, &e),
            },
        };
        if let Err(e) = self.writer.write(vec![change]).await {
            tracing::error!(error = %e, id, "cannot record a send result");
        }
    }

    /// A send WhatsApp did not take: not repeated when it may have gone, waited out for the
    /// pair limit, retried while it may pass, else failed with why.
    fn after_send_failure(&self, id: u64, attempt: u32, e: &ClientError) -> Change {
        if e.may_have_arrived() {
            tracing::warn!(id, attempt, error = %e, "send may have reached WhatsApp; not repeated");
            return Change::SendUncertain {
                id,
                error: e.sentence(),
            };
        }
        // Too many to this person just now: wait, longer each time, and try again.
        if e.code() == Some(131_056) && attempt < PAIR_ATTEMPTS {
            let wait = pair_wait(attempt);
            tracing::info!(
                id,
                attempt,
                wait_s = wait.as_secs(),
                "pair rate limit; waiting"
            );
            return Change::RetryLater {
                id,
                next_at: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                error: format!(
                    "{} It will be tried again in {} s.",
                    e.sentence(),
                    wait.as_secs()
                ),
            };
        }
        if e.retryable() && attempt < self.config.max_attempts {
            let delay = retry_delay_ms(
                attempt,
                self.config.first_retry_ms,
                self.config.max_retry_ms,
                fastrand::f64(),
            );
            tracing::info!(id, attempt, delay_ms = delay, error = %e, "send will be retried");
            return Change::RetryLater {
                id,
                next_at: Utc::now()
                    + chrono::Duration::milliseconds(i64::try_from(delay).unwrap_or(i64::MAX)),
                error: format!("{} It will be tried again.", e.sentence()),
            };
        }
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
