//! Bulk sends inside a transaction: a batch is stored with all its sends at once (none
//! without the others), and cancelling it ends those still waiting in one step.

use chrono::{DateTime, Utc};

use super::{T, Tx, TxResult, keys};
use crate::domain::{
    bulk::Batch,
    event::Event,
    schedule::{ScheduleState, ScheduledSend},
};

impl Tx<'_> {
    pub(super) fn save_batch(
        &self,
        batch: &Batch,
        sends: &[ScheduledSend],
    ) -> TxResult<Vec<Event>> {
        let mut batch = batch.clone();
        if batch.id == 0 {
            batch.id = self.new_id()?;
        }
        for send in sends {
            let send = self.store_send(ScheduledSend {
                batch: Some(batch.id),
                ..send.clone()
            })?;
            self.tree(T::ScheduledByBatch)
                .insert(&keys::scheduled_of(batch.id, send.id), &[])?;
        }
        self.put(T::Batches, keys::id(batch.id), &batch)?;
        Ok(vec![Event::Batch { batch }])
    }

    pub(super) fn cancel_batch(
        &self,
        id: u64,
        sends: &[u64],
        by: &str,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let Some(batch) = self.get::<Batch>(T::Batches, keys::id(id))? else {
            return Ok(vec![]);
        };
        let mut events = Vec::new();
        for &send_id in sends {
            let Some(mut send) = self.get::<ScheduledSend>(T::Scheduled, keys::id(send_id))? else {
                continue;
            };
            if !send.waiting() || send.batch != Some(id) {
                continue;
            }
            send.state = ScheduleState::Cancelled {
                at,
                cancelled_by: by.to_owned(),
            };
            self.end_send(&send)?;
            events.push(Event::Scheduled { scheduled: send });
        }
        events.push(Event::Batch { batch });
        Ok(events)
    }
}
