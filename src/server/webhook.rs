//! The webhook endpoint: Meta's verification `GET` and signed `POST` deliveries. A delivery is
//! answered 200 only once it is durably stored (or kept as a dead letter); anything else makes
//! Meta retry, which is what we want when the store could not take it.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::sync::Semaphore;

use super::log_throttle::LogThrottle;
use crate::{
    config::Secret,
    engine::{Engine, Ingested},
    whatsapp::signature,
};

/// Anyone on the internet can send these as fast as they like: a line per ten seconds.
static REFUSED: LogThrottle = LogThrottle::new(Duration::from_secs(10));
static TOO_SLOW: LogThrottle = LogThrottle::new(Duration::from_secs(10));

#[derive(Clone)]
pub struct WebhookState {
    pub engine: Engine,
    pub app_secret: Secret,
    pub verify_token: Secret,
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
    /// Room for bodies in memory, in KiB, shared by every connection.
    pub buffer: Arc<Semaphore>,
}

impl WebhookState {
    /// The endpoint's secrets and limits, as the configuration gives them.
    pub fn new(engine: Engine, config: &crate::config::Config) -> Self {
        let hook = &config.webhook;
        Self {
            engine,
            app_secret: config.whatsapp.app_secret.clone(),
            verify_token: config.whatsapp.verify_token.clone(),
            max_body_bytes: hook.max_body_bytes,
            body_timeout: Duration::from_secs(hook.body_timeout_secs),
            buffer: Arc::new(Semaphore::new(
                hook.max_buffered_mb
                    .saturating_mul(1024)
                    .min(Semaphore::MAX_PERMITS),
            )),
        }
    }
}

pub fn router(path: &str, state: WebhookState) -> Router {
    Router::new()
        .route(path, get(verify).post(deliver))
        .route("/healthz", get(super::health::healthz))
        .with_state(state)
}

/// `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…` → the bare challenge, or 403.
async fn verify(
    State(state): State<WebhookState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = q.get("hub.verify_token").map_or("", String::as_str);
    let matches = !state.verify_token.is_empty()
        && constant_time_eq(token.as_bytes(), state.verify_token.expose().as_bytes());
    match (
        q.get("hub.mode").map(String::as_str),
        q.get("hub.challenge"),
    ) {
        (Some("subscribe"), Some(challenge)) if matches => {
            tracing::info!("webhook verification answered");
            (StatusCode::OK, challenge.clone()).into_response()
        }
        _ => {
            tracing::warn!("webhook verification refused: wrong mode or token");
            StatusCode::FORBIDDEN.into_response()
        }
    }
}

async fn deliver(State(state): State<WebhookState>, headers: HeaderMap, body: Body) -> Response {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > state.max_body_bytes) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    }
    // Room for the body before reading it: many clients sending large bodies at once wait
    // their turn instead of each holding megabytes (a body of unknown length may be the
    // largest).
    let kib = declared
        .unwrap_or(state.max_body_bytes)
        .div_ceil(1024)
        .max(1);
    let Ok(_room) = state
        .buffer
        .acquire_many(u32::try_from(kib).unwrap_or(u32::MAX))
        .await
    else {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    };
    let read = tokio::time::timeout(
        state.body_timeout,
        axum::body::to_bytes(body, state.max_body_bytes),
    );
    let bytes = match read.await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response(),
        Err(_) => {
            if let Some(more) = TOO_SLOW.allow() {
                tracing::warn!(
                    more_since_last_line = more,
                    "webhook body not received in time; connection closed"
                );
            }
            let mut response = (StatusCode::REQUEST_TIMEOUT, "body too slow").into_response();
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return response;
        }
    };
    let sig = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    // The signature is over the raw bytes exactly as sent: never re-serialise before this.
    if !signature::verify(state.app_secret.expose(), &bytes, sig) {
        if let Some(more) = REFUSED.allow() {
            tracing::warn!(
                present = sig.is_some(),
                more_since_last_line = more,
                "webhook refused: bad or missing signature"
            );
        }
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    }
    match state.engine.ingest(&bytes).await {
        Ok(Ingested::Stored | Ingested::DeadLettered) => {
            (StatusCode::OK, "EVENT_RECEIVED").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "webhook not stored; WhatsApp will retry");
            (StatusCode::SERVICE_UNAVAILABLE, "not stored").into_response()
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
