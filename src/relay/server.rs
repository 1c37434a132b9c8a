//! `hirechat relay`'s endpoints: Meta's (`GET` verification and `POST` deliveries on
//! `[webhook] path`) and the consumers' (`GET /events`, as a long poll or a server-sent event
//! stream, `POST /ack`, `GET /status`), plus `GET /healthz` for monitoring.

use std::{collections::HashMap, convert::Infallible, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{self, KeepAlive, Sse},
    },
    routing::{get, post},
};
use chrono::Utc;
use serde::Deserialize;

use super::{
    wire::{Ack, Page, Relayed, Standing},
    writer::{Kept, Writer},
};
use crate::{
    config::{Config, Consumer, Secret},
    server::{
        intake::{self, BodyLimits},
        log_throttle::LogThrottle,
    },
    store::relay_log::{Delivery, RelayLog},
};

/// Deliveries in one page of `GET /events`, at most (and as many as `limit` asks below it).
const PAGE: usize = 500;
/// Bodies in one page, at most (one larger delivery still comes alone).
const PAGE_BYTES: usize = 8 * 1024 * 1024;
/// The longest a poll may wait.
const MAX_WAIT_SECS: u64 = 60;

static WRONG_TOKEN: LogThrottle = LogThrottle::new(Duration::from_secs(10));

#[derive(Clone)]
pub struct RelayState {
    pub log: RelayLog,
    pub writer: Writer,
    pub consumers: Arc<Vec<Consumer>>,
    pub verify_token: Secret,
    /// When set, deliveries whose signature does not match are refused at once.
    pub app_secret: Option<Secret>,
    pub limits: BodyLimits,
    pub cap: u64,
}

impl RelayState {
    pub fn new(config: &Config, log: RelayLog, writer: Writer) -> Self {
        let secret = &config.whatsapp.app_secret;
        Self {
            log,
            writer,
            consumers: Arc::new(config.relay_server.consumers.clone()),
            verify_token: config.whatsapp.verify_token.clone(),
            app_secret: (!secret.is_empty()).then(|| secret.clone()),
            limits: BodyLimits::from_config(&config.webhook),
            cap: config.relay_server.max_store_mb.saturating_mul(1024 * 1024),
        }
    }

    /// The consumer whose bearer token the request carries.
    fn consumer(&self, headers: &HeaderMap) -> Result<&Consumer, Box<Response>> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .trim();
        // Every token is compared, so the time taken says nothing of which came close.
        let found = self.consumers.iter().fold(None, |found, c| {
            let same = intake::constant_time_eq(token.as_bytes(), c.token.expose().as_bytes());
            if same { Some(c) } else { found }
        });
        found.ok_or_else(|| {
            if let Some(more) = WRONG_TOKEN.allow() {
                tracing::warn!(
                    more_since_last_line = more,
                    "a consumer's token was refused"
                );
            }
            let mut r = (StatusCode::UNAUTHORIZED, "unknown token").into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            Box::new(r)
        })
    }

    fn standing(&self, consumer: &str) -> Result<Standing, crate::store::StoreError> {
        let (acked, last) = (self.log.acked(consumer)?, self.log.last_cursor()?);
        Ok(Standing {
            consumer: consumer.to_owned(),
            acked,
            last,
            backlog: last.saturating_sub(acked),
            kept_bytes: self.log.bytes()?,
            cap_bytes: self.cap,
        })
    }
}

fn unavailable(e: &crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "the relay's database could not be read");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the relay's database could not be read",
    )
        .into_response()
}

