//! The simulator's media, as Meta serves it: `GET /{media-id}` (with the bearer token) gives
//! the facts and a URL on this server, and that URL gives the bytes, again only with the
//! token; an unknown or expired id is a Graph error. Tests and the demo put files in with
//! `Sim::add_media`.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{
    SimState,
    cloud::{authorised, graph_error},
};

/// A file the simulated WhatsApp holds.
#[derive(Debug, Clone, Default)]
pub struct MediaFile {
    pub bytes: Vec<u8>,
    pub mime_type: String,
    /// Past WhatsApp's seven days: the id is no longer known.
    pub expired: bool,
    /// Say a checksum that the bytes do not have (a download tampered with on the way).
    pub wrong_sha256: bool,
}

impl MediaFile {
    pub fn sha256(&self) -> String {
        if self.wrong_sha256 {
            hex::encode(Sha256::digest(b"something else"))
        } else {
            hex::encode(Sha256::digest(&self.bytes))
        }
    }
}

fn unknown(id: &str) -> Response {
    graph_error(
        404,
        100,
        &format!("Unsupported get request. Object with ID '{id}' does not exist"),
    )
}

/// `GET /{version}/{media-id}` (and the account's objects, `sim::account`).
pub async fn info(
    State(state): State<Arc<SimState>>,
    Path((_version, id)): Path<(String, String)>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(answer) = super::account::object(&state, &id, &query, &headers) {
        return answer;
    }
    if let Some(refusal) = super::account::token_refusal(&state, &headers) {
        return refusal;
    }
    let file = state.media.lock().expect("sim lock").get(&id).cloned();
    let Some(file) = file.filter(|f| !f.expired) else {
        return unknown(&id);
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Json(json!({
        "messaging_product": "whatsapp",
        "id": id,
        "mime_type": file.mime_type,
        "sha256": file.sha256(),
        // A string, as in Meta's syntax (its SDK examples have a number).
        "file_size": file.bytes.len().to_string(),
        // Good for five minutes, as Meta's.
        "url": format!(
            "http://{host}/sim/media/{id}?ext={}&hash=ATsim",
            chrono::Utc::now().timestamp() + URL_LIFETIME_SECS
        ),
    }))
    .into_response()
}

/// How long a download URL works.
const URL_LIFETIME_SECS: i64 = 300;

/// The download URL: the bytes, with the bearer token only, until the URL expires.
pub async fn download(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&state, &headers) {
        return graph_error(401, 190, "Invalid OAuth access token");
    }
    let expires = query.get("ext").and_then(|e| e.parse::<i64>().ok());
    if expires.is_none_or(|e| e < chrono::Utc::now().timestamp()) {
        return graph_error(
            404,
            100,
            "The download URL has expired; ask for the media again",
        );
    }
    let file = state.media.lock().expect("sim lock").get(&id).cloned();
    match file.filter(|f| !f.expired) {
        Some(f) => ([(header::CONTENT_TYPE, f.mime_type.clone())], f.bytes).into_response(),
        None => unknown(&id),
    }
}
