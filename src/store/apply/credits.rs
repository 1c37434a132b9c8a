//! Credits inside a transaction: the ledger (each entry once, the balance kept beside it as
//! the sum of its entries, never set any other way), the hold a send places in the
//! transaction that queues it (refused there, with the numbers, when it would overdraw: two
//! sends racing for the last credits cannot both pass), and the settling of it by WhatsApp's
//! `pricing` with the month's usage counted as it is debited.

use chrono::{DateTime, Utc};
use sled::transaction::ConflictableTransactionError;

use super::{T, Tx, TxResult, keys};
use crate::{
    domain::{
        billing::{Category, RateCard},
        credits::{self, By, Entry, Hold, LedgerEntry, Settle, Spent},
        event::Event,
        message::Pricing,
        money::Money,
    },
    store::StoreError,
};

impl Tx<'_> {
    pub(super) fn balance(&self) -> TxResult<Money> {
        Ok(self.get(T::Meta, keys::BALANCE)?.unwrap_or_default())
    }

    /// Writes an entry and moves the balance by it; the event tells who watches the balance.
    pub(super) fn ledger(&self, entry: Entry, at: DateTime<Utc>) -> TxResult<Event> {
        let id = self.new_id()?;
        let balance = self.balance()? + entry.effect();
        if let Entry::Recharge { amount, .. } = &entry {
            let key = keys::recharged(at);
            let so_far: Money = self.get(T::Meta, &key)?.unwrap_or_default();
            self.put(T::Meta, &key, &(so_far + *amount))?;
        }
        let line = LedgerEntry { id, at, entry };
        self.put(T::Ledger, keys::id(id), &line)?;
        self.put(T::Meta, keys::BALANCE, &balance)?;
        Ok(Event::Balance {
            balance,
            entry: Box::new(line),
        })
    }

    pub(super) fn save_rate_card(&self, card: &RateCard) -> TxResult<Vec<Event>> {
        let mut cards: Vec<RateCard> = self.get(T::Meta, keys::RATE_CARDS)?.unwrap_or_default();
        let mut card = card.clone();
        card.id = cards.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        cards.push(card);
        self.put(T::Meta, keys::RATE_CARDS, &cards)?;
        Ok(vec![])
    }

    /// A queued send's hold (`hold.outbox_id` is its outbox item), refused when it would take
    /// the balance below the reserve.
    pub(super) fn place_hold(&self, hold: &Hold, at: DateTime<Utc>) -> TxResult<Vec<Event>> {
        if hold.category == Category::Service {
            let key = keys::service_count(at);
            let n = self.get_id(T::Meta, &key)?.unwrap_or(0);
            self.tree(T::Meta)
                .insert(key.as_bytes(), &keys::id(n + 1))?;
        }
        self.put(T::Holds, keys::id(hold.outbox_id), hold)?;
        if !hold.amount.is_positive() {
            return Ok(vec![]);
        }
        credits::affordable(self.balance()?, hold.amount, hold.reserve, &hold.currency)
            .map_err(|why| ConflictableTransactionError::Abort(StoreError::Refused(why)))?;
        let entry = Entry::Hold {
            amount: hold.amount,
            outbox_id: hold.outbox_id,
            to: hold.to.clone(),
            category: hold.category,
        };
        Ok(vec![self.ledger(entry, at)?])
    }

    /// A failed send sent again: its hold placed again (refused as any send would be).
    pub(super) fn hold_again(&self, outbox_id: u64, at: DateTime<Utc>) -> TxResult<Vec<Event>> {
        match self.get::<Hold>(T::Holds, keys::id(outbox_id))? {
            Some(hold) if !hold.open => self.place_hold(&Hold { open: true, ..hold }, at),
            _ => Ok(vec![]),
        }
    }

    /// What WhatsApp's status says about a held send: settled, released, or nothing yet.
    pub(super) fn settle_hold(
        &self,
        outbox_id: u64,
        pricing: Option<&Pricing>,
        failed: bool,
        at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        let Some(hold) = self.get::<Hold>(T::Holds, keys::id(outbox_id))? else {
            return Ok(vec![]);
        };
        if !hold.open {
            return Ok(vec![]);
        }
        let Some(settled) = credits::settle(&hold, pricing, failed) else {
            return Ok(vec![]);
        };
        // One balance event for the settling: the release and the debit are one move.
        let mut events = Vec::new();
        if hold.amount.is_positive() {
            let reason = match &settled {
                Settle::Debit { .. } => "settled".to_owned(),
                Settle::Release { reason } => reason.clone(),
            };
            let release = Entry::Release {
                amount: hold.amount,
                outbox_id,
                reason,
            };
            events.push(self.ledger(release, at)?);
        }
        match settled {
            Settle::Debit { amount, category } => {
                let entry = Entry::Debit {
                    amount,
                    outbox_id,
                    category,
                    country: hold.country.clone(),
                    by: hold.by.clone(),
                    template: hold.template.clone(),
                };
                self.count_usage(&entry, at)?;
                events = vec![self.ledger(entry, at)?];
                self.tree(T::Holds).remove(&keys::id(outbox_id))?;
            }
            // A failed send may be sent again: its hold is kept, closed.
            Settle::Release { .. } if failed => {
                self.put(
                    T::Holds,
                    keys::id(outbox_id),
                    &Hold {
                        open: false,
                        ..hold
                    },
                )?;
            }
            Settle::Release { .. } => {
                self.tree(T::Holds).remove(&keys::id(outbox_id))?;
            }
        }
        Ok(events)
    }

    /// The month's spend by each dimension `usage` shows, counted as it is debited.
    fn count_usage(&self, debit: &Entry, at: DateTime<Utc>) -> TxResult<()> {
        let amount = -debit.effect();
        for by in By::ALL {
            let Some(value) = by.of(debit, at) else {
                continue;
            };
            let key = keys::usage(at, by, &value);
            let mut spent: Spent = self.get(T::Usage, &key)?.unwrap_or_default();
            spent.messages += 1;
            spent.amount = spent.amount + amount;
            self.put(T::Usage, &key, &spent)?;
        }
        Ok(())
    }
}
