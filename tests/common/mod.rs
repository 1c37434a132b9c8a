//! Shared test harness: a temporary data directory, the simulator and an engine with its
//! webhook endpoint, all on 127.0.0.1 with ephemeral ports.
#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]
#![allow(
    clippy::unwrap_used,
    reason = "the harness panics on what a test did not expect, as the tests do"
)]

pub mod daemon;
pub mod team;
pub mod tmux;
pub mod tui;

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use hirechat::{
    config::{Config, Secret},
    domain::{
        event::Event,
        permission::{Actor, Role},
        record::RecordInput,
        related::RelatedKind,
    },
    engine::{Engine, EngineError, Request, Response, import::RelatedRow},
    server::webhook::{WebhookState, router},
    sim::{Sim, SimConfig},
    whatsapp::signature,
};

pub const APP_SECRET: &str = "test-app-secret";
pub const TOKEN: &str = "test-token";

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "hirechat-test-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.json"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn admin() -> Actor {
    Actor {
        login: "aiko".into(),
        name: "Aiko Tanaka".into(),
        role: Role::Admin,
    }
}

/// A config that points the client at `api_base` with fast retries.
pub fn config(api_base: &str) -> Config {
    let mut c = Config::default();
    api_base.clone_into(&mut c.whatsapp.api_base);
    c.whatsapp.phone_number_id = "106540352242922".into();
    c.whatsapp.business_account_id = "102290129340398".into();
    c.whatsapp.access_token = Secret::new(TOKEN);
    c.whatsapp.app_secret = Secret::new(APP_SECRET);
    c.whatsapp.verify_token = Secret::new("verify-me");
    c.outbox.first_retry_ms = 20;
    c.outbox.max_retry_ms = 100;
    c.outbox.max_attempts = 4;
    c.outbox.request_timeout_secs = 5;
    c
}

pub struct Harness {
    pub dir: TempDir,
    pub engine: Engine,
    pub sim: Sim,
    pub webhook_url: String,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_in(TempDir::new("harness"), |_| {}).await
    }

    /// Saves a record whole as the admin (a new one without `id`): its id, or why not.
    pub async fn save_record(
        &self,
        id: Option<u64>,
        record: RecordInput,
    ) -> Result<u64, EngineError> {
        match self
            .engine
            .handle(
                &admin(),
                Request::SaveRecord {
                    record_id: id,
                    record,
                },
            )
            .await?
        {
            Response::Record { record } => Ok(record.id),
            other => panic!("a record: {other:?}"),
        }
    }

    /// As `start`, its config naming `aiko` (an admin) and these recruiters as its users,
    /// each named after their login ("kenji": "Kenji").
    pub async fn with_recruiters(dir: &str, recruiters: &[&str]) -> Self {
        let user = |login: &str, role: &str| {
            let mut name = login.to_owned();
            if let Some(first) = name.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            serde_json::json!({"login": login, "name": name, "role": role})
        };
        let mut users = vec![user("aiko", "admin")];
        users.extend(recruiters.iter().map(|login| user(login, "recruiter")));
        Self::start_in(TempDir::new(dir), |c| {
            c.users = serde_json::from_value(serde_json::Value::Array(users)).unwrap();
        })
        .await
    }

    /// Starts the simulator and an engine whose store lives in `dir`; `tweak` adjusts the
    /// engine's config.
    pub async fn start_in(dir: TempDir, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(dir, |_| {}, tweak).await
    }

    /// As `start_in`, `sim` adjusting the simulator's config too.
    pub async fn start_with(
        dir: TempDir,
        sim: impl FnOnce(&mut SimConfig),
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let webhook_url = format!("http://{}/webhook", hook.local_addr().unwrap());
        let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut sim_config = SimConfig {
            access_token: TOKEN.into(),
            app_secret: APP_SECRET.into(),
            webhook_url: Some(webhook_url.clone()),
            status_delays: [
                Duration::from_millis(20),
                Duration::from_millis(20),
                Duration::from_millis(20),
            ],
            ..SimConfig::default()
        };
        sim(&mut sim_config);
        let sim = Sim::start(sim_listener, sim_config).unwrap();
        let mut config = config(&sim.api_base());
        tweak(&mut config);
        let engine = Engine::start(&config, dir.path(), true).await.unwrap();
        let app = router("/webhook", WebhookState::new(engine.clone(), &config));
        tokio::spawn(async move { axum::serve(hook, app).await.unwrap() });
        Self {
            dir,
            engine,
            sim,
            webhook_url,
            http: reqwest::Client::new(),
        }
    }

    /// Posts `body` signed with the app secret; returns the HTTP status.
    pub async fn post(&self, body: &[u8]) -> u16 {
        let sig = signature::sign(APP_SECRET, body);
        self.post_with(body, Some(&sig)).await
    }

    pub async fn post_with(&self, body: &[u8], sig: Option<&str>) -> u16 {
        let mut req = self
            .http
            .post(&self.webhook_url)
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(s) = sig {
            req = req.header("x-hub-signature-256", s);
        }
        req.send().await.unwrap().status().as_u16()
    }

    /// Imports rows of a related kind (`header` and each row comma-separated) as an admin.
    pub async fn import_related(&self, kind: RelatedKind, header: &str, rows: &[&str]) {
        let headers: Vec<String> = header.split(',').map(str::to_owned).collect();
        let rows = rows
            .iter()
            .zip(2..)
            .map(|(r, line)| RelatedRow {
                line,
                cells: headers
                    .iter()
                    .cloned()
                    .zip(r.split(',').map(str::to_owned))
                    .collect(),
            })
            .collect();
        let Response::Imported { report } = self
            .engine
            .handle(&admin(), Request::ImportRelated { kind, rows })
            .await
            .unwrap()
        else {
            panic!("not an import report")
        };
        assert!(report.problems.is_empty(), "{report:?}");
    }
}

/// Waits (at most 15 s) until `done` holds, checking every 50 ms.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for the first event that `pick` accepts.
pub async fn wait_for<T>(
    events: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<Event>>,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let e = events.recv().await.expect("event stream open");
            if let Some(t) = pick(&e) {
                return t;
            }
        }
    })
    .await
    .expect("the expected event within 10 s")
}

/// Creates a WhatsApp template for candidates (English, utility) and waits until the
/// simulator approved it.
pub async fn approved(h: &Harness, name: &str, body: &str) {
    approved_as(h, name, "utility", body).await;
}

/// As [`approved`], in a category (`marketing`, `utility`, `authentication`).
pub async fn approved_as(h: &Harness, name: &str, category: &str, body: &str) {
    let mut events = h.engine.subscribe();
    let input = serde_json::from_value(serde_json::json!({"kind": "whatsapp",
        "module": "candidates", "name": name, "language": "en", "category": category,
        "body": body}))
    .unwrap();
    h.engine
        .handle(
            &admin(),
            hirechat::engine::Request::CreateTemplate { template: input },
        )
        .await
        .unwrap();
    wait_for(&mut events, |e| match e {
        Event::TemplateChanged { template }
            if template.name == name
                && template.status == hirechat::domain::template::TemplateStatus::Approved =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
}
