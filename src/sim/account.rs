//! The simulator's business account, as an admin's `connect` and `doctor` meet it: the
//! account's phone numbers (`GET /{waba-id}/phone_numbers`), one number's facts, the app of the
//! token (`GET /app`) and its secret (`GET /{app-id}?access_token=APP|SECRET`), the app's
//! subscription to the account's webhooks (`/{waba-id}/subscribed_apps`: an override callback
//! is verified with Meta's challenge first), and tokens that expired, were revoked or lack a
//! permission, refused with Graph's codes.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};

use super::{SimState, cloud::graph_error};

/// The simulated app's id (what `GET /app` answers).
pub const APP_ID: &str = "1234567890123456";
/// A second number of the account, still on the On-Premises API (not usable here).
pub const ON_PREMISES_NUMBER_ID: &str = "106540352242999";

/// What is wrong with the token, as an admin's token can go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenState {
    #[default]
    Valid,
    /// Graph: 190, subcode 463.
    Expired,
    /// Graph: 190, subcode 460 (the session was invalidated).
    Revoked,
    /// Valid, without `whatsapp_business_management` (Graph: 200).
    WithoutManagement,
}

/// This app's subscription to the account's webhooks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscription {
    /// The callback it overrides the app's with, if any.
    pub callback: Option<String>,
}

/// Which apps take the account's webhooks.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    pub ours: Option<Subscription>,
    /// Another app subscribed with its own callback (a number already linked to another inbox).
    pub other: Option<String>,
    /// `GET /app` is not served, as by an API stand-in that does not have it.
    pub no_app_endpoint: bool,
}

pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/{version}/{id}/phone_numbers", get(phone_numbers))
        .route(
            "/{version}/{id}/subscribed_apps",
            get(subscribed).post(subscribe).delete(unsubscribe),
        )
        .route("/{version}/app", get(app))
}

