//! Auto-recharge against the simulator: below the minimum the recharge command runs with the
//! amount — it fails once (admins are told why), succeeds the next time (a recharge in the
//! ledger), and the monthly cap keeps it from running a third time; without a command, admins
//! are asked to add credits.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use common::{Harness, TempDir, admin, eventually, wait_for};
use hirechat::{
    domain::{credits::Entry, event::Event, money::Money},
    engine::Request,
};

const CARD: &str = "Market,Currency,Marketing,Utility\nJP,EUR,0.50,0.10\n";

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

async fn ready(h: &Harness, balance: &str) {
    common::approved_as(h, "new_role", "marketing", "A new role may suit you.").await;
    let card = Request::ImportRates {
        csv: CARD.into(),
        effective: chrono::Utc::now().date_naive(),
        rules: None,
    };
    h.engine.handle(&admin(), card).await.unwrap();
    let add = Request::AddCredits {
        amount: m(balance),
        note: None,
        refund: false,
    };
    h.engine.handle(&admin(), add).await.unwrap();
}

async fn send(h: &Harness, i: u32) {
    h.engine
        .handle(
            &admin(),
            Request::SendTemplate {
                to: format!("+8190555{i:05}"),
                name: "new_role".into(),
                language: None,
                picks: std::collections::BTreeMap::default(),
            },
        )
        .await
        .unwrap();
}

fn recharges(h: &Harness) -> Vec<Money> {
    h.engine
        .store()
        .ledger_all()
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.entry {
            Entry::Recharge { amount, .. } => Some(amount),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recharge_command_fails_once_succeeds_once_and_the_cap_stops_a_third() {
    let dir = TempDir::new("credits-recharge");
    let calls = dir.path().join("calls");
    let script = dir.path().join("recharge.sh");
    // Fails on its first call, succeeds after; writes each amount it was given.
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$1 $HIRECHAT_RECHARGE_AMOUNT\" >> '{}'\n[ \"$(wc -l < '{}')\" -gt 1 ] || {{ echo 'card declined' >&2; exit 7; }}\n",
            calls.display(),
            calls.display()
        ),
    )
    .unwrap();
    let command = format!("sh '{}'", script.display());
    let h = Harness::start_in(dir, |c| {
        c.credits.recharge_below = 0.8;
        c.credits.recharge_amount = 2.0;
        c.credits.recharge_monthly_cap = 3.0;
        c.credits.recharge_retry_secs = 0;
        c.credits.recharge_command = Some(command);
    })
    .await;
    ready(&h, "1").await;
    let called = || std::fs::read_to_string(&calls).map_or(0, |s| s.lines().count());
    let mut events = h.engine.subscribe();
    // 1.00 → 0.50: below the minimum; the command fails, admins are told why.
    send(&h, 1).await;
    let note = wait_for(&mut events, |e| match e {
        Event::Notice { note, .. } => Some(note.clone()),
        _ => None,
    })
    .await;
    assert!(
        note.contains("auto-recharge of 2.00 failed: exit 7: card declined"),
        "{note}"
    );
    assert_eq!(called(), 1);
    assert!(recharges(&h).is_empty());
    // 0.50 → 0.00: it runs again and succeeds: 2.00 added.
    send(&h, 2).await;
    eventually("the recharge", || recharges(&h) == [m("2")]).await;
    assert_eq!(
        std::fs::read_to_string(&calls).unwrap().lines().last(),
        Some("2.00 2.00")
    );
    // 2.00 → 0.50: below again, but another 2.00 would pass the month's cap of 3.00.
    for i in 3..=5 {
        send(&h, i).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(called(), 2, "the cap holds");
    assert_eq!(recharges(&h), [m("2")]);
    assert_eq!(
        h.engine.store().recharged(chrono::Utc::now()).unwrap(),
        m("2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_command_admins_are_asked_to_add_credits_once_and_told_it_is_low() {
    let h = Harness::start_in(TempDir::new("credits-ask"), |c| {
        c.credits.low_balance = 0.9;
        c.credits.recharge_below = 0.8;
        c.credits.recharge_amount = 5.0;
        c.credits.recharge_monthly_cap = 5.0;
    })
    .await;
    ready(&h, "1").await;
    let mut events = h.engine.subscribe();
    send(&h, 1).await;
    let mut notes = Vec::new();
    while notes.len() < 2 {
        notes.push(
            wait_for(&mut events, |e| match e {
                Event::Notice { note, .. } => Some(note.clone()),
                _ => None,
            })
            .await,
        );
    }
    assert!(
        notes[0].contains("below [credits] low_balance (0.90)"),
        "{notes:?}"
    );
    assert!(notes[1].contains("hirechat credits add 5.00"), "{notes:?}");
    // Lower still: not told again.
    send(&h, 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    while let Ok(e) = events.try_recv() {
        assert!(!matches!(*e, Event::Notice { .. }), "{e:?}");
    }
}
