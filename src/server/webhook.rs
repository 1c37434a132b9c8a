//! The webhook endpoint: Meta's verification `GET` and signed `POST` deliveries. A delivery is
//! answered 200 only once it is durably stored (or kept as a dead letter); anything else makes
//! Meta retry, which is what we want when the store could not take it.

use std::collections::HashMap;

use axum::{
    Router,
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    config::Secret,
    engine::{Engine, Ingested},
    whatsapp::signature,
};

#[derive(Clone)]
pub struct WebhookState {
    pub engine: Engine,
    pub app_secret: Secret,
    pub verify_token: Secret,
    pub max_body_bytes: usize,
}

impl WebhookState {
    /// The endpoint's secrets and limit, as the configuration gives them.
    pub fn new(engine: Engine, config: &crate::config::Config) -> Self {
        Self {
            engine,
            app_secret: config.whatsapp.app_secret.clone(),
            verify_token: config.whatsapp.verify_token.clone(),
            max_body_bytes: config.webhook.max_body_bytes,
        }
    }
}

pub fn router(path: &str, state: WebhookState) -> Router {
    Router::new()
        .route(path, get(verify).post(deliver))
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
    let Ok(bytes) = axum::body::to_bytes(body, state.max_body_bytes).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    let sig = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    // The signature is over the raw bytes exactly as sent: never re-serialise before this.
    if !signature::verify(state.app_secret.expose(), &bytes, sig) {
        tracing::warn!(
            present = sig.is_some(),
            "webhook refused: bad or missing signature"
        );
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
