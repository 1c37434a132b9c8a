//! The outbox as a person sees it (`hirechat outbox list`) and sending a failed message again
//! (`outbox retry ID`, `R` on it in the chat): the same message, with the checks of a new send
//! (sending set up, the contact not opted out, the window open for anything but a template),
//! refused with why when it failed for a reason a retry will not change. And waiting for a
//! queued message to leave the outbox (`send` waits so before it says it went).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Engine, EngineError, Response};
use crate::{
    domain::{outbox::OutboxState, retry},
    store::Change,
};

/// One send waiting, in doubt, or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// The message's id (what `outbox retry` takes).
    pub id: u64,
    pub conversation_id: u64,
    /// `pending`, `in_flight`, `uncertain` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub queued_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    /// A failed one that may be sent again; else why not.
    pub retry: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
}

impl Engine {
    pub(super) fn outbox_list(&self) -> Result<Response, EngineError> {
        let mut items: Vec<OutboxView> = self
            .store()
            .outbox()?
            .into_iter()
            .map(|i| OutboxView {
                id: i.id,
                conversation_id: i.conversation_id,
                state: match i.state {
                    OutboxState::Pending => "pending",
                    OutboxState::InFlight => "in_flight",
                    OutboxState::Uncertain => "uncertain",
                }
                .into(),
                attempts: i.attempts,
                queued_at: i.at,
                error: i.last_error,
                error_code: None,
                retry: false,
                why_not: None,
            })
            .collect();
        for (item, message) in self.store().failed_sends()? {
            let why_not = retry::refusal(&message);
            items.push(OutboxView {
                id: item.id,
                conversation_id: item.conversation_id,
                state: "failed".into(),
                attempts: item.attempts,
                queued_at: item.at,
                error: message.error,
                error_code: message.error_code,
                retry: why_not.is_none(),
                why_not,
            });
        }
        items.sort_by_key(|i| (i.queued_at, i.id));
        Ok(Response::Outbox { items })
    }

    pub(super) async fn retry(&self, message_id: u64) -> Result<Response, EngineError> {
        let (item, message) = self
            .store()
            .failed_sends()?
            .into_iter()
            .find(|(i, _)| i.id == message_id)
            .ok_or_else(|| {
                EngineError::NotFound(format!(
                    "message {message_id} is not a failed send (`hirechat outbox list` shows them)"
                ))
            })?;
        if let Some(why) = retry::refusal(&message) {
            return Err(EngineError::Refused(format!("not sent again: {why}")));
        }
        let conv = self
            .store()
            .conversation(item.conversation_id)?
            .ok_or_else(|| {
                EngineError::NotFound(format!("conversation {}", item.conversation_id))
            })?;
        let to = conv
            .phone
            .as_ref()
            .map(|p| format!("+{}", p.wa_id()))
            .or_else(|| conv.bsuid.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        let target = self.target(&to)?;
        if message.kind != "template" && !target.window_open() {
            return Err(EngineError::WindowClosed(target.window_closed_reason()));
        }
        self.apply_history(vec![Change::Retry {
            id: message_id,
            at: Utc::now(),
        }])
        .await?;
        self.inner.wake_outbox.notify_one();
        let queued = self
            .store()
            .reload(&message)?
            .ok_or_else(|| EngineError::NotFound(format!("message {message_id}")))?;
        Ok(Response::Message {
            message: Box::new(queued),
        })
    }
}

impl Engine {
    /// `Request::Settle`: the message once it left the outbox, waiting at most two minutes.
    pub(super) async fn settle_request(
        &self,
        message: &crate::domain::message::Message,
        timeout_ms: u64,
    ) -> Result<Response, EngineError> {
        let timeout = std::time::Duration::from_millis(timeout_ms.min(120_000));
        let message = self.settle(message, timeout).await?;
        Ok(Response::Message {
            message: Box::new(message),
        })
    }

    /// Waits until a queued message has left the outbox (sent or failed) or `timeout` passes,
    /// and returns it as it then stands.
    pub async fn settle(
        &self,
        queued: &crate::domain::message::Message,
        timeout: std::time::Duration,
    ) -> Result<crate::domain::message::Message, EngineError> {
        let mut events = self.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let current = self
                .store()
                .reload(queued)?
                .ok_or_else(|| EngineError::NotFound(format!("message {}", queued.id)))?;
            if current.status != crate::domain::message::Status::Queued {
                return Ok(current);
            }
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) | Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => {
                    return Ok(current);
                }
                Ok(_) => {}
            }
        }
    }
}
