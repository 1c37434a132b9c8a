//! What every endpoint Meta posts to does before anything is stored, shared by the daemon's
//! webhook and `hirechat relay`: answering the verification `GET`, reading a body within the
//! size, time and memory limits, and checking its signature on the raw bytes.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use super::log_throttle::LogThrottle;
use crate::{config::Secret, whatsapp::signature};

/// Anyone on the internet can send these as fast as they like: a line per ten seconds.
static REFUSED: LogThrottle = LogThrottle::new(Duration::from_secs(10));
static TOO_SLOW: LogThrottle = LogThrottle::new(Duration::from_secs(10));

/// How bodies are read.
#[derive(Clone)]
pub struct BodyLimits {
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
    /// Room for bodies in memory, in KiB, shared by every connection.
    pub buffer: Arc<Semaphore>,
}

impl BodyLimits {
    pub fn from_config(hook: &crate::config::WebhookConfig) -> Self {
        Self {
            max_body_bytes: hook.max_body_bytes,
            body_timeout: Duration::from_secs(hook.body_timeout_secs),
            buffer: Arc::new(Semaphore::new(
                hook.max_buffered_mb
                    .saturating_mul(1024)
                    .min(Semaphore::MAX_PERMITS),
            )),
        }
    }

    /// The whole body, or the answer that refuses it (413, 408, 503 while shutting down).
    pub async fn read(&self, headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.max_body_bytes) {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response());
        }
        // Room for the body before reading it: many clients sending large bodies at once wait
        // their turn instead of each holding megabytes (a body of unknown length may be the
        // largest).
        let kib = declared
            .unwrap_or(self.max_body_bytes)
            .div_ceil(1024)
            .max(1);
        let Ok(_room) = self
            .buffer
            .acquire_many(u32::try_from(kib).unwrap_or(u32::MAX))
            .await
        else {
            return Err((StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response());
        };
        let read = tokio::time::timeout(
            self.body_timeout,
            axum::body::to_bytes(body, self.max_body_bytes),
        );
        match read.await {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(_)) => Err((StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response()),
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
                Err(response)
            }
        }
    }
}

/// `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…` → the bare challenge, or 403.
pub fn answer_challenge<S: std::hash::BuildHasher>(
    verify_token: &Secret,
    q: &HashMap<String, String, S>,
) -> Response {
    let token = q.get("hub.verify_token").map_or("", String::as_str);
    let matches = !verify_token.is_empty()
        && constant_time_eq(token.as_bytes(), verify_token.expose().as_bytes());
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

/// The body's `X-Hub-Signature-256`, if it carries one.
pub fn signature_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(signature::HEADER).and_then(|v| v.to_str().ok())
}

/// Checks the signature over the raw bytes exactly as sent (never re-serialised); the 401 that
/// refuses it otherwise.
pub fn check_signature(
    app_secret: &Secret,
    body: &[u8],
    sig: Option<&str>,
) -> Result<(), Box<Response>> {
    if signature::verify(app_secret.expose(), body, sig) {
        return Ok(());
    }
    if let Some(more) = REFUSED.allow() {
        tracing::warn!(
            present = sig.is_some(),
            more_since_last_line = more,
            "webhook refused: bad or missing signature"
        );
    }
    Err(Box::new(
        (StatusCode::UNAUTHORIZED, "bad signature").into_response(),
    ))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
