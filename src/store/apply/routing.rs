//! Routing a new conversation inside its first message's transaction: a record for an
//! unknown sender (when the settings say so), and an owner in turn from the pool when the
//! record has none.

use super::{ROUTING_PLAN, ROUTING_SETTINGS, T, Tx, TxResult};
use crate::domain::{
    conversation::Conversation,
    event::Event,
    record::{Record, RecordKind},
    routing::{Plan, Routing, UnknownSenders},
};

impl Tx<'_> {
    pub(super) fn set_routing(
        &self,
        routing: Option<&Routing>,
        plan: &Plan,
    ) -> TxResult<Vec<Event>> {
        if let Some(r) = routing {
            self.put(T::Meta, ROUTING_SETTINGS, r)?;
        }
        self.put(T::Meta, ROUTING_PLAN, plan)?;
        Ok(vec![])
    }

    pub(super) fn route(&self, conv: &mut Conversation) -> TxResult<Vec<Event>> {
        let Some(plan) = self.get::<Plan>(T::Meta, ROUTING_PLAN)? else {
            return Ok(Vec::new());
        };
        let owner = if conv.owner.is_none() && !plan.pool.is_empty() {
            let counter = format!("turn:{}", plan.pool_name);
            let turn = self.get_id(T::Meta, &counter)?.unwrap_or(0);
            self.bump(&counter, 1)?;
            plan.pick(turn).map(str::to_owned)
        } else {
            None
        };
        if owner.is_some() {
            conv.owner.clone_from(&owner);
        }
        let kind = match plan.unknown_senders {
            UnknownSenders::None => None,
            UnknownSenders::Candidate => Some(RecordKind::Candidate),
            UnknownSenders::Contact => Some(RecordKind::Contact),
        };
        let (Some(kind), Some(phone), None) = (kind, conv.phone.clone(), conv.record_id) else {
            return Ok(Vec::new());
        };
        let name = Some(conv.name.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| phone.to_string());
        let record = Record {
            id: 0,
            kind,
            name,
            first_name: None,
            last_name: None,
            mobile: Some(phone),
            country: None,
            email: None,
            time_zone: None,
            owner: conv.owner.clone(),
            opted_out: false,
            consent: Vec::new(),
            custom: std::collections::BTreeMap::new(),
        };
        let events = self.save_record(None, &record)?;
        for e in &events {
            if let Event::RecordSaved { record } = e {
                conv.record_id = Some(record.id);
                conv.record_name = Some(record.name.clone());
            }
        }
        Ok(events)
    }
}
