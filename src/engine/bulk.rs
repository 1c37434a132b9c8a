//! Bulk sends: the preflight (each recipient checked as a send to them would be now: opted
//! out, no number, a merge field missing, a choice to make, already sent this template
//! today), and the confirmed batch stored with all its sends at once, waiting the undo
//! period. The scheduler then sends each once, as the sender, through the same rules; the
//! outbox paces them behind a person's own messages.

use chrono::{DateTime, Utc};

use super::{
    Engine, EngineError,
    api::Request,
    response::{BatchSummary, Response},
};
use crate::{
    domain::{
        bulk::{self, Batch, Cost, Outcome, Planned, Preflight, Progress, Recipients, Skipped},
        conversation::Conversation,
        identity::ContactRef,
        merge_source::Picks,
        message::{Direction, Status},
        permission::{Actor, Role},
        safe_text::neutralise,
        schedule::{ScheduleState, ScheduledSend, ScheduledWhat},
    },
    store::Change,
};

/// One to send to: the address, a name to show, the conversation when there is one.
type Address = (String, String, Option<Conversation>);

impl Engine {
    pub(super) async fn bulk_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::BulkPreflight {
                template,
                language,
                recipients,
            } => {
                self.off_the_workers(actor, move |e, actor| {
                    let preflight = e.preflight(actor, &template, language, recipients)?;
                    Ok(Response::Preflight {
                        preflight: Box::new(preflight),
                    })
                })
                .await
            }
            Request::BulkSend {
                template,
                language,
                recipients,
                at,
            } => {
                self.bulk_send(actor, template, language, recipients, at)
                    .await
            }
            Request::Batches => {
                let batches = self
                    .store()
                    .batches()?
                    .into_iter()
                    .map(|batch| {
                        let (progress, _) = self.outcomes(&batch)?;
                        Ok(BatchSummary { batch, progress })
                    })
                    .collect::<Result<_, EngineError>>()?;
                Ok(Response::Batches { batches })
            }
            Request::Batch { batch_id } => self.batch_response(batch_id),
            Request::CancelBatch { batch_id } => {
                let batch = self.batch(batch_id)?;
                if batch.by != actor.login && actor.role != Role::Admin {
                    return Err(EngineError::Forbidden(format!(
                        "bulk send {batch_id} is {}'s: only they or an admin may stop it",
                        batch.by
                    )));
                }
                let sends = self
                    .store()
                    .batch_sends(batch_id)?
                    .iter()
                    .map(|s| s.id)
                    .collect();
                self.apply_history(vec![Change::CancelBatch {
                    id: batch_id,
                    sends,
                    by: actor.login.clone(),
                    at: Utc::now(),
                }])
                .await?;
                self.batch_response(batch_id)
            }
            _ => Err(EngineError::BadInput("not a bulk send command".into())),
        }
    }

    async fn bulk_send(
        &self,
        actor: &Actor,
        template: String,
        language: Option<String>,
        recipients: Recipients,
        at: Option<DateTime<Utc>>,
    ) -> Result<Response, EngineError> {
        let now = Utc::now();
        if let Some(at) = at.filter(|at| *at <= now) {
            return Err(EngineError::BadInput(format!(
                "{at} has passed: give a time to come, or none to send now"
            )));
        }
        let lang = language.clone();
        let preflight = self
            .off_the_workers(actor, move |e, actor| {
                let preflight = e.preflight(actor, &template, lang, recipients)?;
                Ok(Response::Preflight {
                    preflight: Box::new(preflight),
                })
            })
            .await?;
        let Response::Preflight { preflight } = preflight else {
            return Err(EngineError::Unavailable(
                "the preflight did not answer".into(),
            ));
        };
        if preflight.send.is_empty() {
            return Err(EngineError::BadInput(format!(
                "nobody to send {} to: {}",
                preflight.template,
                skipped_sentence(&preflight.skipped)
            )));
        }
        let undo = chrono::Duration::seconds(i64::from(self.inner.config.outreach.bulk_undo_secs));
        let starts_at = at.unwrap_or(now + undo);
        let what = ScheduledWhat::Template {
            name: preflight.template.clone(),
            language: language.clone(),
            picks: Picks::default(),
        };
        let sends = preflight
            .send
            .iter()
            .map(|p| ScheduledSend {
                id: 0,
                to: p.to.clone(),
                conversation_id: p.conversation_id,
                what: what.clone(),
                due_at: starts_at,
                by: actor.login.clone(),
                created_at: now,
                held: None,
                rule: None,
                batch: None,
                will_skip: None,
                state: ScheduleState::Waiting,
            })
            .collect();
        let batch = Batch {
            id: 0,
            template: preflight.template.clone(),
            language,
            by: actor.login.clone(),
            created_at: now,
            starts_at,
            recipients: preflight.send.len(),
            skipped: preflight.skipped,
        };
        let events = self
            .apply_history(vec![Change::SaveBatch { batch, sends }])
            .await?;
        self.inner.wake_scheduler.notify_one();
        let id = events
            .iter()
            .find_map(|e| match e {
                crate::domain::event::Event::Batch { batch } => Some(batch.id),
                _ => None,
            })
            .ok_or_else(|| EngineError::Unavailable("the bulk send was not stored".into()))?;
        self.batch_response(id)
    }

    /// Each recipient checked as a send to them would be now.
    fn preflight(
        &self,
        actor: &Actor,
        template: &str,
        language: Option<String>,
        recipients: Recipients,
    ) -> Result<Preflight, EngineError> {
        self.approved_template(
            template,
            language.as_deref(),
            &format!("template {template:?}"),
            "a bulk send goes with",
        )?;
        let (addresses, mut skipped) = self.addresses(actor, recipients)?;
        let today = self.start_of_day(actor, Utc::now());
        let mut send = Vec::new();
        let mut cost: Option<Cost> = None;
        for (to, name, conversation) in addresses {
            let change =
                self.template_change(actor, &to, template, language.as_deref(), &Picks::default());
            let reason = match change {
                Err(e) => Some(e.to_string()),
                Ok(Change::Queue(q)) => match &conversation {
                    Some(c) if self.sent_today(c, &q.text, today)? => {
                        Some("already sent this template today".into())
                    }
                    _ => {
                        if let Some(hold) = &q.hold {
                            add_cost(&mut cost, hold);
                        }
                        None
                    }
                },
                Ok(_) => None,
            };
            match reason {
                Some(reason) => skipped.push(Skipped { to, name, reason }),
                None => send.push(Planned {
                    to,
                    name,
                    conversation_id: conversation.map(|c| c.id),
                }),
            }
        }
        if let Some(c) = &mut cost {
            c.balance = self.store().balance()?;
        }
        Ok(Preflight {
            template: template.to_owned(),
            language,
            send,
            skipped,
            cost,
        })
    }

    /// Whom `recipients` names, each once, and those who cannot be written to at all.
    fn addresses(
        &self,
        actor: &Actor,
        recipients: Recipients,
    ) -> Result<(Vec<Address>, Vec<Skipped>), EngineError> {
        let mut skipped = Vec::new();
        let conversations = match recipients {
            Recipients::Conversations { ids } => {
                let mut found = Vec::new();
                for id in ids {
                    match self.store().conversation(id)? {
                        Some(c) => found.push(c),
                        None => skipped.push(Skipped {
                            to: format!("conversation {id}"),
                            name: String::new(),
                            reason: "there is no such conversation".into(),
                        }),
                    }
                }
                found
            }
            Recipients::Filter { query } => self.select(actor, &query, 0, None)?.1,
            Recipients::Records { ids } => {
                let mut given = Vec::new();
                for id in ids {
                    let Some(r) = self.store().record(id)? else {
                        skipped.push(Skipped {
                            to: format!("record {id}"),
                            name: String::new(),
                            reason: "there is no such record".into(),
                        });
                        continue;
                    };
                    match &r.mobile {
                        Some(m) => given.push(m.to_string()),
                        None => skipped.push(Skipped {
                            to: format!("record {id}"),
                            name: r.name.clone(),
                            reason: "no mobile number".into(),
                        }),
                    }
                }
                return self.numbered(given, skipped);
            }
            Recipients::Numbers { numbers } => return self.numbered(numbers, skipped),
        };
        let named = conversations
            .into_iter()
            .filter_map(|c| {
                let to = c
                    .phone
                    .as_ref()
                    .map(ToString::to_string)
                    .or_else(|| c.bsuid.as_ref().map(ToString::to_string))?;
                let name = c.record_name.clone().unwrap_or_else(|| c.name.clone());
                Some((to, (name, Some(c))))
            })
            .collect();
        Ok(distinct_addresses(named, skipped))
    }

    /// Numbers or BSUIDs as given: each once, with its conversation and name when known.
    fn numbered(
        &self,
        given: Vec<String>,
        mut skipped: Vec<Skipped>,
    ) -> Result<(Vec<Address>, Vec<Skipped>), EngineError> {
        let mut named = Vec::new();
        for to in given {
            let to = to.trim().to_owned();
            let who = match ContactRef::parse(&to) {
                Ok(who) => who,
                Err(e) => {
                    skipped.push(Skipped {
                        to: neutralise(&to, false).into_owned(),
                        name: String::new(),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            let conversation = self.lookup(&who)?;
            let name = match (&conversation, &who) {
                (Some(c), _) => c.record_name.clone().unwrap_or_else(|| c.name.clone()),
                (None, ContactRef::Phone(p)) => self
                    .store()
                    .record_by_phone(p)?
                    .map(|r| r.name)
                    .unwrap_or_default(),
                (None, ContactRef::Bsuid(_)) => String::new(),
            };
            named.push((to, (name, conversation)));
        }
        Ok(distinct_addresses(named, skipped))
    }

    /// Whether this very text went to the conversation since `since` (and did not fail).
    fn sent_today(
        &self,
        conversation: &Conversation,
        text: &str,
        since: DateTime<Utc>,
    ) -> Result<bool, EngineError> {
        Ok(self
            .store()
            .messages_since(conversation, since, 500)?
            .iter()
            .any(|m| {
                m.direction == Direction::Out
                    && m.kind == "template"
                    && m.status != Status::Failed
                    && m.text == text
            }))
    }

    fn batch(&self, id: u64) -> Result<Batch, EngineError> {
        self.store()
            .batch(id)?
            .ok_or_else(|| EngineError::NotFound(format!("there is no bulk send {id}")))
    }

    /// A batch's progress and each recipient's outcome, read from its sends and messages.
    fn outcomes(&self, batch: &Batch) -> Result<(Progress, Vec<Outcome>), EngineError> {
        let mut outcomes = Vec::new();
        for send in self.store().batch_sends(batch.id)? {
            let message = self.store().sent_message(&send)?;
            outcomes.push(Outcome::of(&send, message.as_ref()));
        }
        Ok((Progress::of(batch, &outcomes), outcomes))
    }

    fn batch_response(&self, id: u64) -> Result<Response, EngineError> {
        let batch = self.batch(id)?;
        let (progress, outcomes) = self.outcomes(&batch)?;
        Ok(Response::Batch {
            batch: Box::new(batch),
            progress,
            outcomes,
        })
    }
}

/// Each address once (the same number written two ways is one), keeping the first.
fn distinct_addresses(
    named: Vec<(String, (String, Option<Conversation>))>,
    mut skipped: Vec<Skipped>,
) -> (Vec<Address>, Vec<Skipped>) {
    let mut by_address: std::collections::HashMap<String, Option<Conversation>> =
        std::collections::HashMap::new();
    let pairs = named
        .into_iter()
        .map(|(to, (name, c))| {
            by_address.entry(to.clone()).or_insert(c);
            (to, name)
        })
        .collect();
    let (keep, twice) = bulk::distinct(pairs);
    skipped.extend(twice);
    let keep = keep
        .into_iter()
        .map(|(to, name)| {
            let c = by_address.remove(&to).flatten();
            (to, name, c)
        })
        .collect();
    (keep, skipped)
}

/// "3 skipped: opted out (2), no mobile number (1)".
fn skipped_sentence(skipped: &[Skipped]) -> String {
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for s in skipped {
        match reasons.iter_mut().find(|(r, _)| *r == s.reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((s.reason.clone(), 1)),
        }
    }
    let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} ({n})")).collect();
    format!("{} skipped: {}", skipped.len(), list.join("; "))
}

/// One more recipient's price in a bulk send's cost.
fn add_cost(cost: &mut Option<Cost>, hold: &crate::domain::credits::Hold) {
    let c = cost.get_or_insert_with(|| Cost {
        total: crate::domain::money::Money::ZERO,
        currency: hold.currency.clone(),
        charged: 0,
        free: 0,
        balance: crate::domain::money::Money::ZERO,
    });
    if hold.amount.is_positive() {
        c.total = c.total + hold.amount;
        c.charged += 1;
    } else {
        c.free += 1;
    }
}
