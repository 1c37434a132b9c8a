//! Candidates and contacts: stored with E.164 numbers, linked to their conversations, and
//! their opt-out respected.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::{Harness, admin, fixture};
use hirechat::{
    domain::{
        phone::PhoneNumber,
        record::{RecordInput, RecordKind},
    },
    engine::{EngineError, Request, Response},
    sim::Inbound,
};

fn ken(opted_out: bool) -> RecordInput {
    RecordInput {
        kind: RecordKind::Candidate,
        name: "佐藤 健".into(),
        mobile: Some("090-1234-5678".into()),
        country: Some("JP".into()),
        owner: Some("aiko".into()),
        opted_out: Some(opted_out),
        ..RecordInput::default()
    }
}

async fn save(h: &Harness, id: Option<u64>, record: RecordInput) -> Result<u64, EngineError> {
    match h
        .engine
        .handle(&admin(), Request::SaveRecord { id, record })
        .await?
    {
        Response::Record { record } => Ok(record.id),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_links_its_conversation_either_way_round() {
    let h = Harness::start().await;
    let store = h.engine.store();
    let phone = PhoneNumber::parse("+819012345678").unwrap();
    // Conversation first, then the record.
    assert_eq!(h.post(&fixture("text")).await, 200);
    let id = save(&h, None, ken(false)).await.unwrap();
    let record = store.record(id).unwrap().unwrap();
    assert_eq!(record.mobile.as_ref(), Some(&phone), "stored in E.164");
    let conv = store.conversation_by_phone(&phone).unwrap().unwrap();
    assert_eq!(
        (conv.record_id, conv.display_name().as_str()),
        (Some(id), "佐藤 健")
    );
    // Record first, then the conversation.
    let other = RecordInput {
        name: "Yui Tanaka".into(),
        mobile: Some("+44 7400 123456".into()),
        country: None,
        ..ken(false)
    };
    let yui = save(&h, None, other).await.unwrap();
    assert_eq!(h.post(&fixture("batched")).await, 200);
    let conv = store
        .conversation_by_phone(&PhoneNumber::parse("+447400123456").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(conv.record_id, Some(yui));
    assert_eq!(conv.display_name(), "Yui Tanaka");
    assert_eq!(
        conv.name, "Ben",
        "the WhatsApp profile name is kept beside it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_numbers_are_refused_not_stored() {
    let h = Harness::start().await;
    let bad = RecordInput {
        country: None,
        ..ken(false)
    };
    let err = save(&h, None, bad).await.unwrap_err();
    assert!(matches!(err, EngineError::BadInput(_)), "{err}");
    assert!(err.to_string().contains("country code"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_sent_to_someone_who_opted_out() {
    let h = Harness::start().await;
    let id = save(&h, None, ken(false)).await.unwrap();
    h.sim
        .inbound(Inbound {
            from: Some("+819012345678".into()),
            text: Some("please stop".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    save(&h, Some(id), ken(true)).await.unwrap();
    let err = h
        .engine
        .handle(
            &admin(),
            Request::SendText {
                to: "+819012345678".into(),
                text: "hello".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    assert!(err.to_string().contains("opted out"), "{err}");
    assert!(h.sim.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_record_starts_its_conversation_once_and_only_for_writers() {
    let h = Harness::start().await;
    let id = save(&h, None, ken(false)).await.unwrap();
    let no_mobile = RecordInput {
        name: "Mika Sato".into(),
        mobile: None,
        ..ken(false)
    };
    let mika = save(&h, None, no_mobile).await.unwrap();
    let viewer = hirechat::domain::permission::Actor {
        login: "vic".into(),
        name: "Vic".into(),
        role: hirechat::domain::permission::Role::Viewer,
    };
    let open = |record_id| Request::OpenRecord { record_id };
    let err = h.engine.handle(&viewer, open(id)).await.unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
    let Response::Messages {
        conversation,
        messages,
        ..
    } = h.engine.handle(&admin(), open(id)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!((conversation.name.as_str(), messages.len()), ("佐藤 健", 0));
    // Started, not listed: the list and its count hold conversations with messages.
    assert_eq!(h.engine.store().conversation_count().unwrap(), 0);
    let Response::Messages {
        conversation: again,
        ..
    } = h.engine.handle(&viewer, open(id)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(again.id, conversation.id);
    let err = h.engine.handle(&admin(), open(mika)).await.unwrap_err();
    assert!(err.to_string().contains("no mobile number"), "{err}");
    // When Ken writes, the same conversation is listed.
    assert_eq!(h.post(&fixture("text")).await, 200);
    assert_eq!(h.engine.store().conversation_count().unwrap(), 1);
    let listed = h.engine.store().conversations_page(0, 10).unwrap();
    assert_eq!(listed[0].id, conversation.id);
    // Search by name, email, mobile or owner.
    let Response::Records { total, records } = h
        .engine
        .handle(
            &admin(),
            Request::Records {
                query: "9012345".into(),
                offset: 0,
                limit: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!((total, records[0].id), (1, id));
}
