//! `hirechat relay` over real HTTP on 127.0.0.1, and the inbox's worker reading from it:
//! Meta's verification, raw bytes and signatures kept, consumers and their cursors, the long
//! poll and the event stream, the disk cap, and deliveries ingested end to end (kept while the
//! inbox is away, stored once, an altered one refused).
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{APP_SECRET, Harness, TempDir, fixture};
use hirechat::{
    config::{Config, Consumer, FeedMode, Secret},
    domain::relay_link::LinkState,
    relay::wire::{Page, Standing},
    whatsapp::signature,
};

const INBOX_TOKEN: &str = "inbox-token-0123456789";
const STANDBY_TOKEN: &str = "standby-token-0123456789";

fn relay_config() -> Config {
    let mut c = Config::default();
    c.whatsapp.verify_token = Secret::new("verify-me");
    c.relay_server.consumers = vec![
        Consumer {
            name: "inbox".into(),
            token: Secret::new(INBOX_TOKEN),
        },
        Consumer {
            name: "standby".into(),
            token: Secret::new(STANDBY_TOKEN),
        },
    ];
    c
}

/// A relay on 127.0.0.1 with its database in `dir`; returns its base URL.
async fn start_relay(dir: &TempDir, config: &Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = hirechat::relay::app(config, dir.path()).unwrap();
    tokio::spawn(hirechat::server::http::serve(
        listener,
        app,
        hirechat::server::http::Limits::from_config(&config.webhook),
        std::future::pending(),
    ));
    url
}

/// A text message from Ken with its own message id.
fn text(n: usize) -> Vec<u8> {
    String::from_utf8(fixture("text"))
        .unwrap()
        .replace(
            "wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgUTEXT",
            &format!("wamid.relay-{n}"),
        )
        .into_bytes()
}

async fn post(url: &str, body: &[u8], sig: Option<&str>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/webhook"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = sig {
        req = req.header("x-hub-signature-256", s);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn post_signed(url: &str, body: &[u8]) -> u16 {
    post(url, body, Some(&signature::sign(APP_SECRET, body))).await
}

/// The status of a consumer's request, and its JSON answer when it is 200.
async fn answered<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> (u16, Option<T>) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (
        status,
        if status == 200 {
            r.json().await.ok()
        } else {
            None
        },
    )
}

async fn events(url: &str, token: &str, query: &str) -> (u16, Option<Page>) {
    answered(
        reqwest::Client::new()
            .get(format!("{url}/events?{query}"))
            .bearer_auth(token),
    )
    .await
}

