//! The webhook endpoint: Meta's verification `GET` and signed `POST` deliveries. A delivery is
//! answered 200 only once it is durably stored (or kept as a dead letter); anything else makes
//! Meta retry, which is what we want when the store could not take it.

use std::collections::HashMap;

use axum::{
    Router,
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};

use super::intake::{self, BodyLimits};
use crate::engine::{Engine, Ingested};

#[derive(Clone)]
pub struct WebhookState {
    /// Also what deliveries are checked with: the secrets of the number connected now.
    pub engine: Engine,
    pub limits: BodyLimits,
}

impl WebhookState {
    /// The endpoint's limits, as the configuration gives them.
    pub fn new(engine: Engine, config: &crate::config::Config) -> Self {
        Self {
            engine,
            limits: BodyLimits::from_config(&config.webhook),
        }
    }
}

pub fn router(path: &str, state: WebhookState) -> Router {
    Router::new()
        .route(path, get(verify).post(deliver))
        .route("/healthz", get(super::health::healthz))
        .with_state(state)
}

async fn verify(
    State(state): State<WebhookState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    intake::answer_challenge(&state.engine.webhook_secrets().1, &q)
}

async fn deliver(State(state): State<WebhookState>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match state.limits.read(&headers, body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let sig = intake::signature_header(&headers);
    if let Err(refused) = intake::check_signature(&state.engine.webhook_secrets().0, &bytes, sig) {
        return *refused;
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
