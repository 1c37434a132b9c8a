//! Routing a new conversation inside its first message's transaction: a record for an
//! unknown sender (when the settings say so), and an owner in turn from the pool when the
//! record has none.

use super::{ROUTING_PLAN, ROUTING_SETTINGS, T, Tx, TxResult};
use crate::domain::{
    conversation::Conversation,
    event::Event,
    routing::{Plan, Routing},
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

    /// A new conversation's first message: an owner in turn, and a record for an unknown
    /// sender, as the stored plan (`domain::routing::Plan`) says.
    pub(super) fn route(&self, conv: &mut Conversation) -> TxResult<Vec<Event>> {
        let Some(plan) = self.get::<Plan>(T::Meta, ROUTING_PLAN)? else {
            return Ok(Vec::new());
        };
        if let Some(counter) = plan.takes_a_turn(conv) {
            let turn = self.get_id(T::Meta, &counter)?.unwrap_or(0);
            self.bump(&counter, 1)?;
            if let Some(owner) = plan.pick(turn) {
                conv.owner = Some(owner.to_owned());
            }
        }
        let Some(record) = plan.record_for_unknown(conv) else {
            return Ok(Vec::new());
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
