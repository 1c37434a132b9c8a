//! Sends for later at scale: 10,000 sends due in the same minute, each run exactly once, and
//! the scheduler's cost while nothing is due. Against the simulator on 127.0.0.1.
//!
//! `cargo bench --bench schedule` (`BENCH_SCHEDULED` to change the count).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops on the first thing that goes wrong"
)]

mod common;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use chrono::Utc;
use common::temp_dir;
use hirechat::{
    config::{Config, Secret},
    domain::{
        message::{Effect, Summary},
        permission::{Actor, Role},
        phone::PhoneNumber,
        schedule::{ScheduleState, ScheduledSend, ScheduledWhat},
    },
    engine::{Engine, Request},
    sim::{Sim, SimConfig},
    store::{Arrived, Change, ContactInfo},
};

const TOKEN: &str = "bench-token";

fn number(i: usize) -> String {
    format!("+8190{i:08}")
}

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 14th, stime 15th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn waiting(i: usize, due: chrono::DateTime<Utc>) -> Change {
    Change::Schedule {
        send: ScheduledSend {
            id: 0,
            to: number(i),
            conversation_id: None,
            what: ScheduledWhat::Text {
                text: format!("Reminder {i}: your interview is tomorrow"),
            },
            due_at: due,
            by: "bench".into(),
            created_at: Utc::now(),
            held: None,
            rule: None,
            batch: None,
            will_skip: None,
            state: ScheduleState::Waiting,
        },
    }
}

/// The simulator, and an engine that sends through it.
async fn start() -> (Sim, Engine, std::path::PathBuf) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Sim::start(
        listener,
        SimConfig {
            access_token: TOKEN.into(),
            limits: hirechat::sim::Limits {
                throughput: 1_000,
                ..hirechat::sim::Limits::default()
            },
            ..SimConfig::default()
        },
    )
    .unwrap();
    let dir = temp_dir("schedule");
    let mut config = Config::default();
    config.whatsapp.api_base = sim.api_base();
    config.whatsapp.phone_number_id = "106540352242922".into();
    config.whatsapp.business_account_id = "102290129340398".into();
    config.whatsapp.access_token = Secret::new(TOKEN);
    // WhatsApp's highest rate: the figure is how fast the scheduler hands them on.
    config.outbox.messages_per_second = 1_000;
    let engine = Engine::start(&config, &dir, true).await.unwrap();
    (sim, engine, dir)
}

/// Each contact wrote a minute ago: their windows are open.
async fn conversations(engine: &Engine, count: usize) {
    let t = Instant::now();
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let changes = chunk
            .iter()
            .map(|&i| {
                Change::Inbound(Arrived {
                    contact: ContactInfo {
                        phone: Some(PhoneNumber::parse(&number(i)).unwrap()),
                        ..ContactInfo::default()
                    },
                    wamid: format!("wamid.SCHED{i:08}"),
                    at: Utc::now() - chrono::Duration::minutes(1),
                    reply_to: None,
                    effect: Effect::New(Summary {
                        kind: "text".into(),
                        text: "Is the interview tomorrow?".into(),
                        media: None,
                    }),
                    error_code: None,
                    payload: None,
                })
            })
            .collect();
        engine.apply_history(changes).await.unwrap();
    }
    println!(
        "{count} conversations written in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

/// One send to each contact, due at `due`.
async fn schedule_all(engine: &Engine, count: usize, due: chrono::DateTime<Utc>) {
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let changes = chunk.iter().map(|&i| waiting(i, due)).collect();
        engine.apply_history(changes).await.unwrap();
    }
}

async fn idle(what: &str) {
    let cpu = cpu_seconds();
    tokio::time::sleep(Duration::from_secs(10)).await;
    println!("{what}: {:.3} CPU seconds in 10 s", cpu_seconds() - cpu);
}

/// From `due` until every send due then was queued, and until the simulator took them all;
/// and how many it was asked for twice.
async fn run_due(engine: &Engine, sim: &Sim, expected: usize, due: chrono::DateTime<Utc>) {
    let wait = (due - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let start = Instant::now();
    let mut queued_at = None;
    loop {
        if queued_at.is_none() && engine.store().scheduled_due(due, 1).unwrap().is_empty() {
            queued_at = Some(start.elapsed());
        }
        let sent = sim
            .requests()
            .iter()
            .filter(|r| {
                r["text"]["body"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("Reminder") || b == "One more")
            })
            .count();
        if sent >= expected || start.elapsed() > Duration::from_secs(600) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let taken = start.elapsed();
    let mut per_text: HashMap<String, usize> = HashMap::new();
    for r in sim.requests() {
        if let Some(b) = r["text"]["body"].as_str() {
            *per_text.entry(b.to_owned()).or_default() += 1;
        }
    }
    let twice: Vec<&String> = per_text
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(t, _)| t)
        .collect();
    if !twice.is_empty() {
        let messages = engine.store().message_count().unwrap_or_default();
        println!("asked twice for {twice:?}; messages stored: {messages}");
    }
    let twice = twice.len();
    println!(
        "all {expected} due sends queued (scheduler) {:.2} s after their time",
        queued_at.unwrap_or(taken).as_secs_f64()
    );
    #[expect(clippy::cast_precision_loss, reason = "counts are small")]
    let rate = expected as f64 / taken.as_secs_f64();
    println!(
        "taken by WhatsApp (the simulator) {:.2} s after their time: {rate:.0}/s; sent twice: {twice}",
        taken.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_SCHEDULED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let (sim, engine, dir) = start().await;
    conversations(&engine, count).await;
    idle("idle, nothing scheduled").await;
    schedule_all(&engine, count, Utc::now() + chrono::Duration::days(1)).await;
    idle(&format!("idle, {count} sends waiting for tomorrow")).await;
    let due = Utc::now() + chrono::Duration::seconds(5);
    let t = Instant::now();
    schedule_all(&engine, count, due).await;
    println!(
        "{count} sends due at one instant stored in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    // A send scheduled through the API wakes the scheduler (as `send --at` does).
    let actor = Actor {
        login: "bench".into(),
        name: "Bench".into(),
        role: Role::Admin,
    };
    let one_more = Request::Schedule {
        to: number(0),
        what: ScheduledWhat::Text {
            text: "One more".into(),
        },
        at: Some(due),
        when: None,
    };
    engine.handle(&actor, one_more).await.unwrap();
    run_due(&engine, &sim, count + 1, due).await;
    idle(&format!("idle again, {count} sends waiting for tomorrow")).await;
    let _ = std::fs::remove_dir_all(dir);
}
