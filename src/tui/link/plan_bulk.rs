//! Automation's commands as requests: a bulk send's preflight, the confirmed batch, its
//! progress, and taking it back; the workflow rules, their runs, turning one on or off.

use super::{Answer, plan_answers::read};
use crate::{
    engine::{Request, Response},
    tui::{
        app::{Command, Input},
        popup::credits::{CreditsView, UsageView},
    },
};

fn batch_input(r: Response) -> Option<Input> {
    match r {
        Response::Batch {
            batch,
            progress,
            outcomes,
        } => Some(Input::Batch {
            batch,
            progress,
            outcomes,
        }),
        _ => None,
    }
}

pub(super) fn plan(command: Command) -> (Request, Answer) {
    match command {
        Command::BulkPreflight {
            template,
            language,
            recipients,
        } => (
            Request::BulkPreflight {
                template,
                language: Some(language).filter(|l| !l.is_empty()),
                recipients,
            },
            read(|r| match r {
                Response::Preflight { preflight } => Some(Input::Preflight(preflight)),
                _ => None,
            }),
        ),
        // A refusal (nobody to send to, a viewer) is a toast.
        Command::BulkSend {
            template,
            language,
            recipients,
        } => (
            Request::BulkSend {
                template,
                language: Some(language).filter(|l| !l.is_empty()),
                recipients,
                at: None,
            },
            read(batch_input),
        ),
        Command::LoadBatch { id } => (Request::Batch { batch_id: id }, read(batch_input)),
        Command::CancelBatch { id } => (Request::CancelBatch { batch_id: id }, read(batch_input)),
        Command::LoadCredits { limit } => (
            Request::Credits { limit: Some(limit) },
            read(|r| match r {
                Response::Credits {
                    balance,
                    currency,
                    low,
                    recharged_this_month,
                    entries,
                } => Some(Input::Credits(Box::new(CreditsView {
                    balance,
                    currency,
                    low,
                    recharged_this_month,
                    entries,
                }))),
                _ => None,
            }),
        ),
        Command::LoadUsage { by } => (
            Request::Usage { month: None, by },
            read(|r| match r {
                Response::Usage {
                    month,
                    by,
                    rows,
                    total,
                    ..
                } => Some(Input::Usage(Box::new(UsageView {
                    month,
                    by,
                    rows,
                    total: total.amount,
                    messages: total.messages,
                }))),
                _ => None,
            }),
        ),
        Command::LoadRules => (
            Request::Rules,
            read(|r| match r {
                Response::Rules { rules } => Some(Input::Rules(rules)),
                _ => None,
            }),
        ),
        Command::RuleLog { name } => (
            Request::RuleLog {
                name: Some(name.clone()),
                limit: Some(crate::tui::popup::rules::LAST_RUNS),
            },
            read(move |r| match r {
                Response::RuleLog { entries } => Some(Input::RuleLog { name, entries }),
                _ => None,
            }),
        ),
        // A refusal (not an admin) is a toast.
        Command::EnableRule { name, enabled } => (
            Request::EnableRule { name, enabled },
            read(|r| match r {
                Response::Rule { rule } => Some(Input::RuleChanged(rule)),
                _ => None,
            }),
        ),
        _ => unreachable!("only bulk sends' and rules' commands are planned here"),
    }
}