fn token_error(subcode: i64, message: &str) -> Response {
    let body = json!({"error": {
        "message": message,
        "type": "OAuthException",
        "code": 190,
        "error_subcode": subcode,
        "fbtrace_id": "AbCdEfSimulator",
    }});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// The refusal of a request whose bearer token is missing, wrong, expired or revoked.
pub fn token_refusal(state: &SimState, headers: &HeaderMap) -> Option<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given != Some(state.config.access_token.as_str()) {
        return Some(graph_error(401, 190, "Invalid OAuth access token"));
    }
    match *state.token.lock().expect("sim lock") {
        TokenState::Expired => Some(token_error(
            463,
            "Error validating access token: Session has expired on Monday, 30-Nov-26 09:00:00 PST.",
        )),
        TokenState::Revoked => Some(token_error(
            460,
            "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        )),
        TokenState::Valid | TokenState::WithoutManagement => None,
    }
}

/// A token refusal, or Graph's permission error when management is missing.
fn manager_refusal(state: &SimState, headers: &HeaderMap) -> Option<Response> {
    token_refusal(state, headers).or_else(|| {
        (*state.token.lock().expect("sim lock") == TokenState::WithoutManagement)
            .then(|| graph_error(403, 200, "Permissions error"))
    })
}

/// The refusal of a request to the account's endpoints: the token, the permission, the id.
fn guard(state: &SimState, headers: &HeaderMap, id: &str) -> Option<Response> {
    manager_refusal(state, headers).or_else(|| other_account(state, id))
}

fn other_account(state: &SimState, id: &str) -> Option<Response> {
    (id != state.config.business_account_id).then(|| {
        graph_error(
            400,
            100,
            &format!("Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"),
        )
    })
}

/// One number as Graph gives it.
pub fn number(state: &SimState, id: &str) -> Option<Value> {
    if id == state.config.phone_number_id {
        let (quality, limit) = state.rating.lock().expect("sim lock").clone();
        return Some(json!({
            "id": id,
            "display_phone_number": "+81 3-1234-5678",
            "verified_name": "Sakura Talent",
            "quality_rating": quality,
            "messaging_limit_tier": limit,
            "platform_type": "CLOUD_API",
            "throughput": {"level": "STANDARD"},
            "status": "CONNECTED",
            "code_verification_status": "VERIFIED",
        }));
    }
    (id == ON_PREMISES_NUMBER_ID).then(|| {
        json!({
            "id": id,
            "display_phone_number": "+81 6-9876-5432",
            "verified_name": "Sakura Talent Osaka",
            "quality_rating": "GREEN",
            "messaging_limit_tier": "TIER_1K",
            "platform_type": "ON_PREMISE",
            "throughput": {"level": "NOT_APPLICABLE"},
            "status": "CONNECTED",
            "code_verification_status": "VERIFIED",
        })
    })
}

/// `GET /{app-id}?access_token=APP|SECRET`: answers only when the secret is the app's.
pub fn app_object(state: &SimState, query: &HashMap<String, String>) -> Response {
    let expected = format!("{APP_ID}|{}", state.config.app_secret);
    if query.get("access_token") == Some(&expected) {
        return Json(json!({"id": APP_ID, "name": "hirechat (simulated)"})).into_response();
    }
    token_error(
        467,
        "Error validating application. Invalid application ID or app secret.",
    )
}

async fn app(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = token_refusal(&state, &headers) {
        return refusal;
    }
    if state
        .subscriptions
        .lock()
        .expect("sim lock")
        .no_app_endpoint
    {
        return graph_error(400, 2500, "Unknown path components: /app");
    }
    Json(json!({"id": APP_ID, "name": "hirechat (simulated)"})).into_response()
}

async fn phone_numbers(
    State(state): State<Arc<SimState>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = guard(&state, &headers, &id) {
        return refusal;
    }
    let data: Vec<Value> = [state.config.phone_number_id.as_str(), ON_PREMISES_NUMBER_ID]
        .iter()
        .filter_map(|n| number(&state, n))
        .collect();
    Json(json!({"data": data, "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}}}))
        .into_response()
}

async fn subscribed(
    State(state): State<Arc<SimState>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = guard(&state, &headers, &id) {
        return refusal;
    }
    let subs = state.subscriptions.lock().expect("sim lock").clone();
    let mut data = Vec::new();
    if let Some(callback) = subs.other {
        data.push(json!({
            "whatsapp_business_api_data": {"id": "9999999999999999", "name": "Another inbox", "link": "https://example.com"},
            "override_callback_uri": callback,
        }));
    }
    if let Some(ours) = subs.ours {
        let mut app = json!({"whatsapp_business_api_data": {"id": APP_ID, "name": "hirechat (simulated)", "link": "https://example.com"}});
        if let Some(callback) = ours.callback {
            app["override_callback_uri"] = json!(callback);
        }
        data.push(app);
    }
    Json(json!({"data": data})).into_response()
}

/// Subscribes the app; with `override_callback_uri`, Meta first checks the callback answers
/// its challenge with `verify_token`.
async fn subscribe(
    State(state): State<Arc<SimState>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = guard(&state, &headers, &id) {
        return refusal;
    }
    let fields: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let callback = fields["override_callback_uri"].as_str().map(str::to_owned);
    if let Some(uri) = &callback {
        let token = fields["verify_token"].as_str().unwrap_or_default();
        let challenge = fastrand::u32(..).to_string();
        let answer = state
            .http
            .get(uri)
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.challenge", challenge.as_str()),
                ("hub.verify_token", token),
            ])
            .send()
            .await;
        let verified = match answer {
            Ok(r) if r.status() == 200 => r.text().await.is_ok_and(|t| t == challenge),
            _ => false,
        };
        if !verified {
            return graph_error(
                400,
                2200,
                "Callback verification failed with the following errors: curl_errno = 0; HTTP Status Code = 403; HTTP Message = Forbidden",
            );
        }
    }
    state.subscriptions.lock().expect("sim lock").ours = Some(Subscription { callback });
    Json(json!({"success": true})).into_response()
}

async fn unsubscribe(
    State(state): State<Arc<SimState>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = guard(&state, &headers, &id) {
        return refusal;
    }
    state.subscriptions.lock().expect("sim lock").ours = None;
    Json(json!({"success": true})).into_response()
}

/// `GET /{version}/{id}` for the account's objects: a number, or the app (checking its secret).
pub fn object(
    state: &SimState,
    id: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Option<Response> {
    if id == APP_ID {
        return Some(app_object(state, query));
    }
    let number = number(state, id)?;
    Some(token_refusal(state, headers).unwrap_or_else(|| Json(number).into_response()))
}
