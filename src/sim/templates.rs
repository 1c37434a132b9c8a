//! The simulator's template management: create (PENDING, then reviewed after a pause or on a
//! control request, with the `message_template_status_update` webhook), list with cursor
//! paging, delete; and the checks Meta makes when a template is sent.

use std::sync::{Arc, atomic::Ordering};

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    SimState,
    cloud::{authorised, graph_error},
    emit,
};
use crate::{domain::template::valid_whatsapp_name, whatsapp::templates::parameter_count};

#[derive(Debug, Clone)]
pub struct SimTemplate {
    pub id: u64,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    pub body: String,
    pub reason: Option<String>,
}

pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route(
            "/{version}/{id}/message_templates",
            get(list).post(create).delete(delete),
        )
        .route("/sim/templates/review", post(review))
        // A template's id and a media id share the path: edits are POSTs, media facts GETs.
        .route("/{version}/{id}", get(super::media::info).post(edit))
}

/// `POST /{template-id}`: new components; only approved, rejected or paused templates, and
/// the template goes back to review.
async fn edit(
    State(state): State<Arc<SimState>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorised(&state, &headers) {
        return graph_error(401, 190, "Invalid OAuth access token");
    }
    state.requests.lock().expect("sim lock").push(body.clone());
    let text = body["components"]
        .as_array()
        .and_then(|cs| {
            cs.iter().find(|c| {
                c["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
            })
        })
        .and_then(|c| c["text"].as_str())
        .unwrap_or_default()
        .to_owned();
    let (name, language) = {
        let mut templates = state.templates.lock().expect("sim lock");
        let Some(t) = templates.iter_mut().find(|t| t.id.to_string() == id) else {
            return graph_error(
                400,
                100,
                &format!("Unsupported post request. Object with ID '{id}' does not exist"),
            );
        };
        if !["APPROVED", "REJECTED", "PAUSED"].contains(&t.status.as_str()) {
            return graph_error(
                400,
                100,
                "Invalid parameter: only approved, rejected or paused templates can be edited",
            );
        }
        if text.is_empty() {
            return graph_error(400, 100, "Invalid parameter: a BODY component is required");
        }
        t.body.clone_from(&text);
        "PENDING".clone_into(&mut t.status);
        t.reason = None;
        (t.name.clone(), t.language.clone())
    };
    if let Some(pause) = state.config.template_review {
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(pause).await;
            set_status(&state, &name, &language, "APPROVED", None).await;
        });
    }
    Json(json!({"success": true})).into_response()
}

