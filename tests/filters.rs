//! Filters and the built-in views through the engine (what `conversations --filter` and
//! `--view` print), against conversations made by real webhooks and sends.

mod common;

use chrono::{Duration, Utc};
use common::{Harness, admin};
use hirechat::{
    domain::record::{RecordInput, RecordKind},
    engine::{EngineError, Request, Response},
};

fn inbound(from: &str, name: &str, minutes_ago: i64, id: &str) -> Vec<u8> {
    inbound_text(from, name, minutes_ago, id, "hello")
}

fn inbound_text(from: &str, name: &str, minutes_ago: i64, id: &str, text: &str) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"contacts":[{{"profile":{{"name":"{name}"}},"wa_id":"{from}"}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{}","type":"text","text":{{"body":"{text}"}}}}]}}}}]}}]}}"#,
        (Utc::now() - Duration::minutes(minutes_ago)).timestamp()
    )
    .into_bytes()
}

async fn names(h: &Harness, filter: &str) -> Result<Vec<String>, EngineError> {
    let r = h
        .engine
        .handle(
            &admin(),
            Request::Conversations {
                offset: 0,
                limit: None,
                filter: Some(filter.into()),
            },
        )
        .await?;
    let Response::Conversations {
        conversations,
        total,
        ..
    } = r
    else {
        panic!()
    };
    assert_eq!(usize::try_from(total).unwrap(), conversations.len());
    let mut n: Vec<String> = conversations.into_iter().map(|c| c.name).collect();
    n.sort();
    Ok(n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_views_select_the_right_conversations() {
    let h = Harness::start().await;
    // Aiko owns Haruto's record.
    let record = RecordInput {
        kind: RecordKind::Candidate,
        name: "Haruto Sato".into(),
        mobile: Some("+819012340001".into()),
        owner: Some("aiko".into()),
        ..RecordInput::default()
    };
    h.engine
        .handle(&admin(), Request::SaveRecord { id: None, record })
        .await
        .unwrap();
    assert_eq!(
        h.post(&inbound("819012340001", "Haruto", 5 * 24 * 60, "wamid.F1"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("819012340002", "Emily", 60, "wamid.F2"))
            .await,
        200
    );
    assert_eq!(
        h.post(&inbound("819012340003", "Liam", 30, "wamid.F3"))
            .await,
        200
    );
    // The recruiter answers Liam.
    h.engine
        .handle(
            &admin(),
            Request::SendText {
                to: "+819012340003".into(),
                text: "hi".into(),
            },
        )
        .await
        .unwrap();

    assert_eq!(
        names(&h, "unreplied").await.unwrap(),
        ["Emily", "Haruto Sato"]
    );
    assert_eq!(names(&h, "unreplied>3d").await.unwrap(), ["Haruto Sato"]);
    assert_eq!(
        names(&h, "unreplied owner:me").await.unwrap(),
        ["Haruto Sato"]
    );
    assert_eq!(
        names(&h, "replied<1d repliedby:aiko").await.unwrap(),
        ["Liam"]
    );
    assert_eq!(names(&h, "window:open").await.unwrap(), ["Emily", "Liam"]);
    assert_eq!(names(&h, "window:closed").await.unwrap(), ["Haruto Sato"]);
    assert_eq!(
        names(&h, "last<2h unread").await.unwrap(),
        ["Emily", "Liam"]
    );
    // The built-in views, by name.
    assert_eq!(
        names(&h, "unreplied").await.unwrap(),
        names(&h, "all-unreplied").await.unwrap()
    );
    assert_eq!(names(&h, "sent-today").await.unwrap(), ["Liam"]);
    // A bad word is pointed at.
    let err = names(&h, "unreplied>3d ownr:me").await.unwrap_err();
    assert!(err.to_string().contains("\"ownr:me\" (word 2"), "{err}");
}

async fn search(h: &Harness, query: &str) -> Vec<(String, Option<String>)> {
    let Response::Found { hits } = h
        .engine
        .handle(
            &admin(),
            Request::Search {
                query: query.into(),
                limit: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    hits.into_iter()
        .map(|h| (h.conversation.name, h.message.map(|m| m.text)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_words_and_japanese_across_every_conversation_newest_first() {
    let h = Harness::start().await;
    for (from, name, ago, id, text) in [
        (
            "819012340001",
            "Haruto",
            600,
            "wamid.S1",
            "Is there parking near the office?",
        ),
        (
            "819012340002",
            "Emily",
            300,
            "wamid.S2",
            "I will come by train, no parking needed",
        ),
        (
            "819012340003",
            "田中 美咲",
            60,
            "wamid.S3",
            "面接は火曜日の10時でお願いします",
        ),
        (
            "819012340002",
            "Emily",
            30,
            "wamid.S4",
            "See you on Tuesday",
        ),
    ] {
        assert_eq!(h.post(&inbound_text(from, name, ago, id, text)).await, 200);
    }
    assert_eq!(
        search(&h, "PARKING").await,
        [
            (
                "Emily".to_owned(),
                Some("I will come by train, no parking needed".to_owned())
            ),
            (
                "Haruto".to_owned(),
                Some("Is there parking near the office?".to_owned())
            ),
        ]
    );
    // Every word must be there; a word matches the words it begins.
    assert_eq!(search(&h, "park offi").await.len(), 1);
    assert_eq!(search(&h, "火曜").await.len(), 1);
    assert_eq!(search(&h, "面接 10時").await.len(), 1);
    assert!(search(&h, "水曜").await.is_empty());
    // Names are found too, before messages.
    assert_eq!(search(&h, "emily").await, [("Emily".to_owned(), None)]);
    assert_eq!(search(&h, "美咲").await, [("田中 美咲".to_owned(), None)]);
}
