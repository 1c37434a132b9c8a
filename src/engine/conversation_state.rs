//! Opening, setting pending, resolving and snoozing a conversation (`Request::SetState`), and
//! the worker that ends snoozes when their time comes.

use std::time::Duration;

use chrono::Utc;

use super::{Engine, EngineError, Response, api::ConversationView};
use crate::{
    domain::{
        conversation::Conversation,
        conversation_state::{self, StateChange},
        permission::Actor,
    },
    store::Change,
};

/// How long the snooze worker sleeps at most between looks (a snooze set meanwhile wakes it).
const SNOOZE_LOOK: Duration = Duration::from_secs(30);

impl Engine {
    /// The conversation a request names, by `with` (a number or BSUID) or by id.
    pub(super) fn named(
        &self,
        with: Option<&str>,
        conversation_id: Option<u64>,
    ) -> Result<Conversation, EngineError> {
        match (with, conversation_id) {
            (_, Some(id)) => self
                .store()
                .conversation(id)?
                .ok_or_else(|| EngineError::NotFound(format!("no conversation {id}"))),
            (Some(w), None) => self.find(w),
            (None, None) => Err(EngineError::BadInput(
                "which conversation: give `with` (a number or BSUID) or `conversation_id`".into(),
            )),
        }
    }

    pub(super) async fn set_state(
        &self,
        actor: &Actor,
        conv: Conversation,
        change: StateChange,
    ) -> Result<Response, EngineError> {
        let at = Utc::now();
        // Checked here, so that what is queued always applies.
        conversation_state::change(&mut conv.clone(), change, at)
            .map_err(|e| EngineError::BadInput(e.to_string()))?;
        self.apply_history(vec![Change::SetState {
            conversation_id: conv.id,
            change,
            by: actor.login.clone(),
            by_name: actor.name.clone(),
            at,
        }])
        .await?;
        if matches!(change, StateChange::Snooze { .. }) {
            self.inner.wake_snoozes.notify_one();
        }
        let now = self.store().conversation(conv.id)?.unwrap_or(conv);
        Ok(Response::Conversation {
            conversation: Box::new(ConversationView::new(&now, Utc::now())),
        })
    }

    /// Ends snoozes as their times come, for as long as the engine runs.
    pub(super) fn start_snoozes(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                let now = Utc::now();
                match engine.store().snoozes_due(now) {
                    Ok(due) if !due.is_empty() => {
                        let change = Change::EndSnoozes {
                            conversation_ids: due,
                            at: now,
                        };
                        if let Err(e) = engine.apply_history(vec![change]).await {
                            tracing::warn!(error = %e, "snoozes not ended; tried again soon");
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "snoozes could not be read"),
                }
                let next = engine
                    .store()
                    .next_snooze_end()
                    .ok()
                    .flatten()
                    .and_then(|at| (at - Utc::now()).to_std().ok())
                    .map_or(SNOOZE_LOOK, |d| d.min(SNOOZE_LOOK))
                    .max(Duration::from_millis(50));
                let _ = tokio::time::timeout(next, engine.inner.wake_snoozes.notified()).await;
            }
        });
    }
}
