//! The engine: the one place where commands are checked (permissions, the 24-hour window) and
//! carried out, webhooks are ingested, and the outbox is worked. Every caller (`client::Client`
//! in-process for the TUI and the CLI, the daemon's socket) goes through [`Engine::handle`].

pub mod answers;
pub mod api;
mod attach;
mod bulk;
mod connect;
mod connection;
mod conversation_state;
mod credits;
pub mod error;
mod files;
pub mod import;
pub mod ingest;
mod labels;
mod media_fetch;
mod merge_data;
pub mod outbox;
mod quiet;
mod reading;
mod receipts;
mod recharge;
mod record_card;
mod records;
mod relay_link;
mod response;
mod resync;
mod retention;
mod retry;
mod rights;
mod routing;
mod rule_clock;
mod rules;
mod schedule;
mod scheduler;
mod send;
pub mod send_files;
mod template_send;
mod templates;
pub mod thumbnail;
mod views;
mod workers;
pub mod writer;

use std::{path::Path, sync::Arc, time::Duration};

use chrono::Utc;
use tokio::sync::{Notify, broadcast};

use crate::{
    config::Config,
    domain::{event::Event, outbox::OutboxState, permission::Actor},
    store::{Change, Store},
    whatsapp::client::CloudClient,
};
pub use api::{ConversationView, EngineError, Request, Response};
pub use connect::{ConnectForm, Connected};
pub use connection::ConnectionView;
pub use record_card::RecordCard;
pub use resync::NumberView;
pub use retry::OutboxView;
use writer::Writer;

/// How many messages `messages` returns unless asked otherwise.
const DEFAULT_PAGE: usize = 50;
/// Search results returned unless asked otherwise.
const SEARCH_PAGE: usize = 100;
/// Messages loaded from a search hit on, at most.
const SEARCH_CONTEXT: usize = 5_000;
/// Changes of one webhook delivery written in one transaction, at most.
const INGEST_SLICE: usize = 500;

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    writer: Writer,
    events: broadcast::Sender<Arc<Event>>,
    wake_outbox: Arc<Notify>,
    /// The Cloud API client, once an account is configured or connected (its clones switch
    /// with it when another number is connected).
    client: std::sync::OnceLock<CloudClient>,
    /// Where the files a recruiter sends are checked and kept.
    stager: attach::Stager,
    /// Fills `${Organization.…}`.
    organization: crate::domain::merge_source::Organization,
    /// Fills `${Users.Email}` and `${Users.Phone}`; the team routing picks from.
    users: Vec<crate::config::UserConfig>,
    groups: Vec<crate::domain::routing::Group>,
    /// Until when a conversation counts as unreplied.
    unreplied_until: crate::domain::filter::UnrepliedUntil,
    /// The config's routing, until an admin sets another.
    routing: crate::domain::routing::Routing,
    /// Changes refused since start for being another number's or account's.
    foreign: std::sync::atomic::AtomicUsize,
    /// When webhooks last arrived (fetching files waits for a pause in them).
    deliveries: quiet::Activity,
    /// How the link to a relay stands, when webhooks come from one.
    relay: std::sync::Mutex<Option<crate::domain::relay_link::RelayLink>>,
    /// The number as WhatsApp last rated it, and when that was read.
    number: std::sync::Mutex<Option<resync::NumberView>>,
    /// When the number was disconnected, if it is: sends are refused and the outbox waits.
    disconnected: std::sync::Mutex<Option<chrono::DateTime<Utc>>>,
    /// The connected number's settings and secrets (the nickname in every header, the
    /// number and account whose webhooks are taken, the secrets webhooks are checked with),
    /// switched when an admin connects another; and the data directory the connection file
    /// is in.
    whatsapp: std::sync::RwLock<crate::config::WhatsAppConfig>,
    data_dir: std::path::PathBuf,
    /// When this engine started (`doctor`: a quiet hour on a fresh daemon says little).
    started_at: chrono::DateTime<Utc>,
    /// Set while nothing may be sent (the outbox checks it before each round).
    sending_stopped: Arc<std::sync::atomic::AtomicBool>,
    /// What the workers started by a later `connect` are configured with, and whether this
    /// process runs them (a one-off command only keeps the connection for the next).
    config: Config,
    workers_on_connect: std::sync::atomic::AtomicBool,
    /// A snooze was set: the worker that ends them looks again.
    wake_snoozes: Notify,
    /// A send for later was stored: the scheduler looks again.
    wake_scheduler: Notify,
    /// Rules are changed whole: one change at a time.
    rules_lock: tokio::sync::Mutex<()>,
    /// What each conversation's contact was last told (read, typing).
    told: std::sync::Mutex<std::collections::HashMap<u64, crate::domain::receipts::Told>>,
}

