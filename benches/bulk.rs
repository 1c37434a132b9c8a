//! A bulk send at scale: 5,000 conversations, the preflight of a template to all of them (by
//! a filter and by a list of numbers), the confirmed batch stored, then every message taken by
//! the simulator at the number's highest rate, none twice. Against the simulator on 127.0.0.1.
//!
//! `cargo bench --bench bulk` (`BENCH_BULK` to change the count; `BENCH_PRICED=1` to hold each
//! send's price from credits, by a rate card).
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
        bulk::Recipients,
        message::{Effect, Summary},
        permission::{Actor, Role},
        phone::PhoneNumber,
        template::TemplateStatus,
    },
    engine::{Engine, Request, Response},
    sim::{Limits, Sim, SimConfig},
    store::{Arrived, Change, ContactInfo},
};

const TOKEN: &str = "bench-token";
/// WhatsApp's highest rate for a number, set on both sides.
const RATE: u32 = 1_000;

fn number(i: usize) -> String {
    format!("+819056{i:06}")
}

fn admin() -> Actor {
    Actor {
        login: "bench".into(),
        name: "Bench".into(),
        role: Role::Admin,
    }
}

async fn start() -> (Sim, Engine, std::path::PathBuf) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Sim::start(
        listener,
        SimConfig {
            access_token: TOKEN.into(),
            template_review: Some(Duration::from_millis(10)),
            limits: Limits {
                throughput: RATE,
                ..Limits::default()
            },
            ..SimConfig::default()
        },
    )
    .unwrap();
    let dir = temp_dir("bulk");
    let mut config = Config::default();
    config.whatsapp.api_base = sim.api_base();
    config.whatsapp.phone_number_id = "106540352242922".into();
    config.whatsapp.business_account_id = "102290129340398".into();
    config.whatsapp.access_token = Secret::new(TOKEN);
    config.outbox.messages_per_second = RATE;
    config.outreach.bulk_undo_secs = 1;
    let engine = Engine::start(&config, &dir, true).await.unwrap();
    (sim, engine, dir)
}

async fn conversations(engine: &Engine, count: usize) {
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let changes = chunk
            .iter()
            .map(|&i| {
                Change::Inbound(Arrived {
                    contact: ContactInfo {
                        phone: Some(PhoneNumber::parse(&number(i)).unwrap()),
                        ..ContactInfo::default()
                    },
                    wamid: format!("wamid.BULK{i:08}"),
                    at: Utc::now() - chrono::Duration::days(3),
                    reply_to: None,
                    effect: Effect::New(Summary {
                        kind: "text".into(),
                        text: "I saw your post about the role.".into(),
                        media: None,
                    }),
                    error_code: None,
                    payload: None,
                })
            })
            .collect();
        engine.apply_history(changes).await.unwrap();
    }
}

/// The template, approved by the simulator and read back from it (the bench takes no
/// webhooks).
async fn approved_template(engine: &Engine) {
    let template = serde_json::from_value(serde_json::json!({"kind": "whatsapp",
        "module": "candidates", "name": "new_role", "language": "en", "category": "marketing",
        "body": "A new role in Tokyo may suit you: reply here to hear more."}))
    .unwrap();
    engine
        .handle(&admin(), Request::CreateTemplate { template })
        .await
        .unwrap();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        engine
            .handle(&admin(), Request::SyncTemplates)
            .await
            .unwrap();
        let templates = engine.store().templates().unwrap();
        if templates
            .iter()
            .any(|t| t.status == TemplateStatus::Approved)
        {
            return;
        }
    }
}

/// A rate card and credits: every send of the batch then holds its price when it is queued.
async fn priced(engine: &Engine) {
    let csv = "Market,Currency,Marketing,Utility\nRest of Asia Pacific,EUR,0.0732,0.0113\n";
    let card = Request::ImportRates {
        csv: csv.into(),
        effective: Utc::now().date_naive(),
        rules: None,
    };
    engine.handle(&admin(), card).await.unwrap();
    let credits = Request::AddCredits {
        amount: hirechat::domain::money::Money::parse("100000").unwrap(),
        note: None,
        refund: false,
    };
    engine.handle(&admin(), credits).await.unwrap();
    println!("priced: a rate card and 100,000 EUR of credits");
}

/// The preflight's time, several runs: (median, max) in ms, and how many it would send to.
async fn preflight(engine: &Engine, recipients: &Recipients) -> (f64, f64, usize) {
    let mut times = Vec::new();
    let mut send = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let answer = engine
            .handle(
                &admin(),
                Request::BulkPreflight {
                    template: "new_role".into(),
                    language: None,
                    recipients: recipients.clone(),
                },
            )
            .await
            .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if let Response::Preflight { preflight } = answer {
            send = preflight.send.len();
        }
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1], send)
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let (sim, engine, dir) = start().await;
    conversations(&engine, count).await;
    approved_template(&engine).await;
    if std::env::var_os("BENCH_PRICED").is_some() {
        priced(&engine).await;
    }

    let by_filter = Recipients::Filter {
        query: "window:closed".into(),
    };
    let (p50, max, send) = preflight(&engine, &by_filter).await;
    println!("preflight of {send} by a filter: median {p50:.0} ms, max {max:.0} ms");
    let by_numbers = Recipients::Numbers {
        numbers: (0..count).map(number).collect(),
    };
    let (p50, max, send) = preflight(&engine, &by_numbers).await;
    println!("preflight of {send} from a list of numbers: median {p50:.0} ms, max {max:.0} ms");

    let t = Instant::now();
    let answer = engine
        .handle(
            &admin(),
            Request::BulkSend {
                template: "new_role".into(),
                language: None,
                recipients: by_filter,
                at: None,
            },
        )
        .await
        .unwrap();
    let queued = t.elapsed();
    let Response::Batch { batch, .. } = answer else {
        panic!("unexpected {answer:?}")
    };
    println!(
        "bulk send of {} confirmed and stored (preflight included) in {:.0} ms",
        batch.recipients,
        queued.as_secs_f64() * 1000.0
    );
    let wait = (batch.starts_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let start = Instant::now();
    while sim.taken().len() < batch.recipients && start.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let taken = start.elapsed();
    let mut per: HashMap<String, usize> = HashMap::new();
    for (to, _) in sim.taken() {
        *per.entry(to).or_default() += 1;
    }
    let twice = per.values().filter(|n| **n > 1).count();
    #[expect(clippy::cast_precision_loss, reason = "counts are small")]
    let rate = batch.recipients as f64 / taken.as_secs_f64();
    let refused = sim.requests().len() - sim.taken().len();
    println!(
        "all {} taken by WhatsApp (the simulator) {:.2} s after the undo period: {rate:.0}/s at a limit of {RATE}/s; refused for the rate: {refused}; sent twice: {twice}",
        batch.recipients,
        taken.as_secs_f64()
    );
    if std::env::var_os("BENCH_PRICED").is_some() {
        let held = engine
            .store()
            .ledger_all()
            .unwrap()
            .iter()
            .filter(|e| matches!(e.entry, hirechat::domain::credits::Entry::Hold { .. }))
            .count();
        println!(
            "holds placed: {held}; balance {}",
            engine.store().balance().unwrap()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
