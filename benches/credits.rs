//! Credits at scale, on the store directly: the cost of a hold when a send is queued (the
//! same sends queued with and without a rate card), and `usage` for a month of a million
//! charged messages (each queued with its hold, then settled by a status carrying WhatsApp's
//! `pricing`).
//!
//! `cargo bench --bench credits` (`BENCH_CREDITS` to change the count).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops on the first thing that goes wrong"
)]
#![allow(clippy::cast_precision_loss, reason = "counts are far below 2^52")]

mod common;

use std::time::Instant;

use chrono::Utc;
use common::temp_dir;
use hirechat::{
    domain::{
        billing::{Category, Rates},
        credits::{By, Entry, Hold},
        event::Event,
        message::{Pricing, Status},
        money::Money,
        outbox::callback_data,
        phone::PhoneNumber,
    },
    store::{Change, ContactInfo, Queued, Reported, Store},
};

/// Sends written in one transaction, as the writer groups them.
const GROUP: usize = 1_000;
/// Sends queued for the hold's cost, with and without a card.
const COMPARE: usize = 100_000;

fn contact(i: usize) -> ContactInfo {
    ContactInfo {
        phone: Some(PhoneNumber::parse(&format!("+8190{:08}", i % 50_000)).unwrap()),
        ..ContactInfo::default()
    }
}

fn rates() -> Rates {
    Rates {
        market: "Rest of Asia Pacific".into(),
        marketing: Some(Money::parse("0.0732").unwrap()),
        utility: Some(Money::parse("0.0113").unwrap()),
        authentication: None,
        authentication_international: None,
        service: None,
    }
}

fn queued(i: usize, priced: bool) -> Change {
    let hold = priced.then(|| {
        Box::new(Hold {
            amount: Money::parse("0.0732").unwrap(),
            category: Category::Marketing,
            country: ["JP", "KR", "SG"][i % 3].into(),
            currency: "EUR".into(),
            rates: rates(),
            by: format!("recruiter{}", i % 10),
            template: Some(format!("template_{}", i % 20)),
            outbox_id: 0,
            to: String::new(),
            reserve: Money::ZERO,
            open: true,
        })
    });
    Change::Queue(Queued {
        contact: contact(i),
        kind: "template".into(),
        text: "A new role in Tokyo may suit you.".into(),
        request: serde_json::json!({"type": "template"}),
        sent_by: "bench".into(),
        at: Utc::now(),
        file: None,
        batch: None,
        hold,
    })
}

fn settled(outbox_id: u64) -> Change {
    Change::Status(Reported {
        wamid: format!("wamid.BENCH{outbox_id}"),
        status: Status::Sent,
        callback_data: Some(callback_data(outbox_id)),
        recipient: ContactInfo::default(),
        error: None,
        pricing: Some(Pricing {
            billable: Some(true),
            pricing_model: Some("PMP".into()),
            category: Some("marketing".into()),
            kind: Some("regular".into()),
            ..Pricing::default()
        }),
    })
}

/// Queues `n` sends (priced or not) in groups; seconds taken, and the outbox ids.
fn queue(store: &Store, from: usize, n: usize, priced: bool) -> (f64, Vec<u64>) {
    let start = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for group in (from..from + n).collect::<Vec<_>>().chunks(GROUP) {
        let changes: Vec<Change> = group.iter().map(|i| queued(*i, priced)).collect();
        for events in store.apply(&changes).unwrap() {
            for e in events {
                if let Event::MessageQueued { message, .. } = e {
                    ids.push(message.id);
                }
            }
        }
    }
    (start.elapsed().as_secs_f64(), ids)
}

fn main() {
    let n: usize = std::env::var("BENCH_CREDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("credits bench: {n} charged messages, groups of {GROUP}");

    // The hold's cost: the same sends, without a card and with one.
    let plain = Store::open(&temp_dir("credits-plain"), 64).unwrap();
    let (without, _) = queue(&plain, 0, COMPARE, false);
    drop(plain);
    let dir = temp_dir("credits");
    let store = Store::open(&dir, 64).unwrap();
    let purchase = Entry::Purchase {
        amount: Money::parse("10000000").unwrap(),
        by: "bench".into(),
        note: None,
    };
    store
        .apply(&[Change::Credit {
            entry: purchase,
            at: Utc::now(),
        }])
        .unwrap();
    let (with, _) = queue(&store, 0, COMPARE, true);
    println!(
        "queue {COMPARE} sends: {:.0}/s without a hold, {:.0}/s with one ({:+.1}%)",
        COMPARE as f64 / without,
        COMPARE as f64 / with,
        (with / without - 1.0) * 100.0
    );

    // A month of charged messages: queued with their holds, settled by their statuses.
    let start = Instant::now();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(50_000);
        let (_, ids) = queue(&store, done, batch, true);
        for group in ids.chunks(GROUP) {
            let changes: Vec<Change> = group.iter().map(|id| settled(*id)).collect();
            store.apply(&changes).unwrap();
        }
        done += batch;
        if done % 200_000 == 0 {
            println!(
                "  {done} queued and settled ({:.0} s)",
                start.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "{n} queued and settled in {:.0} s ({:.0}/s)",
        start.elapsed().as_secs_f64(),
        n as f64 / start.elapsed().as_secs_f64()
    );
    let month = Utc::now().format("%Y-%m").to_string();
    for by in By::ALL {
        let mut times = Vec::new();
        let mut total = Money::ZERO;
        let mut messages = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let rows = store.usage(&month, by).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = rows.iter().map(|(_, s)| s.amount).sum();
            messages = rows.iter().map(|(_, s)| s.messages).sum::<u64>();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "usage by {:<8} {:>8.2} ms median ({:.2} max): {messages} messages, {total} EUR",
            by.name(),
            common::percentile(&times, 50.0),
            times[times.len() - 1]
        );
    }
    println!("balance {}", store.balance().unwrap());
    let _ = std::fs::remove_dir_all(dir);
}
