//! The scheduler: runs each send for later as its time comes, as the one who scheduled it and
//! through the same rules as a send made then (`schedule.rs` takes the requests). A rule's
//! send first asks whether it still goes (`rule::still`); one due in someone's quiet hours
//! waits for their end.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::{Engine, EngineError};
use crate::{
    domain::{
        event::Event,
        permission::{Actor, Role},
        rule::Rule,
        schedule::{self, Due, RuleFiring, ScheduleState, ScheduledSend, ScheduledWhat},
    },
    store::Change,
};

/// The scheduler looks at least this often (a clock that jumped, a send written by another
/// process while this one slept).
const LOOK_EVERY: Duration = Duration::from_secs(60);
/// Sends run in one round, at most; the next round follows at once.
const ROUND: usize = 500;
/// How long the scheduler waits after a send it could not write.
const AFTER_A_FAILURE: Duration = Duration::from_secs(5);

impl Engine {
    /// Runs sends as their times come, for as long as the engine runs; a new send wakes it.
    pub(super) fn start_scheduler(&self) {
        let engine = self.clone();
        let mut events = self.subscribe();
        tokio::spawn(async move {
            loop {
                // After a send that could not be written, not at once again (a full disk).
                let floor = if engine.run_due().await {
                    Duration::from_millis(50)
                } else {
                    AFTER_A_FAILURE
                };
                let next = engine.store().next_scheduled_due().ok().flatten();
                let wait = next
                    .map_or(LOOK_EVERY, |at| {
                        (at - Utc::now())
                            .to_std()
                            .unwrap_or_default()
                            .min(LOOK_EVERY)
                    })
                    .max(floor);
                // A send stored meanwhile (`send --at`, a rule fired by a record's save) may
                // be due sooner: it wakes the scheduler.
                let stored = async {
                    loop {
                        match events.recv().await.as_deref() {
                            Ok(Event::Scheduled { scheduled }) if scheduled.waiting() => return,
                            Err(broadcast::error::RecvError::Lagged(_)) => return,
                            Err(broadcast::error::RecvError::Closed) => {
                                std::future::pending::<()>().await;
                            }
                            Ok(_) => {}
                        }
                    }
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = engine.inner.wake_scheduler.notified() => {}
                    () = stored => {}
                }
            }
        });
    }

