//! Credits: a ledger of what was bought and spent, the balance derived from it (never edited
//! in place). A business-initiated send places a hold for its estimated cost when it is
//! queued; WhatsApp's `pricing` in its status settles it — a debit at the card's price for the
//! category WhatsApp reports, or a release when WhatsApp says it was free or it failed.
//! Auto-recharge adds a set amount when the balance falls below a minimum, within a monthly
//! cap. The decisions are here, without IO.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    billing::{Category, Rates},
    message::Pricing,
    money::Money,
};

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub entry: Entry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// Credits bought (an admin's `credits add`).
    Purchase {
        amount: Money,
        by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Credits added by auto-recharge.
    Recharge { amount: Money, how: String },
    /// Credits given back (an admin's `credits refund`).
    Refund {
        amount: Money,
        by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A send's estimated cost, held until WhatsApp says what it cost.
    Hold {
        amount: Money,
        outbox_id: u64,
        to: String,
        category: Category,
    },
    /// A hold given back (settled, or free, or failed).
    Release {
        amount: Money,
        outbox_id: u64,
        reason: String,
    },
    /// What a send cost.
    Debit {
        amount: Money,
        outbox_id: u64,
        category: Category,
        country: String,
        by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template: Option<String>,
    },
}

impl Entry {
    /// How it changes the balance.
    pub fn effect(&self) -> Money {
        match self {
            Self::Purchase { amount, .. }
            | Self::Recharge { amount, .. }
            | Self::Refund { amount, .. }
            | Self::Release { amount, .. } => *amount,
            Self::Hold { amount, .. } | Self::Debit { amount, .. } => -*amount,
        }
    }

    /// The entry in a few words.
    pub fn sentence(&self) -> String {
        match self {
            Self::Purchase { amount, by, note } => format!(
                "+{amount} bought by {by}{}",
                note.as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
            Self::Recharge { amount, how } => format!("+{amount} auto-recharge ({how})"),
            Self::Refund { amount, by, note } => format!(
                "+{amount} refunded by {by}{}",
                note.as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
            Self::Hold {
                amount,
                to,
                category,
                ..
            } => format!("-{amount} held: {} to {to}", category.name()),
            Self::Release { amount, reason, .. } => format!("+{amount} released: {reason}"),
            Self::Debit {
                amount,
                category,
                country,
                by,
                template,
                ..
            } => format!(
                "-{amount} {} to {country} by {by}{}",
                category.name(),
                template
                    .as_deref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// A send's price as it was queued: what is held for it and the prices to settle it with
/// (kept, so that a later card does not change what an old send costs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub amount: Money,
    pub category: Category,
    pub country: String,
    pub currency: String,
    pub rates: Rates,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The outbox item, once queued (the store gives it).
    #[serde(default)]
    pub outbox_id: u64,
    /// The recipient, for the ledger.
    #[serde(default)]
    pub to: String,
    /// What the balance must keep (`[credits] reserve`), checked when the hold is placed.
    #[serde(default)]
    pub reserve: Money,
    /// Held now; a failed send's hold is kept closed, in case it is sent again.
    #[serde(default = "open")]
    pub open: bool,
}

fn open() -> bool {
    true
}

/// How a hold ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    Debit { amount: Money, category: Category },
    Release { reason: String },
}

/// What WhatsApp's status says about a held send: nothing yet (no `pricing`), a release
/// (free, or failed), or a debit at the card's price for the category it reports.
pub fn settle(hold: &Hold, pricing: Option<&Pricing>, failed: bool) -> Option<Settle> {
    if failed {
        return Some(Settle::Release {
            reason: "the send failed".into(),
        });
    }
    let p = pricing?;
    let kind = p.kind.as_deref().unwrap_or("regular");
    if p.billable == Some(false) || kind.starts_with("free") {
        let reason = if kind == "regular" {
            "WhatsApp says it is not billable".to_owned()
        } else {
            format!("WhatsApp says {kind}")
        };
        return Some(Settle::Release { reason });
    }
    let category = p
        .category
        .as_deref()
        .and_then(Category::parse)
        .unwrap_or(hold.category);
    let amount = hold.rates.price(category).unwrap_or(hold.amount);
    Some(Settle::Debit { amount, category })
}

/// Whether a send of `cost` may be queued: not when it takes what is available below the
/// reserve. The refusal gives the numbers.
pub fn affordable(
    available: Money,
    cost: Money,
    reserve: Money,
    currency: &str,
) -> Result<(), String> {
    if !cost.is_positive() || available - cost >= reserve {
        return Ok(());
    }
    let kept = if reserve.is_positive() {
        format!(" and {reserve} is kept in reserve")
    } else {
        String::new()
    };
    Err(format!(
        "not enough credits: the balance is {available} {currency}, this send costs {cost} {currency}{kept} — an admin adds credits with `hirechat credits add AMOUNT`"
    ))
}

/// Auto-recharge: how much to add when the balance is `balance`, given what was added
/// automatically this month; none when above the minimum, off, or at the cap.
pub fn recharge_due(
    balance: Money,
    below: Money,
    amount: Money,
    monthly_cap: Money,
    recharged_this_month: Money,
) -> Option<Money> {
    (amount.is_positive() && balance < below && recharged_this_month + amount <= monthly_cap)
        .then_some(amount)
}

/// What `usage` is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    User,
    Category,
    Country,
    Template,
    Day,
}

impl By {
    pub const ALL: [Self; 5] = [
        Self::User,
        Self::Category,
        Self::Country,
        Self::Template,
        Self::Day,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(text.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Category => "category",
            Self::Country => "country",
            Self::Template => "template",
            Self::Day => "day",
        }
    }

    /// The value of this dimension for a debit.
    pub fn of(self, entry: &Entry, at: DateTime<Utc>) -> Option<String> {
        let Entry::Debit {
            category,
            country,
            by,
            template,
            ..
        } = entry
        else {
            return None;
        };
        Some(match self {
            Self::User => by.clone(),
            Self::Category => category.name().to_owned(),
            Self::Country => country.clone(),
            Self::Template => template.clone().unwrap_or_else(|| "(free-form)".into()),
            Self::Day => at.format("%Y-%m-%d").to_string(),
        })
    }
}

/// Spend in one cell of `usage`: how many messages were charged, and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Spent {
    pub messages: u64,
    pub amount: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold() -> Hold {
        Hold {
            amount: Money(15_000),
            category: Category::Utility,
            country: "JP".into(),
            currency: "EUR".into(),
            rates: Rates {
                market: "JP".into(),
                marketing: Some(Money(110_000)),
                utility: Some(Money(15_000)),
                authentication: None,
                authentication_international: None,
                service: None,
            },
            by: "aiko".into(),
            template: Some("interview_invitation".into()),
            outbox_id: 9,
            to: "+819012345678".into(),
            reserve: Money::ZERO,
            open: true,
        }
    }

    fn pricing(kind: &str, category: &str) -> Pricing {
        Pricing {
            billable: Some(kind == "regular"),
            pricing_model: Some("PMP".into()),
            category: Some(category.into()),
            kind: Some(kind.into()),
            ..Pricing::default()
        }
    }

    #[test]
    fn a_status_settles_a_hold_at_the_category_whatsapp_reports() {
        let h = hold();
        assert_eq!(settle(&h, None, false), None, "no pricing yet");
        assert_eq!(
            settle(&h, Some(&pricing("regular", "utility")), false),
            Some(Settle::Debit {
                amount: Money(15_000),
                category: Category::Utility
            })
        );
        // Re-categorised by WhatsApp: the card's marketing price.
        assert_eq!(
            settle(&h, Some(&pricing("regular", "marketing")), false),
            Some(Settle::Debit {
                amount: Money(110_000),
                category: Category::Marketing
            })
        );
        assert!(matches!(
            settle(&h, Some(&pricing("free_customer_service", "utility")), false),
            Some(Settle::Release { reason }) if reason.contains("free_customer_service")
        ));
        assert!(matches!(
            settle(&h, None, true),
            Some(Settle::Release { reason }) if reason.contains("failed")
        ));
    }

    #[test]
    fn a_send_that_would_overdraw_is_refused_with_its_numbers() {
        let ten = Money(10_000_000);
        assert!(affordable(ten, Money(110_000), Money::ZERO, "EUR").is_ok());
        assert!(affordable(Money::ZERO, Money::ZERO, Money::ZERO, "EUR").is_ok());
        let err = affordable(Money(50_000), Money(110_000), Money::ZERO, "EUR").unwrap_err();
        assert!(
            err.contains("0.05 EUR") && err.contains("0.11 EUR"),
            "{err}"
        );
        let err = affordable(ten, Money(110_000), ten, "EUR").unwrap_err();
        assert!(err.contains("reserve"), "{err}");
    }

    #[test]
    fn recharge_below_the_minimum_within_the_monthly_cap() {
        let m = |n: i64| Money(n * 1_000_000);
        assert_eq!(recharge_due(m(4), m(5), m(50), m(100), m(0)), Some(m(50)));
        assert_eq!(recharge_due(m(6), m(5), m(50), m(100), m(0)), None, "above");
        assert_eq!(
            recharge_due(m(4), m(5), m(50), m(100), m(60)),
            None,
            "the cap"
        );
        assert_eq!(recharge_due(m(4), m(5), m(0), m(100), m(0)), None, "off");
        let debit = Entry::Debit {
            amount: m(1),
            outbox_id: 1,
            category: Category::Utility,
            country: "JP".into(),
            by: "aiko".into(),
            template: None,
        };
        assert_eq!(debit.effect(), -m(1));
        assert_eq!(
            By::Template.of(&debit, Utc::now()).as_deref(),
            Some("(free-form)")
        );
    }
}
