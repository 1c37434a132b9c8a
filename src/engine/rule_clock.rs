//! What rules do besides sending, and what fires them with time rather than a change: a
//! notification to users (`owner`, `admins` or logins, resolved when it goes), the clock of
//! the `unreplied` rules (it wakes when the next waiting conversation crosses a rule's
//! duration, when a message arrives, at least once a minute, and fires each crossing once: the
//! firing's key), and the look a new `date_near` rule takes at the dates already stored.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::{Engine, EngineError};
use crate::{
    domain::{
        event::Event,
        permission::Role,
        rule::{Rule, When},
        schedule::ScheduledSend,
    },
    store::Change,
};

/// The clock looks at least this often (a rule written meanwhile, a clock that jumped).
const LOOK_EVERY: Duration = Duration::from_secs(60);
/// Records looked at in one write when a date rule is written; crossings fired in one write.
const DATES_ROUND: usize = 200;
/// The clock looks at most this often.
const CLOCK_FLOOR: Duration = Duration::from_millis(200);
/// How far back a look reaches at least (a look late by a minute still finds a crossing).
const MIN_WINDOW: chrono::Duration = chrono::Duration::minutes(2);

impl Engine {
    /// The notification a rule's due action makes: to the users it names, as they are now.
    pub(super) fn notify_change(
        &self,
        send: &ScheduledSend,
        users: &[String],
        note: &str,
    ) -> Result<Change, EngineError> {
        let target = self.target(&send.to)?;
        let owner = target
            .record
            .as_ref()
            .and_then(|r| r.owner.clone())
            .or_else(|| target.conversation.as_ref().and_then(|c| c.owner.clone()));
        let mut to: Vec<String> = Vec::new();
        for u in users {
            match u.as_str() {
                "owner" => to.extend(owner.clone()),
                "admins" if self.inner.users.is_empty() => to.push(send.by.clone()),
                "admins" => to.extend(
                    self.inner
                        .users
                        .iter()
                        .filter(|u| u.role == Role::Admin)
                        .map(|u| u.login.clone()),
                ),
                login => to.push(login.to_owned()),
            }
        }
        to.sort();
        to.dedup();
        if to.is_empty() {
            return Err(EngineError::Refused(
                "nobody to notify: the record has no owner".into(),
            ));
        }
        let rule = send.rule.as_ref().map_or("a rule", |r| r.rule.as_str());
        let name = target
            .record
            .as_ref()
            .map(|r| r.name.clone())
            .or_else(|| {
                target
                    .conversation
                    .as_ref()
                    .map(crate::domain::conversation::Conversation::display_name)
            })
            .unwrap_or_else(|| send.to.clone());
        Ok(Change::Notify {
            users: to,
            conversation_id: target.conversation.as_ref().map(|c| c.id),
            record_id: target.record.as_ref().map(|r| r.id),
            name,
            note: if note.trim().is_empty() {
                format!("rule {rule}")
            } else {
                note.to_owned()
            },
            at: Utc::now(),
        })
    }

    /// A rule's notify and assign actions name users who exist.
    pub(super) fn check_rule_users(
        &self,
        rule: &crate::domain::rule::RuleInput,
    ) -> Result<(), EngineError> {
        if self.inner.users.is_empty() {
            return Ok(());
        }
        let known = |login: &str| self.inner.users.iter().any(|u| u.login == login);
        for a in &rule.actions {
            for u in &a.notify {
                if !matches!(u.as_str(), "owner" | "admins") && !known(u) {
                    return Err(EngineError::BadInput(format!(
                        "notify {u:?}: no such user in [[users]] (or write owner, admins)"
                    )));
                }
            }
            if let Some(to) = &a.assign {
                let routing = crate::domain::routing::Routing {
                    assign_to: crate::domain::assign::target(to),
                    ..Default::default()
                };
                routing
                    .plan(&self.team(), &self.inner.groups)
                    .map_err(|e| {
                        EngineError::BadInput(e.to_string().replace("assign_to", "assign"))
                    })?;
            }
        }
        Ok(())
    }

