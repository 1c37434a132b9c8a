//! `hirechat demo`: the full TUI against the built-in simulator, seeded with a living inbox.
//! The simulator's scripted candidates answer a reply after a few seconds, and receipts tick
//! from sent to delivered to read. Needs no account and no network beyond 127.0.0.1.

mod automation;
mod credits;
pub mod seed;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::Utc;

use crate::{
    config::{Config, Secret},
    domain::permission::{Actor, Role},
    engine::Engine,
    server::webhook::{WebhookState, router},
    sim::{Inbound, Sim, SimConfig},
    tui::{app::Connection, link::Link},
};

/// The parts of a running demo, also used by tests.
pub struct Demo {
    pub engine: Engine,
    pub sim: Sim,
    pub actor: Actor,
}

const TOKEN: &str = "demo-token";
const SECRET: &str = "demo-secret";

/// Starts the simulator, the engine and its webhook endpoint on 127.0.0.1, and seeds an empty
/// store. `pace` scales the simulator's delays (1.0 for people, small for tests).
pub async fn start(dir: &std::path::Path, pace: f64) -> Result<Demo, String> {
    let hook = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let webhook_url = format!(
        "http://{}/webhook",
        hook.local_addr().map_err(|e| e.to_string())?
    );
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let scaled = |ms: f64| Duration::from_secs_f64(ms * pace / 1000.0);
    let sim = Sim::start(
        sim_listener,
        SimConfig {
            access_token: TOKEN.into(),
            app_secret: SECRET.into(),
            webhook_url: Some(webhook_url),
            status_delays: [scaled(500.0), scaled(1200.0), scaled(2500.0)],
            auto_reply: Some(scaled(3500.0)),
            template_review: Some(scaled(400.0)),
            ..SimConfig::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let mut config = Config::default();
    config.whatsapp.api_base = sim.api_base();
    config.whatsapp.phone_number_id = "106540352242922".into();
    config.whatsapp.business_account_id = "102290129340398".into();
    config.whatsapp.access_token = Secret::new(TOKEN);
    config.whatsapp.app_secret = Secret::new(SECRET);
    config.whatsapp.nickname = "Tokyo hiring desk (demo)".into();
    let seed = seed::parse()?;
    config.organization.name.clone_from(&seed.organization);
    config.outbox.first_retry_ms = 300;
    let engine = Engine::start(&config, dir, true)
        .await
        .map_err(|e| e.to_string())?;
    let app = router("/webhook", WebhookState::new(engine.clone(), &config));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(hook, app).await {
            tracing::error!(error = %e, "demo webhook endpoint stopped");
        }
    });
    let actor = Actor {
        login: seed.recruiter.clone(),
        name: seed.recruiter_name.clone(),
        role: Role::Admin,
    };
    let now = Utc::now();
    let fresh = engine
        .store()
        .conversation_count()
        .map_err(|e| e.to_string())?
        == 0;
    // The seeded attachments are files the simulated WhatsApp holds, fetched like any other.
    for (ci, c) in seed.conversations.iter().enumerate() {
        for (mi, m) in c.messages.iter().enumerate() {
            if let Some((bytes, mime)) = m.file() {
                sim.put_media(
                    &format!("{}-media", seed::demo_wamid(ci, mi)),
                    crate::sim::MediaFile {
                        bytes,
                        mime_type: mime.into(),
                        ..crate::sim::MediaFile::default()
                    },
                );
            }
        }
    }
    if fresh {
        seed::apply(&engine, &seed, now).await?;
        // The templates go through WhatsApp's (simulated) review like any other; they are
        // approved within a moment.
        for t in &seed.templates {
            let request = crate::engine::Request::CreateTemplate {
                template: t.clone(),
            };
            if let Err(e) = engine.handle(&actor, request).await {
                tracing::warn!(template = %t.name, error = %e, "demo template not created");
            }
        }
        automation::apply(&engine, &actor, &seed.rules, &seed.scheduled, now).await?;
        credits::apply(&engine, &actor).await?;
    }
    // The simulator knows who wrote when, so it keeps the same 24-hour windows.
    for c in &seed.conversations {
        let contact = c.contact();
        let key = contact
            .phone
            .as_ref()
            .map(|p| p.wa_id().to_owned())
            .or_else(|| contact.bsuid.as_ref().map(ToString::to_string));
        if let (Some(key), Some(at)) = (key, c.last_inbound(now)) {
            sim.remember(&key, at, &c.profile);
        }
    }
    Ok(Demo { engine, sim, actor })
}

/// The demo's own directory when none is given (its log goes there too, not into the user's
/// data).
pub fn fresh_dir() -> PathBuf {
    std::env::temp_dir().join(format!("hirechat-demo-{}", std::process::id()))
}

/// Removes the directories of earlier demos whose process is gone (one killed before it could
/// clean up after itself).
fn remove_orphans() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("hirechat-demo-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let own = entry.metadata().is_ok_and(|m| {
            Some(std::os::unix::fs::MetadataExt::uid(&m)) == crate::server::peer::current_uid()
        });
        if own && pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs the demo in the terminal. Without `data_dir` it uses a fresh directory, removed after.
pub async fn run(data_dir: Option<PathBuf>, look: crate::tui::Look) -> Result<(), String> {
    let fresh = data_dir.is_none();
    if fresh {
        remove_orphans();
    }
    let dir = data_dir.unwrap_or_else(|| {
        let d = fresh_dir();
        // A store left by an earlier process with the same id; the log just opened stays.
        let _ = std::fs::remove_dir_all(d.join("db"));
        d
    });
    let demo = start(&dir, 1.0).await?;
    // Someone writes shortly after the inbox opens, so it is visibly alive.
    let sim_inbound = demo.sim.clone_handle();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(6)).await;
        let _ = sim_inbound
            .inbound(Inbound {
                from: Some("+819012340001".into()),
                name: Some("Haruto Sato".into()),
                text: Some("Also, is there parking near the office? 🚗".into()),
                ..Inbound::default()
            })
            .await;
    });
    let link = Link::local(demo.engine.clone(), demo.actor.clone());
    let result = crate::tui::run_terminal(
        link,
        Connection::Demo,
        look,
        None,
        None,
        // A demo kept in a directory of its own keeps its drafts too.
        (!fresh).then(|| crate::tui::drafts_file::DraftsFile::for_data_dir(&dir)),
    )
    .await;
    if fresh {
        drop(demo);
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}
