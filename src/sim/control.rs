//! The simulator's control endpoints (`/sim/…`), for the demo and the tests: inject a contact's
//! message, fail the next sends, make a number undeliverable, read what was sent.

use std::sync::{Arc, atomic::Ordering};

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Fault, SimState, cloud::strip_nulls, emit};

/// A message from a contact. `text`, or a whole message object in `message` (its `type` and
/// the type's object, e.g. an image), which wins.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Inbound {
    /// The contact's number (`+81…` or digits); absent for a user who hides it.
    pub from: Option<String>,
    /// The contact's BSUID.
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
    pub text: Option<String>,
    pub message: Option<Value>,
    /// A file the contact sends: held as WhatsApp holds it, and delivered by its media id.
    pub file: Option<InboundFile>,
}

/// A file in an injected message (`POST /sim/inbound` with `"file": {…}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InboundFile {
    /// `image`, `document`, `audio`, `video` or `sticker`.
    pub kind: String,
    pub mime_type: String,
    /// The bytes, in base64.
    pub data: String,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    /// Already past WhatsApp's seven days.
    #[serde(default)]
    pub expired: bool,
    /// Said to have a checksum the bytes do not have.
    #[serde(default)]
    pub wrong_sha256: bool,
}

impl InboundFile {
    /// Holds the file and returns the message object that names it.
    fn deliver(&self, state: &SimState) -> Result<Value, String> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.data.trim())
            .map_err(|e| format!("file.data is not base64: {e}"))?;
        let file = super::media::MediaFile {
            bytes,
            mime_type: self.mime_type.clone(),
            expired: self.expired,
            wrong_sha256: self.wrong_sha256,
        };
        let sha256 = file.sha256();
        let id = state.next_media_id();
        state
            .media
            .lock()
            .expect("sim lock")
            .insert(id.clone(), file);
        let mut object = json!({
            "id": id,
            "mime_type": self.mime_type,
            "sha256": sha256,
            "filename": self.filename,
            "caption": self.caption,
        });
        strip_nulls(&mut object);
        Ok(json!({"type": self.kind, self.kind.clone(): object}))
    }
}

pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/sim/inbound", post(inbound))
        .route("/sim/faults", post(faults))
        .route("/sim/slow", post(slow))
        .route("/sim/undeliverable", post(undeliverable))
        .route("/sim/requests", get(requests))
}

pub async fn inject(state: &SimState, m: Inbound) -> Result<String, String> {
    let digits = m
        .from
        .as_ref()
        .map(|f| f.chars().filter(char::is_ascii_digit).collect::<String>());
    if digits.is_none() && m.user_id.is_none() {
        return Err("an inbound message needs `from` or `user_id`".into());
    }
    let n = state.counter.fetch_add(1, Ordering::Relaxed);
    let wamid = format!("wamid.HBgLU0lNVUxBVE9SFQIAEhgS{n:016X}");
    let now = Utc::now();
    {
        let mut last = state.last_inbound.lock().expect("sim lock");
        let mut names = state.names.lock().expect("sim lock");
        for key in [&digits, &m.user_id].into_iter().flatten() {
            last.insert(key.clone(), now);
            if let Some(n) = &m.name {
                names.insert(key.clone(), n.clone());
            }
        }
    }
    let mut message = match (&m.message, &m.file) {
        (Some(message), _) => message.clone(),
        (None, Some(file)) => file.deliver(state)?,
        (None, None) => {
            json!({"type": "text", "text": {"body": m.text.clone().unwrap_or_default()}})
        }
    };
    message["id"] = wamid.clone().into();
    message["timestamp"] = now.timestamp().to_string().into();
    if let Some(d) = &digits {
        message["from"] = d.clone().into();
    }
    let mut contact = json!({
        "profile": {"name": m.name, "username": m.username},
        "wa_id": digits,
        "user_id": m.user_id,
    });
    strip_nulls(&mut contact);
    strip_nulls(&mut contact["profile"]);
    let payload = emit::envelope(state, json!({"contacts": [contact], "messages": [message]}));
    emit::post(state, &payload).await?;
    Ok(wamid)
}

async fn inbound(State(state): State<Arc<SimState>>, Json(m): Json<Inbound>) -> Response {
    match inject(&state, m).await {
        Ok(wamid) => Json(json!({"wamid": wamid})).into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, Json(json!({"error": e}))).into_response(),
    }
}

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(default = "one")]
    count: usize,
    #[serde(flatten)]
    fault: Fault,
}

fn one() -> usize {
    1
}

pub fn push_faults(state: &SimState, count: usize, fault: &Fault) {
    let mut q = state.faults.lock().expect("sim lock");
    for _ in 0..count {
        q.push_back(fault.clone());
    }
}

async fn faults(State(state): State<Arc<SimState>>, Json(f): Json<FaultRequest>) -> Response {
    push_faults(&state, f.count, &f.fault);
    Json(json!({"queued": f.count})).into_response()
}

#[derive(Deserialize)]
struct SlowRequest {
    #[serde(default = "one")]
    count: usize,
    delay_ms: u64,
}

pub fn push_slow(state: &SimState, count: usize, delay: std::time::Duration) {
    let mut q = state.slow.lock().expect("sim lock");
    for _ in 0..count {
        q.push_back(delay);
    }
}

async fn slow(State(state): State<Arc<SimState>>, Json(s): Json<SlowRequest>) -> Response {
    push_slow(
        &state,
        s.count,
        std::time::Duration::from_millis(s.delay_ms),
    );
    Json(json!({"queued": s.count})).into_response()
}

#[derive(Deserialize)]
struct Undeliverable {
    number: String,
}

async fn undeliverable(
    State(state): State<Arc<SimState>>,
    Json(u): Json<Undeliverable>,
) -> Response {
    let key = if u.number.contains('.') {
        u.number
    } else {
        u.number.chars().filter(char::is_ascii_digit).collect()
    };
    state.undeliverable.lock().expect("sim lock").insert(key);
    Json(json!({"ok": true})).into_response()
}

async fn requests(State(state): State<Arc<SimState>>) -> Response {
    Json(Value::Array(
        state.requests.lock().expect("sim lock").clone(),
    ))
    .into_response()
}
