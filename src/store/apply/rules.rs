//! Workflow rules inside the transaction that records what fired them (a record saved, a
//! message arrived, an interview imported, a conversation found waiting): the rules (kept
//! whole under one `meta` key, few and small, so that a transaction can read them) schedule
//! their actions here, each firing once (`scheduled_keys`; a date firing's send moves with its
//! date), and their log is written as actions are scheduled, done, or not.

use std::rc::Rc;

use chrono::{DateTime, Utc};

use super::{Change, T, Tx, TxResult, keys, waiting};
use crate::domain::{
    conversation::Conversation,
    event::Event,
    quiet_hours,
    record::Record,
    related::{Related, RelatedData},
    rule::{DateSource, Happening, LogEntry, Outcome, Planned, Rule, When, field_value},
    schedule::{RuleFiring, ScheduleState, ScheduledSend},
};

/// The related field interviews fill.
const INTERVIEWS_FROM: &str = "Interviews.From";

impl Tx<'_> {
    /// The rules, read once per run of the transaction (`Tx::rules`).
    pub(super) fn rules(&self) -> TxResult<Rc<Vec<Rule>>> {
        if let Some(rules) = self.rules.borrow().as_ref() {
            return Ok(Rc::clone(rules));
        }
        let rules = Rc::new(self.get(T::Meta, keys::RULES)?.unwrap_or_default());
        *self.rules.borrow_mut() = Some(Rc::clone(&rules));
        Ok(rules)
    }

    pub(super) fn rule_change(&self, change: &Change) -> TxResult<Vec<Event>> {
        match change {
            Change::SaveRules { rules } => {
                self.put(T::Meta, keys::RULES, rules)?;
                *self.rules.borrow_mut() = Some(Rc::new(rules.clone()));
                Ok(vec![])
            }
            Change::FireUnreplied {
                rule_id,
                conversation_id,
                since,
                at,
            } => {
                let Some(conv) =
                    self.get::<Conversation>(T::Conversations, keys::id(*conversation_id))?
                else {
                    return Ok(vec![]);
                };
                // Answered (or resolved, snoozed) meanwhile: nothing.
                let still = waiting(&conv).is_some_and(|(s, _)| s == *since);
                let record = match conv.record_id {
                    Some(r) if still => self.get::<Record>(T::Records, keys::id(r))?,
                    _ => None,
                };
                let Some(record) = record else {
                    return Ok(vec![]);
                };
                let rules: Vec<Rule> = self
                    .rules()?
                    .iter()
                    .filter(|r| r.id == *rule_id)
                    .cloned()
                    .collect();
                let happening = Happening::Unreplied { since: *since };
                let planned = planned_by(&rules, |r| r.rule.planned(r.id, happening, &record, *at));
                self.schedule_planned(planned, &record, Some(conv.id), *at)
            }
            Change::FireDates {
                record_id,
                interviews,
            } => {
                let Some(record) = self.get::<Record>(T::Records, keys::id(*record_id))? else {
                    return Ok(vec![]);
                };
                let conversation = self.conversation_of(&record)?;
                self.fire_dates(&record, interviews, conversation, Utc::now())
            }
            Change::Notify {
                users,
                conversation_id,
                record_id,
                name,
                note,
                at,
            } => Ok(vec![Event::Notice {
                users: users.clone(),
                conversation_id: *conversation_id,
                record_id: *record_id,
                name: name.clone(),
                note: note.clone(),
                at: *at,
            }]),
            _ => Ok(vec![]),
        }
    }

    /// What the rules schedule for `happening` to `record`, with the log of each firing.
    pub(super) fn fire_rules(
        &self,
        happening: Happening<'_>,
        record: &Record,
        conversation_id: Option<u64>,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let rules = self.rules()?;
        let planned = planned_by(&rules, |r| r.rule.planned(r.id, happening, record, at));
        self.schedule_planned(planned, record, conversation_id, at)
    }

    /// A message from the number of a record fires the rules about messages.
    pub(super) fn fire_message(
        &self,
        conv: &Conversation,
        wamid: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let Some(record) = conv.record_id else {
            return Ok(vec![]);
        };
        let Some(record) = self.get::<Record>(T::Records, keys::id(record))? else {
            return Ok(vec![]);
        };
        self.fire_rules(
            Happening::Message { wamid, text },
            &record,
            Some(conv.id),
            at,
        )
    }

    /// An interview saved: the `date_near` rules about interviews look at it.
    pub(super) fn fire_interview(&self, related: &Related) -> TxResult<Vec<Event>> {
        let RelatedData::Interview(i) = &related.data else {
            return Ok(vec![]);
        };
        let Some(record) = self.get::<Record>(T::Records, keys::id(i.candidate_id))? else {
            return Ok(vec![]);
        };
        let conversation = self.conversation_of(&record)?;
        self.fire_dates(
            &record,
            std::slice::from_ref(related),
            conversation,
            Utc::now(),
        )
    }

    /// What the `date_near` rules schedule for a record's own date fields and `interviews`.
    pub(super) fn fire_dates(
        &self,
        record: &Record,
        interviews: &[Related],
        conversation_id: Option<u64>,
        now: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let rules: Vec<Rule> = self
            .rules()?
            .iter()
            .filter(|r| matches!(r.rule.when, When::DateNear { .. }))
            .cloned()
            .collect();
        if rules.is_empty() {
            return Ok(vec![]);
        }
        let zone = record
            .time_zone
            .clone()
            .or_else(|| {
                let mobile = record.mobile.as_ref()?.to_string();
                quiet_hours::zone_of_number(&mobile).map(str::to_owned)
            })
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
        let planned = planned_by(&rules, |r| {
            let mut dates = interview_dates(interviews);
            if let When::DateNear { field, .. } = &r.rule.when {
                dates.extend(own_date(record, field, zone));
            }
            r.rule.planned_dates(r.id, record, &dates, zone, now)
        });
        self.schedule_planned(planned, record, conversation_id, now)
    }

    /// The conversation of a record's mobile, if there is one.
    fn conversation_of(&self, record: &Record) -> TxResult<Option<u64>> {
        let Some(p) = &record.mobile else {
            return Ok(None);
        };
        Ok(self
            .live_conversation(T::ConvByPhone, p.wa_id())?
            .map(|c| c.id))
    }

    /// Stores what the rules planned, each firing once, a date firing's send moved when its
    /// date moved or its time did (the person's zone changed).
    fn schedule_planned(
        &self,
        planned: Vec<(&Rule, Planned)>,
        record: &Record,
        conversation_id: Option<u64>,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let mut events = Vec::new();
        for (rule, planned) in planned {
            let fired = self.scheduled_key(&planned.key)?;
            if let Some(moved) = self.move_dated(fired, &planned, at)? {
                self.log_scheduled(rule.id, record.id, at, &moved, &planned.label)?;
                events.push(Event::Scheduled { scheduled: moved });
                continue;
            }
            if fired.is_some() {
                continue;
            }
            let Some(mobile) = &record.mobile else {
                let reason = "the record has no mobile number".to_owned();
                self.log_rule(rule.id, Some(record.id), at, Outcome::Skipped { reason })?;
                continue;
            };
            let send = self.store_send(ScheduledSend {
                id: 0,
                to: mobile.to_string(),
                conversation_id,
                what: planned.what,
                due_at: planned.due_at,
                by: rule.author.clone(),
                created_at: at,
                held: None,
                rule: Some(RuleFiring {
                    rule_id: rule.id,
                    rule: rule.rule.name.clone(),
                    record_id: record.id,
                    key: planned.key.clone(),
                }),
                batch: None,
                will_skip: None,
                state: ScheduleState::Waiting,
            })?;
            let id = keys::id(send.id);
            self.tree(T::ScheduledKeys)
                .insert(planned.key.as_bytes(), &id)?;
            if let Some(slot) = &planned.slot {
                self.tree(T::ScheduledKeys).insert(slot.as_bytes(), &id)?;
            }
            self.log_scheduled(rule.id, record.id, at, &send, &planned.label)?;
            events.push(Event::Scheduled { scheduled: send });
        }
        Ok(events)
    }

    fn scheduled_key(&self, key: &str) -> TxResult<Option<u64>> {
        Ok(self
            .tree(T::ScheduledKeys)
            .get(key.as_bytes())?
            .map(|v| keys::read_id(&v)))
    }

    /// A date firing's send, still waiting, moved to the time planned now: its date moved
    /// (found by its slot), or the date is the same (`fired`, found by its key) and its time
    /// is not (the person's zone changed). Not one that is due either way.
    fn move_dated(
        &self,
        fired: Option<u64>,
        planned: &Planned,
        now: DateTime<Utc>,
    ) -> TxResult<Option<ScheduledSend>> {
        let Some(slot) = &planned.slot else {
            return Ok(None);
        };
        let Some(id) = fired.map_or_else(|| self.scheduled_key(slot), |id| Ok(Some(id)))? else {
            return Ok(None);
        };
        let Some(mut send) = self.get::<ScheduledSend>(T::Scheduled, keys::id(id))? else {
            return Ok(None);
        };
        if !send.waiting() {
            // It went (or was cancelled) for the old date: the new date gets its own.
            return Ok(None);
        }
        let due = |t: DateTime<Utc>| t <= now;
        if fired.is_some()
            && (send.due_at == planned.due_at || (due(send.due_at) && due(planned.due_at)))
        {
            return Ok(None);
        }
        send.due_at = planned.due_at;
        if let Some(firing) = &mut send.rule {
            firing.key.clone_from(&planned.key);
        }
        let send = self.store_send(send)?;
        self.tree(T::ScheduledKeys)
            .insert(planned.key.as_bytes(), &keys::id(send.id))?;
        Ok(Some(send))
    }

    fn log_scheduled(
        &self,
        rule_id: u64,
        record_id: u64,
        at: DateTime<Utc>,
        send: &ScheduledSend,
        label: &str,
    ) -> TxResult<()> {
        let outcome = Outcome::Scheduled {
            send_id: send.id,
            template: label.to_owned(),
            due_at: send.due_at,
        };
        self.log_rule(rule_id, Some(record_id), at, outcome)
    }

    /// What became of a send a rule scheduled, in the rule's log.
    pub(super) fn log_send(&self, send: &ScheduledSend) -> TxResult<()> {
        let Some(firing) = &send.rule else {
            return Ok(());
        };
        let send_id = send.id;
        let (at, outcome) = match &send.state {
            ScheduleState::Waiting => return Ok(()),
            ScheduleState::Sent { at, message_id } => (
                *at,
                Outcome::Sent {
                    send_id,
                    message_id: *message_id,
                },
            ),
            ScheduleState::Done { at, what } => (
                *at,
                Outcome::Done {
                    send_id,
                    what: what.clone(),
                },
            ),
            ScheduleState::Failed { at, reason } | ScheduleState::Skipped { at, reason } => (
                *at,
                Outcome::NotSent {
                    send_id,
                    reason: reason.clone(),
                },
            ),
            ScheduleState::Cancelled { at, cancelled_by } => (
                *at,
                Outcome::NotSent {
                    send_id,
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
        let seq = self.new_id()?;
        let entry = LogEntry {
            rule_id,
            at,
            record_id,
            outcome,
        };
        self.put(T::RuleLog, keys::rule_log(rule_id, at, seq), &entry)
    }
}

/// Every rule's plans, with the rule.
fn planned_by(rules: &[Rule], plan: impl Fn(&Rule) -> Vec<Planned>) -> Vec<(&Rule, Planned)> {
    rules
        .iter()
        .flat_map(|r| plan(r).into_iter().map(move |p| (r, p)))
        .collect()
}

/// The dates interviews give (`Interviews.From`), each merging from that interview.
fn interview_dates(interviews: &[Related]) -> Vec<DateSource> {
    interviews
        .iter()
        .filter_map(|r| match &r.data {
            RelatedData::Interview(i) => Some(DateSource {
                field: INTERVIEWS_FROM.to_owned(),
                slot: format!("{INTERVIEWS_FROM}#{}", r.id),
                at: i.from.with_timezone(&Utc),
                picks: [("Interviews".to_owned(), r.id)].into(),
            }),
            _ => None,
        })
        .collect()
}

/// A date field of the record itself, read where the record is.
fn own_date(record: &Record, field: &str, zone: Option<chrono_tz::Tz>) -> Option<DateSource> {
    let text = field_value(record, field)?;
    let at = crate::domain::rule::parse_date(&text, zone)?;
    Some(DateSource {
        field: field.to_owned(),
        slot: field.trim().to_owned(),
        at,
        picks: crate::domain::merge_source::Picks::new(),
    })
}
