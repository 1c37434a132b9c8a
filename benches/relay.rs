//! The relay, measured:
//! 1. `hirechat relay` as a child process (as deployed): its resident memory idle after start;
//!    then signed deliveries posted over 32 keep-alive connections, each answered 200 only once
//!    on disk (deliveries/s, ack p50/p99), and its memory idle again after them;
//! 2. end to end with a consumer connected: an inbox engine in relay mode (in this process)
//!    reading from that relay; from the start of Meta's POST to the engine's event for that
//!    message (what the TUI redraws on), one delivery at a time and eight at a time.
//!
//! `cargo bench --bench relay` (`BENCH_DELIVERIES=N` to change the count of part 1).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops on the first thing that goes wrong"
)]

mod common;

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{Process, percentile, post_signed, temp_dir};
use hirechat::{
    config::{Config, FeedMode, Secret},
    domain::event::Event,
    engine::Engine,
    whatsapp::signature,
};

const CONCURRENCY: usize = 32;
const SECRET: &str = "bench-secret";
const CONSUMER_TOKEN: &str = "bench-consumer-token-0123";

fn delivery(i: usize) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"81312345678","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Candidate {n}"}},"wa_id":"8190{n:08}"}}],"messages":[{{"from":"8190{n:08}","id":"wamid.RELAY{i:010}","timestamp":"{ts}","type":"text","text":{{"body":"Hello, is the role still open? ({i})"}}}}]}}}}]}}]}}"#,
        n = i % 5000,
        ts = 1_767_225_600 + i
    )
    .into_bytes()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_relay_config(dir: &Path, port: u16) {
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[whatsapp]\nverify_token = \"v\"\napp_secret = \"{SECRET}\"\n\n[webhook]\nlisten = \"127.0.0.1:{port}\"\nmax_connections = 256\n\n[[relay_server.consumers]]\nname = \"inbox\"\ntoken = \"{CONSUMER_TOKEN}\"\n"
        ),
    )
    .unwrap();
}

/// An inbox engine reading from the relay at `url`.
async fn inbox(url: &str) -> Engine {
    let mut config = Config::default();
    config.whatsapp.phone_number_id = "106540352242922".into();
    config.whatsapp.business_account_id = "102290129340398".into();
    config.whatsapp.app_secret = Secret::new(SECRET);
    config.webhook.mode = FeedMode::Relay;
    config.relay.url = url.to_owned();
    config.relay.token = Secret::new(CONSUMER_TOKEN);
    Engine::start(&config, &temp_dir("relay-inbox"), false)
        .await
        .unwrap()
}

/// Posts `count` deliveries from `first`, `at_once` at a time, and times each from the start of
/// its POST to the engine's event for its message.
async fn end_to_end(
    engine: &Engine,
    hook: &str,
    first: usize,
    count: usize,
    at_once: usize,
) -> Vec<f64> {
    let started: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut events = engine.subscribe();
    let watcher = {
        let started = started.clone();
        tokio::spawn(async move {
            let mut lat = Vec::with_capacity(count);
            while lat.len() < count {
                let event = events.recv().await;
                let Ok(Event::MessageReceived { message, .. }) = event.as_deref() else {
                    continue;
                };
                let wamid = message.wamid.clone().unwrap_or_default();
                if let Some(t) = started.lock().unwrap().remove(&wamid) {
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            lat
        })
    };
    let mut posters = Vec::new();
    for w in 0..at_once {
        let (started, hook) = (started.clone(), hook.to_owned());
        posters.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in (first + w..first + count).step_by(at_once) {
                let body = delivery(i);
                let sig = signature::sign(SECRET, &body);
                started
                    .lock()
                    .unwrap()
                    .insert(format!("wamid.RELAY{i:010}"), Instant::now());
                let r = http
                    .post(&hook)
                    .header("x-hub-signature-256", sig)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                // Meta's pace for one conversation, not a flood: what is measured is the path.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    for p in posters {
        p.await.unwrap();
    }
    let mut lat = tokio::time::timeout(Duration::from_secs(60), watcher)
        .await
        .expect("every message reached the inbox")
        .unwrap();
    lat.sort_by(f64::total_cmp);
    lat
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("BENCH_DELIVERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 20_000 } else { 300 });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = temp_dir("relay");
        let port = free_port();
        write_relay_config(&dir, port);
        let relay = Process::start("relay", &dir);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle_start = (relay.memory_mb("VmRSS"), relay.memory_mb("RssAnon"));
        let hook = format!("http://127.0.0.1:{port}/webhook");
        let bodies: Vec<Vec<u8>> = (0..n).map(delivery).collect();
        let (secs, mut lat) = post_signed(&hook, &bodies, SECRET, CONCURRENCY).await;
        lat.sort_by(f64::total_cmp);
        #[expect(clippy::cast_precision_loss, reason = "counts are small")]
        let per_sec = n as f64 / secs;
        println!(
            "relay: {n} deliveries, {CONCURRENCY} connections, on disk before 200: {per_sec:.0}/s, ack p50 {:.2} ms, p99 {:.2} ms",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!(
            "relay memory (resident; of it not file-backed): idle after start {:.1} MB ({:.1} MB); idle after the deliveries {:.1} MB ({:.1} MB), peak {:.1} MB",
            idle_start.0,
            idle_start.1,
            relay.memory_mb("VmRSS"),
            relay.memory_mb("RssAnon"),
            relay.memory_mb("VmHWM")
        );

        // The inbox reads the backlog first, then follows.
        let engine = inbox(&format!("http://127.0.0.1:{port}")).await;
        let caught_up = Instant::now();
        while engine.store().message_count().unwrap() < n as u64 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!(
            "inbox: the {n} kept deliveries read, checked, stored and acknowledged in {:.2} s",
            caught_up.elapsed().as_secs_f64()
        );
        let samples = if benching { 300 } else { 30 };
        for at_once in [1, 8] {
            let lat = end_to_end(&engine, &hook, n + at_once * 10_000, samples, at_once).await;
            println!(
                "end to end (POST to the relay -> the inbox's event), {at_once} at a time: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                percentile(&lat, 0.5),
                percentile(&lat, 0.99),
                lat.last().copied().unwrap_or_default()
            );
        }
        drop(relay);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
