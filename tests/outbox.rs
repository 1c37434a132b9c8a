//! Sending through the engine's durable outbox against the simulator over real HTTP: the exact
//! wire format, retries, failures, the 24-hour window, BSUID recipients, interrupted sends.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{Harness, TempDir, admin, wait_for};
use hirechat::{
    domain::{
        event::Event,
        message::{Effect, Message, Status, Summary},
        outbox::callback_data,
        permission::{Actor, Role},
        phone::PhoneNumber,
    },
    engine::{EngineError, Request, Response},
    sim::{Fault, Inbound},
    store::{Arrived, Change, ContactInfo, Queued, Reported, Store},
};
use serde_json::json;

const KEN: &str = "+819012345678";

async fn ken_writes(h: &Harness) {
    let mut events = h.engine.subscribe();
    h.sim
        .inbound(Inbound {
            from: Some(KEN.into()),
            name: Some("Ken Sato".into()),
            text: Some("Is the interview still on?".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    wait_for(&mut events, |e| {
        matches!(e, Event::MessageReceived { .. }).then_some(())
    })
    .await;
}

async fn send(h: &Harness, to: &str, text: &str) -> Result<Message, EngineError> {
    match h
        .engine
        .handle(
            &admin(),
            Request::SendText {
                to: to.into(),
                text: text.into(),
            },
        )
        .await?
    {
        Response::Message { message } => Ok(*message),
        other => panic!("unexpected {other:?}"),
    }
}

/// Waits until message `id` reaches a status `done` accepts.
async fn until(h: &Harness, queued: &Message, done: impl Fn(&Message) -> bool) -> Message {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let m = h.engine.store().reload(queued).unwrap().unwrap();
        if done(&m) {
            return m;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting; message is {m:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_goes_out_in_the_documented_shape_and_receipts_come_back() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let queued = send(
        &h,
        "+81 90-1234-5678",
        "Yes, Tuesday 10:00. See https://jobs.example.jp/4471",
    )
    .await
    .unwrap();
    assert_eq!(queued.status, Status::Queued);
    assert_eq!(queued.sent_by.as_deref(), Some("aiko"));
    let read = until(&h, &queued, |m| m.status == Status::Read).await;
    assert!(read.wamid.as_deref().unwrap().starts_with("wamid."));
    let requests = h.sim.requests();
    assert_eq!(requests.len(), 1);
    // A stale look at the outbox cannot start it again: it is not waiting any more.
    let again = vec![Change::AttemptStarted { id: queued.id }];
    assert!(h.engine.apply_history(again).await.is_err());
    assert_eq!(
        requests[0],
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": KEN,
            "type": "text",
            "text": {"preview_url": true, "body": "Yes, Tuesday 10:00. See https://jobs.example.jp/4471"},
            "biz_opaque_callback_data": callback_data(queued.id),
        })
    );
    let conv = h
        .engine
        .store()
        .conversation_by_phone(&PhoneNumber::parse(KEN).unwrap())
        .unwrap()
        .unwrap();
    assert!(conv.last_outbound_at.is_some());
    assert!(h.engine.store().outbox().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_server_errors_are_retried() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    h.sim.fail_next(
        1,
        &Fault {
            status: 429,
            code: 130_429,
            message: None,
        },
    );
    h.sim.fail_next(
        1,
        &Fault {
            status: 500,
            code: 131_000,
            message: None,
        },
    );
    let m = send(&h, KEN, "retry me").await.unwrap();
    let m = until(&h, &m, |m| m.status == Status::Read).await;
    assert_eq!(m.error, None);
    assert_eq!(
        h.sim.requests().len(),
        3,
        "two refusals, then the send that went"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_fail_at_once_with_a_sentence() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let mut events = h.engine.subscribe();
    h.sim.fail_next(
        1,
        &Fault {
            status: 400,
            code: 131_026,
            message: Some("Message undeliverable".into()),
        },
    );
    let m = send(&h, KEN, "hello").await.unwrap();
    let failed = wait_for(&mut events, |e| match e {
        Event::SendFailed {
            message,
            conversation,
        } if message.id == m.id => Some((message.clone(), conversation.clone())),
        _ => None,
    })
    .await;
    assert_eq!(failed.0.status, Status::Failed);
    assert_eq!(failed.0.error_code, Some(131_026));
    assert!(
        failed
            .0
            .error
            .as_deref()
            .unwrap()
            .contains("could not be delivered"),
        "{:?}",
        failed.0.error
    );
    assert_eq!(failed.1.failed, 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.sim.requests().len(), 1, "not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_errors_give_up_after_the_attempts_allowed() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    h.sim.fail_next(
        10,
        &Fault {
            status: 503,
            code: 2,
            message: None,
        },
    );
    let m = send(&h, KEN, "hello").await.unwrap();
    let m = until(&h, &m, |m| m.status == Status::Failed).await;
    let error = m.error.unwrap();
    assert!(error.contains("temporary problem"), "{error}");
    assert!(
        error.contains("Gave up after 4 attempts") && !error.contains("will be"),
        "{error}"
    );
    assert_eq!(h.sim.requests().len(), 4, "max_attempts in the test config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_is_refused_when_the_window_is_closed() {
    let h = Harness::start().await;
    // Never wrote.
    let err = send(&h, "+819011112222", "hello").await.unwrap_err();
    assert!(matches!(err, EngineError::WindowClosed(_)), "{err}");
    assert!(err.to_string().contains("approved template"), "{err}");
    // Wrote on 2026-01-01 (the fixture's timestamp): long closed.
    assert_eq!(h.post(&common::fixture("text")).await, 200);
    let err = send(&h, KEN, "hello").await.unwrap_err();
    assert!(err.to_string().contains("Ken Sato last wrote"), "{err}");
    assert!(h.sim.requests().is_empty(), "nothing reached WhatsApp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_refusing_outside_the_window_marks_the_message_failed() {
    let h = Harness::start().await;
    // The contact's message reaches us but not the simulator's memory (as after a restart of
    // WhatsApp's side): the engine thinks the window is open, WhatsApp says 131047.
    let body = String::from_utf8(common::fixture("text"))
        .unwrap()
        .replace("1767225600", &Utc::now().timestamp().to_string());
    assert_eq!(h.post(body.as_bytes()).await, 200);
    let m = send(&h, KEN, "hello").await.unwrap();
    let m = until(&h, &m, |m| m.status == Status::Failed).await;
    assert_eq!(m.error_code, Some(131_047));
    assert!(m.error.unwrap().contains("24 hours"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_with_a_hidden_number_is_sent_to_by_bsuid() {
    let h = Harness::start().await;
    let mut events = h.engine.subscribe();
    h.sim
        .inbound(Inbound {
            user_id: Some("JP.99887766554433221100".into()),
            username: Some("mika.design".into()),
            text: Some("hi".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    wait_for(&mut events, |e| {
        matches!(e, Event::MessageReceived { .. }).then_some(())
    })
    .await;
    let m = send(&h, "JP.99887766554433221100", "Hello Mika")
        .await
        .unwrap();
    until(&h, &m, |m| m.status == Status::Read).await;
    let r = &h.sim.requests()[0];
    assert_eq!(r["recipient"], "JP.99887766554433221100");
    assert!(r.get("to").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_cannot_send() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let viewer = Actor {
        login: "guest".into(),
        name: "Guest".into(),
        role: Role::Viewer,
    };
    let err = h
        .engine
        .handle(
            &viewer,
            Request::SendText {
                to: KEN.into(),
                text: "hi".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    assert!(err.to_string().contains("may not send messages"), "{err}");
    // Each refusal names what was refused.
    let err = h
        .engine
        .handle(&viewer, Request::ImportRecords { rows: vec![] })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("may not import"), "{err}");
    assert!(
        h.engine
            .handle(
                &viewer,
                Request::Conversations {
                    offset: 0,
                    limit: None,
                    filter: None
                }
            )
            .await
            .is_ok()
    );
    assert!(h.sim.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_a_reason() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    for (to, text, needle) in [
        ("090-1234-5678", "hi", "country code"),
        ("not a number", "hi", "not a phone number"),
        (KEN, "   ", "empty"),
        (KEN, &"x".repeat(4097), "4096"),
    ] {
        let err = send(&h, to, text).await.unwrap_err();
        assert!(matches!(err, EngineError::BadInput(_)), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}

/// A text to Ken queued straight in the store, as a process that then stops would leave it.
fn queue_to_ken(store: &Store, text: &str) -> Message {
    let ken = ContactInfo {
        phone: Some(PhoneNumber::parse(KEN).unwrap()),
        ..ContactInfo::default()
    };
    let request =
        json!({"messaging_product": "whatsapp", "to": KEN, "type": "text", "text": {"body": text}});
    let events = store
        .apply(&[Change::Queue(Queued {
            contact: ken,
            kind: "text".into(),
            text: text.into(),
            request,
            sent_by: "aiko".into(),
            at: Utc::now(),
            file: None,
            batch: None,
            hold: None,
        })])
        .unwrap();
    let Event::MessageQueued { message, .. } = &events[0][0] else {
        panic!("the message queued")
    };
    message.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_send_is_not_repeated_blindly_and_is_settled_by_its_status() {
    let dir = TempDir::new("interrupted");
    let queued = {
        // A previous process queued a reply and started sending it, then died.
        let store = Store::open(dir.path(), 16).unwrap();
        let ken = ContactInfo {
            phone: Some(PhoneNumber::parse(KEN).unwrap()),
            ..ContactInfo::default()
        };
        store
            .apply(&[Change::Inbound(Arrived {
                contact: ken,
                wamid: "wamid.IN1".into(),
                at: Utc::now(),
                reply_to: None,
                effect: Effect::New(Summary {
                    kind: "text".into(),
                    text: "hi".into(),
                    media: None,
                }),
                error_code: None,
                payload: None,
            })])
            .unwrap();
        let message = queue_to_ken(&store, "on my way");
        store
            .apply(&[Change::AttemptStarted { id: message.id }])
            .unwrap();
        store.flush().unwrap();
        message
    };
    let id = queued.id;
    let h = Harness::start_in(dir, |_| {}).await;
    let m = h.engine.store().reload(&queued).unwrap().unwrap();
    assert_eq!(m.status, Status::Uncertain);
    assert!(
        m.error.as_deref().unwrap().contains("may have been sent"),
        "{:?}",
        m.error
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(h.sim.requests().is_empty(), "not sent again blindly");
    // WhatsApp did take it: its status webhook carries our callback data.
    let status = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"statuses":[{{"id":"wamid.OUT1","status":"delivered","timestamp":"{}","recipient_id":"819012345678","biz_opaque_callback_data":"{}"}}]}}}}]}}]}}"#,
        Utc::now().timestamp(),
        callback_data(id)
    );
    assert_eq!(h.post(status.as_bytes()).await, 200);
    let m = h.engine.store().reload(&queued).unwrap().unwrap();
    assert_eq!(
        (m.status, m.error.as_deref(), m.wamid.as_deref()),
        (Status::Delivered, None, Some("wamid.OUT1"))
    );
    assert!(h.engine.store().outbox().unwrap().is_empty());
    let conv = h
        .engine
        .store()
        .conversation(m.conversation_id)
        .unwrap()
        .unwrap();
    assert_eq!(conv.failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_answer_comes_too_late_is_not_sent_again() {
    let h = Harness::start_in(TempDir::new("slow-api"), |c| {
        c.outbox.request_timeout_secs = 1;
    })
    .await;
    ken_writes(&h).await;
    // WhatsApp takes the message but answers after the client gave up.
    h.sim.answer_late(1, Duration::from_secs(3));
    let m = send(&h, KEN, "See you at 10").await.unwrap();
    // Its status webhooks (callback data) settle it.
    let m = until(&h, &m, |m| {
        matches!(m.status, Status::Sent | Status::Delivered | Status::Read)
    })
    .await;
    assert_eq!(m.error, None);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sends = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r["text"]["body"] == "See you at 10")
        .count();
    assert_eq!(sends, 1, "the candidate gets it once");
    assert!(h.engine.store().outbox().unwrap().is_empty());
}

#[test]
fn an_attempt_without_an_answer_may_have_been_sent_until_a_status_settles_it() {
    let dir = TempDir::new("uncertain");
    let store = Store::open(dir.path(), 16).unwrap();
    let message = &queue_to_ken(&store, "hi");
    store
        .apply(&[
            Change::AttemptStarted { id: message.id },
            Change::SendUncertain {
                id: message.id,
                error: "WhatsApp did not answer in time, so this may have been sent.".into(),
            },
        ])
        .unwrap();
    let m = store.reload(message).unwrap().unwrap();
    assert_eq!(m.status, Status::Uncertain);
    assert!(m.error.unwrap().contains("may have been sent"));
    let item = &store.outbox().unwrap()[0];
    assert_eq!(item.state, hirechat::domain::outbox::OutboxState::Uncertain);
    // A failure report settles it as failed; nothing is counted twice.
    store
        .apply(&[Change::Status(Reported {
            wamid: "wamid.X".into(),
            status: Status::Failed,
            callback_data: Some(callback_data(message.id)),
            recipient: ContactInfo::default(),
            error: Some((131_026, "undeliverable".into())),
            pricing: None,
        })])
        .unwrap();
    let m = store.reload(message).unwrap().unwrap();
    assert_eq!(
        (m.status, m.error.as_deref()),
        (Status::Failed, Some("undeliverable"))
    );
    assert!(store.outbox().unwrap().is_empty(), "settled");
}

/// The read calls (`"status": "read"`) the simulated API received: (message id, typing).
fn read_calls(h: &Harness) -> Vec<(String, bool)> {
    h.sim
        .requests()
        .iter()
        .filter(|r| r["status"] == "read")
        .map(|r| {
            (
                r["message_id"].as_str().unwrap_or_default().to_owned(),
                r["typing_indicator"] == json!({"type": "text"}),
            )
        })
        .collect()
}

fn ken_id(h: &Harness) -> (u64, String) {
    let conv = h
        .engine
        .store()
        .conversation_by_phone(&PhoneNumber::parse(KEN).unwrap())
        .unwrap()
        .unwrap();
    let newest = h.engine.store().messages(&conv, 1).unwrap().remove(0);
    (conv.id, newest.wamid.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_marks_the_contacts_message_read_once_and_writing_shows_typing_every_twenty_seconds()
 {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let (id, wamid) = ken_id(&h);
    let open = Request::MarkRead {
        conversation_id: id,
    };
    h.engine.handle(&admin(), open.clone()).await.unwrap();
    common::eventually("the read receipt", || !read_calls(&h).is_empty()).await;
    assert_eq!(read_calls(&h), [(wamid.clone(), false)]);
    // Opened again: nothing new to tell.
    h.engine.handle(&admin(), open).await.unwrap();
    let typing = Request::Answering {
        conversation_id: id,
    };
    h.engine.handle(&admin(), typing.clone()).await.unwrap();
    common::eventually("typing", || read_calls(&h).len() == 2).await;
    h.engine.handle(&admin(), typing).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        read_calls(&h),
        [(wamid.clone(), false), (wamid, true)],
        "typing once in twenty seconds"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_receipts_and_typing_stay_off_when_the_config_says_so() {
    let h = Harness::start_in(TempDir::new("receipts-off"), |c| {
        c.whatsapp.read_receipts = false;
        c.whatsapp.typing_indicator = false;
    })
    .await;
    ken_writes(&h).await;
    let (id, _) = ken_id(&h);
    for request in [
        Request::MarkRead {
            conversation_id: id,
        },
        Request::Answering {
            conversation_id: id,
        },
    ] {
        h.engine.handle(&admin(), request).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(read_calls(&h).is_empty());
}

async fn failed_send(h: &Harness, text: &str, fault: &Fault, times: usize) -> Message {
    let mut events = h.engine.subscribe();
    h.sim.fail_next(times, fault);
    let m = send(h, KEN, text).await.unwrap();
    wait_for(&mut events, |e| match e {
        Event::SendFailed { message, .. } if message.id == m.id => Some(message.clone()),
        _ => None,
    })
    .await
}

fn outbox(items: &Response) -> Vec<(u64, String, bool)> {
    let Response::Outbox { items } = items else {
        panic!("{items:?}")
    };
    items
        .iter()
        .map(|i| (i.id, i.state.clone(), i.retry))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_ran_out_of_attempts_goes_once_when_retried_and_one_that_never_can_is_refused()
{
    let h = Harness::start().await;
    ken_writes(&h).await;
    // Rate limited on every attempt the outbox makes (four here): failed, with a retry offered.
    let limited = Fault {
        status: 429,
        code: 130_429,
        message: None,
    };
    let m = failed_send(&h, "after the rush", &limited, 4).await;
    let listed = h.engine.handle(&admin(), Request::Outbox).await.unwrap();
    assert_eq!(outbox(&listed), [(m.id, "failed".into(), true)]);
    let before = h.sim.requests().len();
    let again = h
        .engine
        .handle(&admin(), Request::Retry { message_id: m.id })
        .await
        .unwrap();
    let Response::Message { message } = again else {
        panic!()
    };
    assert_eq!((message.id, message.status), (m.id, Status::Queued));
    let sent = until(&h, &m, |m| m.wamid.is_some()).await;
    assert_eq!(sent.error, None);
    assert_eq!(h.sim.requests().len(), before + 1, "sent once");
    let conv = h
        .engine
        .store()
        .conversation(m.conversation_id)
        .unwrap()
        .unwrap();
    assert_eq!(conv.failed, 0, "no longer counted as failed");
    let listed = h.engine.handle(&admin(), Request::Outbox).await.unwrap();
    assert!(outbox(&listed).is_empty());
    // Retried again: it is not a failed send any more.
    let twice = h
        .engine
        .handle(&admin(), Request::Retry { message_id: m.id })
        .await;
    assert!(matches!(twice, Err(EngineError::NotFound(_))), "{twice:?}");

    // Not a WhatsApp user: said, and never retried.
    let undeliverable = Fault {
        status: 400,
        code: 131_026,
        message: Some("Message undeliverable".into()),
    };
    let m = failed_send(&h, "hello?", &undeliverable, 1).await;
    let listed = h.engine.handle(&admin(), Request::Outbox).await.unwrap();
    assert_eq!(outbox(&listed), [(m.id, "failed".into(), false)]);
    let refused = h
        .engine
        .handle(&admin(), Request::Retry { message_id: m.id })
        .await;
    assert!(
        matches!(&refused, Err(EngineError::Refused(why)) if why.contains("will not change")),
        "{refused:?}"
    );
}
