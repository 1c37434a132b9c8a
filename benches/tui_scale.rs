//! The inbox at scale: 100,000 conversations and 1,000,000 messages. Reports the time to the
//! first frame (engine opened, first page loaded and drawn), the time a key press takes to
//! redraw, opening a conversation, jumping to the end of the list, and the process's memory.
//!
//! `cargo bench --bench tui_scale`. The store is generated once into
//! `$TMPDIR/hirechat-bench-scale` (`BENCH_CONVERSATIONS`, `BENCH_MESSAGES_EACH` to change the
//! size), then measured in a fresh process so nothing is warm.

use std::{path::PathBuf, time::Instant};

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hirechat::{
    config::Config,
    domain::{
        message::{Effect, Summary},
        permission::{Actor, Role},
        phone::PhoneNumber,
    },
    engine::Engine,
    store::{Change, ContactInfo, Store},
    tui::{
        Session,
        app::{App, Connection, Input},
        link::Link,
        view,
    },
};
use ratatui::{Terminal, backend::TestBackend};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn store_dir(conversations: usize, each: usize) -> PathBuf {
    std::env::temp_dir().join(format!("hirechat-bench-scale-{conversations}x{each}"))
}

const NAMES: &[&str] = &[
    "Haruto Sato",
    "山本 大輝",
    "Emily Clarke",
    "田中 美咲",
    "Liam Chen",
    "小林 さくら",
    "Olivia Brown",
];

