//! The Cloud API endpoints the client uses: `POST /{version}/{phone-number-id}/messages`.

use std::{sync::Arc, sync::atomic::Ordering, time::Duration};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use chrono::Utc;
use serde_json::{Value, json};

use super::{SimState, emit};
use crate::domain::window;

pub fn routes() -> Router<Arc<SimState>> {
    Router::new().route("/{version}/{id}/messages", post(messages))
}

/// Meta's error body: `{"error": {"message", "type", "code", "error_data", "fbtrace_id"}}`.
pub fn graph_error(status: u16, code: i64, message: &str) -> Response {
    let body = json!({"error": {
        "message": format!("(#{code}) {message}"),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": "AbCdEfSimulator",
    }});
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(body),
    )
        .into_response()
}

/// Whether the bearer token is the account's and still good.
pub fn authorised(state: &SimState, headers: &HeaderMap) -> bool {
    super::account::token_refusal(state, headers).is_none()
}

/// A request without the token, or for another phone number, as Graph refuses it.
pub fn refuse_caller(
    state: &SimState,
    headers: &HeaderMap,
    phone_number_id: &str,
) -> Option<Response> {
    if !authorised(state, headers) {
        return Some(graph_error(
            401,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        ));
    }
    (phone_number_id != state.config.phone_number_id).then(|| {
        graph_error(
            400,
            100,
            &format!("Unsupported post request. Object with ID '{phone_number_id}' does not exist"),
        )
    })
}

async fn messages(
    State(state): State<Arc<SimState>>,
    Path((_version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_caller(&state, &headers, &phone_number_id) {
        return refusal;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(400, 100, "The request body is not valid JSON");
    };
    state
        .requests
        .lock()
        .expect("sim lock")
        .push(request.clone());
    if request["messaging_product"] != "whatsapp" {
        return graph_error(400, 100, "The parameter messaging_product is required");
    }
    if request["status"] == "read" {
        return Json(json!({"success": true})).into_response();
    }
    if let Some(f) = state.faults.lock().expect("sim lock").pop_front() {
        let message = f
            .message
            .clone()
            .unwrap_or_else(|| "Simulated failure".into());
        return graph_error(f.status, f.code, &message);
    }
    let (to, recipient, key, kind) = match check_send(&request) {
        Ok(parts) => parts,
        Err(refusal) => return refusal,
    };
    let checked = if kind == "template" {
        super::templates::check_send(&state, &request).map(Some)
    } else {
        check_media(&state, &request, &kind).map(|()| None)
    };
    let category = match checked {
        Ok(category) => category,
        Err(refusal) => return refusal,
    };
    if let Some((code, message)) = state.limits.check(state.config.limits, &key) {
        return graph_error(400, code, message);
    }
    state
        .taken
        .lock()
        .expect("sim lock")
        .push((key.clone(), std::time::Instant::now()));
    let n = state.counter.fetch_add(1, Ordering::Relaxed);
    let wamid = format!("wamid.HBgLU0lNVUxBVE9SFQIAERgS{n:016X}");
    let contact = match &to {
        Some(digits) => json!({"input": request["to"], "wa_id": digits}),
        None => json!({"input": recipient, "user_id": recipient}),
    };
    let mut sent = json!({"id": wamid});
    if kind == "template" {
        sent["message_status"] = "accepted".into();
    }
    let window_open = window::is_open(
        state
            .last_inbound
            .lock()
            .expect("sim lock")
            .get(&key)
            .copied(),
        Utc::now(),
    );
    let failure = failure(&state, &key, &kind, window_open);
    let status_base = json!({
        "id": wamid,
        "recipient_id": to,
        "recipient_user_id": recipient,
        "biz_opaque_callback_data": request["biz_opaque_callback_data"],
    });
    let answer_from = (kind == "text" && failure.is_none()).then(|| key.clone());
    tokio::spawn(statuses(
        state.clone(),
        status_base,
        answer_from,
        pricing(category.as_deref(), window_open),
        failure,
    ));
    let late = state.slow.lock().expect("sim lock").pop_front();
    if let Some(delay) = late {
        tokio::time::sleep(delay).await;
    }
    Json(json!({"messaging_product": "whatsapp", "contacts": [contact], "messages": [sent]}))
        .into_response()
}

/// What Meta checks synchronously in a send: a recipient, and a text body within limits.
/// Returns (`to` digits, `recipient` BSUID, the window key, the type).
#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP answer itself"
)]
fn check_send(
    request: &Value,
) -> Result<(Option<String>, Option<String>, String, String), Response> {
    let to = request["to"]
        .as_str()
        .map(|t| t.chars().filter(char::is_ascii_digit).collect::<String>());
    let recipient = request["recipient"].as_str().map(str::to_owned);
    let Some(key) = to.clone().or_else(|| recipient.clone()) else {
        return Err(graph_error(
            400,
            131_008,
            "Required parameter is missing: to",
        ));
    };
    let kind = request["type"].as_str().unwrap_or("text").to_owned();
    if kind == "text" {
        let body = request["text"]["body"].as_str().unwrap_or("");
        if body.trim().is_empty() {
            return Err(graph_error(
                400,
                131_008,
                "Required parameter is missing: text.body",
            ));
        }
        if body.chars().count() > 4096 {
            return Err(graph_error(
                400,
                100,
                "Param text['body'] must be at most 4096 characters long",
            ));
        }
    }
    Ok((to, recipient, key, kind))
}

