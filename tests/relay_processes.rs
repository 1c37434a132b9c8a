//! The real binaries: `hirechat relay` and an inbox (`hirechat serve` with `[webhook] mode =
//! "relay"`) on one machine, each killed with SIGKILL in the middle of a stream that Meta
//! keeps delivering (again, until answered 200): every message stored once.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{
    collections::HashSet,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use common::{
    APP_SECRET, TempDir,
    daemon::{self, Daemon},
};

const RELAY_TOKEN: &str = "inbox-token-0123456789";
const MESSAGES: usize = 240;

fn write_relay_config(dir: &Path, port: u16) {
    let config = format!(
        r#"
[whatsapp]
verify_token = "verify-me"

[webhook]
listen = "127.0.0.1:{port}"

[[relay_server.consumers]]
name = "inbox"
token = "{RELAY_TOKEN}"
"#
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
}

fn delivery(n: usize) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Ken Sato"}},"wa_id":"819012345678"}}],"messages":[{{"from":"819012345678","id":"wamid.stream-{n}","timestamp":"{}","type":"text","text":{{"body":"message {n}"}}}}]}}}}]}}]}}"#,
        1_767_225_600 + n
    )
    .into_bytes()
}

/// Delivers like Meta: again and again until answered 200.
async fn deliver(port: u16, n: usize) {
    let body = delivery(n);
    let sig = hirechat::whatsapp::signature::sign(APP_SECRET, &body);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    loop {
        let sent = http
            .post(format!("http://127.0.0.1:{port}/webhook"))
            .header("x-hub-signature-256", &sig)
            .body(body.clone())
            .send()
            .await;
        if sent.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The wamids of Ken's conversation, as the inbox's CLI lists them.
fn stored(inbox: &Path) -> Vec<String> {
    let out = daemon::run(
        inbox,
        &[
            "messages",
            "--with",
            "+819012345678",
            "--json",
            "--limit",
            "1000",
        ],
    );
    if !out.status.success() {
        return Vec::new();
    }
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    list.iter()
        .filter_map(|m| m["wamid"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_relay_and_of_the_inbox_loses_and_doubles_nothing() {
    let (relay_dir, inbox_dir) = (TempDir::new("relay-proc"), TempDir::new("inbox-proc"));
    let relay_port = daemon::free_port();
    write_relay_config(relay_dir.path(), relay_port);
    let inbox_port = daemon::free_port();
    let sim = daemon::sim_for(inbox_port).await;
    daemon::write_config_full(
        inbox_dir.path(),
        &sim.api_base(),
        inbox_port,
        "mode = \"relay\"",
        &format!(
            "[relay]\nurl = \"http://127.0.0.1:{relay_port}\"\ntoken = \"{RELAY_TOKEN}\"\nwait_secs = 2\nmax_backoff_secs = 1\n"
        ),
    );

    // The first third arrives while the inbox is not running.
    let mut relay = Daemon::relay(relay_dir.path());
    for n in 0..MESSAGES / 3 {
        deliver(relay_port, n).await;
    }
    let mut inbox = Daemon::start(inbox_dir.path());

    // The rest is delivered by eight of Meta's connections while both are killed in turn.
    let next = Arc::new(AtomicUsize::new(MESSAGES / 3));
    let senders: Vec<_> = (0..8)
        .map(|_| {
            let next = next.clone();
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= MESSAGES {
                        return;
                    }
                    deliver(relay_port, n).await;
                    tokio::time::sleep(Duration::from_millis(10 + fastrand::u64(..20))).await;
                }
            })
        })
        .collect();
    // Each killed once the stream has reached a random point of its next quarter.
    for round in 0..4 {
        let at = MESSAGES / 3 + (round * 2 + 1) * MESSAGES / 12 + fastrand::usize(..MESSAGES / 12);
        while next.load(Ordering::Relaxed) < at {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if round % 2 == 0 {
            drop(relay); // SIGKILL
            relay = Daemon::relay(relay_dir.path());
        } else {
            drop(inbox);
            inbox = Daemon::start(inbox_dir.path());
        }
    }
    for s in senders {
        s.await.unwrap();
    }

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let wamids = loop {
        let wamids = stored(inbox_dir.path());
        if wamids.len() >= MESSAGES || std::time::Instant::now() > deadline {
            break wamids;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let unique: HashSet<&String> = wamids.iter().collect();
    assert_eq!(unique.len(), MESSAGES, "none lost");
    assert_eq!(wamids.len(), MESSAGES, "none doubled");
    drop((relay, inbox));
}
