//! The credits on ratatui's `TestBackend`, with a fixed clock: `$` shows an admin the balance,
//! the month's spend by day and by category and the newest ledger entries; the header warns
//! while the balance is low and follows it as it moves; anyone else is told it is for admins.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::tui::{app_with, as_recruiter, draw, inbox, key, now};
use hirechat::{
    domain::{
        billing::Category,
        credits::{By, Entry, LedgerEntry},
        event::Event,
        money::Money,
    },
    engine::api::UsageRow,
    tui::{
        app::{App, Command, Input},
        popup::credits::{CreditsView, UsageView},
    },
};

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

fn view(balance: &str, low: bool, entries: Vec<LedgerEntry>) -> CreditsView {
    CreditsView {
        balance: m(balance),
        currency: "EUR".into(),
        low,
        recharged_this_month: m("20"),
        entries,
    }
}

fn entries() -> Vec<LedgerEntry> {
    let at = |mins: i64| now() - chrono::Duration::minutes(mins);
    vec![
        LedgerEntry {
            id: 3,
            at: at(2),
            entry: Entry::Debit {
                amount: m("0.0732"),
                outbox_id: 41,
                category: Category::Marketing,
                country: "JP".into(),
                by: "aiko".into(),
                template: Some("new_role".into()),
            },
        },
        LedgerEntry {
            id: 2,
            at: at(3),
            entry: Entry::Hold {
                amount: m("0.0732"),
                outbox_id: 41,
                to: "+819012340001".into(),
                category: Category::Marketing,
            },
        },
        LedgerEntry {
            id: 1,
            at: at(60),
            entry: Entry::Purchase {
                amount: m("25"),
                by: "aiko".into(),
                note: Some("invoice 2026-118".into()),
            },
        },
    ]
}

fn usage(by: By, rows: &[(&str, &str, u64)]) -> UsageView {
    let rows: Vec<UsageRow> = rows
        .iter()
        .map(|(value, amount, messages)| UsageRow {
            value: (*value).into(),
            messages: *messages,
            amount: m(amount),
        })
        .collect();
    UsageView {
        month: now().format("%Y-%m").to_string(),
        by,
        total: rows.iter().map(|r| r.amount).sum(),
        messages: rows.iter().map(|r| r.messages).sum(),
        rows,
    }
}

fn opened() -> App {
    let mut app = app_with(inbox(), 160, 45);
    let asked = app.update(key('$'));
    assert!(
        asked.contains(&Command::LoadCredits { limit: 8 }),
        "{asked:?}"
    );
    assert!(asked.contains(&Command::LoadUsage { by: By::Day }));
    app.update(Input::Credits(Box::new(view("3.20", true, entries()))));
    let day = |d: u32| format!("{}-{d:02}", now().format("%Y-%m"));
    let (d1, d2) = (day(1), day(2));
    app.update(Input::Usage(Box::new(usage(
        By::Day,
        &[(d1.as_str(), "1.20", 20), (d2.as_str(), "0.30", 5)],
    ))));
    app.update(Input::Usage(Box::new(usage(
        By::Category,
        &[("marketing", "1.10", 15), ("utility", "0.40", 10)],
    ))));
    app
}

#[test]
fn the_balance_the_months_spend_and_the_last_entries() {
    let app = opened();
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn the_header_warns_while_low_and_follows_the_balance() {
    let mut app = opened();
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("⚠ credits low: 3.20 EUR"), "{screen}");
    // The balance moves: read again on the clock, not on every move.
    let moved = Event::Balance {
        balance: m("30"),
        entry: Box::new(entries().remove(2)),
    };
    app.update(Input::Event(Box::new(moved.clone())));
    let asked = app.update(Input::Tick(now() + chrono::Duration::seconds(5)));
    assert!(
        asked.contains(&Command::LoadCredits { limit: 0 }),
        "{asked:?}"
    );
    app.update(Input::Event(Box::new(moved)));
    let asked = app.update(Input::Tick(now() + chrono::Duration::seconds(6)));
    assert!(
        !asked.contains(&Command::LoadCredits { limit: 0 }),
        "{asked:?}"
    );
    app.update(Input::Credits(Box::new(view("30", false, Vec::new()))));
    let screen = format!("{:?}", draw(&app).backend());
    assert!(!screen.contains("credits low"), "{screen}");
}

#[test]
fn credits_are_for_admins() {
    let mut app = app_with(inbox(), 160, 45);
    as_recruiter(&mut app);
    let asked = app.update(key('$'));
    assert!(
        !asked
            .iter()
            .any(|c| matches!(c, Command::LoadCredits { .. })),
        "{asked:?}"
    );
    let screen = format!("{:?}", draw(&app).backend());
    assert!(screen.contains("Credits are for admins"), "{screen}");
}