/// What became of one webhook delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Stored (or recognised as a repeat) and durable.
    Stored,
    /// Not understood; kept whole in the dead-letter tree.
    DeadLettered,
}

/// Refused unless `actor`'s role may make `request`.
fn allowed(actor: &Actor, request: &Request) -> Result<(), EngineError> {
    if actor.role.allows(request.permission()) {
        return Ok(());
    }
    Err(EngineError::Forbidden(format!(
        "{} ({}) may not {}: ask an admin for that role",
        actor.login,
        actor.role,
        request.action()
    )))
}

impl Engine {
    /// Opens the store in `data_dir` and starts the writer; with `send` (a configured Cloud API
    /// client) it also starts the outbox worker. Must run inside a tokio runtime.
    pub async fn start(config: &Config, data_dir: &Path, send: bool) -> Result<Self, EngineError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            EngineError::Unavailable(format!(
                "cannot create the data directory {}: {e}",
                data_dir.display()
            ))
        })?;
        let store = Store::open(data_dir, config.store.cache_mb)?;
        let timeout = Duration::from_secs(config.outbox.request_timeout_secs.max(1));
        let transfer = Duration::from_secs(config.attachments.transfer_timeout_secs.max(1));
        let client = if send {
            Some(
                CloudClient::new(&config.whatsapp, timeout)
                    .map_err(|e| EngineError::Unavailable(e.to_string()))?
                    .with_transfer_timeout(transfer),
            )
        } else {
            None
        };
        let (events, _) = broadcast::channel(4096);
        let writer = Writer::start(store.clone(), events.clone()).map_err(|e| {
            EngineError::Unavailable(format!("cannot start the database writer: {e}"))
        })?;
        let wake_outbox = Arc::new(Notify::new());
        let engine = Self {
            inner: Arc::new(Inner {
                store: store.clone(),
                writer: writer.clone(),
                events,
                wake_outbox: wake_outbox.clone(),
                client: client
                    .clone()
                    .map(std::sync::OnceLock::from)
                    .unwrap_or_default(),
                stager: attach::Stager {
                    dir: data_dir.join("media"),
                    limits: config.attachments.limits(),
                    timeout: transfer,
                },
                organization: config.organization.clone(),
                users: config.users.clone(),
                groups: config.groups.clone(),
                routing: config.routing.clone(),
                unreplied_until: config.triage.unreplied_until,
                foreign: std::sync::atomic::AtomicUsize::new(0),
                deliveries: quiet::Activity::default(),
                relay: std::sync::Mutex::new(None),
                number: std::sync::Mutex::new(None),
                disconnected: std::sync::Mutex::new(config.whatsapp.disconnected_at),
                started_at: Utc::now(),
                whatsapp: std::sync::RwLock::new(config.whatsapp.clone()),
                data_dir: data_dir.to_owned(),
                sending_stopped: Arc::new(std::sync::atomic::AtomicBool::new(
                    config.whatsapp.disconnected_at.is_some(),
                )),
                config: config.clone(),
                workers_on_connect: std::sync::atomic::AtomicBool::new(false),
                wake_snoozes: Notify::new(),
                wake_scheduler: Notify::new(),
                rules_lock: tokio::sync::Mutex::new(()),
                told: std::sync::Mutex::default(),
            }),
        };
        engine.plan_routing(None).await?;
        crate::relay::worker::start(&engine, config);
        engine.start_snoozes();
        // The filters' facts: one pass over the conversations, off the first frame's path.
        let warm = store.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = warm.warm_filters() {
                tracing::warn!(error = %e, "the filters' facts could not be built; the first filter builds them");
            }
        });
        // Attempts that were in flight when the last process stopped are not repeated blindly.
        let interrupted: Vec<u64> = store
            .outbox()?
            .into_iter()
            .filter(|i| i.state == OutboxState::InFlight)
            .map(|i| i.id)
            .collect();
        if !interrupted.is_empty() {
            tracing::warn!(
                count = interrupted.len(),
                "sends were interrupted by a stop; marked for review"
            );
            writer
                .write(vec![Change::MarkInterrupted { ids: interrupted }])
                .await?;
        }
        if let Some(client) = client {
            engine.start_workers(client);
        }
        Ok(engine)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.inner.events.subscribe()
    }

    /// Stores one verified webhook delivery; returns once it is durable.
    pub async fn ingest(&self, body: &[u8]) -> Result<Ingested, EngineError> {
        self.inner.deliveries.touch();
        // A large delivery is read and written in slices, each durable before the next: memory
        // stays that of one slice, and a repeat of the whole (after a crash in between) is
        // stored once, as every repeat is.
        let accepts = self.accepts();
        let mut reader = ingest::Reader::new(body, &accepts, Utc::now());
        loop {
            let slice = reader.next_slice(INGEST_SLICE);
            if slice.is_empty() {
                break;
            }
            self.inner.writer.write(slice).await?;
        }
        let parsed = reader.finish();
        for u in &parsed.template_updates {
            tracing::info!(template = ?u.message_template_name, status = %u.event, "template status update");
        }
        for u in &parsed.quality_updates {
            tracing::info!(event = %u.event, limit = ?u.current_limit, "phone number quality update");
            self.number_changed(u);
        }
        if parsed.foreign > 0 {
            let total = self
                .inner
                .foreign
                .fetch_add(parsed.foreign, std::sync::atomic::Ordering::Relaxed)
                + parsed.foreign;
            tracing::warn!(
                changes = parsed.foreign,
                since_start = total,
                "webhook for another phone number or business account: dead-lettered, not mixed in"
            );
        }
        let dead = !parsed.problems.is_empty();
        if dead {
            tracing::warn!(problems = ?parsed.problems, "webhook kept in dead letters");
        }
        if !parsed.changes.is_empty() {
            self.inner.writer.write(parsed.changes).await?;
        }
        Ok(if dead {
            Ingested::DeadLettered
        } else {
            Ingested::Stored
        })
    }

    /// Writes changes as they are, without the checks of `handle`: for the demo's history and
    /// for imports of what already happened elsewhere. Returns once they are durable.
    pub async fn apply_history(&self, changes: Vec<Change>) -> Result<Vec<Event>, EngineError> {
        Ok(self.inner.writer.write(changes).await?)
    }

    /// Carries out one command for `actor`, checking what they may do.
    pub async fn handle(&self, actor: &Actor, request: Request) -> Result<Response, EngineError> {
        allowed(actor, &request)?;
        self.refuse_sends_when_disconnected(&request)?;
        match request {
            Request::SendText { to, text } => self.send_text(actor, &to, &text).await,
            request @ (Request::SendFiles { .. }
            | Request::Attachments { .. }
            | Request::ReadAttachment { .. }) => self.file_command(actor, request).await,
            Request::Conversations {
                offset,
                limit,
                filter,
            } => {
                self.off_the_workers(actor, move |e, a| {
                    e.conversations(a, filter.as_deref(), offset, limit)
                })
                .await
            }
            Request::Messages { with, limit } => self.thread(&self.find(&with)?, limit),
            Request::Search { .. } => {
                self.off_the_workers(actor, move |e, _| e.reading(request))
                    .await
            }
            request @ Request::Thread { .. } => self.reading(request),
            request @ (Request::MarkRead { .. } | Request::MarkUnread { .. }) => {
                self.read_command(request).await
            }
            Request::Settle {
                message,
                timeout_ms,
            } => self.settle_request(&message, timeout_ms).await,
            request @ (Request::SaveRecord { .. }
            | Request::Records { .. }
            | Request::OpenRecord { .. }
            | Request::RecordCard { .. }) => self.record_command(actor, request).await,
            request @ (Request::Templates
            | Request::CreateTemplate { .. }
            | Request::EditTemplate { .. }
            | Request::SyncTemplates
            | Request::DeleteTemplate { .. }
            | Request::PreviewTemplate { .. }
            | Request::SendTemplate { .. }) => self.template_command(actor, request).await,
            Request::ImportRecords { rows } => self.import(actor, rows).await,
            Request::ImportRelated { kind, rows } => self.import_related(kind, rows).await,
            Request::Views => self.off_the_workers(actor, Self::views).await,
            request @ (Request::SaveView { .. } | Request::DeleteView { .. }) => {
                self.view_command(actor, request).await
            }
            Request::Settings => self.settings(),
            Request::SetRouting { routing } => {
                self.plan_routing(Some(routing)).await?;
                self.settings()
            }
            Request::Answering { conversation_id } => {
                self.tell_contact(conversation_id, true);
                Ok(self.announce(actor, conversation_id))
            }
            Request::Whoami => Ok(self.whoami(actor)),
            Request::Subscribe => Ok(Response::Subscribed),
            Request::Doctor => self.off_the_workers(actor, |e, _| e.doctor()).await,
            request @ (Request::Disconnect { .. }
            | Request::AccountNumbers { .. }
            | Request::Connect { .. }) => self.connection_command(actor, request).await,
            Request::Outbox => self.outbox_list(),
            Request::Retry { message_id } => self.retry(message_id).await,
            request @ (Request::Labels
            | Request::SaveLabel { .. }
            | Request::DeleteLabel { .. }
            | Request::Label { .. }) => self.label_command(actor, request).await,
            request @ (Request::Rules
            | Request::SaveRule { .. }
            | Request::EnableRule { .. }
            | Request::DeleteRule { .. }
            | Request::RuleLog { .. }) => self.rules_command(actor, request).await,
            request @ (Request::Schedule { .. }
            | Request::Scheduled { .. }
            | Request::CancelScheduled { .. }
            | Request::EditScheduled { .. }) => self.schedule_command(actor, request).await,
            request @ (Request::BulkPreflight { .. }
            | Request::BulkSend { .. }
            | Request::Batches
            | Request::Batch { .. }
            | Request::CancelBatch { .. }) => self.bulk_command(actor, request).await,
            request @ (Request::Rates
            | Request::ImportRates { .. }
            | Request::Credits { .. }
            | Request::AddCredits { .. }
            | Request::Usage { .. }) => self.credits_command(actor, request).await,
            request @ (Request::SetState { .. } | Request::Assign { .. } | Request::Team) => {
                self.work_command(actor, request).await
            }
        }
    }

    /// Runs a read that may take a while (a filter, the views' counts, a search) on a thread
    /// for blocking work, so it never holds up the async workers that answer everyone else.
    async fn off_the_workers(
        &self,
        actor: &Actor,
        f: impl FnOnce(&Self, &Actor) -> Result<Response, EngineError> + Send + 'static,
    ) -> Result<Response, EngineError> {
        let (engine, actor) = (self.clone(), actor.clone());
        tokio::task::spawn_blocking(move || f(&engine, &actor))
            .await
            .map_err(|e| EngineError::Unavailable(format!("a read stopped: {e}")))?
    }

    /// Tells every client that `actor` is answering a conversation (nothing is stored).
    fn announce(&self, actor: &Actor, conversation_id: u64) -> Response {
        // Nobody listening is fine.
        let _ = self.inner.events.send(Arc::new(Event::Answering {
            conversation_id,
            login: actor.login.clone(),
            name: actor.name.clone(),
        }));
        Response::Done
    }
}
