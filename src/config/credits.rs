//! `[credits]`: what the balance keeps in reserve, when admins hear it is low, and
//! auto-recharge (below a minimum, add a set amount through the organisation's command, at
//! most a monthly cap). Amounts are in the rate card's currency.

use serde::Deserialize;

use crate::domain::money::Money;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CreditsConfig {
    /// A send that would take the balance below this is refused.
    pub reserve: f64,
    /// Below this, admins are told and the inbox's header warns.
    pub low_balance: f64,
    /// Auto-recharge when the balance falls below this (0: never).
    pub recharge_below: f64,
    /// How much one recharge adds.
    pub recharge_amount: f64,
    /// The most auto-recharge adds in a calendar month.
    pub recharge_monthly_cap: f64,
    /// Run with the amount as its argument (and `HIRECHAT_RECHARGE_AMOUNT`): exit status 0
    /// adds it, anything else does not. Without one, admins are asked to add credits.
    pub recharge_command: Option<String>,
    /// How long the command may take.
    pub recharge_timeout_secs: u64,
    /// After the command failed, it runs again once this long has passed and the balance
    /// fell further.
    pub recharge_retry_secs: u64,
}

impl Default for CreditsConfig {
    fn default() -> Self {
        Self {
            reserve: 0.0,
            low_balance: 0.0,
            recharge_below: 0.0,
            recharge_amount: 0.0,
            recharge_monthly_cap: 0.0,
            recharge_command: None,
            recharge_timeout_secs: 60,
            recharge_retry_secs: 300,
        }
    }
}

impl CreditsConfig {
    pub fn reserve(&self) -> Money {
        Money::from_f64(self.reserve)
    }

    pub fn low_balance(&self) -> Money {
        Money::from_f64(self.low_balance)
    }

    /// (below, amount, monthly cap).
    pub fn recharge(&self) -> (Money, Money, Money) {
        (
            Money::from_f64(self.recharge_below),
            Money::from_f64(self.recharge_amount),
            Money::from_f64(self.recharge_monthly_cap),
        )
    }

    /// What is wrong with these values, if anything.
    pub fn check(&self) -> Result<(), String> {
        let all = [
            ("reserve", self.reserve),
            ("low_balance", self.low_balance),
            ("recharge_below", self.recharge_below),
            ("recharge_amount", self.recharge_amount),
            ("recharge_monthly_cap", self.recharge_monthly_cap),
        ];
        for (name, v) in all {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("[credits] {name} = {v}: an amount, 0 or more"));
            }
        }
        if self.recharge_amount > 0.0 && self.recharge_monthly_cap < self.recharge_amount {
            return Err(format!(
                "[credits] recharge_monthly_cap = {}: at least recharge_amount ({}), else auto-recharge never adds anything",
                self.recharge_monthly_cap, self.recharge_amount
            ));
        }
        Ok(())
    }
}
