//! Fetches inbound files after their webhook was taken: for each item of the fetch queue,
//! `GET /{media-id}`, then the download streamed to a partial file in the data directory's
//! `media/`, its checksum compared with WhatsApp's, and the file renamed to its SHA-256 (the
//! sender's name is never a path). Temporary failures are tried again later; the message then
//! says ready, expired or why it was not kept (`domain::attachment::after_failure`).

use std::{path::PathBuf, time::Duration};

use chrono::Utc;

use super::writer::Writer;
use crate::{
    domain::attachment::{AfterFailure, Fetch, FetchFailure, FetchJob, after_failure},
    store::{Change, Store},
    whatsapp::{
        client::{ClientError, CloudClient},
        media::DownloadError,
    },
};

/// How often the queue is looked at when nothing is due sooner.
const IDLE: Duration = Duration::from_secs(1);

pub struct Fetcher {
    pub store: Store,
    pub writer: Writer,
    pub client: CloudClient,
    /// `<data dir>/media`.
    pub dir: PathBuf,
    /// The largest file kept (`[attachments] download_mb`).
    pub cap: u64,
    /// When webhooks last arrived: a download waits for a pause in them.
    pub deliveries: super::quiet::Activity,
}

/// A download starts after this long without a webhook…
const PAUSE: Duration = Duration::from_millis(200);
/// …or after this long in any case.
const AT_MOST: Duration = Duration::from_secs(30);

impl Fetcher {
    pub async fn run(self) {
        if let Err(e) =
            std::fs::create_dir_all(&self.dir).and_then(|()| crate::paths::make_private(&self.dir))
        {
            tracing::error!(error = %e, dir = %self.dir.display(), "cannot make the media folder");
            return;
        }
        loop {
            let jobs = match self.store.fetch_queue() {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the fetch queue");
                    Vec::new()
                }
            };
            let now = Utc::now();
            for job in jobs.into_iter().filter(|j| j.next_at <= now) {
                self.deliveries.wait_for_pause(PAUSE, AT_MOST).await;
                let change = self.attempt(&job).await;
                if let Err(e) = self.writer.write(vec![change]).await {
                    tracing::error!(error = %e, message = job.message_id, "cannot record a fetch");
                }
            }
            tokio::time::sleep(IDLE).await;
        }
    }

    /// One try at `job`: the change that records how it went.
    async fn attempt(&self, job: &FetchJob) -> Change {
        let attempts = job.attempts + 1;
        match self.fetch(job).await {
            Ok((size, sha256, mime_type)) => Change::MediaFetched {
                message_id: job.message_id,
                wamid: job.wamid.clone(),
                fetch: Fetch::Ready,
                size: Some(size),
                stored: Some(sha256),
                mime_type,
            },
            Err(failure) => {
                tracing::info!(message = job.message_id, attempts, ?failure, "fetch failed");
                match after_failure(attempts, failure) {
                    AfterFailure::RetryInSecs(secs) => Change::MediaRetry {
                        message_id: job.message_id,
                        attempts,
                        next_at: Utc::now()
                            + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(3600)),
                    },
                    AfterFailure::GiveUp(fetch) => Change::MediaFetched {
                        message_id: job.message_id,
                        wamid: job.wamid.clone(),
                        fetch,
                        size: None,
                        stored: None,
                        mime_type: None,
                    },
                }
            }
        }
    }

    /// Downloads the file: (size, SHA-256 in hex, MIME type WhatsApp gave).
    async fn fetch(&self, job: &FetchJob) -> Result<(u64, String, Option<String>), FetchFailure> {
        let info = self
            .client
            .media_info(&job.media_id)
            .await
            .map_err(|e| classify(&e))?;
        let expected = info.sha256.clone().or_else(|| job.sha256.clone());
        let cap = self.cap;
        if info.file_size.is_some_and(|n| n > cap) {
            return Err(FetchFailure::TooLarge { limit: cap });
        }
        let partial = self.dir.join(format!(".partial-{}", job.message_id));
        let got = self
            .client
            .download(&info.url, &partial, cap)
            .await
            .map_err(|e| match e {
                DownloadError::TooLarge { limit } => FetchFailure::TooLarge { limit },
                DownloadError::Client(c) => match classify(&c) {
                    // The short-lived URL lapsed: a fresh one next time.
                    FetchFailure::Gone => FetchFailure::Temporary(c.to_string()),
                    other => other,
                },
                DownloadError::Disk(d) => FetchFailure::Temporary(d.to_string()),
            })?;
        if !crate::domain::attachment::checksum_matches(expected.as_deref(), &got.sha256) {
            let _ = std::fs::remove_file(&partial);
            return Err(FetchFailure::Mismatch);
        }
        std::fs::rename(&partial, self.dir.join(&got.sha256))
            .map_err(|e| FetchFailure::Temporary(e.to_string()))?;
        super::thumbnail::make(&self.dir, &got.sha256, info.mime_type.as_deref()).await;
        Ok((got.size, got.sha256, info.mime_type))
    }
}

/// What an API error means for a fetch.
fn classify(e: &ClientError) -> FetchFailure {
    match e {
        ClientError::Api { status: 404, .. } => FetchFailure::Gone,
        ClientError::Api {
            status: 401 | 403, ..
        } => FetchFailure::Refused(e.to_string()),
        _ if e.retryable() => FetchFailure::Temporary(e.to_string()),
        ClientError::Network(_) | ClientError::NoAnswer(_) => {
            FetchFailure::Temporary(e.to_string())
        }
        _ => FetchFailure::Refused(e.to_string()),
    }
}
