//! Reading credits: the rate cards, the balance, the ledger newest first, the month's usage.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, T, decode, keys};
use crate::domain::{
    billing::RateCard,
    credits::{By, LedgerEntry, Spent},
    money::Money,
};

impl Store {
    /// Every rate card imported, oldest first.
    pub fn rate_cards(&self) -> Result<Vec<RateCard>, StoreError> {
        match self.tree(T::Meta)?.get(keys::RATE_CARDS)? {
            Some(v) => decode(&v),
            None => Ok(Vec::new()),
        }
    }

    /// The balance: the sum of the ledger (holds included).
    pub fn balance(&self) -> Result<Money, StoreError> {
        match self.tree(T::Meta)?.get(keys::BALANCE)? {
            Some(v) => decode(&v),
            None => Ok(Money::ZERO),
        }
    }

    /// The newest `limit` entries of the ledger, newest first.
    pub fn ledger(&self, limit: usize) -> Result<Vec<LedgerEntry>, StoreError> {
        self.tree(T::Ledger)?
            .iter()
            .rev()
            .take(limit)
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// The whole ledger, oldest first (a check that the balance is its sum).
    pub fn ledger_all(&self) -> Result<Vec<LedgerEntry>, StoreError> {
        self.tree(T::Ledger)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// The spend of `month` (`YYYY-MM`) by one dimension, as it was debited.
    pub fn usage(&self, month: &str, by: By) -> Result<Vec<(String, Spent)>, StoreError> {
        let prefix = keys::usage_prefix(month, by);
        self.tree(T::Usage)?
            .scan_prefix(&prefix)
            .map(|kv| {
                let (k, v) = kv?;
                let value = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
                Ok((value, decode(&v)?))
            })
            .collect()
    }

    /// What auto-recharge added in the month of `at`.
    pub fn recharged(&self, at: DateTime<Utc>) -> Result<Money, StoreError> {
        match self.tree(T::Meta)?.get(keys::recharged(at))? {
            Some(v) => decode(&v),
            None => Ok(Money::ZERO),
        }
    }

    /// Free-form messages sent in the month of `at`.
    pub fn service_count(&self, at: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self
            .tree(T::Meta)?
            .get(keys::service_count(at))?
            .map_or(0, |v| keys::read_id(&v)))
    }
}