pub fn router(path: &str, state: RelayState) -> Router {
    Router::new()
        .route(path, get(verify).post(deliver))
        .route("/events", get(events))
        .route("/ack", post(ack))
        .route("/status", get(status))
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn verify(
    State(state): State<RelayState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    intake::answer_challenge(&state.verify_token, &q)
}

/// Kept with its signature header before the 200: from here on only consumers decide when
/// it may go.
async fn deliver(State(state): State<RelayState>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match state.limits.read(&headers, body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let signature = intake::signature_header(&headers).map(str::to_owned);
    if let Some(secret) = &state.app_secret
        && let Err(refused) = intake::check_signature(secret, &bytes, signature.as_deref())
    {
        return *refused;
    }
    let delivery = Delivery {
        received_at: Utc::now(),
        signature,
        body: bytes,
    };
    match state.writer.keep(delivery).await {
        Kept::At(_) => (StatusCode::OK, "EVENT_RECEIVED").into_response(),
        Kept::Full => (StatusCode::SERVICE_UNAVAILABLE, "relay full").into_response(),
        Kept::Failed => (StatusCode::SERVICE_UNAVAILABLE, "not stored").into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    after: Option<u64>,
    #[serde(default)]
    wait: u64,
    limit: Option<usize>,
}

/// Deliveries after `after` (else after the consumer's acknowledged cursor): at once when
/// there are some, else when the first arrives or `wait` seconds pass. With
/// `Accept: text/event-stream`, a stream of them instead, resumed after `Last-Event-ID`.
async fn events(
    State(state): State<RelayState>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Response {
    let consumer = match state.consumer(&headers) {
        Ok(c) => c.name.clone(),
        Err(refused) => return *refused,
    };
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let after = match resume.or(q.after) {
        Some(a) => a,
        None => match state.log.acked(&consumer) {
            Ok(a) => a,
            Err(e) => return unavailable(&e),
        },
    };
    let limit = q.limit.unwrap_or(PAGE).clamp(1, PAGE);
    let wants_stream = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if wants_stream {
        return stream(state, after, limit).into_response();
    }
    let wait = Duration::from_secs(q.wait.min(MAX_WAIT_SECS));
    let mut news = state.writer.news();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Read after subscribing: a delivery kept in between wakes the wait below.
        news.mark_unchanged();
        let (events, last) = match read_page(&state.log, after, limit) {
            Ok(p) => p,
            Err(e) => return unavailable(&e),
        };
        if !events.is_empty() || tokio::time::Instant::now() >= deadline {
            return Json(Page { events, last }).into_response();
        }
        if tokio::time::timeout_at(deadline, news.changed())
            .await
            .is_err()
        {
            return Json(Page { events, last }).into_response();
        }
    }
}

fn read_page(
    log: &RelayLog,
    after: u64,
    limit: usize,
) -> Result<(Vec<Relayed>, u64), crate::store::StoreError> {
    let last = log.last_cursor()?;
    let events = log
        .after(after, limit, PAGE_BYTES)?
        .into_iter()
        .map(Relayed::from)
        .collect();
    Ok((events, last))
}

/// Server-sent events: `id:` is the cursor (so `Last-Event-ID` resumes after it), `event:
/// delivery`, `data:` one [`Relayed`] as JSON; a comment every 15 s keeps proxies open.
fn stream(
    state: RelayState,
    after: u64,
    limit: usize,
) -> Sse<impl futures_util::Stream<Item = Result<sse::Event, Infallible>>> {
    let news = state.writer.news();
    let pending: std::collections::VecDeque<Relayed> = std::collections::VecDeque::new();
    let events = futures_util::stream::unfold(
        (state, news, after, pending),
        move |(state, mut news, mut after, mut pending)| async move {
            loop {
                if let Some(e) = pending.pop_front() {
                    after = e.cursor;
                    let event = sse::Event::default()
                        .id(e.cursor.to_string())
                        .event("delivery")
                        .json_data(&e)
                        .unwrap_or_else(|_| sse::Event::default().comment("unreadable"));
                    return Some((Ok(event), (state, news, after, pending)));
                }
                news.mark_unchanged();
                match read_page(&state.log, after, limit) {
                    Ok((events, _)) if !events.is_empty() => pending.extend(events),
                    Ok(_) => {
                        if news.changed().await.is_err() {
                            return None;
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the relay's database could not be read; stream ended");
                        return None;
                    }
                }
            }
        },
    );
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Moves the consumer's cursor forward once what it read is durable on its side.
async fn ack(State(state): State<RelayState>, headers: HeaderMap, body: Body) -> Response {
    let consumer = match state.consumer(&headers) {
        Ok(c) => c.name.clone(),
        Err(refused) => return *refused,
    };
    let Ok(bytes) = axum::body::to_bytes(body, 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "an ack is {\"cursor\": N}").into_response();
    };
    let Ok(Ack { cursor }) = serde_json::from_slice(&bytes) else {
        return (StatusCode::BAD_REQUEST, "an ack is {\"cursor\": N}").into_response();
    };
    match state.log.last_cursor() {
        Ok(last) if cursor > last => {
            return (
                StatusCode::BAD_REQUEST,
                format!("cursor {cursor} was never given out (the newest is {last})"),
            )
                .into_response();
        }
        Ok(_) => {}
        Err(e) => return unavailable(&e),
    }
    let log = state.log.clone();
    let name = consumer.clone();
    match tokio::task::spawn_blocking(move || log.ack(&name, cursor)).await {
        Ok(Ok(_)) => match state.standing(&consumer) {
            Ok(s) => Json(s).into_response(),
            Err(e) => unavailable(&e),
        },
        Ok(Err(e)) => unavailable(&e),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "stopped").into_response(),
    }
}

/// The consumer's cursor and what the relay holds.
async fn status(State(state): State<RelayState>, headers: HeaderMap) -> Response {
    let consumer = match state.consumer(&headers) {
        Ok(c) => c.name.clone(),
        Err(refused) => return *refused,
    };
    match state.standing(&consumer) {
        Ok(s) => Json(s).into_response(),
        Err(e) => unavailable(&e),
    }
}

/// For monitoring, without a token: whether deliveries are taken. Counts of nothing.
async fn healthz(State(state): State<RelayState>) -> Response {
    match state.log.bytes() {
        Ok(bytes) if bytes >= state.cap => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "full"})),
        )
            .into_response(),
        Ok(_) => Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "failing"})),
        )
            .into_response(),
    }
}
