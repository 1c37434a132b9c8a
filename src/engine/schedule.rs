//! Sends for later: a recruiter schedules a message or a template for a time (`send --at`,
//! `Alt-s` in the reply box), sees it waiting in the chat, changes or cancels it until it goes.
//! When its time comes the scheduler (where the outbox runs) sends it as the one who
//! scheduled it, through the same rules as a send made then (opt-out, the window, the
//! template's state); one whose time passed while nothing ran goes late within
//! `[outreach] late_grace_minutes`, else is skipped with why.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::{Engine, EngineError, Request, Response, send::Target};
use crate::{
    domain::{
        conversation_state::parse_until,
        event::Event,
        permission::{Actor, Role},
        quiet_hours,
        schedule::{self, Due, ScheduleState, ScheduledSend, ScheduledWhat},
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
    /// The requests about sends for later, permissions already checked.
    pub(super) async fn schedule_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::Schedule { to, what, at, when } => {
                let at = match (at, when) {
                    (Some(at), None) => at,
                    (None, Some(when)) => self.when_for(actor, &to, &when)?,
                    _ => {
                        return Err(EngineError::BadInput(
                            "say when: `at` (a time) or `when` (as a person writes it), one of them"
                                .into(),
                        ));
                    }
                };
                self.schedule(actor, &to, what, at).await
            }
            Request::Scheduled {
                with,
                conversation_id,
                all,
            } => {
                let conversation = match (with, conversation_id) {
                    (None, None) => None,
                    (with, id) => Some(self.named(with.as_deref(), id)?.id),
                };
                let mut scheduled = match (conversation, all) {
                    (Some(c), false) => self.store().scheduled_of(c)?,
                    (c, _) => self
                        .store()
                        .scheduled_all()?
                        .into_iter()
                        .filter(|s| c.is_none_or(|c| s.conversation_id == Some(c)))
                        .collect(),
                };
                if !all {
                    scheduled.retain(ScheduledSend::waiting);
                }
                scheduled.sort_by_key(|s| (s.due_at, s.id));
                Ok(Response::ScheduledList { scheduled })
            }
            Request::CancelScheduled { scheduled_id: id } => {
                self.may_change(actor, id)?;
                let state = ScheduleState::Cancelled {
                    at: Utc::now(),
                    cancelled_by: actor.login.clone(),
                };
                self.end_scheduled(id, state).await
            }
            Request::EditScheduled {
                scheduled_id: id,
                text,
                at,
            } => {
                let mut send = self.may_change(actor, id)?;
                if let Some(text) = text {
                    match &mut send.what {
                        ScheduledWhat::Text { text: t } => *t = text,
                        ScheduledWhat::Template { .. } => {
                            return Err(EngineError::BadInput(
                                "a template's text comes from the template: change its time, or cancel it and schedule another".into(),
                            ));
                        }
                        ScheduledWhat::Notify { .. } | ScheduledWhat::Assign { .. } => {
                            return Err(EngineError::BadInput(
                                "a rule's action has no text: change its time, or cancel it".into(),
                            ));
                        }
                    }
                }
                let at = at.unwrap_or(send.due_at);
                self.schedule_checked(actor, send, at).await
            }
            _ => Err(EngineError::BadInput("not a schedule command".into())),
        }
    }

    async fn schedule(
        &self,
        actor: &Actor,
        to: &str,
        what: ScheduledWhat,
        at: DateTime<Utc>,
    ) -> Result<Response, EngineError> {
        let target = self.target(to)?;
        let send = ScheduledSend {
            id: 0,
            to: to.to_owned(),
            conversation_id: target.conversation.as_ref().map(|c| c.id),
            what,
            due_at: at,
            by: actor.login.clone(),
            created_at: Utc::now(),
            held: None,
            rule: None,
            batch: None,
            state: ScheduleState::Waiting,
        };
        self.schedule_checked(actor, send, at).await
    }

    /// Checks `send` for `at` as it will be sent then, and stores it.
    async fn schedule_checked(
        &self,
        actor: &Actor,
        mut send: ScheduledSend,
        at: DateTime<Utc>,
    ) -> Result<Response, EngineError> {
        let target = self.target(&send.to)?;
        let window_ends = target
            .conversation
            .as_ref()
            .and_then(crate::domain::conversation::Conversation::window_expires_at);
        schedule::check_time(&send.what, at, Utc::now(), window_ends)
            .map_err(EngineError::Refused)?;
        match &send.what {
            ScheduledWhat::Text { text } => {
                crate::domain::message::check_text(text).map_err(EngineError::BadInput)?;
            }
            ScheduledWhat::Template {
                name,
                language,
                picks,
            } => {
                // Filled now as it would be then: a missing value or template is said today.
                let open_then = window_ends.is_some_and(|end| at < end);
                let template = (name.as_str(), language.as_deref(), picks);
                self.template_ready(actor, &send.to, template, open_then)?;
            }
            // Rules schedule these; only their time changes here.
            ScheduledWhat::Notify { .. } | ScheduledWhat::Assign { .. } if send.rule.is_some() => {}
            ScheduledWhat::Notify { .. } | ScheduledWhat::Assign { .. } => {
                return Err(EngineError::BadInput(
                    "a send for later sends a message or a template".into(),
                ));
            }
        }
        send.due_at = at;
        if let Some((until, why)) = self.quiet_hold(&target, at) {
            send.due_at = until;
            send.held = Some(why);
        }
        let events = self.apply_history(vec![Change::Schedule { send }]).await?;
        self.inner.wake_scheduler.notify_one();
        scheduled_in(events)
    }

    /// When `when` ("tomorrow 9:00", "17:30", "2h") is for the contact `to`: read in their
    /// record's time zone, else the user's (`[[users]] time_zone`), else this machine's.
    fn when_for(&self, actor: &Actor, to: &str, when: &str) -> Result<DateTime<Utc>, EngineError> {
        let target = self.target(to)?;
        let user = self.inner.users.iter().find(|u| u.login == actor.login);
        let zone = target
            .record
            .as_ref()
            .and_then(|r| r.time_zone.as_deref())
            .or_else(|| user.and_then(|u| u.time_zone.as_deref()))
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
        let now = Utc::now();
        match zone {
            Some(z) => parse_until(when, now, &z),
            None => parse_until(when, now, &chrono::Local),
        }
        .map_err(EngineError::BadInput)
    }

    /// The waiting send `id`, if `actor` may change it: the one who scheduled it, or an admin.
    fn may_change(&self, actor: &Actor, id: u64) -> Result<ScheduledSend, EngineError> {
        let send = self
            .store()
            .scheduled(id)?
            .ok_or_else(|| EngineError::NotFound(format!("there is no scheduled send {id}")))?;
        if send.by != actor.login && actor.role != Role::Admin {
            return Err(EngineError::Forbidden(format!(
                "scheduled send {id} is {}'s: only they or an admin may change it",
                send.by
            )));
        }
        if !send.waiting() {
            return Err(EngineError::Refused(format!(
                "scheduled send {id} no longer waits: it went, or was cancelled"
            )));
        }
        Ok(send)
    }

    async fn end_scheduled(&self, id: u64, state: ScheduleState) -> Result<Response, EngineError> {
        let events = self
            .apply_history(vec![Change::ScheduleEnd { id, state }])
            .await?;
        scheduled_in(events)
    }

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
        let read = || -> Result<_, crate::store::StoreError> {
            let rules = self.store().rules()?;
            let rule = rules.into_iter().find(|r| r.id == firing.rule_id);
            Ok((rule, self.store().record(firing.record_id)?))
        };
        match read() {
            Ok((rule, record)) => {
                crate::domain::rule::still::why_not(firing, rule.as_ref(), record.as_ref())
            }
            Err(e) => {
                tracing::warn!(id = send.id, error = %e, "the rule of a due send could not be read");
                None
            }
        }
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

    /// When a send due at `at` may go, if `[outreach] quiet_hours` hold it where the
    /// recipient is (their record's zone, else their number's country's), and why.
    fn quiet_hold(&self, target: &Target, at: DateTime<Utc>) -> Option<(DateTime<Utc>, String)> {
        let quiet = self.inner.config.outreach.quiet_hours?;
        let zone = target
            .record
            .as_ref()
            .and_then(|r| r.time_zone.clone())
            .or_else(|| {
                let phone = target.phone()?;
                quiet_hours::zone_of_number(phone.as_str()).map(str::to_owned)
            })?;
        let tz: chrono_tz::Tz = zone.parse().ok()?;
        let until = quiet.held_until(at, &tz)?;
        let why = format!(
            "quiet hours ({quiet}) in {zone}: held until {} there",
            until.with_timezone(&tz).format("%a %-d %b %H:%M")
        );
        Some((until, why))
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

/// The send as a change left it.
fn scheduled_in(events: Vec<crate::domain::event::Event>) -> Result<Response, EngineError> {
    events
        .into_iter()
        .find_map(|e| match e {
            crate::domain::event::Event::Scheduled { scheduled } => Some(Response::Scheduled {
                scheduled: Box::new(scheduled),
            }),
            _ => None,
        })
        .ok_or_else(|| EngineError::Unavailable("the scheduled send was not stored".into()))
}
