//! Connecting a number, from `hirechat connect` or the TUI's settings: every value checked
//! against the API before anything is kept (the token sees the account, the number is on the
//! Cloud API, the app secret is the token's app's, no other app takes the account's webhooks
//! unless the admin says so), the app subscribed, the connection file saved — and then the
//! running engine switched to it: the outbox, the fetcher, the schedule and the webhooks'
//! checks all speak for the new number without a restart.

use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Response, connection::ConnectionView};
use crate::{
    config::{Connection, Secret, SecretInput, WhatsAppConfig, safe_url},
    domain::{event::Event, permission::Actor},
    whatsapp::{
        account::{AppInfo, PhoneNumberInfo, SubscribedApp, explain, token_refused},
        client::CloudClient,
    },
};

/// What an admin gives to connect a number. An empty secret keeps the one in use; an empty
/// verify token keeps the one in use, else one is made up (and shown once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectForm {
    #[serde(default)]
    pub access_token: SecretInput,
    pub business_account_id: String,
    #[serde(default)]
    pub app_secret: SecretInput,
    #[serde(default)]
    pub verify_token: SecretInput,
    pub nickname: String,
    pub phone_number_id: String,
    /// Where Meta sends this account's webhooks instead of the app's callback (a relay, or
    /// this machine's public address).
    #[serde(default)]
    pub callback: Option<String>,
    /// Connect although another app takes the account's webhooks.
    #[serde(default)]
    pub take_over: bool,
}

/// What connecting did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connected {
    pub connection: ConnectionView,
    pub number: PhoneNumberInfo,
    /// The verify token made up for Meta's webhook verification (said once), when none was
    /// given or in use.
    pub made_up_verify_token: Option<String>,
    /// What could not be checked, and how it will be.
    pub notes: Vec<String>,
}

/// How long each check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(20);

/// A client for an account being checked (the engine's own is switched only once every check
/// passed).
fn trial_client(account: &WhatsAppConfig) -> Result<CloudClient, EngineError> {
    CloudClient::new(account, CHECK_TIMEOUT).map_err(|e| EngineError::Unavailable(e.to_string()))
}

impl Engine {
    /// Connecting, listing an account's numbers, disconnecting (admins).
    pub(super) async fn connection_command(
        &self,
        actor: &Actor,
        request: super::Request,
    ) -> Result<Response, EngineError> {
        match request {
            super::Request::Disconnect { at } => self.disconnect(actor, at).await,
            super::Request::AccountNumbers {
                access_token,
                business_account_id,
            } => {
                self.account_numbers(&access_token, &business_account_id)
                    .await
            }
            super::Request::Connect { form } => self.connect(actor, *form).await,
            other => Err(EngineError::Unavailable(format!(
                "not a connection request: {}",
                other.action()
            ))),
        }
    }

