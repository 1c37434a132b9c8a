//! The business account as an admin connects it: its phone numbers, the app of the token and
//! whether an app secret is that app's, the app's subscription to the account's webhooks, the
//! API's clock; and what a refusal means, in plain words with what to do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::client::{ClientError, CloudClient};

/// One of the account's numbers (`GET /{waba-id}/phone_numbers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberInfo {
    pub id: String,
    #[serde(default)]
    pub display_phone_number: String,
    #[serde(default)]
    pub verified_name: String,
    #[serde(default)]
    pub quality_rating: Option<String>,
    #[serde(default)]
    pub messaging_limit_tier: Option<String>,
    /// `CLOUD_API`, `ON_PREMISE`, `NOT_APPLICABLE` (still on the WhatsApp Business app).
    #[serde(default)]
    pub platform_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl PhoneNumberInfo {
    /// Why this inbox cannot use the number, if it cannot.
    pub fn unusable(&self) -> Option<String> {
        match self.platform_type.as_deref() {
            None | Some("CLOUD_API") => None,
            Some("ON_PREMISE") => Some(
                "it is on the On-Premises API: migrate it to the Cloud API in WhatsApp Manager first"
                    .into(),
            ),
            Some(other) => Some(format!(
                "it is not on the Cloud API ({other}): register it for the Cloud API in WhatsApp Manager first"
            )),
        }
    }
}

#[derive(Debug, Deserialize)]
struct NumberPage {
    #[serde(default)]
    data: Vec<PhoneNumberInfo>,
}

/// An app subscribed to the account's webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribedApp {
    pub app_id: String,
    pub name: String,
    /// Where this app's webhooks for the account go instead of its usual callback.
    pub override_callback_uri: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SubscribedPage {
    #[serde(default)]
    data: Vec<SubscribedEntry>,
}

/// Meta nests the app (`whatsapp_business_api_data: {id, name, link}`); an entry that gives
/// `id` and `name` at its top is read too.
#[derive(Debug, Deserialize)]
struct SubscribedEntry {
    #[serde(default)]
    whatsapp_business_api_data: Option<AppInfo>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    override_callback_uri: Option<String>,
}

/// The app a token belongs to (`GET /app`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

const NUMBER_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating,messaging_limit_tier,platform_type,status";

impl CloudClient {
    fn subscribed_url(&self) -> String {
        format!(
            "{}/{}/subscribed_apps",
            self.base,
            self.business_account_id()
        )
    }

    /// `GET /{waba-id}/phone_numbers`
    pub async fn phone_numbers(&self) -> Result<Vec<PhoneNumberInfo>, ClientError> {
        let url = format!("{}/{}/phone_numbers", self.base, self.business_account_id());
        let page: NumberPage = self
            .send_request(self.http.get(&url).query(&[("fields", NUMBER_FIELDS)]))
            .await?;
        Ok(page.data)
    }

    /// `GET /{waba-id}/subscribed_apps`
    pub async fn subscribed_apps(&self) -> Result<Vec<SubscribedApp>, ClientError> {
        let page: SubscribedPage = self
            .send_request(self.http.get(self.subscribed_url()))
            .await?;
        Ok(page
            .data
            .into_iter()
            .map(|e| {
                let app = e.whatsapp_business_api_data.unwrap_or(AppInfo {
                    id: e.id.unwrap_or_default(),
                    name: e.name.unwrap_or_default(),
                });
                SubscribedApp {
                    app_id: app.id,
                    name: app.name,
                    override_callback_uri: e.override_callback_uri,
                }
            })
            .collect())
    }

    /// `POST /{waba-id}/subscribed_apps`, with `(callback, verify token)` to send this
    /// account's webhooks to a relay or another public URL (Meta checks it answers first).
    pub async fn subscribe(&self, callback: Option<(&str, &str)>) -> Result<(), ClientError> {
        let body = match callback {
            Some((uri, token)) => {
                serde_json::json!({"override_callback_uri": uri, "verify_token": token})
            }
            None => serde_json::json!({}),
        };
        let _: serde_json::Value = self
            .send_request(self.http.post(self.subscribed_url()).json(&body))
            .await?;
        Ok(())
    }

