//! Opening, setting pending, resolving and snoozing a conversation (`Request::SetState`),
//! handing it to someone (`Request::Assign`), and the worker that ends snoozes when their time
//! comes.

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
    /// Where a conversation stands and whose it is.
    pub(super) async fn work_command(
        &self,
        actor: &Actor,
        request: super::Request,
    ) -> Result<Response, EngineError> {
        match request {
            super::Request::SetState {
                with,
                conversation_id,
                change,
            } => {
                let conv = self.named(with.as_deref(), conversation_id)?;
                self.set_state(actor, conv, change).await
            }
            super::Request::Assign {
                with,
                conversation_id,
                to,
            } => {
                let conv = self.named(with.as_deref(), conversation_id)?;
                self.assign(actor, conv, &to).await
            }
            super::Request::Team => Ok(self.team_view()),
            other => Err(EngineError::Unavailable(format!(
                "not a conversation request: {}",
                other.action()
            ))),
        }
    }

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
                    // A time that passed meanwhile is due at once, not in SNOOZE_LOOK.
                    .map_or(SNOOZE_LOOK, |at| {
                        (at - Utc::now())
                            .to_std()
                            .unwrap_or_default()
                            .min(SNOOZE_LOOK)
                    })
                    .max(Duration::from_millis(50));
                let _ = tokio::time::timeout(next, engine.inner.wake_snoozes.notified()).await;
            }
        });
    }
}

impl Engine {
    /// Hands the conversation to `to` (`LOGIN`, `user:LOGIN`, `group:NAME`, `role:ROLE`, or
    /// `none`), as routing would, if `actor` may.
    pub(super) async fn assign(
        &self,
        actor: &Actor,
        conv: Conversation,
        to: &str,
    ) -> Result<Response, EngineError> {
        let change = self.assign_change(actor, &conv, to)?;
        self.apply_history(vec![change]).await?;
        let now = self.store().conversation(conv.id)?.unwrap_or(conv);
        Ok(Response::Conversation {
            conversation: Box::new(ConversationView::new(&now, Utc::now())),
        })
    }

    /// The change that hands `conv` to `to`, if `actor` may.
    pub(super) fn assign_change(
        &self,
        actor: &Actor,
        conv: &Conversation,
        to: &str,
    ) -> Result<Change, EngineError> {
        let plan = self.assign_plan(actor, conv.owner.as_deref(), to)?;
        Ok(Change::Assign {
            conversation_id: conv.id,
            plan,
            by: actor.login.clone(),
            by_name: actor.name.clone(),
            at: Utc::now(),
        })
    }

    /// The change that hands a record without a conversation yet to `to`, if `actor` may (a
    /// rule's assignment: its conversation will be theirs when it starts).
    pub(super) fn assign_record_change(
        &self,
        actor: &Actor,
        record: &crate::domain::record::Record,
        to: &str,
    ) -> Result<Change, EngineError> {
        let plan = self.assign_plan(actor, record.owner.as_deref(), to)?;
        Ok(Change::AssignRecord {
            record_id: record.id,
            plan,
        })
    }

    /// Whom `to` names, as routing reads it, checked that `actor` may hand over what `owner`
    /// has.
    fn assign_plan(
        &self,
        actor: &Actor,
        owner: Option<&str>,
        to: &str,
    ) -> Result<crate::domain::routing::Plan, EngineError> {
        let routing = crate::domain::routing::Routing {
            assign_to: crate::domain::assign::target(to),
            ..Default::default()
        };
        let plan = routing
            .plan(&self.team(), &self.inner.groups)
            .map_err(|e| EngineError::BadInput(e.to_string().replace("assign_to", "--to")))?;
        crate::domain::assign::may_assign(actor, owner, &plan.pool)
            .map_err(EngineError::Forbidden)?;
        Ok(plan)
    }

    /// Who a conversation can be handed to: the users who answer, and the groups.
    pub(super) fn team_view(&self) -> Response {
        Response::Team {
            users: self
                .inner
                .users
                .iter()
                .filter(|u| u.role != crate::domain::permission::Role::Viewer)
                .map(|u| (u.login.clone(), u.name.clone()))
                .collect(),
            groups: self.inner.groups.iter().map(|g| g.name.clone()).collect(),
        }
    }
}