    /// This process sends once a number is connected, though none is configured yet (the TUI
    /// on its own; a daemon has one from the start).
    pub fn run_workers_once_connected(&self) {
        self.inner
            .workers_on_connect
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The account's numbers, for the admin to choose one: the token and the account id are
    /// checked by asking.
    pub(super) async fn account_numbers(
        &self,
        token: &SecretInput,
        business_account_id: &str,
    ) -> Result<Response, EngineError> {
        let account = self.candidate(token, business_account_id)?;
        let numbers = trial_client(&account)?
            .phone_numbers()
            .await
            .map_err(|e| EngineError::Refused(explain(&e, business_account_id)))?;
        if numbers.is_empty() {
            return Err(EngineError::Refused(format!(
                "business account {business_account_id} has no phone number yet: add one in WhatsApp Manager → Account tools → Phone numbers"
            )));
        }
        Ok(Response::Numbers { numbers })
    }

    /// The settings in use with another token and account (nothing switched yet).
    fn candidate(
        &self,
        token: &SecretInput,
        business_account_id: &str,
    ) -> Result<WhatsAppConfig, EngineError> {
        let current = self.whatsapp();
        let waba = business_account_id.trim();
        if waba.is_empty() || !waba.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EngineError::BadInput(format!(
                "{waba:?} is not a business account id: copy the WhatsApp Business Account ID (digits) from WhatsApp Manager → Account tools"
            )));
        }
        let access_token = token.or(&current.access_token);
        if access_token.is_empty() {
            return Err(EngineError::BadInput(
                "an access token is needed (a System User token)".into(),
            ));
        }
        Ok(WhatsAppConfig {
            business_account_id: waba.to_owned(),
            access_token,
            ..current
        })
    }

    /// Checks everything, subscribes the app, keeps the connection and switches to it.
    pub(super) async fn connect(
        &self,
        actor: &Actor,
        form: ConnectForm,
    ) -> Result<Response, EngineError> {
        let mut account = self.candidate(&form.access_token, &form.business_account_id)?;
        let nickname = form.nickname.trim();
        if nickname.is_empty() {
            return Err(EngineError::BadInput(
                "a nickname is needed: it names the channel in every header".into(),
            ));
        }
        let callback = form
            .callback
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if let Some(cb) = callback
            && !safe_url(cb)
        {
            return Err(EngineError::BadInput(format!(
                "the callback {cb:?} is not an https address: Meta only calls those"
            )));
        }
        account.app_secret = form.app_secret.or(&account.app_secret);
        if account.app_secret.is_empty() {
            return Err(EngineError::BadInput(
                "the app secret is needed: App Dashboard → App settings → Basic → App secret"
                    .into(),
            ));
        }
        account.verify_token = form.verify_token.or(&account.verify_token);
        let made_up = account
            .verify_token
            .is_empty()
            .then(|| format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)));
        if let Some(v) = &made_up {
            account.verify_token = Secret::new(v.clone());
        }
        nickname.clone_into(&mut account.nickname);
        let number = self
            .check_number(&account, form.phone_number_id.trim())
            .await?;
        account.phone_number_id = number.id.clone();
        let client = trial_client(&account)?;
        let mut notes = Vec::new();
        let app = check_app(&client, &account, &mut notes).await?;
        check_others(&client, &account, app.as_ref(), callback, form.take_over).await?;
        client
            .subscribe(callback.map(|c| (c, account.verify_token.expose())))
            .await
            .map_err(|e| EngineError::Refused(explain(&e, &account.business_account_id)))?;
        self.keep(&account, callback, actor)?;
        self.switch(account);
        tracing::info!(by = %actor.login, number = %number.id, "a number was connected");
        Ok(Response::Connected {
            connected: Box::new(Connected {
                connection: self.connection_view(),
                number,
                made_up_verify_token: made_up,
                notes,
            }),
        })
    }

    /// The chosen number, if it is the account's and on the Cloud API.
    async fn check_number(
        &self,
        account: &WhatsAppConfig,
        id: &str,
    ) -> Result<PhoneNumberInfo, EngineError> {
        let waba = &account.business_account_id;
        let numbers = trial_client(account)?
            .phone_numbers()
            .await
            .map_err(|e| EngineError::Refused(explain(&e, waba)))?;
        let number = numbers.into_iter().find(|n| n.id == id).ok_or_else(|| {
            EngineError::BadInput(format!(
                "{id:?} is not one of business account {waba}'s phone numbers"
            ))
        })?;
        if let Some(why) = number.unusable() {
            return Err(EngineError::Refused(format!(
                "{} cannot be used: {why}",
                number.display_phone_number
            )));
        }
        Ok(number)
    }

    /// Writes the connection file (0600), as connected now by `actor`.
    fn keep(
        &self,
        account: &WhatsAppConfig,
        callback: Option<&str>,
        actor: &Actor,
    ) -> Result<(), EngineError> {
        let connection = Connection {
            phone_number_id: account.phone_number_id.clone(),
            business_account_id: account.business_account_id.clone(),
            nickname: account.nickname.clone(),
            access_token: account.access_token.clone(),
            app_secret: account.app_secret.clone(),
            verify_token: account.verify_token.clone(),
            callback: callback.map(str::to_owned),
            connected_at: Utc::now(),
            connected_by: actor.login.clone(),
            disconnected_at: None,
        };
        let dir = &self.inner.data_dir;
        connection.save(dir).map(drop).map_err(|e| {
            EngineError::Unavailable(format!(
                "cannot save the connection in {}: {e}",
                dir.display()
            ))
        })
    }

    /// From now on every part speaks for `account`: the client (and its clones in the
    /// workers, started here if none ran), the webhooks' checks, the headers; sending resumes.
    fn switch(&self, account: WhatsAppConfig) {
        let client = match self.inner.client.get() {
            Some(client) => {
                client.switch(&account);
                Some(client.clone())
            }
            None if !self
                .inner
                .workers_on_connect
                .load(std::sync::atomic::Ordering::Relaxed) =>
            {
                None
            }
            None => trial_client(&account).ok().map(|c| {
                let c = c.with_transfer_timeout(Duration::from_secs(
                    self.inner.config.attachments.transfer_timeout_secs.max(1),
                ));
                if self.inner.client.set(c.clone()).is_ok() {
                    self.start_workers(c.clone());
                }
                c
            }),
        };
        let nickname = account.nickname.clone();
        *self
            .inner
            .whatsapp
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = account;
        *self
            .inner
            .disconnected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        // The old number's rating says nothing of this one: read it again.
        *self
            .inner
            .number
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        if let Some(client) = client {
            let engine = self.clone();
            tokio::spawn(async move { engine.read_number(&client).await });
        }
        self.inner
            .sending_stopped
            .store(false, std::sync::atomic::Ordering::Relaxed);
        self.inner.wake_outbox.notify_one();
        let _ = self
            .inner
            .events
            .send(std::sync::Arc::new(Event::Connected { nickname }));
    }
}

