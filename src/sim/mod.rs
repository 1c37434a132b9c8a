//! A simulator of the WhatsApp Cloud API, speaking the same wire format (reference sections
//! 2, 5, 6): it accepts sends with a bearer token, answers with a wamid, emits signed status
//! webhooks (sent → delivered → read), refuses free text outside the 24-hour window the way
//! Meta does (a `failed` status with 131047), and takes control requests under `/sim/` to
//! inject inbound messages and faults. Used by `hirechat sim`, the demo and the tests.

mod account;
mod cloud;
mod control;
mod emit;
mod limits;
mod media;
mod templates;
mod upload;

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex, atomic::AtomicU64},
    time::Duration,
};

pub use account::{APP_ID, ON_PREMISES_NUMBER_ID, Subscription, TokenState};
use axum::Router;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub access_token: String,
    pub app_secret: String,
    /// Where status and inbound webhooks go; none: they are not sent.
    pub webhook_url: Option<String>,
    pub phone_number_id: String,
    pub business_account_id: String,
    pub display_phone_number: String,
    /// Pauses before `sent`, then `delivered`, then `read`.
    pub status_delays: [Duration; 3],
    /// When set, a contact answers each text message this long after reading it (the demo's
    /// scripted candidates).
    pub auto_reply: Option<Duration>,
    /// How long a new template stays PENDING before it is approved (or rejected, when its
    /// body says `[reject]`); none: only a control request reviews it.
    pub template_review: Option<Duration>,
    /// Meta's throughput and pair rate limits, answered with 130429 and 131056.
    pub limits: limits::Limits,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            access_token: "sim-token".into(),
            app_secret: "sim-secret".into(),
            webhook_url: None,
            phone_number_id: "106540352242922".into(),
            business_account_id: "102290129340398".into(),
            display_phone_number: "81312345678".into(),
            status_delays: [
                Duration::from_millis(100),
                Duration::from_millis(300),
                Duration::from_millis(900),
            ],
            auto_reply: None,
            template_review: Some(Duration::from_secs(2)),
            limits: limits::Limits::default(),
        }
    }
}

/// A fault to answer the next send with.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Fault {
    /// HTTP status (429, 500, 400, …).
    pub status: u16,
    /// The Graph error code (130429, 131000, 131026, …).
    pub code: i64,
    #[serde(default)]
    pub message: Option<String>,
}

pub(crate) struct SimState {
    config: SimConfig,
    /// Last inbound message per `wa_id` or BSUID: the 24-hour window.
    last_inbound: Mutex<HashMap<String, DateTime<Utc>>>,
    faults: Mutex<VecDeque<Fault>>,
    /// Pauses before answering the next sends (which are taken all the same): a slow API.
    slow: Mutex<VecDeque<std::time::Duration>>,
    templates: Mutex<Vec<templates::SimTemplate>>,
    /// Numbers (digits) or BSUIDs whose messages fail with 131026.
    undeliverable: Mutex<std::collections::HashSet<String>>,
    /// Every request body the API received, in order, for tests to compare with the docs.
    requests: Mutex<Vec<serde_json::Value>>,
    /// When each message was taken, and to whom (the window key): pacing, seen from here.
    taken: Mutex<Vec<(String, std::time::Instant)>>,
    limits: limits::Counters,
    counter: AtomicU64,
    /// Profile names by `wa_id` or BSUID, for scripted answers.
    names: Mutex<HashMap<String, String>>,
    /// Files by media id.
    media: Mutex<HashMap<String, media::MediaFile>>,
    /// Every upload's form fields and file facts, in order.
    uploads: Mutex<Vec<serde_json::Value>>,
    /// The number's quality rating and messaging limit, as `GET /{phone-number-id}` says.
    rating: Mutex<(String, String)>,
    /// What is wrong with the access token, if anything.
    token: Mutex<account::TokenState>,
    /// Which apps the account's webhooks go to.
    subscriptions: Mutex<account::Subscriptions>,
    http: reqwest::Client,
}

/// A running simulator.
pub struct Sim {
    pub addr: SocketAddr,
    state: Arc<SimState>,
}

