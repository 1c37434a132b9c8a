//! The single writer: it owns every write. Callers hand it their changes with a reply channel;
//! it drains everything queued, applies it as one transaction, flushes once, then answers them
//! all and publishes the events ("group commit"). Many concurrent webhooks cost one flush.

use std::sync::Arc;

use std::{
    sync::mpsc::{self, RecvTimeoutError},
    time::Duration,
};

use tokio::sync::{broadcast, oneshot};

use crate::{
    domain::event::Event,
    store::{Change, Store, StoreError},
};

/// The most jobs one group takes; beyond that the next group starts at once.
const MAX_GROUP: usize = 4096;
/// Texts indexed for search between two checks for waiting writes.
const SEARCH_SLICE: usize = 200;
/// The search index catches up only after this long without a write, so that it never takes
/// CPU from a stream of webhooks (a search catches up itself before it reads).
const IDLE: Duration = Duration::from_millis(500);

struct Job {
    changes: Vec<Change>,
    reply: oneshot::Sender<Result<Vec<Event>, Arc<StoreError>>>,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Store(Arc<StoreError>),
    #[error("the database writer has stopped")]
    Stopped,
}

impl Writer {
    /// Starts the writer on its own thread: sled's calls block, and a flush must not stall the
    /// async workers that accept webhooks.
    pub fn start(store: Store, events: broadcast::Sender<Arc<Event>>) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("hirechat-writer".into())
            .spawn(move || run(&store, &rx, &events))?;
        Ok(Self { jobs })
    }

    /// Applies `changes` atomically and returns once they are durable on disk.
    pub async fn write(&self, changes: Vec<Change>) -> Result<Vec<Event>, WriteError> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Job { changes, reply })
            .map_err(|_| WriteError::Stopped)?;
        rx.await
            .map_err(|_| WriteError::Stopped)?
            .map_err(WriteError::Store)
    }
}

fn run(store: &Store, rx: &mpsc::Receiver<Job>, events: &broadcast::Sender<Arc<Event>>) {
    // Whether texts may wait for the search index (at the start: those of a past run).
    let mut to_index = true;
    let mut health = Health::default();
    loop {
        if health.broken {
            // Wait for the next write, trying the disk again every so often meanwhile.
            let job = match rx.recv_timeout(REOPEN_EVERY) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            health.try_reopen(store);
            if let Some(job) = job {
                if health.broken {
                    let _ = job.reply.send(Err(Arc::new(StoreError::Closed)));
                    continue;
                }
                write_group(store, rx, events, job, &mut health);
            }
            continue;
        }
        let first = if to_index {
            match rx.recv_timeout(IDLE) {
                Ok(job) => job,
                Err(RecvTimeoutError::Timeout) => {
                    let Some(job) = catch_up(store, rx) else {
                        to_index = false;
                        continue;
                    };
                    job
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(job) => job,
                Err(_) => break,
            }
        };
        write_group(store, rx, events, first, &mut health);
        to_index = true;
    }
}

/// Whether the database takes writes. After a failed write sled refuses every later one, so
/// the writer opens it again, now and then, until writing works (space freed on a full
/// disk); meanwhile each write is answered at once with an error (a webhook with 503, so
/// that WhatsApp delivers it again later).
#[derive(Default)]
struct Health {
    broken: bool,
    last_try: Option<std::time::Instant>,
}

/// How often a broken database is tried again.
const REOPEN_EVERY: Duration = Duration::from_secs(1);

impl Health {
    fn saw(&mut self, results: &[Result<Vec<Event>, Arc<StoreError>>]) {
        if let Some(e) = results.iter().find_map(|r| r.as_ref().err())
            && e.needs_reopen()
            && !self.broken
        {
            tracing::error!(error = %e, "the database stopped taking writes; trying again every second");
            self.broken = true;
        }
    }

    fn try_reopen(&mut self, store: &Store) {
        if self.last_try.is_some_and(|t| t.elapsed() < REOPEN_EVERY) {
            return;
        }
        self.last_try = Some(std::time::Instant::now());
        match store.reopen().and_then(|()| store.flush()) {
            Ok(()) => self.broken = false,
            Err(e) => tracing::debug!(error = %e, "the database still cannot be opened"),
        }
    }
}

/// Takes `first` and whatever else waits, writes them as one group, and answers each.
fn write_group(
    store: &Store,
    rx: &mpsc::Receiver<Job>,
    events: &broadcast::Sender<Arc<Event>>,
    first: Job,
    health: &mut Health,
) {
    let mut group = vec![first];
    while group.len() < MAX_GROUP {
        match rx.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    let results = commit(store, &mut group);
    health.saw(&results);
    for (job, result) in group.into_iter().zip(results) {
        if let Ok(evs) = &result {
            for e in evs {
                // No receivers is fine: nobody is watching.
                let _ = events.send(Arc::new(e.clone()));
            }
        }
        let _ = job.reply.send(result);
    }
}

/// Indexes what waits for search, a slice at a time, until it is done (`None`) or a write
/// arrives (returned, to be written first).
fn catch_up(store: &Store, rx: &mpsc::Receiver<Job>) -> Option<Job> {
    loop {
        match store.index_pending(SEARCH_SLICE) {
            Ok(n) if n < SEARCH_SLICE => return None,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "search indexing failed; retried after the next write");
                return None;
            }
        }
        match rx.try_recv() {
            Ok(job) => return Some(job),
            // Nobody can write any more: the process is closing, and the next one catches up.
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) => {}
        }
    }
}

/// One transaction and one flush for the whole group; if the group fails as a whole, each job
/// is tried alone so one bad job cannot fail the others.
fn commit(store: &Store, group: &mut [Job]) -> Vec<Result<Vec<Event>, Arc<StoreError>>> {
    // The changes are moved out of their jobs, not copied: a group is thousands of them.
    let lens: Vec<usize> = group.iter().map(|j| j.changes.len()).collect();
    let all: Vec<Change> = group
        .iter_mut()
        .flat_map(|j| std::mem::take(&mut j.changes))
        .collect();
    let grouped = store
        .apply(&all)
        .and_then(|evs| store.flush().map(|()| evs));
    match grouped {
        Ok(per_change) => {
            let mut per_change = per_change.into_iter();
            lens.iter()
                .map(|&n| Ok(per_change.by_ref().take(n).flatten().collect()))
                .collect()
        }
        Err(e) if group.len() == 1 => vec![Err(Arc::new(e))],
        Err(e) => {
            tracing::warn!(error = %e, jobs = group.len(), "group commit failed; writing jobs one by one");
            let mut rest = all.as_slice();
            lens.iter()
                .map(|&n| {
                    let (changes, after) = rest.split_at(n);
                    rest = after;
                    store
                        .apply(changes)
                        .and_then(|evs| store.flush().map(|()| evs.into_iter().flatten().collect()))
                        .map_err(Arc::new)
                })
                .collect()
        }
    }
}