/// A file is named by an uploaded media id (or a link); an id WhatsApp does not hold is
/// refused.
#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP answer itself"
)]
fn check_media(state: &SimState, request: &Value, kind: &str) -> Result<(), Response> {
    if !matches!(kind, "image" | "document" | "audio" | "video" | "sticker") {
        return Ok(());
    }
    let object = &request[kind];
    if object["link"].is_string() {
        return Ok(());
    }
    let Some(id) = object["id"].as_str() else {
        return Err(graph_error(
            400,
            131_008,
            &format!("Required parameter is missing: {kind}.id"),
        ));
    };
    if !state.media.lock().expect("sim lock").contains_key(id) {
        return Err(graph_error(
            400,
            131_053,
            &format!("Media upload error: no media with id {id}"),
        ));
    }
    Ok(())
}

/// Why a send accepted by the API fails afterwards, if it does: a number that cannot
/// receive, or a free-form message outside the window.
fn failure(
    state: &SimState,
    key: &str,
    kind: &str,
    window_open: bool,
) -> Option<(i64, &'static str, &'static str)> {
    if state.undeliverable.lock().expect("sim lock").contains(key) {
        Some((
            131_026,
            "Message undeliverable",
            "Unable to deliver message: the number is not on WhatsApp or has blocked the business.",
        ))
    } else if kind != "template" && !window_open {
        Some((
            131_047,
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ))
    } else {
        None
    }
}

/// What WhatsApp's per-message pricing (from 2025-07-01) says of a send: a template is
/// charged by its category, except a utility one inside the customer-service window; a
/// free-form message is free.
fn pricing(template_category: Option<&str>, window_open: bool) -> Value {
    match template_category {
        Some("utility") if window_open => json!({"billable": false, "pricing_model": "PMP",
            "type": "free_customer_service", "category": "utility"}),
        Some(category) => json!({"billable": true, "pricing_model": "PMP", "type": "regular",
            "category": category}),
        None => json!({"billable": false, "pricing_model": "PMP",
            "type": "free_customer_service", "category": "service"}),
    }
}

/// Emits the statuses of one send with the configured pauses.
async fn statuses(
    state: Arc<SimState>,
    base: Value,
    answer_from: Option<String>,
    pricing: Value,
    failure: Option<(i64, &'static str, &'static str)>,
) {
    let steps: Vec<(&str, Duration)> = match failure {
        Some(_) => vec![("failed", state.config.status_delays[0])],
        None => vec![
            ("sent", state.config.status_delays[0]),
            ("delivered", state.config.status_delays[1]),
            ("read", state.config.status_delays[2]),
        ],
    };
    for (status, pause) in steps {
        tokio::time::sleep(pause).await;
        let mut s = base.clone();
        strip_nulls(&mut s);
        s["status"] = status.into();
        s["timestamp"] = Utc::now().timestamp().to_string().into();
        if let Some((code, title, details)) = failure {
            s["errors"] = json!([{"code": code, "title": title, "message": title,
                "error_data": {"details": details},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]);
        } else if status != "read" {
            s["pricing"] = pricing.clone();
        }
        let payload = emit::envelope(&state, json!({"statuses": [s]}));
        if emit::post(&state, &payload).await.is_err() {
            return;
        }
    }
    if let (Some(delay), Some(key)) = (state.config.auto_reply, answer_from) {
        tokio::time::sleep(delay).await;
        scripted_answer(&state, key).await;
    }
}

/// The demo's candidates answer in their own words, in turn.
const ANSWERS: &[&str] = &[
    "Thanks! That works for me.",
    "ありがとうございます。承知しました！",
    "Great, could you also send me the job description?",
    "Perfect, see you then 👍",
    "了解です。よろしくお願いします。",
    "Sounds good. Is the position hybrid?",
];

async fn scripted_answer(state: &SimState, key: String) {
    let n = usize::try_from(state.counter.load(Ordering::Relaxed)).unwrap_or(0);
    let name = state.names.lock().expect("sim lock").get(&key).cloned();
    let (from, user_id) = if key.contains('.') {
        (None, Some(key))
    } else {
        (Some(key), None)
    };
    let inbound = super::Inbound {
        from,
        user_id,
        name,
        text: Some(ANSWERS[n % ANSWERS.len()].to_owned()),
        ..super::Inbound::default()
    };
    if let Err(e) = super::control::inject(state, inbound).await {
        tracing::warn!(error = %e, "simulator could not answer");
    }
}

pub fn strip_nulls(v: &mut Value) {
    if let Value::Object(map) = v {
        map.retain(|_, v| !v.is_null());
    }
}
