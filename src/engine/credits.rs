//! Credits and the rate card, as admins manage them (`hirechat rates …`, `credits …`,
//! `usage`), and the price of a send: what the card in force says it costs (its category,
//! or why it is free), held from the balance in the transaction that queues it.

use chrono::Utc;

use super::{Engine, EngineError, Request, Response, response::UsageRow, send::Target};
use crate::{
    domain::{
        billing::{self, Category, Price, RateCard, Sending},
        credits::{Entry, Hold, Spent},
        permission::Actor,
        template::Template,
    },
    store::Change,
};

/// Ledger entries shown unless asked otherwise.
const LEDGER_PAGE: usize = 20;

impl Engine {
    pub(super) async fn credits_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::Rates => Ok(Response::RateCards {
                cards: self.store().rate_cards()?,
            }),
            Request::ImportRates {
                csv,
                effective,
                rules,
            } => {
                let (rows, currency) = billing::read_card(&csv).map_err(EngineError::BadInput)?;
                let cards = self.store().rate_cards()?;
                if let Some(c) = cards.last()
                    && c.currency != currency
                {
                    return Err(EngineError::BadInput(format!(
                        "this card is in {currency}, the credits in {}: one currency for the balance",
                        c.currency
                    )));
                }
                let card = RateCard {
                    id: 0,
                    effective,
                    currency,
                    rules: rules.unwrap_or_default(),
                    rows,
                    imported_by: actor.login.clone(),
                    imported_at: Utc::now(),
                };
                self.apply_history(vec![Change::SaveRateCard { card }])
                    .await?;
                Ok(Response::RateCards {
                    cards: self.store().rate_cards()?,
                })
            }
            Request::Credits { limit } => self.credits_view(limit.unwrap_or(LEDGER_PAGE)),
            Request::AddCredits {
                amount,
                note,
                refund,
            } => {
                if !amount.is_positive() {
                    return Err(EngineError::BadInput(format!(
                        "{amount}: add an amount more than 0"
                    )));
                }
                let by = actor.login.clone();
                let entry = if refund {
                    Entry::Refund { amount, by, note }
                } else {
                    Entry::Purchase { amount, by, note }
                };
                self.apply_history(vec![Change::Credit {
                    entry,
                    at: Utc::now(),
                }])
                .await?;
                self.credits_view(LEDGER_PAGE)
            }
            Request::Usage { month, by } => {
                let month = match month {
                    Some(m) => check_month(&m)?,
                    None => Utc::now().format("%Y-%m").to_string(),
                };
                let mut rows: Vec<UsageRow> = self
                    .store()
                    .usage(&month, by)?
                    .into_iter()
                    .map(|(value, s)| UsageRow {
                        value,
                        messages: s.messages,
                        amount: s.amount,
                    })
                    .collect();
                rows.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.value.cmp(&b.value)));
                let total = Spent {
                    messages: rows.iter().map(|r| r.messages).sum(),
                    amount: rows.iter().map(|r| r.amount).sum(),
                };
                Ok(Response::Usage {
                    month,
                    by,
                    currency: self.currency()?,
                    rows,
                    total,
                })
            }
            _ => Err(EngineError::BadInput("not a credits command".into())),
        }
    }

    fn credits_view(&self, limit: usize) -> Result<Response, EngineError> {
        let balance = self.store().balance()?;
        let low = self.inner.config.credits.low_balance();
        Ok(Response::Credits {
            balance,
            currency: self.currency()?,
            low: low.is_positive() && balance < low,
            recharged_this_month: self.store().recharged(Utc::now())?,
            entries: self.store().ledger(limit)?,
        })
    }

    /// The credits' currency: the rate cards'.
    fn currency(&self) -> Result<String, EngineError> {
        Ok(self
            .store()
            .rate_cards()?
            .last()
            .map(|c| c.currency.clone())
            .unwrap_or_default())
    }

    /// What a send of `category` to `target` costs by the card in force, or why it is free;
    /// none without a card. A card without a price for it refuses it: its cost is unknown.
    pub(super) fn price_of(
        &self,
        target: &Target,
        category: Category,
    ) -> Result<Option<(Price, billing::Rates)>, EngineError> {
        let cards = self.store().rate_cards()?;
        let now = Utc::now();
        let Some(card) = billing::card_at(&cards, now) else {
            return Ok(None);
        };
        let country = target.phone().and_then(|p| p.country());
        let service_this_month = if category == Category::Service {
            self.store().service_count(now)?
        } else {
            0
        };
        let sending = Sending {
            category,
            country: country.as_deref(),
            window_open: target.window_open(),
            service_this_month,
        };
        let price = billing::price(card, &sending).map_err(EngineError::Refused)?;
        let rates = card
            .rates_for(country.as_deref().unwrap_or(crate::domain::markets::OTHER))
            .cloned()
            .ok_or_else(|| EngineError::Refused("no rates for this recipient".into()))?;
        Ok(Some((price, rates)))
    }

    /// What sending `template` to `target` costs, in words; none without a rate card.
    pub(super) fn price_label(&self, target: &Target, template: &Template) -> Option<String> {
        let category = category_of(Some(template));
        match self.price_of(target, category) {
            Ok(price) => price.map(|(p, _)| p.label()),
            Err(e) => Some(format!("cannot be priced: {e}")),
        }
    }

    /// The hold a send by `actor` to `target` places when it is queued: its price by the card
    /// in force; none without a card.
    pub(super) fn hold_for(
        &self,
        actor: &Actor,
        target: &Target,
        template: Option<&Template>,
    ) -> Result<Option<Hold>, EngineError> {
        let category = category_of(template);
        let Some((price, rates)) = self.price_of(target, category)? else {
            return Ok(None);
        };
        Ok(Some(Hold {
            amount: price.amount,
            category,
            country: target
                .phone()
                .and_then(|p| p.country())
                .unwrap_or_else(|| "?".into()),
            currency: price.currency,
            rates,
            by: actor.login.clone(),
            template: template.map(|t| t.name.clone()),
            outbox_id: 0,
            to: target.phone().map_or_else(String::new, |p| p.to_string()),
            reserve: self.inner.config.credits.reserve(),
            open: true,
        }))
    }
}

/// What a send of `template` is priced as: its category; a free-form message (none, or a
/// custom template) as a reply.
fn category_of(template: Option<&Template>) -> Category {
    let whatsapp = template.filter(|t| t.kind == crate::domain::template::TemplateKind::Whatsapp);
    whatsapp
        .and_then(|t| t.category)
        .map_or(Category::Service, |c| match c {
            crate::domain::template::Category::Utility => Category::Utility,
            crate::domain::template::Category::Marketing => Category::Marketing,
            crate::domain::template::Category::Authentication => Category::Authentication,
        })
}

fn check_month(text: &str) -> Result<String, EngineError> {
    chrono::NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m").to_string())
        .map_err(|_| EngineError::BadInput(format!("--month {text:?}: write it as 2026-12")))
}
