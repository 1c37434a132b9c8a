//! The relay's one writer: deliveries queued by every connection are kept in one batch and
//! one flush ("group commit"), then each is answered; consumers waiting for news are woken.

use std::sync::mpsc;

use tokio::sync::{oneshot, watch};

use crate::store::relay_log::{Delivery, RelayLog};

/// Deliveries kept in one batch, at most.
const BATCH: usize = 1_024;

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// On disk under this cursor.
    At(u64),
    /// The relay holds all it may (`max_store_mb`): Meta delivers it again later.
    Full,
    /// Writing failed (a full disk?): Meta delivers it again later.
    Failed,
}

struct Job {
    delivery: Delivery,
    reply: oneshot::Sender<Kept>,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    /// The newest cursor kept, for consumers waiting for news.
    last: watch::Receiver<u64>,
}

impl Writer {
    pub fn start(log: RelayLog, cap: u64) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (tell, last) = watch::channel(log.last_cursor().unwrap_or_default());
        std::thread::Builder::new()
            .name("relay-writer".into())
            .spawn(move || run(&log, cap, &queue, &tell))?;
        Ok(Self { jobs, last })
    }

    /// Keeps `delivery`; returns once it is on disk (or could not be).
    pub async fn keep(&self, delivery: Delivery) -> Kept {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job { delivery, reply }).is_err() {
            return Kept::Failed;
        }
        answer.await.unwrap_or(Kept::Failed)
    }

    /// Follows the newest cursor kept.
    pub fn news(&self) -> watch::Receiver<u64> {
        self.last.clone()
    }
}

fn run(log: &RelayLog, cap: u64, queue: &mpsc::Receiver<Job>, tell: &watch::Sender<u64>) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match queue.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let deliveries: Vec<Delivery> = jobs.iter().map(|j| j.delivery.clone()).collect();
        let (answers, rest) = match log.append(&deliveries, cap) {
            Ok(cursors) => {
                if let Some(&newest) = cursors.last() {
                    tell.send_replace(newest);
                }
                if cursors.len() < jobs.len() {
                    tracing::warn!(
                        refused = jobs.len() - cursors.len(),
                        "the relay holds all it may (relay_server.max_store_mb): deliveries answered 503 until consumers catch up"
                    );
                }
                (cursors.into_iter().map(Kept::At).collect(), Kept::Full)
            }
            Err(e) => {
                tracing::error!(error = %e, "deliveries not kept; Meta will deliver them again");
                if e.needs_reopen()
                    && let Err(e) = log.reopen()
                {
                    tracing::error!(error = %e, "the relay's database could not be opened again");
                }
                (Vec::new(), Kept::Failed)
            }
        };
        let mut answers = answers.into_iter();
        for job in jobs {
            let _ = job.reply.send(answers.next().unwrap_or(rest));
        }
    }
}
