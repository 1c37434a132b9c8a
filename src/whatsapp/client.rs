//! The Cloud API client (reqwest, rustls). It only speaks the wire format; retry decisions
//! belong to the outbox.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use super::{
    errors::{ErrorClass, sentence},
    send::{ErrorBody, MarkRead, SendRequest, SendResponse},
    templates::{CreateTemplate, CreatedTemplate, RemoteTemplate, TemplatePage},
};
use crate::config::{Secret, WhatsAppConfig};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("WhatsApp error {code} (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: i64,
        subcode: Option<i64>,
        message: String,
        details: Option<String>,
    },
    /// The request never left: sending it again cannot make a duplicate.
    #[error("could not reach the WhatsApp API: {0}")]
    Network(String),
    /// The request left but no answer came back (a timeout, a connection cut while waiting,
    /// an answer that could not be read): WhatsApp may have acted on it.
    #[error("WhatsApp did not answer: {0}")]
    NoAnswer(String),
    #[error(
        "WhatsApp answered HTTP {status} with a body that is not the documented shape: {snippet}"
    )]
    Unexpected { status: u16, snippet: String },
}

impl ClientError {
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Api { status, code, .. } => ErrorClass::of(*code, Some(*status)),
            Self::Network(_) | Self::NoAnswer(_) => ErrorClass::Transient,
            Self::Unexpected { status, .. } => ErrorClass::of(-1, Some(*status)),
        }
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub fn retryable(&self) -> bool {
        self.class().retryable(self.code().unwrap_or(-1))
    }

    /// Whether WhatsApp may have acted on the request although it did not say so: then the
    /// same message must not be posted again.
    pub fn may_have_arrived(&self) -> bool {
        matches!(self, Self::NoAnswer(_))
    }

    /// What a recruiter reads.
    pub fn sentence(&self) -> String {
        match self {
            Self::Api { code, .. } => format!("{} (error {code})", sentence(*code)),
            Self::Network(_) => "WhatsApp could not be reached.".into(),
            Self::NoAnswer(_) => "WhatsApp did not answer in time, so this may have been sent: it is not sent again, and WhatsApp's delivery report will settle it. Check with the contact before resending.".into(),
            Self::Unexpected { status, .. } => {
                format!("WhatsApp answered in an unexpected way (HTTP {status}).")
            }
        }
    }
}

/// The number, business account and token a client speaks for: shared by every clone of
/// it (the outbox, the fetcher, the schedule), so connecting another number switches them all
/// at once.
struct Account {
    phone_number_id: String,
    business_account_id: String,
    token: Secret,
}

#[derive(Clone)]
pub struct CloudClient {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    account: Arc<RwLock<Account>>,
    /// How long a download or an upload may take (files are larger than any other call).
    pub(super) transfer_timeout: Duration,
}

impl Account {
    fn of(config: &WhatsAppConfig) -> Self {
        Self {
            phone_number_id: config.phone_number_id.clone(),
            business_account_id: config.business_account_id.clone(),
            token: config.access_token.clone(),
        }
    }
}

