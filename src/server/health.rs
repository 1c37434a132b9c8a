//! `GET /healthz` on the webhook listener, for the team's monitoring: 200 while the database
//! takes writes, 503 when it does not, with the outbox's state either way. Counts only: no
//! message, no contact and no secret is in it.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::webhook::WebhookState;

pub async fn healthz(State(state): State<WebhookState>) -> Response {
    let engine = state.engine.clone();
    let report = tokio::task::spawn_blocking(move || engine.health()).await;
    match report {
        Ok(Ok(h)) => {
            let code = if h.writable {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            let body = json!({
                "status": if h.writable { "ok" } else { "failing" },
                "writer": if h.writable { "ok" } else { "not writable" },
                "outbox": { "pending": h.outbox_pending, "uncertain": h.outbox_uncertain },
                "dead_letters": h.dead_letters,
            });
            (code, Json(body)).into_response()
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check could not read the store");
            failing("the store could not be read")
        }
        Err(_) => failing("the health check stopped"),
    }
}

fn failing(why: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "failing", "writer": why })),
    )
        .into_response()
}