async fn ack(url: &str, token: &str, cursor: u64) -> (u16, Option<Standing>) {
    answered(
        reqwest::Client::new()
            .post(format!("{url}/ack"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "cursor": cursor })),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_answers_meta_and_keeps_raw_bytes_and_signatures() {
    let dir = TempDir::new("relay");
    let url = start_relay(&dir, &relay_config()).await;
    let http = reqwest::Client::new();
    let challenge = http
        .get(format!(
            "{url}/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=verify-me"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), 200);
    assert_eq!(challenge.text().await.unwrap(), "42");
    let wrong = http
        .get(format!(
            "{url}/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=x"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);

    // Non-ASCII escaped as Meta escapes it, and bytes that are not even JSON: kept exactly.
    let escaped = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"text":"\u3053\u3093\u306b\u3061\u306f @ \/"}}]}]}"#;
    assert_eq!(post_signed(&url, escaped).await, 200);
    assert_eq!(
        post(&url, b"\xff\x00not json", None).await,
        200,
        "no app secret: kept as is"
    );

    let (status, page) = events(&url, INBOX_TOKEN, "wait=0").await;
    assert_eq!(status, 200);
    let page = page.unwrap();
    assert_eq!(page.last, 2);
    assert_eq!(page.events.len(), 2);
    assert_eq!(page.events[0].body_bytes().unwrap(), escaped);
    assert_eq!(
        page.events[0].signature.as_deref(),
        Some(signature::sign(APP_SECRET, escaped).as_str())
    );
    assert_eq!(page.events[1].body_bytes().unwrap(), b"\xff\x00not json");
    assert_eq!(page.events[1].signature, None);

    // Consumers need their token.
    assert_eq!(
        events(&url, "wrong-token-0123456789", "wait=0").await.0,
        401
    );
    let bare = http.get(format!("{url}/events")).send().await.unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(ack(&url, "wrong-token-0123456789", 1).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_app_secret_the_relay_refuses_forgeries_early() {
    let dir = TempDir::new("relay-secret");
    let mut config = relay_config();
    config.whatsapp.app_secret = Secret::new(APP_SECRET);
    let url = start_relay(&dir, &config).await;
    let body = text(1);
    assert_eq!(post(&url, &body, None).await, 401);
    let forged = signature::sign("not-the-secret", &body);
    assert_eq!(post(&url, &body, Some(&forged)).await, 401);
    assert_eq!(post_signed(&url, &body).await, 200);
    let page = events(&url, INBOX_TOKEN, "wait=0").await.1.unwrap();
    assert_eq!(page.events.len(), 1, "only the signed delivery was kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_consumer_keeps_its_own_cursor_and_a_poll_waits_for_news() {
    let dir = TempDir::new("relay-cursors");
    let url = start_relay(&dir, &relay_config()).await;
    for n in 0..3 {
        assert_eq!(post_signed(&url, &text(n)).await, 200);
    }
    // Without `after`, reading starts after the consumer's acknowledged cursor.
    let (status, standing) = ack(&url, INBOX_TOKEN, 2).await;
    assert_eq!(status, 200);
    let standing = standing.unwrap();
    assert_eq!((standing.acked, standing.backlog), (2, 1));
    assert_eq!(
        ack(&url, INBOX_TOKEN, 1).await.1.unwrap().acked,
        2,
        "never back"
    );
    assert_eq!(ack(&url, INBOX_TOKEN, 9).await.0, 400, "never given out");
    let inbox = events(&url, INBOX_TOKEN, "wait=0").await.1.unwrap();
    assert_eq!(
        inbox.events.iter().map(|e| e.cursor).collect::<Vec<_>>(),
        [3]
    );
    let standby = events(&url, STANDBY_TOKEN, "wait=0").await.1.unwrap();
    assert_eq!(standby.events.len(), 3, "the standby's cursor is its own");
    let limited = events(&url, STANDBY_TOKEN, "after=1&limit=1&wait=0")
        .await
        .1
        .unwrap();
    assert_eq!(
        limited.events.iter().map(|e| e.cursor).collect::<Vec<_>>(),
        [2]
    );

    // A poll with nothing to read waits, and answers as soon as a delivery is kept.
    let waiting = tokio::spawn({
        let url = url.clone();
        async move { events(&url, INBOX_TOKEN, "after=3&wait=20").await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished());
    let posted = std::time::Instant::now();
    assert_eq!(post_signed(&url, &text(4)).await, 200);
    let (status, page) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the poll answered soon after the delivery")
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(page.unwrap().events[0].cursor, 4);
    assert!(posted.elapsed() < Duration::from_secs(5));
    // An empty poll ends at its wait.
    let empty = events(&url, INBOX_TOKEN, "after=4&wait=1").await.1.unwrap();
    assert!(empty.events.is_empty());
    assert_eq!(empty.last, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_resumes_after_last_event_id() {
    use futures_util::StreamExt as _;
    let dir = TempDir::new("relay-sse");
    let url = start_relay(&dir, &relay_config()).await;
    for n in 0..3 {
        assert_eq!(post_signed(&url, &text(n)).await, 200);
    }
    let response = reqwest::Client::new()
        .get(format!("{url}/events"))
        .bearer_auth(INBOX_TOKEN)
        .header("accept", "text/event-stream")
        .header("last-event-id", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = response.bytes_stream();
    let mut text_seen = String::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while text_seen.matches("event: delivery").count() < 3 {
            if text_seen.matches("event: delivery").count() == 2 && !text_seen.contains("id: 4") {
                // The stream follows new deliveries too.
                post_signed(&url, &text(3)).await;
            }
            let chunk = stream.next().await.unwrap().unwrap();
            text_seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    });
    read.await.expect("three deliveries streamed");
    assert!(
        !text_seen.contains("id: 1\n"),
        "resumed after 1: {text_seen}"
    );
    for id in ["id: 2", "id: 3", "id: 4"] {
        assert!(text_seen.contains(id), "{id} in {text_seen}");
    }
    let data = text_seen
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap();
    let first: hirechat::relay::wire::Relayed = serde_json::from_str(data).unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(first.body)
            .unwrap(),
        text(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_disk_cap_the_relay_answers_503_so_meta_retries() {
    let dir = TempDir::new("relay-cap");
    let mut config = relay_config();
    config.relay_server.max_store_mb = 1;
    let url = start_relay(&dir, &config).await;
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(300 * 1024)).into_bytes();
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(post_signed(&url, &big).await);
    }
    assert_eq!(answers, [200, 200, 200, 503]);
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200, "room for a small one is left");
}

/// The inbox in relay mode: reads from `url` as the consumer "inbox".
fn relay_mode(url: &str) -> impl FnOnce(&mut Config) {
    let url = url.to_owned();
    move |c| {
        c.webhook.mode = FeedMode::Relay;
        c.relay.url = url;
        c.relay.token = Secret::new(INBOX_TOKEN);
        c.relay.wait_secs = 2;
        c.relay.max_backoff_secs = 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_kept_while_the_inbox_was_away_are_stored_once_and_acknowledged() {
    let relay_dir = TempDir::new("relay-e2e");
    let url = start_relay(&relay_dir, &relay_config()).await;
    for n in 0..20 {
        assert_eq!(post_signed(&url, &text(n)).await, 200);
    }
    // Meta delivers one again, and someone at the relay alters one (its signature kept).
    assert_eq!(post_signed(&url, &text(3)).await, 200);
    let original = text(99);
    let sig = signature::sign(APP_SECRET, &original);
    let altered = String::from_utf8(original)
        .unwrap()
        .replace("Can we move it", "Send your bank details")
        .into_bytes();
    assert_eq!(post(&url, &altered, Some(&sig)).await, 200);

    let h = Harness::start_in(TempDir::new("inbox-e2e"), relay_mode(&url)).await;
    let store = h.engine.store().clone();
    common::eventually("20 messages stored", || {
        store.message_count().unwrap_or_default() >= 20
    })
    .await;
    let engine = h.engine.clone();
    common::eventually("everything acknowledged", || {
        engine.relay_link().is_some_and(|l| {
            matches!(l.state, LinkState::Connected { .. }) && l.backlog == 0 && l.refused == 1
        })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store.message_count().unwrap(),
        20,
        "the repeat stored once, the altered one not at all"
    );
    let standing = ack(&url, INBOX_TOKEN, 0).await.1.unwrap();
    assert_eq!((standing.acked, standing.backlog), (22, 0));

    // Connected, a new delivery reaches the inbox's event stream.
    let mut news = h.engine.subscribe();
    assert_eq!(post_signed(&url, &text(50)).await, 200);
    common::wait_for(&mut news, |e| {
        matches!(e, hirechat::domain::event::Event::MessageReceived { .. }).then_some(())
    })
    .await;
    assert_eq!(store.message_count().unwrap(), 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_or_an_unreachable_relay_shows_as_reconnecting() {
    let relay_dir = TempDir::new("relay-refused");
    let url = start_relay(&relay_dir, &relay_config()).await;
    let h = Harness::start_in(TempDir::new("inbox-refused"), |c| {
        relay_mode(&url)(c);
        c.relay.token = Secret::new("not-a-consumer-token-000");
    })
    .await;
    let engine = h.engine.clone();
    common::eventually("the refusal shown", || {
        engine.relay_link().is_some_and(|l| match l.state {
            LinkState::Reconnecting { why, .. } => why.contains("token"),
            _ => false,
        })
    })
    .await;

    // Nobody listens there.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let h = Harness::start_in(TempDir::new("inbox-unreachable"), relay_mode(&gone)).await;
    let engine = h.engine.clone();
    common::eventually("unreachable shown", || {
        engine.relay_link().is_some_and(|l| match l.state {
            LinkState::Reconnecting { why, .. } => why.contains("could not be reached"),
            _ => false,
        })
    })
    .await;
}
