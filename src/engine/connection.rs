//! The connected number, as admins see it and end it: what `doctor` and the settings screen
//! show (never a secret), and `disconnect` — the app unsubscribed from the account's
//! webhooks, the time kept in the connection file (so a restart stays disconnected), sends
//! refused and the outbox held from then on, every client told.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Request, Response};
use crate::{
    config::{Connection, Secret},
    domain::{event::Event, permission::Actor},
    whatsapp::account::explain,
};

/// The connection without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub nickname: String,
    pub phone_number_id: String,
    pub business_account_id: String,
    /// Where Meta sends the account's webhooks, when not the app's own callback.
    pub callback: Option<String>,
    /// When and by whom `hirechat connect` connected it (none: set in the config file).
    pub connected_at: Option<DateTime<Utc>>,
    pub connected_by: Option<String>,
    pub disconnected_at: Option<DateTime<Utc>>,
}

impl Engine {
    /// The connected number's settings and secrets, as they stand now.
    pub(super) fn whatsapp(&self) -> crate::config::WhatsAppConfig {
        self.inner
            .whatsapp
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The phone number and business account whose webhooks this inbox takes.
    pub(super) fn accepts(&self) -> super::ingest::Channel {
        let wa = self
            .inner
            .whatsapp
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        super::ingest::Channel {
            phone_number_id: wa.phone_number_id.clone(),
            business_account_id: wa.business_account_id.clone(),
        }
    }

    /// What a webhook is checked with: the app secret (its signature) and the verify token
    /// (Meta's challenge), as the connection now has them.
    pub fn webhook_secrets(&self) -> (Secret, Secret) {
        let wa = self
            .inner
            .whatsapp
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (wa.app_secret.clone(), wa.verify_token.clone())
    }

    pub(super) fn connection_view(&self) -> ConnectionView {
        let wa = self.whatsapp();
        let kept = Connection::load(&self.inner.data_dir).ok().flatten();
        ConnectionView {
            nickname: wa.nickname,
            phone_number_id: wa.phone_number_id,
            business_account_id: wa.business_account_id,
            callback: kept.as_ref().and_then(|c| c.callback.clone()),
            connected_at: kept.as_ref().map(|c| c.connected_at),
            connected_by: kept.map(|c| c.connected_by),
            disconnected_at: self.disconnected_at(),
        }
    }

    /// When the number was disconnected, if it is.
    pub fn disconnected_at(&self) -> Option<DateTime<Utc>> {
        *self
            .inner
            .disconnected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A send, once the number was disconnected, is refused with what to do.
    pub(super) fn refuse_sends_when_disconnected(
        &self,
        request: &Request,
    ) -> Result<(), EngineError> {
        match (self.disconnected_at(), request) {
            (
                Some(at),
                Request::SendText { .. } | Request::SendFiles { .. } | Request::SendTemplate { .. },
            ) => Err(EngineError::Refused(format!(
                "the number was disconnected on {} (`hirechat disconnect`): nothing is sent from it, the history stays readable; an admin connects it again (`hirechat connect`, or `S` then `c` in the TUI)",
                at.format("%Y-%m-%d %H:%M UTC")
            ))),
            _ => Ok(()),
        }
    }

    /// Unsubscribes the app, keeps the time in the connection file, stops every send (queued
    /// messages stay queued) and tells the clients. What could not be undone at WhatsApp is
    /// said, not fatal: nothing is sent from here either way.
    pub(super) async fn disconnect(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Response, EngineError> {
        if let Some(before) = self.disconnected_at() {
            return Ok(Response::Disconnected {
                at: before,
                warning: None,
            });
        }
        let wa = self.whatsapp();
        let warning = match self.inner.client.get() {
            Some(client) => client.unsubscribe().await.err().map(|e| {
                format!(
                    "the app could not be unsubscribed from the account's webhooks ({}); remove it in Business Settings → Accounts → WhatsApp accounts → Connected apps if it should stop receiving",
                    explain(&e, &wa.business_account_id)
                )
            }),
            None => None,
        };
        let dir = &self.inner.data_dir;
        let mut kept = Connection::load(dir)
            .map_err(|e| EngineError::Unavailable(e.to_string()))?
            .unwrap_or_else(|| Connection {
                phone_number_id: wa.phone_number_id.clone(),
                business_account_id: wa.business_account_id.clone(),
                nickname: wa.nickname.clone(),
                access_token: wa.access_token.clone(),
                app_secret: wa.app_secret.clone(),
                verify_token: wa.verify_token.clone(),
                callback: None,
                connected_at: at,
                connected_by: actor.login.clone(),
                disconnected_at: None,
            });
        kept.disconnected_at = Some(at);
        kept.save(dir).map_err(|e| {
            EngineError::Unavailable(format!(
                "cannot keep the disconnection in {}: {e}",
                dir.display()
            ))
        })?;
        *self
            .inner
            .disconnected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(at);
        self.inner
            .sending_stopped
            .store(true, std::sync::atomic::Ordering::Relaxed);
        tracing::warn!(by = %actor.login, "the number was disconnected: nothing is sent");
        let _ = self
            .inner
            .events
            .send(std::sync::Arc::new(Event::Disconnected { at }));
        Ok(Response::Disconnected { at, warning })
    }
}

impl Engine {
    /// Who `actor` is to this engine, and how the channel stands.
    pub(super) fn whoami(&self, actor: &Actor) -> Response {
        Response::Actor {
            login: actor.login.clone(),
            name: actor.name.clone(),
            role: actor.role,
            channel: self.whatsapp().nickname,
            language: self.inner.organization.language.clone(),
            relay: self.relay_link(),
            disconnected_at: self.disconnected_at(),
        }
    }
}
