//! Sends for later: a recruiter schedules a message or a template for a time (`send --at`,
//! `Alt-s` in the reply box), sees it waiting in the chat, changes or cancels it until it goes.
//! When its time comes the scheduler (`scheduler.rs`, where the outbox runs) sends it as the
//! one who scheduled it, through the same rules as a send made then (opt-out, the window,
//! the template's state); one whose time passed while nothing ran goes late within
//! `[outreach] late_grace_minutes`, else is skipped with why.

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, Request, Response, send::Target};
use crate::{
    domain::{
        conversation_state::parse_until,
        permission::{Actor, Role},
        quiet_hours,
        schedule::{self, ScheduleState, ScheduledSend, ScheduledWhat},
    },
    store::Change,
};

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
                self.mark_skips(&mut scheduled);
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
            will_skip: None,
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

    /// When a send due at `at` may go, if `[outreach] quiet_hours` hold it where the
    /// recipient is (their record's zone, else their number's country's), and why.
    pub(super) fn quiet_hold(
        &self,
        target: &Target,
        at: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, String)> {
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
