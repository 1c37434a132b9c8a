//! Webhook ingest throughput, layer by layer:
//! 0. the floor: sled alone doing the store's reads and writes for each delivery, none of the
//!    store's own work (`ingest_floor`): how fast the store could be at best;
//! 1. the store alone (changes applied in groups, one flush per group);
//! 2. the engine (parse + single writer with group commit), 32 concurrent callers, no HTTP;
//! 3. the real HTTP endpoint with 32 concurrent keep-alive connections, each delivery signed
//!    and acknowledged only after its durable write.
//!
//! `cargo bench --bench webhook_ingest` (`BENCH_DELIVERIES=N` to change the count,
//! `BENCH_LAYERS=floor,store,engine,http` to measure some of the layers only, as under a
//! profiler).
//!
//! With `BENCH_TARGETS="hirechat=URL,pywa=URL"` it loads receivers running elsewhere instead
//! (`hirechat serve`, `benches/pywa/receiver.py`), one after the other with the same signed
//! deliveries and connections, and prints how many times the first is faster than each other
//! (`benches/pywa/compare.sh` starts both and runs it).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops on the first thing that goes wrong"
)]

mod common;
mod ingest_floor;

use std::{sync::Arc, time::Instant};

use common::{percentile, temp_dir};
use hirechat::{
    config::{Config, Secret},
    engine::{Engine, ingest},
    store::Store,
};

const CONCURRENCY: usize = 32;
const SECRET: &str = "bench-secret";

fn delivery(i: usize) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"81312345678","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Candidate {n}"}},"wa_id":"8190{n:08}","user_id":"JP.{n:012}"}}],"messages":[{{"from":"8190{n:08}","id":"wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgU{i:010}","timestamp":"{ts}","type":"text","text":{{"body":"Hello, I am interested in the data engineer opening. Is it still available? ({i})"}}}}]}}}}]}}]}}"#,
        n = i % 5000,
        ts = 1_767_225_600 + i
    )
    .into_bytes()
}

#[expect(clippy::cast_precision_loss, reason = "counts are small")]
fn rate(n: usize, secs: f64) -> f64 {
    n as f64 / secs
}

/// Layer 1: the store alone, in groups of 32 (what the writer sees under 32 callers).
fn store_only(bodies: &[Vec<u8>]) -> f64 {
    let dir = temp_dir("store");
    let store = Store::open(&dir, 64).unwrap();
    let changes: Vec<_> = bodies
        .iter()
        .map(|b| ingest::parse(b, &ingest::Channel::default(), chrono::Utc::now()).changes)
        .collect();
    let start = Instant::now();
    for group in changes.chunks(CONCURRENCY) {
        let flat: Vec<_> = group.iter().flatten().cloned().collect();
        store.apply(&flat).unwrap();
        store.flush().unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(store.message_count().unwrap(), bodies.len() as u64);
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
    rate(bodies.len(), secs)
}

/// Layer 2: the engine with 32 concurrent callers, no HTTP.
async fn engine_only(bodies: Arc<Vec<Vec<u8>>>) -> (f64, Vec<f64>) {
    let dir = temp_dir("engine");
    let engine = Engine::start(&Config::default(), &dir, false)
        .await
        .unwrap();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONCURRENCY {
        let (engine, bodies) = (engine.clone(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in (w..bodies.len()).step_by(CONCURRENCY) {
                let t = Instant::now();
                engine.ingest(&bodies[i]).await.unwrap();
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(engine.store().message_count().unwrap(), bodies.len() as u64);
    let _ = std::fs::remove_dir_all(dir);
    (rate(bodies.len(), secs), lat)
}

/// Layer 3: signed POSTs over HTTP/1.1 keep-alive connections.
async fn over_http(bodies: Arc<Vec<Vec<u8>>>) -> (f64, Vec<f64>) {
    let dir = temp_dir("http");
    let mut config = Config::default();
    config.whatsapp.app_secret = Secret::new(SECRET);
    let engine = Engine::start(&config, &dir, false).await.unwrap();
    // The daemon's own listener, with its limits as configured by default.
    let url = common::serve_webhooks(&engine, &config).await;
    let (secs, lat) = common::post_signed(&url, &bodies, SECRET, CONCURRENCY).await;
    assert_eq!(engine.store().message_count().unwrap(), bodies.len() as u64);
    let _ = std::fs::remove_dir_all(dir);
    (rate(bodies.len(), secs), lat)
}

/// The same deliveries, signed with `BENCH_SECRET`, to each `name=url` in turn.
fn side_by_side(targets: &str, bodies: &[Vec<u8>]) {
    let secret = std::env::var("BENCH_SECRET").unwrap_or_else(|_| SECRET.to_owned());
    let rt = runtime();
    let mut rates = Vec::new();
    for target in targets.split(',') {
        let (name, url) = target.split_once('=').expect("name=url");
        let (secs, lat) = rt.block_on(common::post_signed(url, bodies, &secret, CONCURRENCY));
        let r = rate(bodies.len(), secs);
        report(&format!("{name} ({url})"), r, lat);
        rates.push((name.to_owned(), r));
    }
    if let Some(((first, fast), others)) = rates.split_first().map(|(f, o)| (f.clone(), o)) {
        for (name, r) in others {
            println!("{first} / {name}: {:.1}x", fast / r);
        }
    }
}

fn report(name: &str, per_sec: f64, mut lat: Vec<f64>) {
    lat.sort_by(f64::total_cmp);
    if lat.is_empty() {
        println!("{name:<34} {per_sec:>10.0}/s");
    } else {
        println!(
            "{name:<34} {per_sec:>10.0}/s   ack p50 {:>6.2} ms   p99 {:>6.2} ms",
            percentile(&lat, 0.50),
            percentile(&lat, 0.99)
        );
    }
}

fn main() {
    // As the binary does (`cli::main`), so that what is measured is what runs.
    hirechat::memory::small_pages();
    hirechat::memory::give_back_at_once();
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let benching = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("BENCH_DELIVERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 50_000 } else { 500 });
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new((0..n).map(delivery).collect());
    println!("webhook ingest: {n} deliveries, {CONCURRENCY} concurrent, durable before ack");
    if let Ok(targets) = std::env::var("BENCH_TARGETS") {
        side_by_side(&targets, &bodies);
        return;
    }
    let layers = std::env::var("BENCH_LAYERS").unwrap_or_else(|_| "floor,store,engine,http".into());
    let measured = |layer: &str| layers.split(',').any(|l| l.trim() == layer);
    if measured("floor") {
        report(
            "sled alone, the store's reads and writes",
            ingest_floor::run(n, CONCURRENCY),
            vec![],
        );
    }
    if measured("store") {
        report(
            "store (groups of 32, 1 flush each)",
            store_only(&bodies),
            vec![],
        );
    }
    // A runtime per layer: dropping it stops that layer's engine, whose writer would otherwise
    // go on indexing its deliveries for search while the next layer is measured.
    if measured("engine") {
        let (r, lat) = runtime().block_on(engine_only(bodies.clone()));
        report("engine (parse + group commit)", r, lat);
    }
    if measured("http") {
        let (r, lat) = runtime().block_on(over_http(bodies));
        report("HTTP endpoint (signed POSTs)", r, lat);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}