impl CloudClient {
    pub fn new(config: &WhatsAppConfig, timeout: Duration) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("hirechat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Self {
            http,
            base: format!(
                "{}/{}",
                config.api_base.trim_end_matches('/'),
                config.api_version
            ),
            account: Arc::new(RwLock::new(Account::of(config))),
            transfer_timeout: Duration::from_secs(300),
        })
    }

    /// How long a download or an upload may take.
    #[must_use]
    pub fn with_transfer_timeout(mut self, timeout: Duration) -> Self {
        self.transfer_timeout = timeout;
        self
    }

    fn account(&self) -> std::sync::RwLockReadGuard<'_, Account> {
        self.account
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Speaks for another number, account and token from now on, in every clone of this client.
    pub fn switch(&self, config: &WhatsAppConfig) {
        *self
            .account
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Account::of(config);
    }

    pub(super) fn phone_number_id(&self) -> String {
        self.account().phone_number_id.clone()
    }

    pub(super) fn business_account_id(&self) -> String {
        self.account().business_account_id.clone()
    }

    pub(super) fn token(&self) -> Secret {
        self.account().token.clone()
    }

    pub(super) fn media_url(&self) -> String {
        format!("{}/{}/media", self.base, self.phone_number_id())
    }

    fn messages_url(&self) -> String {
        format!("{}/{}/messages", self.base, self.phone_number_id())
    }

    /// `POST /{phone-number-id}/messages`. A 200 means accepted, not delivered.
    pub async fn send(&self, request: &SendRequest) -> Result<SendResponse, ClientError> {
        self.post(&self.messages_url(), request).await
    }

    /// Marks an inbound message (and the ones before it) as read on the contact's phone; with
    /// `typing`, also shows them "typing…" (until a reply, or 25 s).
    pub async fn mark_read(&self, wamid: &str, typing: bool) -> Result<(), ClientError> {
        let body = MarkRead {
            messaging_product: "whatsapp".into(),
            status: "read".into(),
            message_id: wamid.into(),
            typing_indicator: typing.then(|| super::send::TypingIndicator {
                kind: "text".into(),
            }),
        };
        let _: serde_json::Value = self.post(&self.messages_url(), &body).await?;
        Ok(())
    }

    fn templates_url(&self) -> String {
        format!(
            "{}/{}/message_templates",
            self.base,
            self.business_account_id()
        )
    }

    /// `POST /{waba-id}/message_templates`: submits a template for review.
    pub async fn create_template(
        &self,
        template: &CreateTemplate,
    ) -> Result<CreatedTemplate, ClientError> {
        self.post(&self.templates_url(), template).await
    }

    /// `POST /{template-id}`: replaces an approved, rejected or paused template's components;
    /// it goes back through review.
    pub async fn edit_template(
        &self,
        whatsapp_id: &str,
        components: &[serde_json::Value],
    ) -> Result<(), ClientError> {
        let url = format!("{}/{whatsapp_id}", self.base);
        let _: serde_json::Value = self
            .post(&url, &serde_json::json!({ "components": components }))
            .await?;
        Ok(())
    }

    /// Every template on the account, following `paging.next` until there is none.
    pub async fn list_templates(&self) -> Result<Vec<RemoteTemplate>, ClientError> {
        let mut url = format!(
            "{}?limit=100&fields=id,name,language,status,category,components,rejected_reason",
            self.templates_url()
        );
        let mut all = Vec::new();
        // A bound, in case a server keeps answering with the same cursor.
        for _ in 0..1000 {
            let page: TemplatePage = self.send_request(self.http.get(&url)).await?;
            all.extend(page.data);
            match page.paging.and_then(|p| p.next) {
                Some(next) if next != url => url = next,
                _ => return Ok(all),
            }
        }
        Ok(all)
    }

    /// `DELETE /{waba-id}/message_templates?name=…&hsm_id=…`
    pub async fn delete_template(
        &self,
        name: &str,
        whatsapp_id: Option<&str>,
    ) -> Result<(), ClientError> {
        let mut query = vec![("name", name)];
        if let Some(id) = whatsapp_id {
            query.push(("hsm_id", id));
        }
        let _: serde_json::Value = self
            .send_request(self.http.delete(self.templates_url()).query(&query))
            .await?;
        Ok(())
    }

    async fn post<B: serde::Serialize + Sync, R: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<R, ClientError> {
        self.send_request(self.http.post(url).json(body)).await
    }

    pub(super) async fn send_request<R: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<R, ClientError> {
        let response = request
            .bearer_auth(self.token().expose())
            .send()
            .await
            // reqwest's message names the URL, never the token.
            .map_err(|e| {
                let never_left = e.is_connect();
                let e = e.without_url().to_string();
                if never_left {
                    ClientError::Network(e)
                } else {
                    ClientError::NoAnswer(e)
                }
            })?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::NoAnswer(e.without_url().to_string()))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|_| unexpected(status, &bytes));
        }
        Err(refused(status, &bytes))
    }
}

/// The error of a refused request: Graph's error body, else what came.
pub(super) fn refused(status: u16, bytes: &[u8]) -> ClientError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(b) => ClientError::Api {
            status,
            code: b.error.code,
            subcode: b.error.error_subcode,
            message: b.error.message,
            details: b.error.error_data.and_then(|d| d.details),
        },
        Err(_) => unexpected(status, bytes),
    }
}

fn unexpected(status: u16, body: &[u8]) -> ClientError {
    let text = String::from_utf8_lossy(body);
    ClientError::Unexpected {
        status,
        snippet: text.chars().take(200).collect(),
    }
}