    /// `DELETE /{waba-id}/subscribed_apps`
    pub async fn unsubscribe(&self) -> Result<(), ClientError> {
        let _: serde_json::Value = self
            .send_request(self.http.delete(self.subscribed_url()))
            .await?;
        Ok(())
    }

    /// `GET /app`: the app the token belongs to.
    pub async fn app(&self) -> Result<AppInfo, ClientError> {
        self.send_request(self.http.get(format!("{}/app", self.base)))
            .await
    }

    /// Whether `secret` is the app's: Graph answers `GET /{app-id}` with the app access token
    /// `APP-ID|SECRET` only when it is.
    pub async fn app_secret_matches(
        &self,
        app_id: &str,
        secret: &str,
    ) -> Result<bool, ClientError> {
        let response = self
            .http
            .get(format!("{}/{app_id}", self.base))
            .query(&[
                ("fields", "id"),
                ("access_token", &format!("{app_id}|{secret}")),
            ])
            .send()
            .await
            .map_err(|e| ClientError::Network(e.without_url().to_string()))?;
        match response.status().as_u16() {
            200 => Ok(true),
            400 | 401 | 403 => Ok(false),
            status => Err(super::client::refused(
                status,
                &response.bytes().await.unwrap_or_default(),
            )),
        }
    }

    /// The API's clock, from the `Date` header of a cheap call (`GET /{phone-number-id}`).
    pub async fn api_clock(&self) -> Result<DateTime<Utc>, ClientError> {
        let response = self
            .http
            .get(format!("{}/{}", self.base, self.phone_number_id()))
            .query(&[("fields", "id")])
            .bearer_auth(self.token().expose())
            .send()
            .await
            .map_err(|e| ClientError::Network(e.without_url().to_string()))?;
        response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.with_timezone(&Utc))
            .ok_or_else(|| ClientError::Unexpected {
                status: response.status().as_u16(),
                snippet: "no Date header".into(),
            })
    }
}

/// Whether a refusal is about the token itself (expired, revoked, invalid).
pub fn token_refused(e: &ClientError) -> bool {
    matches!(e, ClientError::Api { code: 190, .. })
}

/// What a refusal from the account's endpoints means, and what to do.
pub fn explain(e: &ClientError, business_account_id: &str) -> String {
    const TOKEN_HOW: &str = "create a System User token in Meta Business Settings → System users → Generate new token, with whatsapp_business_messaging and whatsapp_business_management, then run `hirechat connect` again (or set WHATSAPP_ACCESS_TOKEN)";
    match e {
        ClientError::Api {
            code: 190,
            subcode: Some(463),
            ..
        } => format!("the access token has expired: {TOKEN_HOW}"),
        ClientError::Api { code: 190, .. } => format!(
            "the access token is not valid (revoked, its user's password changed, or mistyped): {TOKEN_HOW}"
        ),
        ClientError::Api {
            code: 10 | 200..=299,
            ..
        } => "the access token lacks a permission: its System User needs whatsapp_business_management and whatsapp_business_messaging, and the WhatsApp account assigned to it (Business Settings → System users → Assign assets)".into(),
        ClientError::Api { code: 100, .. } => format!(
            "business account {business_account_id} was not found, or this token cannot see it: copy the WhatsApp Business Account ID from WhatsApp Manager → Account tools → Phone numbers"
        ),
        ClientError::Api { code: 2200, .. } => "Meta could not verify the callback URL: it must answer Meta's challenge with this verify token (is `hirechat relay` or `hirechat serve` running there with the same verify_token, behind https?)".into(),
        ClientError::Network(_) | ClientError::NoAnswer(_) => {
            "the WhatsApp API could not be reached: check this machine's connection (and whatsapp.api_base)".into()
        }
        other => other.sentence(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribed_apps_read_nested_as_meta_writes_them_or_flat() {
        let page: SubscribedPage = serde_json::from_str(
            r#"{"data":[{"whatsapp_business_api_data":{"id":"1","name":"A","link":"x"}},
                        {"id":"2","name":"B","override_callback_uri":"https://b.example.com"}]}"#,
        )
        .unwrap();
        assert_eq!(page.data.len(), 2);
        assert_eq!(
            page.data[0].whatsapp_business_api_data.as_ref().unwrap().id,
            "1"
        );
        assert_eq!(page.data[1].id.as_deref(), Some("2"));
    }
}
