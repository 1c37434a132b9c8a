//! Bulk sends against the simulator over real HTTP: the preflight names who is skipped and
//! why, the undo period takes a batch back before anything leaves, a confirmed batch reaches
//! each recipient exactly once, paced under the number's rate with 131056 waited out, and
//! the same template is not sent twice the same day.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{collections::HashMap, time::Duration};

use common::{Harness, TempDir, admin, approved, eventually};
use hirechat::{
    domain::{
        bulk::{Outcome, Preflight, Progress, Recipients, Stage},
        permission::{Actor, Role},
        record::{RecordInput, RecordKind},
    },
    engine::{EngineError, Request, Response},
    sim::Limits,
};

const BODY: &str = "A new role in Tokyo may suit you: reply here to hear more.";

fn number(i: usize) -> String {
    format!("+819012{i:06}")
}

fn numbers(n: usize) -> Recipients {
    Recipients::Numbers {
        numbers: (0..n).map(number).collect(),
    }
}

async fn preflight(h: &Harness, recipients: Recipients) -> Preflight {
    let request = Request::BulkPreflight {
        template: "new_role".into(),
        language: None,
        recipients,
    };
    match h.engine.handle(&admin(), request).await.unwrap() {
        Response::Preflight { preflight } => *preflight,
        other => panic!("unexpected {other:?}"),
    }
}

async fn bulk_send(h: &Harness, actor: &Actor, recipients: Recipients) -> u64 {
    let request = Request::BulkSend {
        template: "new_role".into(),
        language: None,
        recipients,
        at: None,
    };
    match h.engine.handle(actor, request).await.unwrap() {
        Response::Batch { batch, .. } => batch.id,
        other => panic!("unexpected {other:?}"),
    }
}

async fn progress(h: &Harness, id: u64) -> (Progress, Vec<Outcome>) {
    match h
        .engine
        .handle(&admin(), Request::Batch { batch_id: id })
        .await
        .unwrap()
    {
        Response::Batch {
            progress, outcomes, ..
        } => (progress, outcomes),
        other => panic!("unexpected {other:?}"),
    }
}

