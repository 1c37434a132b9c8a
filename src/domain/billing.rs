//! What a message costs: WhatsApp's rate card (by market and category, with the date it is
//! in force from; several kept so that old sends keep their price) and the pricing model that
//! decides, for a message about to be sent, its category and whether it is free. Since
//! 2025-07-01 WhatsApp charges per delivered template message by category; free-form replies
//! and utility templates inside the customer-service window are free. What is free is a
//! parameter of the card (`CardRules`), never code: Meta changes it (from 2026-10-01 service
//! messages and in-window utility templates become chargeable).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{markets, money::Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
    AuthenticationInternational,
    /// A free-form message (not a template).
    Service,
}

impl Category {
    pub const ALL: [Self; 5] = [
        Self::Marketing,
        Self::Utility,
        Self::Authentication,
        Self::AuthenticationInternational,
        Self::Service,
    ];

    /// As templates and Meta's `pricing.category` write it (`MARKETING`, `marketing_lite`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "marketing" | "marketing_lite" => Some(Self::Marketing),
            "utility" => Some(Self::Utility),
            "authentication" => Some(Self::Authentication),
            "authentication_international" => Some(Self::AuthenticationInternational),
            "service" => Some(Self::Service),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Marketing => "marketing",
            Self::Utility => "utility",
            Self::Authentication => "authentication",
            Self::AuthenticationInternational => "authentication-international",
            Self::Service => "service",
        }
    }
}

/// One market's prices per message; none where the card gives none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub market: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utility: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_international: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Money>,
}

impl Rates {
    pub fn price(&self, category: Category) -> Option<Money> {
        match category {
            Category::Marketing => self.marketing,
            Category::Utility => self.utility,
            Category::Authentication => self.authentication,
            Category::AuthenticationInternational => {
                self.authentication_international.or(self.authentication)
            }
            Category::Service => self.service,
        }
    }
}

/// What the card makes free: the parameters of WhatsApp's model at the card's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRules {
    /// Utility templates sent while the customer-service window is open.
    pub utility_free_in_window: bool,
    /// Free-form messages (always inside the window).
    pub service_free: bool,
    /// Free-form messages free each month before they are charged (when not `service_free`).
    pub free_service_per_month: u32,
}

impl Default for CardRules {
    /// WhatsApp's model from 2025-07-01.
    fn default() -> Self {
        Self {
            utility_free_in_window: true,
            service_free: true,
            free_service_per_month: 1_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCard {
    pub id: u64,
    /// In force from this day (UTC) until a later card's.
    pub effective: NaiveDate,
    pub currency: String,
    pub rules: CardRules,
    pub rows: Vec<Rates>,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

impl RateCard {
    /// The row a recipient in `country` (ISO alpha-2) is priced by.
    pub fn rates_for(&self, country: &str) -> Option<&Rates> {
        markets::markets_of(country).into_iter().find_map(|m| {
            self.rows
                .iter()
                .find(|r| r.market.trim().eq_ignore_ascii_case(&m))
        })
    }
}

/// The card in force at `at`: the latest whose date has come.
pub fn card_at(cards: &[RateCard], at: DateTime<Utc>) -> Option<&RateCard> {
    cards
        .iter()
        .filter(|c| c.effective <= at.date_naive())
        .max_by_key(|c| (c.effective, c.id))
}

/// A rate card as Meta publishes it (CSV: Market, Currency, Marketing, Utility,
/// Authentication, Authentication-International, Service; blank or `n/a` where there is no
/// price): its rows and currency.
pub fn read_card(text: &str) -> Result<(Vec<Rates>, String), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the header: {e}"))?
        .iter()
        .map(|h| h.to_ascii_lowercase().replace(['-', '_'], " "))
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let market = col("market").ok_or("no Market column")?;
    let currency_col = col("currency").ok_or("no Currency column")?;
    let mut currency: Option<String> = None;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").trim();
        let name = cell(Some(market));
        if name.is_empty() {
            continue;
        }
        if !markets::known(name) {
            return Err(format!(
                "line {line}: market {name:?} is not one of WhatsApp's (a country code such as JP, a market such as India, a region such as Rest of Asia Pacific, or Other)"
            ));
        }
        let cur = cell(Some(currency_col)).to_ascii_uppercase();
        match &currency {
            None => currency = Some(cur),
            Some(c) if *c != cur => {
                return Err(format!(
                    "line {line}: currency {cur} where the card is in {c}: one currency per card"
                ));
            }
            Some(_) => {}
        }
        let price = |name: &str| -> Result<Option<Money>, String> {
            let v = cell(col(name));
            if v.is_empty() || v.eq_ignore_ascii_case("n/a") || v == "-" {
                return Ok(None);
            }
            let m = Money::parse(v.trim_start_matches('$'))
                .map_err(|e| format!("line {line}: {name}: {e}"))?;
            if m.0 < 0 {
                return Err(format!("line {line}: {name}: a price is not negative"));
            }
            Ok(Some(m))
        };
        rows.push(Rates {
            market: name.to_owned(),
            marketing: price("marketing")?,
            utility: price("utility")?,
            authentication: price("authentication")?,
            authentication_international: price("authentication international")?,
            service: price("service")?,
        });
    }
    let currency = currency.ok_or("the card has no rows")?;
    Ok((rows, currency))
}

/// A message about to be sent, as the pricing model sees it.
#[derive(Debug, Clone, Copy)]
pub struct Sending<'a> {
    pub category: Category,
    /// The recipient's country (ISO alpha-2), when known.
    pub country: Option<&'a str>,
    pub window_open: bool,
    /// Free-form messages charged so far this month (for the monthly allowance).
    pub service_this_month: u64,
}

/// What a send costs, or why it is free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub category: Category,
    pub amount: Money,
    pub currency: String,
    /// Why it costs nothing ("window open"), when it is free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<String>,
    /// The market it is priced in.
    pub market: String,
}

impl Price {
    /// "utility 0.0113 EUR" or "free: window open".
    pub fn label(&self) -> String {
        match &self.free {
            Some(why) => format!("free: {why}"),
            None => format!("{} {} {}", self.category.name(), self.amount, self.currency),
        }
    }
}

/// What `card` says `sending` costs.
pub fn price(card: &RateCard, sending: &Sending<'_>) -> Result<Price, String> {
    let country = sending.country.unwrap_or(markets::OTHER);
    let rates = card.rates_for(country).ok_or_else(|| {
        format!(
            "the rate card of {} has no row for {country} (nor its region, nor Other)",
            card.effective
        )
    })?;
    let free = |why: &str| Price {
        category: sending.category,
        amount: Money::ZERO,
        currency: card.currency.clone(),
        free: Some(why.to_owned()),
        market: rates.market.clone(),
    };
    let rules = card.rules;
    match sending.category {
        Category::Service if rules.service_free => return Ok(free("a reply in the window")),
        Category::Service
            if sending.service_this_month < u64::from(rules.free_service_per_month) =>
        {
            return Ok(free("within the month's free allowance"));
        }
        Category::Utility if sending.window_open && rules.utility_free_in_window => {
            return Ok(free("window open"));
        }
        _ => {}
    }
    let amount = rates.price(sending.category).ok_or_else(|| {
        format!(
            "the rate card has no {} price for {}",
            sending.category.name(),
            rates.market
        )
    })?;
    Ok(Price {
        category: sending.category,
        amount,
        currency: card.currency.clone(),
        free: (!amount.is_positive()).then(|| "priced at 0".to_owned()),
        market: rates.market.clone(),
    })
}

#[cfg(test)]
mod tests;
