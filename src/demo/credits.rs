//! The demo's credits: a small rate card (the markets of its contacts) and a balance, so
//! that the picker, the bulk preflight and `usage` show what sends cost.

use crate::{
    domain::{money::Money, permission::Actor},
    engine::{Engine, Request},
};

/// Prices per message in EUR, in the shape of Meta's published card.
const CARD: &str = "\
Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service
Rest of Asia Pacific,EUR,0.0732,0.0113,0.0113,,
United Kingdom,EUR,0.0529,0.0220,0.0358,0.0358,
North America,EUR,0.0250,0.0034,0.0034,,
Other,EUR,0.0604,0.0077,0.0077,,
";

/// The demo's starting balance.
const BALANCE: &str = "25";

pub async fn apply(engine: &Engine, actor: &Actor) -> Result<(), String> {
    let effective = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).ok_or("the demo card's date")?;
    let card = Request::ImportRates {
        csv: CARD.into(),
        effective,
        rules: None,
    };
    engine
        .handle(actor, card)
        .await
        .map_err(|e| format!("demo rate card: {e}"))?;
    let amount = Money::parse(BALANCE)?;
    let credits = Request::AddCredits {
        amount,
        note: Some("the demo's credits".into()),
        refund: false,
    };
    engine
        .handle(actor, credits)
        .await
        .map_err(|e| format!("demo credits: {e}"))?;
    Ok(())
}