/// The token's app, with the secret checked to be that app's; none when the API does not say
/// which app a token is for (the secret is then checked by the first webhook's signature).
async fn check_app(
    client: &CloudClient,
    account: &WhatsAppConfig,
    notes: &mut Vec<String>,
) -> Result<Option<AppInfo>, EngineError> {
    let waba = &account.business_account_id;
    let app = match client.app().await {
        Ok(app) => app,
        Err(e) if token_refused(&e) => return Err(EngineError::Refused(explain(&e, waba))),
        Err(_) => {
            notes.push("this API does not say which app the token is for: the app secret is checked by the first webhook's signature".into());
            return Ok(None);
        }
    };
    let matches = client
        .app_secret_matches(&app.id, account.app_secret.expose())
        .await
        .map_err(|e| EngineError::Refused(explain(&e, waba)))?;
    if !matches {
        return Err(EngineError::BadInput(format!(
            "the app secret is not that of app {} ({}), which the token belongs to: copy it from the App Dashboard → App settings → Basic → App secret",
            app.name, app.id
        )));
    }
    Ok(Some(app))
}

/// Refuses when another app takes the account's webhooks (both would receive its messages and
/// both could answer them), unless the admin takes over.
async fn check_others(
    client: &CloudClient,
    account: &WhatsAppConfig,
    app: Option<&AppInfo>,
    callback: Option<&str>,
    take_over: bool,
) -> Result<(), EngineError> {
    // Without the token's app, another app shows by the callback it overrides.
    let ours = |a: &SubscribedApp| match app {
        Some(app) => a.app_id == app.id,
        None => a.override_callback_uri.is_none() || a.override_callback_uri.as_deref() == callback,
    };
    let others: Vec<String> = client
        .subscribed_apps()
        .await
        .map_err(|e| EngineError::Refused(explain(&e, &account.business_account_id)))?
        .into_iter()
        .filter(|a| !ours(a))
        .map(|a| match a.override_callback_uri {
            Some(uri) => format!("{} (webhooks to {uri})", a.name),
            None => a.name,
        })
        .collect();
    if others.is_empty() || take_over {
        return Ok(());
    }
    Err(EngineError::Refused(format!(
        "this business account is already linked to {}: both would receive its messages and both could answer them. Disconnect it there first (or remove that app in Business Settings → Accounts → WhatsApp accounts → Connected apps), or take over (--take-over) to connect this inbox as well",
        others.join(", ")
    )))
}