async fn create(
    State(state): State<Arc<SimState>>,
    Path((_version, waba)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorised(&state, &headers) {
        return graph_error(401, 190, "Invalid OAuth access token");
    }
    if waba != state.config.business_account_id {
        return graph_error(
            400,
            100,
            &format!("Unsupported post request. Object with ID '{waba}' does not exist"),
        );
    }
    state.requests.lock().expect("sim lock").push(body.clone());
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    let language = body["language"].as_str().unwrap_or_default().to_owned();
    let category = body["category"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !valid_whatsapp_name(&name) {
        return graph_error(
            400,
            100,
            "Invalid parameter: name may only contain lowercase letters, numbers and underscores",
        );
    }
    if language.is_empty() {
        return graph_error(400, 100, "Invalid parameter: language is required");
    }
    if !["UTILITY", "MARKETING", "AUTHENTICATION"].contains(&category.as_str()) {
        return graph_error(400, 100, "Invalid parameter: category");
    }
    let Some(body_component) = body["components"].as_array().and_then(|cs| {
        cs.iter().find(|c| {
            c["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
        })
    }) else {
        return graph_error(400, 100, "Invalid parameter: a BODY component is required");
    };
    let text = body_component["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let params = parameter_count(&text);
    let examples = body_component["example"]["body_text"][0]
        .as_array()
        .map_or(0, Vec::len);
    if params != examples {
        return graph_error(
            400,
            100,
            &format!("Invalid parameter: the body has {params} parameters but {examples} examples"),
        );
    }
    let mut templates = state.templates.lock().expect("sim lock");
    if templates
        .iter()
        .any(|t| t.name == name && t.language == language)
    {
        return graph_error(400, 100, "Message template already exists in this language");
    }
    let id = 1_345_567_788_990_000 + state.counter.fetch_add(1, Ordering::Relaxed);
    templates.push(SimTemplate {
        id,
        name: name.clone(),
        language: language.clone(),
        category: category.clone(),
        status: "PENDING".into(),
        body: text.clone(),
        reason: None,
    });
    drop(templates);
    if let Some(pause) = state.config.template_review {
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(pause).await;
            // A body that asks for it is rejected, so the rejection path can be seen.
            let (status, reason) = if text.contains("[reject]") {
                ("REJECTED", Some("INVALID_FORMAT"))
            } else {
                ("APPROVED", None)
            };
            set_status(&state, &name, &language, status, reason).await;
        });
    }
    Json(json!({"id": id.to_string(), "status": "PENDING", "category": category})).into_response()
}

/// Sets a template's status and tells the webhook, as Meta's review does.
pub async fn set_status(
    state: &SimState,
    name: &str,
    language: &str,
    status: &str,
    reason: Option<&str>,
) -> bool {
    let Some(payload) = change_status(state, name, language, status, reason) else {
        return false;
    };
    let _ = emit::post(state, &payload).await;
    true
}

/// Sets a template's status; returns the webhook that tells of it, or none when there is no
/// such template.
pub fn change_status(
    state: &SimState,
    name: &str,
    language: &str,
    status: &str,
    reason: Option<&str>,
) -> Option<Value> {
    let found = {
        let mut templates = state.templates.lock().expect("sim lock");
        templates
            .iter_mut()
            .find(|t| t.name == name && t.language == language)
            .map(|t| {
                status.clone_into(&mut t.status);
                t.reason = reason.map(str::to_owned);
                (t.id, t.category.clone())
            })
    };
    let (id, category) = found?;
    Some(json!({"object": "whatsapp_business_account", "entry": [{
    "id": state.config.business_account_id,
    "time": chrono::Utc::now().timestamp(),
    "changes": [{"field": "message_template_status_update", "value": {
        "event": status,
        "message_template_id": id,
        "message_template_name": name,
        // Meta's examples write the language with a hyphen.
        "message_template_language": language.replace('_', "-"),
        "message_template_category": category,
        "reason": reason,
    }}]}]}))
}

#[derive(Deserialize)]
struct Review {
    name: String,
    language: String,
    status: String,
    reason: Option<String>,
}

async fn review(State(state): State<Arc<SimState>>, Json(r): Json<Review>) -> Response {
    let ok = set_status(
        &state,
        &r.name,
        &r.language,
        &r.status.to_ascii_uppercase(),
        r.reason.as_deref(),
    )
    .await;
    Json(json!({"ok": ok})).into_response()
}

#[derive(Deserialize)]
struct Page {
    limit: Option<usize>,
    after: Option<String>,
}

async fn list(
    State(state): State<Arc<SimState>>,
    Path((version, waba)): Path<(String, String)>,
    headers: HeaderMap,
    Query(page): Query<Page>,
) -> Response {
    if !authorised(&state, &headers) {
        return graph_error(401, 190, "Invalid OAuth access token");
    }
    let limit = page.limit.unwrap_or(25).clamp(1, 100);
    let start: usize = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let templates = state.templates.lock().expect("sim lock").clone();
    let data: Vec<Value> = templates
        .iter()
        .skip(start)
        .take(limit)
        .map(|t| {
            json!({"id": t.id.to_string(), "name": t.name, "language": t.language, "status": t.status,
                   "category": t.category, "rejected_reason": t.reason.clone().unwrap_or_else(|| "NONE".into()),
                   "components": [{"type": "BODY", "text": t.body}]})
        })
        .collect();
    let end = start + data.len();
    let mut paging = json!({"cursors": {"before": start.to_string(), "after": end.to_string()}});
    if end < templates.len() {
        paging["next"] = format!(
            "http://{}/{version}/{waba}/message_templates?limit={limit}&after={end}",
            headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1")
        )
        .into();
    }
    Json(json!({"data": data, "paging": paging})).into_response()
}

#[derive(Deserialize)]
struct Delete {
    name: String,
    hsm_id: Option<String>,
}

async fn delete(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(d): Query<Delete>,
) -> Response {
    if !authorised(&state, &headers) {
        return graph_error(401, 190, "Invalid OAuth access token");
    }
    let mut templates = state.templates.lock().expect("sim lock");
    let before = templates.len();
    templates.retain(|t| {
        !(t.name == d.name && d.hsm_id.as_ref().is_none_or(|h| *h == t.id.to_string()))
    });
    if templates.len() == before {
        return graph_error(400, 100, "Message template not found");
    }
    Json(json!({"success": true})).into_response()
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP answer itself"
)]
/// Meta's checks on a `template` send: the template exists in that language and is approved
/// (else 132001), and the body gets as many parameters as it has (else 132000).
/// A template send as WhatsApp checks it; its category (`utility`…) when it passes.
pub fn check_send(state: &SimState, request: &Value) -> Result<String, Response> {
    let name = request["template"]["name"].as_str().unwrap_or_default();
    let language = request["template"]["language"]["code"]
        .as_str()
        .unwrap_or_default();
    let templates = state.templates.lock().expect("sim lock");
    let Some(t) = templates
        .iter()
        .find(|t| t.name == name && t.language == language && t.status == "APPROVED")
    else {
        return Err(graph_error(
            404,
            132_001,
            &format!("Template name does not exist in the translation: {name} ({language})"),
        ));
    };
    let given: usize = request["template"]["components"]
        .as_array()
        .map_or(0, |cs| {
            cs.iter()
                .filter(|c| {
                    c["type"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case("body"))
                })
                .map(|c| c["parameters"].as_array().map_or(0, Vec::len))
                .sum()
        });
    let expected = parameter_count(&t.body);
    if given != expected {
        return Err(graph_error(
            400,
            132_000,
            &format!(
                "Number of parameters does not match the expected number of params: expected {expected}, got {given}"
            ),
        ));
    }
    Ok(t.category.to_ascii_lowercase())
}
