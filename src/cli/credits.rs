//! `hirechat rates import|list`, `credits [show|add|refund]`, `usage`: the rate card, the
//! balance and its ledger, what was spent (admins; anyone reads the rate cards).

use std::path::{Path, PathBuf};

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{
        billing::{CardRules, RateCard},
        credits::By,
        money::Money,
        safe_text::neutralise,
    },
    engine::{Request, Response},
};

#[derive(Debug, clap::Subcommand)]
pub enum RatesCommand {
    /// A rate card in the shape of Meta's CSV (Market, Currency, Marketing, Utility,
    /// Authentication, Authentication-International, Service), kept beside the earlier ones
    /// (admins).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// The day it is in force from (YYYY-MM-DD); today when absent.
        #[arg(long)]
        effective: Option<chrono::NaiveDate>,
        /// Utility templates are charged inside the customer-service window too (Meta's model
        /// from 2026-10-01).
        #[arg(long)]
        utility_charged_in_window: bool,
        /// Free-form replies are charged (after the month's free allowance).
        #[arg(long)]
        service_charged: bool,
        /// Free-form replies free each month before they are charged.
        #[arg(long, default_value_t = 1000, value_name = "N")]
        free_service_per_month: u32,
    },
    /// The rate cards, oldest first, with their rows.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum CreditsCommand {
    /// The balance and the newest ledger entries.
    Show {
        /// At most this many entries.
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Credits bought: recorded with who and when.
    Add {
        /// How much, in the rate card's currency (50, 12.5).
        amount: String,
        /// Why, for the ledger (an invoice number).
        #[arg(long)]
        note: Option<String>,
    },
    /// Credits given back.
    Refund {
        /// How much, in the rate card's currency.
        amount: String,
        /// Why, for the ledger.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct UsageArgs {
    /// The month (YYYY-MM); this one when absent.
    #[arg(long)]
    month: Option<String>,
    /// user, category, country, template or day.
    #[arg(long, default_value = "category")]
    by: String,
    /// As JSON.
    #[arg(long)]
    json: bool,
}

pub async fn rates(
    config: &Config,
    data_dir: &Path,
    command: RatesCommand,
) -> Result<(), CliError> {
    let (request, json) = match command {
        RatesCommand::Import {
            file,
            effective,
            utility_charged_in_window,
            service_charged,
            free_service_per_month,
        } => {
            let csv = std::fs::read_to_string(&file)
                .map_err(|e| CliError::BadInput(format!("cannot read {}: {e}", file.display())))?;
            let rules = CardRules {
                utility_free_in_window: !utility_charged_in_window,
                service_free: !service_charged,
                free_service_per_month,
            };
            let effective = effective.unwrap_or_else(|| chrono::Utc::now().date_naive());
            (
                Request::ImportRates {
                    csv,
                    effective,
                    rules: Some(rules),
                },
                false,
            )
        }
        RatesCommand::List { json } => (Request::Rates, json),
    };
    let mut backend = Backend::connect(config, data_dir, None).await?;
    match backend.call(request).await? {
        Response::RateCards { cards } if json => output::json(&cards),
        Response::RateCards { cards } => {
            if cards.is_empty() {
                println!(
                    "No rate card: `hirechat rates import FILE.csv` adds one (sends cost nothing until then)."
                );
            }
            for c in &cards {
                print_card(c);
            }
        }
        _ => return Err(CliError::Other("unexpected answer".into())),
    }
    Ok(())
}

fn print_card(c: &RateCard) {
    let free = [
        c.rules
            .utility_free_in_window
            .then_some("utility in the window"),
        c.rules.service_free.then_some("replies"),
    ];
    let free: Vec<&str> = free.into_iter().flatten().collect();
    println!(
        "Card {} in force from {} ({}), imported by {}: free: {}; {} free replies a month",
        c.id,
        c.effective,
        c.currency,
        c.imported_by,
        if free.is_empty() {
            "nothing".into()
        } else {
            free.join(", ")
        },
        c.rules.free_service_per_month
    );
    let cell = |m: Option<Money>| m.map_or_else(|| "-".to_owned(), |m| m.to_string());
    println!(
        "  {:<34} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "market", "marketing", "utility", "auth", "auth-intl", "service"
    );
    for r in &c.rows {
        println!(
            "  {:<34} {:>10} {:>10} {:>10} {:>10} {:>10}",
            neutralise(&r.market, false),
            cell(r.marketing),
            cell(r.utility),
            cell(r.authentication),
            cell(r.authentication_international),
            cell(r.service)
        );
    }
}

pub async fn credits(
    config: &Config,
    data_dir: &Path,
    command: Option<CreditsCommand>,
) -> Result<(), CliError> {
    let command = command.unwrap_or(CreditsCommand::Show {
        limit: 20,
        json: false,
    });
    let amount = |a: &str| Money::parse(a).map_err(CliError::BadInput);
    let (request, json) = match command {
        CreditsCommand::Show { limit, json } => (Request::Credits { limit: Some(limit) }, json),
        CreditsCommand::Add { amount: a, note } => (
            Request::AddCredits {
                amount: amount(&a)?,
                note,
                refund: false,
            },
            false,
        ),
        CreditsCommand::Refund { amount: a, note } => (
            Request::AddCredits {
                amount: amount(&a)?,
                note,
                refund: true,
            },
            false,
        ),
    };
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let answer = backend.call(request).await?;
    if json {
        output::json(&answer);
        return Ok(());
    }
    let Response::Credits {
        balance,
        currency,
        low,
        recharged_this_month,
        entries,
    } = answer
    else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    println!(
        "Balance: {balance} {currency}{}",
        if low {
            " — low: below [credits] low_balance"
        } else {
            ""
        }
    );
    if recharged_this_month.is_positive() {
        println!("Auto-recharged this month: {recharged_this_month} {currency}");
    }
    for e in &entries {
        println!(
            "{}  {}",
            e.at.format("%Y-%m-%d %H:%M"),
            neutralise(&e.entry.sentence(), false)
        );
    }
    Ok(())
}

pub async fn usage(config: &Config, data_dir: &Path, args: UsageArgs) -> Result<(), CliError> {
    let by = By::parse(&args.by).ok_or_else(|| {
        CliError::BadInput(format!(
            "--by {:?}: user, category, country, template or day",
            args.by
        ))
    })?;
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let answer = backend
        .call(Request::Usage {
            month: args.month,
            by,
        })
        .await?;
    if args.json {
        output::json(&answer);
        return Ok(());
    }
    let Response::Usage {
        month,
        currency,
        rows,
        total,
        ..
    } = answer
    else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    println!("Spent in {month}, by {}:", by.name());
    for r in &rows {
        println!(
            "  {:<30} {:>8} messages {:>12} {currency}",
            neutralise(&r.value, false),
            r.messages,
            r.amount.to_string()
        );
    }
    println!(
        "  {:<30} {:>8} messages {:>12} {currency}",
        "in all",
        total.messages,
        total.amount.to_string()
    );
    Ok(())
}
