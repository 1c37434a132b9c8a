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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_links_its_conversation_either_way_round() {
    let h = Harness::start().await;
    let store = h.engine.store();
    let phone = PhoneNumber::parse("+819012345678").unwrap();
    // Conversation first, then the record.
    assert_eq!(h.post(&fixture("text")).await, 200);
    let id = h.save_record(None, ken(false)).await.unwrap();
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
    let yui = h.save_record(None, other).await.unwrap();
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
    let err = h.save_record(None, bad).await.unwrap_err();
    assert!(matches!(err, EngineError::BadInput(_)), "{err}");
    assert!(err.to_string().contains("country code"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_sent_to_someone_who_opted_out() {
    let h = Harness::start().await;
    let id = h.save_record(None, ken(false)).await.unwrap();
    h.sim
        .inbound(Inbound {
            from: Some("+819012345678".into()),
            text: Some("please stop".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    h.save_record(Some(id), ken(true)).await.unwrap();
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
    let id = h.save_record(None, ken(false)).await.unwrap();
    let no_mobile = RecordInput {
        name: "Mika Sato".into(),
        mobile: None,
        ..ken(false)
    };
    let mika = h.save_record(None, no_mobile).await.unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(
    clippy::too_many_lines,
    reason = "one scenario: a card before and after its record"
)]
async fn the_card_beside_the_chat_shows_what_is_to_come_in_the_records_zone() {
    use chrono::{Duration, Utc};
    use hirechat::domain::related::{RelatedData, RelatedKind};
    let h = Harness::start().await;
    let card = |with: &str| Request::RecordCard {
        record_id: None,
        with: Some(with.into()),
        conversation_id: None,
    };
    // A number with no record: a card without one, for the recruiter to create it.
    assert_eq!(h.post(&fixture("text")).await, 200);
    let Response::RecordCard { card: empty } = h
        .engine
        .handle(&admin(), card("+819012345678"))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(empty.record.is_none());
    assert_eq!(
        empty.conversation.as_ref().and_then(|c| c.wa_id.as_deref()),
        Some("819012345678")
    );
    let id = h
        .save_record(
            None,
            RecordInput {
                time_zone: Some("Asia/Tokyo".into()),
                custom: [("Job Opening".to_owned(), "QA Lead".to_owned())].into(),
                ..ken(false)
            },
        )
        .await
        .unwrap();
    let at = |days: i64| {
        (Utc::now() + Duration::days(days))
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%Y-%m-%d 10:00")
            .to_string()
    };
    let (soon, later, past) = (at(2), at(9), at(-3));
    h.import_related(
        RelatedKind::Interview,
        "Candidate,Job Opening,From,Time Zone,Location",
        &[
            &format!("+819012345678,SRE,{later},Asia/Tokyo,Shibuya"),
            &format!("+819012345678,Data Engineer,{past},Asia/Tokyo,Otemachi"),
            &format!("+819012345678,SRE,{soon},Asia/Tokyo,Shibuya"),
        ],
    )
    .await;
    h.import_related(
        RelatedKind::JobOpening,
        "Posting Title,Client",
        &["SRE,Koala Tech", "QA Lead,Acme", "Designer,Acme"],
    )
    .await;
    h.engine
        .handle(
            &admin(),
            Request::SaveLabel {
                name: "visa".into(),
                colour: "red".into(),
            },
        )
        .await
        .unwrap();
    h.engine
        .handle(
            &admin(),
            Request::Label {
                with: Some("+819012345678".into()),
                conversation_id: None,
                add: vec!["visa".into()],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    let viewer = hirechat::domain::permission::Actor {
        login: "vic".into(),
        name: "Vic".into(),
        role: hirechat::domain::permission::Role::Viewer,
    };
    // Anyone who reads may look; by the conversation or by the record, the same card.
    let Response::RecordCard { card: by_number } = h
        .engine
        .handle(&viewer, card("+819012345678"))
        .await
        .unwrap()
    else {
        panic!()
    };
    let Response::RecordCard { card: by_id } = h
        .engine
        .handle(
            &viewer,
            Request::RecordCard {
                record_id: Some(id),
                with: None,
                conversation_id: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(by_number, by_id);
    assert_eq!(by_id.record.as_ref().map(|r| r.id), Some(id));
    // The interviews to come, soonest first; the past one left out; times in Tokyo's.
    let labels: Vec<String> = by_id
        .interviews
        .iter()
        .map(|i| i.label(Some("Asia/Tokyo")))
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels[0].starts_with("SRE · ") && labels[0].contains("10:00 JST"));
    let froms: Vec<_> = by_id
        .interviews
        .iter()
        .map(|i| match &i.data {
            RelatedData::Interview(iv) => iv.from,
            _ => unreachable!(),
        })
        .collect();
    assert!(froms[0] < froms[1]);
    // The job openings its interviews and its own column name; not the others.
    let mut jobs: Vec<String> = by_id.job_openings.iter().map(|j| j.label(None)).collect();
    jobs.sort();
    assert_eq!(jobs, ["QA Lead · Acme", "SRE · Koala Tech"]);
    let conv = by_id.conversation.as_ref().unwrap();
    assert_eq!(conv.labels, ["visa"]);
    // Editing stays with those who reply.
    let err = h
        .engine
        .handle(
            &viewer,
            Request::SaveRecord {
                record_id: Some(id),
                record: ken(true),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Forbidden(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_handed_on_stays_so_when_its_record_is_saved_again() {
    let h = Harness::with_recruiters("records-handed-on", &["ken", "kenji"]).await;
    let store = h.engine.store();
    let phone = PhoneNumber::parse("+819012345678").unwrap();
    assert_eq!(h.post(&fixture("text")).await, 200);
    let id = h.save_record(None, ken(false)).await.unwrap();
    let owner = || store.conversation_by_phone(&phone).unwrap().unwrap().owner;
    assert_eq!(owner().as_deref(), Some("aiko"), "the record's owner");
    h.engine
        .handle(
            &admin(),
            Request::Assign {
                with: Some("+819012345678".into()),
                conversation_id: None,
                to: "kenji".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(owner().as_deref(), Some("kenji"));
    // The record saved again (an email added, an import): its owner has not changed.
    let email = RecordInput {
        email: Some("ken@example.jp".into()),
        opted_out: None,
        ..ken(false)
    };
    h.save_record(Some(id), email.clone()).await.unwrap();
    assert_eq!(owner().as_deref(), Some("kenji"), "the hand-over stays");
    // The record given to someone else: the conversation follows it.
    let handed = RecordInput {
        owner: Some("ken".into()),
        ..email
    };
    h.save_record(Some(id), handed).await.unwrap();
    assert_eq!(owner().as_deref(), Some("ken"));
}
