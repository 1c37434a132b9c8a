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
use crate::{
    config::Secret,
    engine::{Engine, Ingested},
};

#[derive(Clone)]
pub struct WebhookState {
    pub engine: Engine,
    pub app_secret: Secret,
    pub verify_token: Secret,
    pub limits: BodyLimits,
}

impl WebhookState {
    /// The endpoint's secrets and limits, as the configuration gives them.
    pub fn new(engine: Engine, config: &crate::config::Config) -> Self {
        Self {
            engine,
            app_secret: config.whatsapp.app_secret.clone(),
            verify_token: config.whatsapp.verify_token.clone(),
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
    intake::answer_challenge(&state.verify_token, &q)
}

async fn deliver(State(state): State<WebhookState>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match state.limits.read(&headers, body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let sig = intake::signature_header(&headers);
    if let Err(refused) = intake::check_signature(&state.app_secret, &bytes, sig) {
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
