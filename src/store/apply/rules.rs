//! Workflow rules inside the transaction that saves a record: the rules (kept whole under one
//! `meta` key, few and small, so that a transaction can read them) that the change fires
//! schedule their sends here, each firing once (`scheduled_keys`), and their log is written
//! as sends are scheduled, sent or not.

use chrono::{DateTime, Utc};

use super::{T, Tx, TxResult, keys};
use crate::domain::{
    event::Event,
    record::Record,
    rule::{LogEntry, Outcome, Rule},
    schedule::{RuleFiring, ScheduleState, ScheduledSend, ScheduledWhat},
};

impl Tx<'_> {
    pub(super) fn rules(&self) -> TxResult<Vec<Rule>> {
        Ok(self.get(T::Meta, keys::RULES)?.unwrap_or_default())
    }

    /// The sends the rules schedule for a record going from `before` (none: created) to
    /// `after`, with the log of each firing.
    pub(super) fn fire_rules(
        &self,
        before: Option<&Record>,
        after: &Record,
        conversation_id: Option<u64>,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for rule in self.rules()? {
            for planned in rule.rule.planned(rule.id, before, after, at) {
                if self
                    .tree(T::ScheduledKeys)
                    .get(planned.key.as_bytes())?
                    .is_some()
                {
                    continue;
                }
                let Some(mobile) = &after.mobile else {
                    self.log_rule(
                        rule.id,
                        Some(after.id),
                        at,
                        Outcome::Skipped {
                            reason: "the record has no mobile number".into(),
                        },
                    )?;
                    continue;
                };
                let send = self.store_send(ScheduledSend {
                    id: 0,
                    to: mobile.to_string(),
                    conversation_id,
                    what: ScheduledWhat::Template {
                        name: planned.template.clone(),
                        language: planned.language.clone(),
                        picks: crate::domain::merge_source::Picks::default(),
                    },
                    due_at: planned.due_at,
                    by: rule.author.clone(),
                    created_at: at,
                    held: None,
                    rule: Some(RuleFiring {
                        rule_id: rule.id,
                        rule: rule.rule.name.clone(),
                        record_id: after.id,
                        key: planned.key.clone(),
                    }),
                    batch: None,
                    state: ScheduleState::Waiting,
                })?;
                self.tree(T::ScheduledKeys)
                    .insert(planned.key.as_bytes(), &keys::id(send.id))?;
                self.log_rule(
                    rule.id,
                    Some(after.id),
                    at,
                    Outcome::Scheduled {
                        send_id: send.id,
                        template: planned.template,
                        due_at: planned.due_at,
                    },
                )?;
                events.push(Event::Scheduled { scheduled: send });
            }
        }
        Ok(events)
    }

    /// What became of a send a rule scheduled, in the rule's log.
    pub(super) fn log_send(&self, send: &ScheduledSend) -> TxResult<()> {
        let Some(firing) = &send.rule else {
            return Ok(());
        };
        let (at, outcome) = match &send.state {
            ScheduleState::Waiting => return Ok(()),
            ScheduleState::Sent { at, message_id } => (
                *at,
                Outcome::Sent {
                    send_id: send.id,
                    message_id: *message_id,
                },
            ),
            ScheduleState::Failed { at, reason } | ScheduleState::Skipped { at, reason } => (
                *at,
                Outcome::NotSent {
                    send_id: send.id,
                    reason: reason.clone(),
                },
            ),
            ScheduleState::Cancelled { at, cancelled_by } => (
                *at,
                Outcome::NotSent {
                    send_id: send.id,
                    reason: format!("cancelled by {cancelled_by}"),
                },
            ),
        };
        self.log_rule(firing.rule_id, Some(firing.record_id), at, outcome)
    }

    fn log_rule(
        &self,
        rule_id: u64,
        record_id: Option<u64>,
        at: DateTime<Utc>,
        outcome: Outcome,
    ) -> TxResult<()> {
        let seq = self.tree(T::Meta).generate_id()?;
        let entry = LogEntry {
            rule_id,
            at,
            record_id,
            outcome,
        };
        self.put(T::RuleLog, keys::rule_log(rule_id, at, seq), &entry)
    }
}