    /// A `date_near` rule just written looks at the dates already stored: every record of
    /// its module with its interviews.
    pub(super) async fn look_at_dates(&self, rule: &Rule) -> Result<(), EngineError> {
        if !matches!(rule.rule.when, When::DateNear { .. }) || !rule.rule.enabled {
            return Ok(());
        }
        let records = self.store().records_all()?;
        for chunk in records.chunks(DATES_ROUND) {
            let mut changes = Vec::with_capacity(chunk.len());
            for r in chunk {
                changes.push(Change::FireDates {
                    record_id: r.id,
                    interviews: self.store().interviews_of(r.id)?,
                });
            }
            self.apply_history(changes).await?;
        }
        self.inner.wake_scheduler.notify_one();
        Ok(())
    }

    /// Fires the `unreplied` rules as conversations cross their durations, for as long as
    /// the engine runs: it wakes at the next crossing, when a message arrives (one dated
    /// earlier may have crossed already), and at least once a minute. A crossing missed while
    /// nothing ran fires late within `[outreach] late_grace_minutes`; older ones do not.
    pub(super) fn start_rule_clock(&self) {
        let engine = self.clone();
        let mut events = self.subscribe();
        tokio::spawn(async move {
            let mut fired = Fired::default();
            loop {
                let wait = match engine.fire_unreplied(&mut fired, Utc::now()).await {
                    Ok(next) => next.map_or(LOOK_EVERY, |at| {
                        (at - Utc::now())
                            .to_std()
                            .unwrap_or_default()
                            .min(LOOK_EVERY)
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, "unreplied rules could not run");
                        LOOK_EVERY
                    }
                };
                let arrived = async {
                    loop {
                        match events.recv().await.as_deref() {
                            Ok(Event::MessageReceived { .. })
                            | Err(broadcast::error::RecvError::Lagged(_)) => return,
                            Err(broadcast::error::RecvError::Closed) => {
                                std::future::pending::<()>().await;
                            }
                            Ok(_) => {}
                        }
                    }
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = arrived => {}
                }
                // Under a flood of messages, a look at most every so often.
                tokio::time::sleep(CLOCK_FLOOR).await;
            }
        });
    }

    /// Fires every `unreplied` rule for the conversations that have waited at least its
    /// duration (and not longer than that and the grace period), once each; returns when the
    /// next crossing is.
    async fn fire_unreplied(
        &self,
        fired: &mut Fired,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        let grace =
            chrono::Duration::minutes(i64::from(self.inner.config.outreach.late_grace_minutes))
                .max(MIN_WINDOW);
        let mut next: Option<DateTime<Utc>> = None;
        let rules = self.store().rules()?;
        for rule in &rules {
            let Some(waited) = rule.rule.when.unreplied_for().filter(|_| rule.rule.enabled) else {
                continue;
            };
            let crossed = now - waited;
            let oldest = crossed - grace;
            fired.retain(|(_, _, since)| *since >= oldest);
            let changes: Vec<Change> = self
                .store()
                .unreplied_between(oldest, crossed + chrono::Duration::milliseconds(1))?
                .into_iter()
                .filter(|(since, id)| fired.insert((rule.id, *id, *since)))
                .map(|(since, conversation_id)| Change::FireUnreplied {
                    rule_id: rule.id,
                    conversation_id,
                    since,
                    at: now,
                })
                .collect();
            for chunk in changes.chunks(DATES_ROUND) {
                self.apply_history(chunk.to_vec()).await?;
            }
            if let Some(first) = self.store().first_unreplied_from(crossed)? {
                let at = first + waited;
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        Ok(next)
    }
}

/// The crossings fired lately (rule, conversation, since when it waited): each is written
/// once, not on every look (the store would refuse it again anyway, by its key).
type Fired = std::collections::HashSet<(u64, u64, DateTime<Utc>)>;
