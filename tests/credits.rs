//! Credits against the simulator over real HTTP, with a two-country rate card and a balance of
//! 10: templates debited at their card's price once WhatsApp's `pricing` says so, a reply in
//! the open window free, a template WhatsApp calls `free_customer_service` released, a failed
//! send released, the send that would overdraw refused with its numbers, 32 sends racing for
//! the last credits never taking the balance below zero, and `usage` adding up to the ledger.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::{Harness, admin, eventually};
use hirechat::{
    domain::{
        credits::{By, Entry},
        money::Money,
    },
    engine::{EngineError, Request, Response},
};

const CARD: &str = "\
Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service
JP,EUR,0.1100,0.0150,0.0150,,
United Kingdom,EUR,0.0500,0.0200,0.0300,0.0400,
";

const JP: &str = "+819012340001";
const GB: &str = "+447400123456";

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

async fn call(h: &Harness, request: Request) -> Result<Response, EngineError> {
    h.engine.handle(&admin(), request).await
}

async fn card(h: &Harness, utility_free_in_window: bool) {
    let rules = serde_json::json!({"utility_free_in_window": utility_free_in_window,
        "service_free": true, "free_service_per_month": 1000});
    call(
        h,
        Request::ImportRates {
            csv: CARD.into(),
            effective: chrono::Utc::now().date_naive(),
            rules: Some(serde_json::from_value(rules).unwrap()),
        },
    )
    .await
    .unwrap();
}

async fn template(h: &Harness, name: &str, category: &str) {
    common::approved_as(h, name, category, "A word about your application.").await;
}

async fn send(h: &Harness, to: &str, name: &str) -> Result<Response, EngineError> {
    call(
        h,
        Request::SendTemplate {
            to: to.into(),
            name: name.into(),
            language: None,
            picks: std::collections::BTreeMap::default(),
        },
    )
    .await
}

fn balance(h: &Harness) -> Money {
    h.engine.store().balance().unwrap()
}

/// The ledger's entries of one kind.
fn entries(h: &Harness, kind: &str) -> Vec<Entry> {
    h.engine
        .store()
        .ledger_all()
        .unwrap()
        .into_iter()
        .map(|e| e.entry)
        .filter(|e| serde_json::to_value(e).unwrap()["kind"] == kind)
        .collect()
}

/// The balance is the sum of the ledger, and never below zero.
fn consistent(h: &Harness) {
    let sum: Money = h
        .engine
        .store()
        .ledger_all()
        .unwrap()
        .iter()
        .map(|e| e.entry.effect())
        .sum();
    assert_eq!(sum, balance(h));
    assert!(balance(h) >= Money::ZERO, "{}", balance(h));
}

async fn setup() -> Harness {
    let h = Harness::start().await;
    template(&h, "new_role", "marketing").await;
    template(&h, "next_steps", "utility").await;
    card(&h, true).await;
    call(
        &h,
        Request::AddCredits {
            amount: m("10"),
            note: Some("first purchase".into()),
            refund: false,
        },
    )
    .await
    .unwrap();
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_are_debited_at_their_price_and_what_is_free_costs_nothing() {
    let h = setup().await;
    send(&h, JP, "new_role").await.unwrap();
    send(&h, GB, "next_steps").await.unwrap();
    eventually("two debits", || entries(&h, "debit").len() == 2).await;
    assert_eq!(balance(&h), m("10") - m("0.11") - m("0.02"));
    consistent(&h);

    // The UK contact writes: a reply is free, and so is a utility template in the window.
    h.sim
        .inbound(hirechat::sim::Inbound {
            from: Some(GB.into()),
            text: Some("Is the role still open?".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    eventually("Emily's message", || {
        h.engine.store().message_count().unwrap() == 3
    })
    .await;
    let before = h.engine.store().ledger_all().unwrap().len();
    call(
        &h,
        Request::SendText {
            to: GB.into(),
            text: "Thanks, Emily!".into(),
        },
    )
    .await
    .unwrap();
    // A template WhatsApp calls free in the window is released, when the card (Meta's model
    // from 2026-10-01) held it.
    card(&h, false).await;
    send(&h, GB, "next_steps").await.unwrap();
    let free = |e: &Entry| {
        matches!(e, Entry::Release { amount, reason, .. }
            if *amount == m("0.02") && reason.contains("free_customer_service"))
    };
    eventually("the release", || entries(&h, "release").iter().any(free)).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let after = h.engine.store().ledger_all().unwrap();
    assert_eq!(after.len(), before + 2, "the hold and its release only");
    assert_eq!(balance(&h), m("10") - m("0.13"));

    // A failed send is released.
    let url = format!("{}/sim/undeliverable", h.sim.api_base());
    h.http
        .post(url)
        .json(&serde_json::json!({"number": "819012340002"}))
        .send()
        .await
        .unwrap();
    send(&h, "+819012340002", "new_role").await.unwrap();
    eventually("the failure's release", || {
        entries(&h, "release")
            .iter()
            .any(|e| matches!(e, Entry::Release { reason, .. } if reason.contains("failed")))
    })
    .await;
    assert_eq!(balance(&h), m("10") - m("0.13"));
    consistent(&h);

    // Usage adds up to the ledger's debits, by any dimension.
    let debited: Money = entries(&h, "debit").iter().map(|e| -e.effect()).sum();
    for by in By::ALL {
        let Response::Usage { total, rows, .. } =
            call(&h, Request::Usage { month: None, by }).await.unwrap()
        else {
            panic!("usage")
        };
        assert_eq!(total.amount, debited, "{by:?}");
        assert_eq!(total.messages, 2, "{by:?}");
        assert!(!rows.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_send_that_would_overdraw_is_refused_and_racing_sends_never_go_below_zero() {
    let h = Harness::start().await;
    template(&h, "new_role", "marketing").await;
    card(&h, true).await;
    call(
        &h,
        Request::AddCredits {
            amount: m("1"),
            note: None,
            refund: false,
        },
    )
    .await
    .unwrap();
    let sends = (0..32).map(|i| {
        let engine = h.engine.clone();
        tokio::spawn(async move {
            engine
                .handle(
                    &admin(),
                    Request::SendTemplate {
                        to: format!("+8190123{i:05}"),
                        name: "new_role".into(),
                        language: None,
                        picks: std::collections::BTreeMap::default(),
                    },
                )
                .await
        })
    });
    let mut sent = 0;
    let mut refused = Vec::new();
    for s in sends {
        match s.await.unwrap() {
            Ok(_) => sent += 1,
            Err(e) => refused.push(e.to_string()),
        }
    }
    assert_eq!(sent, 9, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|r| r.contains("the balance is 0.01 EUR, this send costs 0.11 EUR")),
        "{refused:?}"
    );
    consistent(&h);
    eventually("nine debits", || entries(&h, "debit").len() == 9).await;
    assert_eq!(balance(&h), m("0.01"));
    consistent(&h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_rate_card_and_a_balance() {
    let dir = common::TempDir::new("credits-demo");
    let d = hirechat::demo::start(dir.path(), 0.02).await.unwrap();
    let cards = d.engine.store().rate_cards().unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].currency, "EUR");
    assert_eq!(d.engine.store().balance().unwrap(), m("25"));
}
