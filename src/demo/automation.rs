//! The demo's automation: an example workflow rule (written as its author, so a candidate
//! created in the demo receives its template) and a message waiting to be sent later.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::{
    domain::{
        permission::Actor,
        rule::{Rule, RuleInput},
        schedule::ScheduledWhat,
    },
    engine::{Engine, Request},
    store::Change,
};

use super::seed::parse_ago;

/// A text for a contact, some time from now.
#[derive(Debug, Deserialize)]
pub struct SeedScheduled {
    pub to: String,
    pub text: String,
    /// How far ahead: `2h`.
    #[serde(rename = "in")]
    pub ahead: String,
}

/// Stores the rules as `actor` wrote them, and schedules the sends through the same checks
/// as a recruiter's.
pub async fn apply(
    engine: &Engine,
    actor: &Actor,
    rules: &[RuleInput],
    scheduled: &[SeedScheduled],
    now: DateTime<Utc>,
) -> Result<(), String> {
    let rules: Vec<Rule> = (1..)
        .zip(rules)
        .map(|(id, rule)| {
            rule.check()
                .map_err(|e| format!("demo rule {}: {e}", rule.name))?;
            Ok(Rule {
                id,
                author: actor.login.clone(),
                created_at: now,
                rule: rule.clone(),
            })
        })
        .collect::<Result<_, String>>()?;
    engine
        .apply_history(vec![Change::SaveRules { rules }])
        .await
        .map_err(|e| e.to_string())?;
    for s in scheduled {
        let ahead = parse_ago(&s.ahead).ok_or_else(|| format!("demo: bad time {:?}", s.ahead))?;
        let request = Request::Schedule {
            to: s.to.clone(),
            what: ScheduledWhat::Text {
                text: s.text.clone(),
            },
            at: Some(now + ahead),
            when: None,
        };
        engine
            .handle(actor, request)
            .await
            .map_err(|e| format!("demo scheduled message to {}: {e}", s.to))?;
    }
    Ok(())
}
