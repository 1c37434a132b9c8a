//! How fast messages leave, against a simulator that enforces Meta's limits (throughput: 130429;
//! pair rate: 131056): sends evenly spaced under `[outbox] messages_per_second`, a person's
//! reply going before the rest of a bulk send, and the pair limit waited out, not failed.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{Harness, TempDir, admin, eventually};
use hirechat::{
    domain::{
        message::{Effect, Message, Status, Summary},
        phone::PhoneNumber,
    },
    engine::{Request, Response},
    sim::Limits,
    store::{Arrived, Change, ContactInfo, Queued},
    whatsapp::send::SendRequest,
};

fn number(i: usize) -> String {
    format!("+8190{i:08}")
}

fn digits(n: &str) -> String {
    n.trim_start_matches('+').into()
}

fn contact(n: &str) -> ContactInfo {
    ContactInfo {
        phone: Some(PhoneNumber::parse(n).unwrap()),
        ..ContactInfo::default()
    }
}

/// `n` wrote a moment ago: their window is open, here and at the simulator.
async fn wrote(h: &Harness, n: &str, i: usize) {
    h.engine
        .apply_history(vec![Change::Inbound(Arrived {
            contact: contact(n),
            wamid: format!("wamid.PACE{i}"),
            at: Utc::now(),
            reply_to: None,
            effect: Effect::New(Summary {
                kind: "text".into(),
                text: "Hello".into(),
                media: None,
            }),
            error_code: None,
            payload: None,
        })])
        .await
        .unwrap();
    h.sim.remember(&digits(n), Utc::now(), "Candidate");
}

fn batch_item(n: &str) -> Change {
    let text = "The role is still open: reply here if you are interested.";
    Change::Queue(Queued {
        contact: contact(n),
        kind: "text".into(),
        text: text.into(),
        request: serde_json::to_value(SendRequest::text(Some(n.into()), None, text)).unwrap(),
        sent_by: "aiko".into(),
        at: Utc::now(),
        file: None,
        batch: Some(1),
        hold: None,
    })
}

async fn reply(h: &Harness, to: &str, text: &str) -> Message {
    let request = Request::SendText {
        to: to.into(),
        text: text.into(),
    };
    match h.engine.handle(&admin(), request).await.unwrap() {
        Response::Message { message } => *message,
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_leave_under_the_numbers_rate_and_a_reply_goes_before_a_bulk_send() {
    const N: usize = 60;
    const RATE: usize = 20;
    let h = Harness::start_with(
        TempDir::new("pacing"),
        |s| {
            s.limits = Limits {
                throughput: 20,
                ..Limits::default()
            };
        },
        |c| c.outbox.messages_per_second = 20,
    )
    .await;
    for i in 0..=N {
        wrote(&h, &number(i), i).await;
    }
    h.engine
        .apply_history((0..N).map(|i| batch_item(&number(i))).collect())
        .await
        .unwrap();
    // A send wakes the outbox, which finds the bulk send waiting behind it.
    reply(&h, &number(N), "First, a quick answer.").await;
    eventually("a third of the bulk send", || h.sim.taken().len() > N / 3).await;
    let before = h.sim.taken().len();
    reply(&h, &number(N), "And another one.").await;
    eventually("every message", || h.sim.taken().len() == N + 2).await;

    let taken = h.sim.taken();
    let refused = h.sim.requests().len() - taken.len();
    assert_eq!(refused, 0, "nothing went over the simulator's 20 a second");
    for w in taken.windows(RATE + 1) {
        let span = w[RATE].1 - w[0].1;
        assert!(
            span >= Duration::from_millis(900),
            "{} messages within {span:?}",
            RATE + 1
        );
    }
    let to_replier: Vec<usize> = (0..taken.len())
        .filter(|&i| taken[i].0 == digits(&number(N)))
        .collect();
    assert_eq!(to_replier[0], 0, "the reply queued first went first");
    assert!(
        to_replier[1] < before + RATE,
        "the reply written during the bulk send went within about a second ({} → {})",
        before,
        to_replier[1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pair_rate_limit_is_waited_out_and_each_message_goes_once() {
    let h = Harness::start_with(
        TempDir::new("pacing-pair"),
        |s| {
            s.limits = Limits {
                pair_burst: 1,
                pair_every: Duration::from_secs(1),
                ..Limits::default()
            };
        },
        |_| {},
    )
    .await;
    let ken = number(7);
    wrote(&h, &ken, 7).await;
    let first = reply(&h, &ken, "Thanks for writing.").await;
    let second = reply(&h, &ken, "Could you send your CV?").await;
    for m in [first, second] {
        eventually("both read", || {
            h.engine
                .store()
                .reload(&m)
                .unwrap()
                .is_some_and(|m| m.status == Status::Read)
        })
        .await;
    }
    assert_eq!(h.sim.taken().len(), 2, "each once");
    assert!(
        h.sim.requests().len() > 2,
        "the simulator refused one with 131056 first"
    );
}