    /// Every send due now: sent, failed with why, or skipped when missed too long ago. False
    /// when one could not be written (it is tried again later).
    async fn run_due(&self) -> bool {
        let grace =
            chrono::Duration::minutes(i64::from(self.inner.config.outreach.late_grace_minutes));
        loop {
            let now = Utc::now();
            let due = match self.store().scheduled_due(now, ROUND) {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "scheduled sends could not be read");
                    return false;
                }
            };
            if due.is_empty() {
                return true;
            }
            let mut all_written = true;
            for send in due {
                let change = match schedule::due(&send, now, grace) {
                    Due::NotYet => continue,
                    Due::Missed => Change::ScheduleEnd {
                        id: send.id,
                        state: ScheduleState::Skipped {
                            at: now,
                            reason: schedule::missed_reason(&send, now),
                        },
                    },
                    Due::Run => match self.no_longer_fires(&send) {
                        Some(reason) => Change::ScheduleEnd {
                            id: send.id,
                            state: ScheduleState::Skipped { at: now, reason },
                        },
                        // A notification or an assignment waits for no one's morning.
                        None if !send.what.is_message() => self.run_change(&send, now),
                        None => match self.held_now(&send, now) {
                            Some(held) => Change::Schedule { send: held },
                            None => self.run_change(&send, now),
                        },
                    },
                };

                match self.queue_all(vec![change]).await {
                    // Done, or cancelled meanwhile: nothing more to do.
                    Ok(_) | Err(EngineError::Refused(_)) => {}
                    Err(e) => {
                        tracing::warn!(id = send.id, error = %e, "a scheduled send did not run");
                        all_written = false;
                    }
                }
            }
            if !all_written {
                return false;
            }
        }
    }

    /// Why a rule's send does not go now that it is due (`rule::still::why_not`: the rule
    /// deleted or turned off, the record no longer one it is for); none for a person's send.
    /// What cannot be read lets it go, as it would have.
    fn no_longer_fires(&self, send: &ScheduledSend) -> Option<String> {
        let firing = send.rule.as_ref()?;
        match self
            .store()
            .rules()
            .and_then(|rules| self.why_skipped(firing, &rules))
        {
            Ok(reason) => reason,
            Err(e) => {
                tracing::warn!(id = send.id, error = %e, "the rule of a due send could not be read");
                None
            }
        }
    }

    /// Marks the waiting rule sends among `sends` that will be skipped when due, as things
    /// stand now, so that a list does not show as going what will not go. What cannot be read
    /// is left unmarked.
    pub(super) fn mark_skips(&self, sends: &mut [ScheduledSend]) {
        if !sends.iter().any(|s| s.waiting() && s.rule.is_some()) {
            return;
        }
        let Ok(rules) = self.store().rules() else {
            return;
        };
        for send in sends.iter_mut().filter(|s| s.waiting()) {
            if let Some(firing) = &send.rule {
                send.will_skip = self.why_skipped(firing, &rules).ok().flatten();
            }
        }
    }

    fn why_skipped(
        &self,
        firing: &RuleFiring,
        rules: &[Rule],
    ) -> Result<Option<String>, crate::store::StoreError> {
        let rule = rules.iter().find(|r| r.id == firing.rule_id);
        let record = self.store().record(firing.record_id)?;
        Ok(crate::domain::rule::still::why_not(
            firing,
            rule,
            record.as_ref(),
        ))
    }

    /// The change that runs a due send: its message queued (and the send marked sent), or
    /// the send ended failed, with why.
    fn run_change(&self, send: &ScheduledSend, now: DateTime<Utc>) -> Change {
        match self.scheduled_change(send) {
            Ok(mut queue) => {
                if let Change::Queue(q) = &mut queue {
                    q.batch = send.batch;
                }
                Change::ScheduleRun {
                    id: send.id,
                    queue: Box::new(queue),
                    at: now,
                }
            }
            Err(e) => Change::ScheduleEnd {
                id: send.id,
                state: ScheduleState::Failed {
                    at: now,
                    reason: e.to_string(),
                },
            },
        }
    }

    /// A due send moved to the end of the quiet hours it falls in where the recipient is.
    fn held_now(&self, send: &ScheduledSend, now: DateTime<Utc>) -> Option<ScheduledSend> {
        let target = self.target(&send.to).ok()?;
        let (until, why) = self.quiet_hold(&target, now)?;
        Some(ScheduledSend {
            due_at: until,
            held: Some(why),
            ..send.clone()
        })
    }

    /// The send's message as it would be queued now by the one who scheduled it.
    fn scheduled_change(&self, send: &ScheduledSend) -> Result<Change, EngineError> {
        let actor = self.actor_named(&send.by)?;
        if !actor
            .role
            .allows(crate::domain::permission::Permission::Reply)
        {
            return Err(EngineError::Forbidden(format!(
                "{} ({}) may no longer send messages",
                actor.login, actor.role
            )));
        }
        match &send.what {
            ScheduledWhat::Text { text } => self.text_change(&actor, &send.to, text),
            ScheduledWhat::Template {
                name,
                language,
                picks,
            } => self.template_change(&actor, &send.to, name, language.as_deref(), picks),
            ScheduledWhat::Notify { users, note } => self.notify_change(send, users, note),
            ScheduledWhat::Assign { to } => {
                let target = self.target(&send.to)?;
                match (target.conversation, target.record) {
                    (Some(conv), _) => self.assign_change(&actor, &conv, to),
                    (None, Some(record)) => self.assign_record_change(&actor, &record, to),
                    (None, None) => Err(EngineError::Refused(
                        "no conversation or record with them: nobody to assign".into(),
                    )),
                }
            }
        }
    }

    /// The user `login` as the config has them now (without `[[users]]`, the one who runs
    /// hirechat, an admin).
    fn actor_named(&self, login: &str) -> Result<Actor, EngineError> {
        if self.inner.users.is_empty() {
            return Ok(Actor {
                login: login.to_owned(),
                name: login.to_owned(),
                role: Role::Admin,
            });
        }
        self.inner
            .users
            .iter()
            .find(|u| u.login == login)
            .map(|u| Actor {
                login: u.login.clone(),
                name: u.name.clone(),
                role: u.role,
            })
            .ok_or_else(|| EngineError::Forbidden(format!("{login} is no longer a hirechat user")))
    }
}