fn generate(dir: &PathBuf, conversations: usize, each: usize) {
    if dir.join("complete").exists() {
        println!("using the store in {}", dir.display());
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let store = Store::open(dir, 256).unwrap();
    let start = Instant::now();
    let t0: DateTime<Utc> = Utc::now() - Duration::days(60);
    let total = conversations * each;
    let mut batch = Vec::with_capacity(5000);
    let mut done = 0;
    // Message k of conversation c; conversations interleave so activity order is mixed.
    for k in 0..each {
        for c in 0..conversations {
            let n = k * conversations + c;
            let at = t0 + Duration::seconds(i64::try_from(n).unwrap() * 5);
            batch.push(Change::Inbound {
                contact: ContactInfo {
                    phone: Some(PhoneNumber::parse(&format!("+8190{c:08}")).unwrap()),
                    bsuid: None,
                    name: Some(format!("{} {c}", NAMES[c % NAMES.len()])),
                    username: None,
                },
                wamid: format!("wamid.SCALE{n:010}"),
                at,
                reply_to: None,
                effect: Effect::New(Summary {
                    kind: "text".into(),
                    text: format!("Message {k} about the opening: is the interview on Tuesday still possible? 面接の件 #{n}"),
                    media: None,
                }),
                error_code: None,
                payload: None,
            });
            if batch.len() == 5000 {
                store.apply(&batch).unwrap();
                store.flush().unwrap();
                done += batch.len();
                batch.clear();
                if done % 100_000 == 0 {
                    eprintln!(
                        "  generated {done}/{total} messages ({:.0}/s)",
                        f64::from(u32::try_from(done).unwrap_or(u32::MAX))
                            / start.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
    store.apply(&batch).unwrap();
    store.flush().unwrap();
    println!(
        "generated {conversations} conversations, {} messages in {:.1} s",
        store.message_count().unwrap(),
        start.elapsed().as_secs_f64()
    );
    std::fs::write(dir.join("complete"), b"").unwrap();
}

fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0u64)
    };
    (kb("VmRSS:") / 1024, kb("VmHWM:") / 1024)
}

fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn measure(dir: PathBuf) {
    let start = Instant::now();
    let mut config = Config::default();
    config.store.cache_mb = u64::try_from(env_usize("BENCH_CACHE_MB", 64)).unwrap();
    let engine = Engine::start(&config, &dir, false).await.unwrap();
    let (rss, _) = memory();
    println!(
        "store opened after {:.1} ms, resident {rss} MB",
        ms(start.elapsed())
    );
    let actor = Actor {
        login: "bench".into(),
        name: "Bench".into(),
        role: Role::Admin,
    };
    let mut session = Session::start(
        App::new(Utc::now(), Connection::InProcess, 160, 45),
        Link::Local {
            engine: engine.clone(),
            actor: actor.clone(),
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    while session.app.list.rows.is_empty() {
        session.step().await;
    }
    terminal.draw(|f| view::render(&session.app, f)).unwrap();
    let first_frame = start.elapsed();
    println!(
        "first frame (open the store, load the first page, draw): {:>8.1} ms",
        ms(first_frame)
    );
    println!("  conversations: {}", session.app.list.total);

    // Key presses inside the loaded window: update + redraw.
    let mut times = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        session
            .sender()
            .send(key(if i % 50 < 40 {
                KeyCode::Down
            } else {
                KeyCode::Up
            }))
            .unwrap();
        session.step().await;
        terminal.draw(|f| view::render(&session.app, f)).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "key press → redraw (j/k, 200 presses):               p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms",
        ms(times[100]),
        ms(times[198]),
        ms(times[199])
    );

    // Open the selected conversation: its newest messages are loaded and drawn.
    let t = Instant::now();
    session.sender().send(key(KeyCode::Enter)).unwrap();
    while !session.app.chat.as_ref().is_some_and(|c| c.loaded) {
        session.step().await;
    }
    terminal.draw(|f| view::render(&session.app, f)).unwrap();
    println!(
        "open a conversation (load + draw):                   {:>8.2} ms",
        ms(t.elapsed())
    );
    session.sender().send(key(KeyCode::Esc)).unwrap();
    session.step().await;

    // Jump to the end of the list: a window 100,000 rows down is loaded.
    let t = Instant::now();
    session
        .sender()
        .send(Input::Key(KeyEvent::new(
            KeyCode::Char('G'),
            KeyModifiers::SHIFT,
        )))
        .unwrap();
    session.step().await;
    while session.app.list.selected_row().is_none() {
        session.step().await;
    }
    terminal.draw(|f| view::render(&session.app, f)).unwrap();
    println!(
        "jump to the last conversation (G, load + draw):      {:>8.2} ms",
        ms(t.elapsed())
    );
    live_latency(&mut session, &mut terminal, &engine).await;
    let (rss, peak) = memory();
    println!("memory before the views: resident {rss} MB, peak {peak} MB");
    views(&engine, &actor).await;
    let (rss, peak) = memory();
    println!("memory: resident {rss} MB, peak {peak} MB");
}

/// Switching to a view: the first page (150 rows) of a filtered list, with its count.
async fn views(engine: &Engine, actor: &Actor) {
    for filter in [
        "all-unreplied",
        "unreplied>5d",
        "my-unreplied",
        "window:open",
    ] {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let request = hirechat::engine::Request::Conversations {
                offset: 0,
                limit: Some(150),
                filter: Some(filter.into()),
            };
            if let Ok(hirechat::engine::Response::Conversations { total: n, .. }) =
                engine.handle(actor, request).await
            {
                total = n;
            }
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "view {filter:<16} ({total:>6} conversations): first page p50 {:>8.2} ms",
            ms(times[2])
        );
    }
}

/// A message stored by the engine (as a webhook does) until it is drawn at the top.
async fn live_latency(
    session: &mut Session,
    terminal: &mut Terminal<TestBackend>,
    engine: &Engine,
) {
    session.sender().send(key(KeyCode::Home)).unwrap();
    while session.app.list.offset != 0 || session.app.list.loading {
        session.step().await;
    }
    let mut lags = Vec::new();
    // Each run's wamids are new: a repeat would be stored once and draw nothing.
    let run = Utc::now().timestamp_millis();
    for i in 0..50u32 {
        let change = Change::Inbound {
            contact: ContactInfo {
                phone: Some(PhoneNumber::parse("+819000000007").unwrap()),
                ..ContactInfo::default()
            },
            wamid: format!("wamid.LIVE{run}-{i}"),
            at: Utc::now(),
            reply_to: None,
            effect: Effect::New(Summary {
                kind: "text".into(),
                text: format!("live {i}"),
                media: None,
            }),
            error_code: None,
            payload: None,
        };
        let text = format!("live {i}");
        engine.apply_history(vec![change]).await.unwrap();
        // Timed from the moment the write is durable, as the webhook's 200 would be.
        let t = Instant::now();
        while session
            .app
            .list
            .rows
            .first()
            .is_none_or(|r| r.last_text != text)
        {
            session.step().await;
        }
        terminal.draw(|f| view::render(&session.app, f)).unwrap();
        lags.push(t.elapsed());
    }
    lags.sort();
    println!(
        "stored message → on screen (50 messages):           p50 {:>6.2} ms   max {:>6.2} ms",
        ms(lags[25]),
        ms(lags[49])
    );
}

fn main() {
    let conversations = env_usize("BENCH_CONVERSATIONS", 100_000);
    let each = env_usize("BENCH_MESSAGES_EACH", 10);
    let dir = store_dir(conversations, each);
    if std::env::args().any(|a| a == "--measure") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(measure(dir));
        return;
    }
    // `cargo test --benches` runs this without `--bench`: keep that small.
    let (conversations, each) = if std::env::args().any(|a| a == "--bench") {
        (conversations, each)
    } else {
        (200, 3)
    };
    let dir = store_dir(conversations, each);
    generate(&dir, conversations, each);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--measure")
        .env("BENCH_CONVERSATIONS", conversations.to_string())
        .env("BENCH_MESSAGES_EACH", each.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}