async fn done(h: &Harness, id: u64) -> (Progress, Vec<Outcome>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (p, o) = progress(h, id).await;
        if p.done() {
            return (p, o);
        }
        assert!(std::time::Instant::now() < deadline, "still going: {p:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many templates the simulator took for each recipient.
fn taken_by_recipient(h: &Harness) -> HashMap<String, usize> {
    let mut by = HashMap::new();
    for (to, _) in h.sim.taken() {
        *by.entry(to).or_default() += 1;
    }
    by
}

fn candidate(name: &str, mobile: &str, opted_out: bool) -> Request {
    Request::SaveRecord {
        record_id: None,
        record: RecordInput {
            kind: RecordKind::Candidate,
            name: name.into(),
            mobile: Some(mobile.into()),
            opted_out: Some(opted_out),
            ..RecordInput::default()
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preflight_says_who_is_skipped_the_undo_takes_it_back_and_each_gets_it_once() {
    let h = Harness::start_in(TempDir::new("bulk"), |c| c.outreach.bulk_undo_secs = 1).await;
    approved(&h, "new_role", BODY).await;
    for (i, opted_out) in [(0, false), (1, true), (2, true)] {
        h.engine
            .handle(
                &admin(),
                candidate(&format!("Candidate {i}"), &number(i), opted_out),
            )
            .await
            .unwrap();
    }
    let mut given: Vec<String> = (0..10).map(number).collect();
    given.push("not a number".into());
    given.push("+81 90 1200 0003".into());
    let recipients = Recipients::Numbers { numbers: given };
    let p = preflight(&h, recipients.clone()).await;
    assert_eq!(p.send.len(), 8);
    assert_eq!(p.send[0].name, "Candidate 0");
    let reasons: Vec<&str> = p.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(
        reasons.iter().filter(|r| r.contains("opted out")).count(),
        2
    );
    assert!(reasons.iter().any(|r| r.contains("listed twice")));
    assert!(p.skipped.iter().any(|s| s.to == "not a number"));
    assert!(h.sim.taken().is_empty(), "a preflight sends nothing");

    // Confirmed, then taken back within its undo period: nothing leaves.
    let undone = bulk_send(&h, &admin(), recipients.clone()).await;
    h.engine
        .handle(&admin(), Request::CancelBatch { batch_id: undone })
        .await
        .unwrap();
    let (p, _) = progress(&h, undone).await;
    assert_eq!((p.cancelled, p.sent, p.skipped), (8, 0, 4));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        h.sim.taken().is_empty(),
        "an undone batch never reaches the API"
    );

    // Confirmed for real: each once, after the undo period.
    let id = bulk_send(&h, &admin(), recipients.clone()).await;
    assert!(h.sim.taken().is_empty(), "not during its undo period");
    let (p, outcomes) = done(&h, id).await;
    assert_eq!((p.sent, p.failed, p.skipped), (8, 0, 4), "{outcomes:?}");
    let taken = taken_by_recipient(&h);
    assert_eq!(taken.len(), 8);
    assert!(taken.values().all(|n| *n == 1), "{taken:?}");
    assert!(outcomes.iter().all(|o| o.stage == Stage::Sent));

    // The same template again today: each is skipped, saying why.
    let again = preflight(&h, recipients).await;
    assert!(again.send.is_empty());
    assert_eq!(
        again
            .skipped
            .iter()
            .filter(|s| s.reason.contains("already sent this template today"))
            .count(),
        8
    );
    let refused = h
        .engine
        .handle(
            &admin(),
            Request::BulkSend {
                template: "new_role".into(),
                language: None,
                recipients: numbers(3),
                at: None,
            },
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("nobody to send"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_go_once_each_under_the_rate_with_the_pair_limit_waited_out() {
    const N: usize = 500;
    const RATE: usize = 100;
    let h = Harness::start_with(
        TempDir::new("bulk-500"),
        |s| {
            s.limits = Limits {
                throughput: 100,
                pair_burst: 1,
                pair_every: Duration::from_secs(1),
            };
        },
        |c| {
            c.outbox.messages_per_second = 100;
            c.outreach.bulk_undo_secs = 1;
        },
    )
    .await;
    approved(&h, "new_role", BODY).await;
    approved(&h, "hello", "Hello from Sakura Talent.").await;
    // Someone had a message a moment before the bulk send reaches them: 131056 once.
    let first = h
        .engine
        .handle(
            &admin(),
            Request::SendTemplate {
                to: number(0),
                name: "hello".into(),
                language: None,
                picks: hirechat::domain::merge_source::Picks::default(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(first, Response::Message { .. }));
    eventually("the first", || h.sim.taken().len() == 1).await;
    // A recruiter may not stop an admin's batch.
    let id = bulk_send(&h, &admin(), numbers(N)).await;
    let recruiter = Actor {
        login: "ken".into(),
        name: "Ken".into(),
        role: Role::Recruiter,
    };
    let refused = h
        .engine
        .handle(&recruiter, Request::CancelBatch { batch_id: id })
        .await
        .unwrap_err();
    assert!(matches!(refused, EngineError::Forbidden(_)), "{refused}");

    let (p, outcomes) = done(&h, id).await;
    assert_eq!((p.sent, p.failed), (N, 0), "{:?}", &outcomes[..3]);
    let taken = taken_by_recipient(&h);
    assert_eq!(taken.len(), N);
    assert_eq!(
        taken[&number(0)[1..]],
        2,
        "the earlier one and the bulk one"
    );
    assert!(
        taken.iter().all(|(to, n)| *n == 1 || *to == number(0)[1..]),
        "every other recipient exactly once"
    );
    let requests = h.sim.requests().len();
    assert!(
        requests > h.sim.taken().len(),
        "the simulator answered 131056 at least once ({requests} requests)"
    );
    let times: Vec<_> = h.sim.taken().iter().map(|(_, t)| *t).collect();
    for w in times.windows(RATE + 1) {
        assert!(
            w[RATE] - w[0] >= Duration::from_millis(900),
            "{} within {:?}",
            RATE + 1,
            w[RATE] - w[0]
        );
    }
}