impl Sim {
    /// Serves the simulator on `listener` in the background.
    pub fn start(listener: tokio::net::TcpListener, config: SimConfig) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState {
            config,
            last_inbound: Mutex::default(),
            faults: Mutex::default(),
            slow: Mutex::default(),
            undeliverable: Mutex::default(),
            templates: Mutex::default(),
            requests: Mutex::default(),
            taken: Mutex::default(),
            limits: limits::Counters::default(),
            counter: AtomicU64::new(1),
            names: Mutex::default(),
            media: Mutex::default(),
            uploads: Mutex::default(),
            rating: Mutex::new(("GREEN".into(), "TIER_1K".into())),
            token: Mutex::default(),
            // A configured account: the app already takes its webhooks.
            subscriptions: Mutex::new(account::Subscriptions {
                ours: Some(account::Subscription::default()),
                other: None,
                no_app_endpoint: false,
            }),
            http: reqwest::Client::new(),
        });
        let app = router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "simulator stopped");
            }
        });
        Ok(Self { addr, state })
    }

    /// The value for `whatsapp.api_base`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Injects a message from a contact, as Meta would deliver it. Returns its wamid.
    pub async fn inbound(&self, message: control::Inbound) -> Result<String, String> {
        control::inject(&self.state, message).await
    }

    /// Remembers that `key` (digits of a number, or a BSUID) wrote at `at`, as if the
    /// simulator had delivered that message: its 24-hour window is open from then.
    pub fn remember(&self, key: &str, at: DateTime<Utc>, name: &str) {
        self.state
            .last_inbound
            .lock()
            .expect("sim lock")
            .insert(key.to_owned(), at);
        self.state
            .names
            .lock()
            .expect("sim lock")
            .insert(key.to_owned(), name.to_owned());
    }

    /// Another handle on the same simulator.
    #[must_use]
    pub fn clone_handle(&self) -> Self {
        Self {
            addr: self.addr,
            state: self.state.clone(),
        }
    }

    /// Reviews a template now: `APPROVED`, `REJECTED` (with a reason), `PAUSED`, …
    pub async fn review_template(
        &self,
        name: &str,
        language: &str,
        status: &str,
        reason: Option<&str>,
    ) -> bool {
        templates::set_status(&self.state, name, language, status, reason).await
    }

    /// Changes a template's status without a webhook: as when Meta's was missed.
    pub fn change_template_quietly(&self, name: &str, language: &str, status: &str) -> bool {
        templates::change_status(&self.state, name, language, status, None).is_some()
    }

    pub fn fail_next(&self, count: usize, fault: &Fault) {
        control::push_faults(&self.state, count, fault);
    }

    /// The next `count` sends are taken, but answered only after `delay` (a client that gave
    /// up meanwhile never learns that they went).
    pub fn answer_late(&self, count: usize, delay: std::time::Duration) {
        control::push_slow(&self.state, count, delay);
    }

    /// Holds a file as WhatsApp would for an inbound message; returns its media id.
    pub fn add_media(&self, file: media::MediaFile) -> String {
        let id = self.state.next_media_id();
        self.state
            .media
            .lock()
            .expect("sim lock")
            .insert(id.clone(), file);
        id
    }

    /// Holds a file under a media id of the caller's choosing (the demo's seeded ones).
    pub fn put_media(&self, id: &str, file: media::MediaFile) {
        self.state
            .media
            .lock()
            .expect("sim lock")
            .insert(id.to_owned(), file);
    }

    /// The uploads received so far: their form fields (`messaging_product`, `type`), the
    /// file part's type, size and SHA-256.
    pub fn uploads(&self) -> Vec<serde_json::Value> {
        self.state.uploads.lock().expect("sim lock").clone()
    }

    /// Rates the number (`GREEN`, `YELLOW`, `RED`) with a messaging limit (`TIER_1K`), without
    /// a webhook: as when Meta's `phone_number_quality_update` was missed.
    pub fn rate_number(&self, quality: &str, limit: &str) {
        *self.state.rating.lock().expect("sim lock") = (quality.into(), limit.into());
    }

    /// Makes the access token expired, revoked, short of a permission, or valid again.
    pub fn set_token(&self, token: TokenState) {
        *self.state.token.lock().expect("sim lock") = token;
    }

    /// Another app already takes the account's webhooks, at `callback`.
    pub fn link_elsewhere(&self, callback: &str) {
        self.state.subscriptions.lock().expect("sim lock").other = Some(callback.into());
    }

    /// Stops serving `GET /app` (which says the token's app), as a stand-in without it.
    pub fn without_app_endpoint(&self) {
        self.state
            .subscriptions
            .lock()
            .expect("sim lock")
            .no_app_endpoint = true;
    }

    /// This app's subscription to the account's webhooks, if it is subscribed.
    pub fn subscription(&self) -> Option<Subscription> {
        self.state
            .subscriptions
            .lock()
            .expect("sim lock")
            .ours
            .clone()
    }

    /// The file held under a media id, if any.
    pub fn media(&self, id: &str) -> Option<media::MediaFile> {
        self.state.media.lock().expect("sim lock").get(id).cloned()
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        self.state.requests.lock().expect("sim lock").clone()
    }

    /// The messages taken so far, in order: to whom (digits or BSUID) and when.
    pub fn taken(&self) -> Vec<(String, std::time::Instant)> {
        self.state.taken.lock().expect("sim lock").clone()
    }
}

pub use limits::Limits;

pub use control::{Inbound, InboundFile};
pub use media::MediaFile;

impl SimState {
    fn next_media_id(&self) -> String {
        (880_112_233_445_000
            + self
                .counter
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        .to_string()
    }
}

fn router(state: Arc<SimState>) -> Router {
    let uploads = Router::new()
        .route("/{version}/{id}/media", axum::routing::post(upload::upload))
        .layer(axum::extract::DefaultBodyLimit::max(upload::MAX_UPLOAD));
    cloud::routes()
        .merge(account::routes())
        .merge(uploads)
        .merge(control::routes())
        .merge(templates::routes())
        .route("/sim/media/{id}", axum::routing::get(media::download))
        .with_state(state)
}

/// `hirechat sim`: the simulator as a standalone server until Ctrl-C.
pub async fn run_standalone(listen: SocketAddr, config: SimConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let sim = Sim::start(listener, config)?;
    println!("listening on {}", sim.addr);
    crate::server::daemon::shutdown_signal().await;
    Ok(())
}
