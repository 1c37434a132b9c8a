//! The webhook receiver over real HTTP: verification, signatures, size cap, every inbound type,
//! repeats, statuses in any order, identities, dead letters.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::{Harness, fixture};
use hirechat::domain::{
    identity::Bsuid,
    message::{Direction, Status},
    phone::PhoneNumber,
};

fn ken() -> PhoneNumber {
    PhoneNumber::parse("+819012345678").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_answers_only_the_right_token() {
    let h = Harness::start().await;
    let get = |q: &str| {
        let url = format!("{}?{q}", h.webhook_url);
        let http = h.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(
        get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me").await,
        (200, "1158201444".to_owned())
    );
    assert_eq!(
        get("hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong")
            .await
            .0,
        403
    );
    assert_eq!(
        get("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-me")
            .await
            .0,
        403
    );
    assert_eq!(get("").await.0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_or_missing_signatures_store_nothing() {
    let h = Harness::start().await;
    let body = fixture("text");
    assert_eq!(h.post_with(&body, None).await, 401);
    let forged = hirechat::whatsapp::signature::sign("not-the-secret", &body);
    assert_eq!(h.post_with(&body, Some(&forged)).await, 401);
    assert_eq!(h.post_with(&body, Some("sha256=00")).await, 401);
    // Signed over other bytes (a re-serialised body) also fails.
    let reserialised: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let other = serde_json::to_vec_pretty(&reserialised).unwrap();
    let sig_of_original = hirechat::whatsapp::signature::sign(common::APP_SECRET, &body);
    assert_eq!(h.post_with(&other, Some(&sig_of_original)).await, 401);
    assert_eq!(h.engine.store().message_count().unwrap(), 0);
    assert_eq!(h.engine.store().conversation_count().unwrap(), 0);
    assert!(h.engine.store().dead_letters().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = Harness::start().await;
    // Declared too large: refused before a byte of the body is read.
    let addr = h
        .webhook_url
        .trim_start_matches("http://")
        .trim_end_matches("/webhook")
        .to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        4 * 1024 * 1024 + 1
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tcp.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(h.engine.store().message_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_bodies_are_capped_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = Harness::start_in(common::TempDir::new("cap"), |c| {
        c.webhook.max_body_bytes = 1000;
    })
    .await;
    // No content-length (chunked): the cap applies while reading.
    let addr = h
        .webhook_url
        .trim_start_matches("http://")
        .trim_end_matches("/webhook")
        .to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let chunk = format!("320\r\n{}\r\n", " ".repeat(800));
    let request = format!(
        "POST /webhook HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\n\r\n{chunk}{chunk}0\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tcp.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines, reason = "one table of every type")]
async fn every_inbound_type_is_stored_with_a_readable_summary() {
    let h = Harness::start().await;
    // (fixture, the end of its wamid, stored type, stored text)
    let cases = [
        ("text", "TEXT", "text", "Can we move it to 11:00?"),
        ("image", "IMAGE", "image", "My certificate"),
        ("document", "DOC", "document", "CV"),
        ("audio", "AUDIO", "audio", ""),
        ("video", "VIDEO", "video", "Self-introduction"),
        ("sticker", "STICKER", "sticker", ""),
        (
            "location",
            "LOCATION",
            "location",
            "📍 Tokyo Station, 1 Chome Marunouchi, Chiyoda City, (35.68120, 139.76710)",
        ),
        (
            "contacts",
            "CONTACTS",
            "contacts",
            "Contact card: Yui Tanaka +81 90 5555 0101",
        ),
        ("button", "BUTTON", "button", "Confirm"),
        (
            "interactive_button",
            "IBUTTON",
            "interactive",
            "Tuesday 10:00",
        ),
        (
            "interactive_list",
            "ILIST",
            "interactive",
            "Data Engineer — Tokyo, hybrid",
        ),
        (
            "unsupported",
            "UNSUP",
            "unsupported",
            "Unsupported message (poll_creation): Message type unknown",
        ),
        (
            "unknown_type",
            "FUTURE",
            "unsupported",
            "Unsupported message (hologram)",
        ),
        (
            "system",
            "SYSTEM",
            "system",
            "User A changed from 819012345678 to 819012349999",
        ),
        ("order", "ORDER", "order", "Order of 1 item(s)"),
        (
            "request_welcome",
            "WELCOME",
            "request_welcome",
            "Opened the chat",
        ),
    ];
    for (name, ..) in cases {
        assert_eq!(h.post(&fixture(name)).await, 200, "{name}");
    }
    let store = h.engine.store();
    let conv = store
        .conversation_by_phone(&ken())
        .unwrap()
        .expect("conversation");
    assert_eq!(conv.name, "Ken Sato");
    assert_eq!(
        conv.bsuid.as_ref().map(Bsuid::as_str),
        Some("JP.13491208655302741918")
    );
    let messages = store.messages(&conv, 100).unwrap();
    assert_eq!(messages.len(), cases.len());
    for (name, suffix, kind, text) in cases {
        let wamid = format!("wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgU{suffix}");
        let m = messages
            .iter()
            .find(|m| m.wamid.as_deref() == Some(wamid.as_str()))
            .unwrap_or_else(|| panic!("{name} stored"));
        assert_eq!((m.kind.as_str(), m.text.as_str()), (kind, text), "{name}");
        assert_eq!(m.direction, Direction::In);
    }
    let doc = messages.iter().find(|m| m.kind == "document").unwrap();
    let media = doc.media.as_ref().unwrap();
    assert_eq!(media.filename.as_deref(), Some("ken_sato_cv.pdf"));
    assert_eq!(media.id.as_deref(), Some("880112233445566"));
    assert_eq!(
        doc.payload.as_ref().unwrap()["mime_type"],
        "application/pdf"
    );
    let button = messages.iter().find(|m| m.kind == "button").unwrap();
    assert_eq!(
        button.reply_to.as_deref(),
        Some("wamid.HBgMODE5MDEyMzQ1Njc4FQIAERgSQjA3RjE2QkQ2")
    );
    let unsupported = messages
        .iter()
        .find(|m| m.text.contains("poll_creation"))
        .unwrap();
    assert_eq!(unsupported.error_code, Some(131_051));
    assert_eq!(conv.unread as usize, cases.len());
    assert!(store.dead_letters().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_are_stored_once() {
    let h = Harness::start().await;
    for _ in 0..3 {
        assert_eq!(h.post(&fixture("text")).await, 200);
        assert_eq!(h.post(&fixture("batched")).await, 200);
    }
    let store = h.engine.store();
    assert_eq!(store.message_count().unwrap(), 4);
    // The batch carried two entries and two contacts: all of it is read, not just [0].
    let aoi = store
        .conversation_by_phone(&PhoneNumber::parse("+819011110001").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(store.messages(&aoi, 10).unwrap().len(), 2);
    assert_eq!(aoi.name, "Aoi");
    let ben = store
        .conversation_by_phone(&PhoneNumber::parse("+447400123456").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(ben.name, "Ben");
    assert_eq!(store.conversation_count().unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_edits_and_deletions_change_the_original() {
    let h = Harness::start().await;
    for f in ["text", "image", "reaction", "edit", "revoke", "edit"] {
        assert_eq!(h.post(&fixture(f)).await, 200, "{f}");
    }
    let store = h.engine.store();
    let text = store
        .message_by_wamid("wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgUTEXT")
        .unwrap()
        .unwrap();
    assert_eq!(text.text, "Can we move it to 11:30?");
    assert!(text.edited);
    assert_eq!(text.reaction.as_deref(), Some("👍"));
    let image = store
        .message_by_wamid("wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgUIMAGE")
        .unwrap()
        .unwrap();
    assert!(image.deleted);
    assert_eq!(
        image.text, "My certificate",
        "what the recruiter saw is kept, marked deleted"
    );
    assert_eq!(
        store.message_count().unwrap(),
        2,
        "changes are not new messages"
    );
    assert_eq!(h.post(&fixture("reaction_removed")).await, 200);
    let text = store
        .message_by_wamid("wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgUTEXT")
        .unwrap()
        .unwrap();
    assert_eq!(text.reaction, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_an_unknown_message_is_kept() {
    let h = Harness::start().await;
    assert_eq!(h.post(&fixture("edit")).await, 200);
    let m = h
        .engine
        .store()
        .message_by_wamid("wamid.HBgMODE5MDEyMzQ1Njc4FQIAEhgUEDIT")
        .unwrap()
        .unwrap();
    assert!(m.edited);
    assert_eq!(m.text, "Can we move it to 11:30?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bsuid_contact_merges_with_its_number() {
    let h = Harness::start().await;
    assert_eq!(h.post(&fixture("bsuid_only")).await, 200);
    let store = h.engine.store();
    let bsuid = Bsuid::parse("JP.99887766554433221100").unwrap();
    let conv = store.conversation_by_bsuid(&bsuid).unwrap().unwrap();
    assert_eq!(conv.phone, None);
    assert_eq!(conv.username.as_deref(), Some("mika.design"));
    assert_eq!(h.post(&fixture("bsuid_with_phone")).await, 200);
    let phone = PhoneNumber::parse("+819088887777").unwrap();
    let by_phone = store.conversation_by_phone(&phone).unwrap().unwrap();
    let by_bsuid = store.conversation_by_bsuid(&bsuid).unwrap().unwrap();
    assert_eq!(by_phone.id, by_bsuid.id);
    assert_eq!(by_phone.name, "Mika Ito");
    assert_eq!(store.messages(&by_phone, 10).unwrap().len(), 2);
    assert_eq!(store.conversation_count().unwrap(), 1);
}

/// Mika's first message, by number only (an older payload): her BSUID comes later.
const MIKA_BY_NUMBER: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":"Mika"},"wa_id":"819088887777"}],"messages":[{"from":"819088887777","id":"wamid.M1","timestamp":"1767225000","type":"text","text":{"body":"first"}}]}}]}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_number_and_bsuid_conversations_merge() {
    let h = Harness::start().await;
    // First seen by number only (an older payload), then by BSUID only, then with both.
    assert_eq!(h.post(MIKA_BY_NUMBER.as_bytes()).await, 200);
    assert_eq!(h.post(&fixture("bsuid_only")).await, 200);
    let store = h.engine.store();
    assert_eq!(store.conversation_count().unwrap(), 2);
    assert_eq!(h.post(&fixture("bsuid_with_phone")).await, 200);
    assert_eq!(store.conversation_count().unwrap(), 1);
    let conv = store
        .conversation_by_bsuid(&Bsuid::parse("JP.99887766554433221100").unwrap())
        .unwrap()
        .unwrap();
    let texts: Vec<String> = store
        .messages(&conv, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts,
        [
            "first",
            "Hi, I saw the designer opening",
            "My number is visible now"
        ]
    );
    assert_eq!(conv.unread, 3);
    assert_eq!(store.conversations(10).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_conversation_is_searched_with_the_one_it_joined() {
    let h = Harness::start().await;
    // Mika by number, then by BSUID only (a second conversation), then both: one.
    assert_eq!(h.post(MIKA_BY_NUMBER.as_bytes()).await, 200);
    assert_eq!(h.post(&fixture("bsuid_only")).await, 200);
    assert_eq!(h.post(&fixture("bsuid_with_phone")).await, 200);
    // Enough others with "designer" that the search narrows it with "ito" (a word of the kept
    // conversation's name, "Mika Ito") rather than reading each.
    let (contacts, messages): (Vec<String>, Vec<String>) = (0..300)
        .map(|i| {
            (
                format!(r#"{{"profile":{{"name":"Other {i}"}},"wa_id":"8190{i:08}"}}"#),
                format!(
                    r#"{{"from":"8190{i:08}","id":"wamid.D{i}","timestamp":"1767226000","type":"text","text":{{"body":"designer role {i}"}}}}"#
                ),
            )
        })
        .unzip();
    let others = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"contacts":[{}],"messages":[{}]}}}}]}}]}}"#,
        contacts.join(","),
        messages.join(",")
    );
    assert_eq!(h.post(others.as_bytes()).await, 200);
    let found = h
        .engine
        .store()
        .search(&hirechat::domain::search::Query::parse("ito designer"), 10)
        .unwrap();
    let hits: Vec<&str> = found
        .iter()
        .filter_map(|f| f.message.as_ref().map(|m| m.text.as_str()))
        .collect();
    assert_eq!(hits, ["Hi, I saw the designer opening"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unparseable_signed_payloads_go_to_dead_letters() {
    let h = Harness::start().await;
    assert_eq!(h.post(b"{not json").await, 200);
    let bad_message = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messages":[{"from":"819012345678","type":"text"}]}}]}]}"#;
    assert_eq!(h.post(bad_message).await, 200);
    let letters = h.engine.store().dead_letters().unwrap();
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert_eq!(letters[0].body, "{not json");
    assert!(
        letters[1].reason.contains("inbound message"),
        "{}",
        letters[1].reason
    );
    // A template status update is understood, not a dead letter.
    assert_eq!(h.post(&fixture("template_status")).await, 200);
    assert_eq!(h.engine.store().dead_letters().unwrap().len(), 2);
}

fn status_payload(wamid: &str, status: &str, ts: u64, extra: &str) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"81312345678","phone_number_id":"106540352242922"}},"statuses":[{{"id":"{wamid}","status":"{status}","timestamp":"{ts}","recipient_id":"819012345678"{extra}}}]}}}}]}}]}}"#
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_never_move_backwards() {
    let h = Harness::start().await;
    let mut events = h.engine.subscribe();
    // Ken writes, the recruiter answers through the simulator.
    h.sim
        .inbound(hirechat::sim::Inbound {
            from: Some("+819012345678".into()),
            name: Some("Ken Sato".into()),
            text: Some("hello".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let reply = h
        .engine
        .handle(
            &common::admin(),
            hirechat::engine::Request::SendText {
                to: "+819012345678".into(),
                text: "hi Ken".into(),
            },
        )
        .await
        .unwrap();
    let hirechat::engine::Response::Message { message } = reply else {
        panic!()
    };
    let read = common::wait_for(&mut events, |e| match e {
        hirechat::domain::event::Event::MessageChanged { message: m, .. }
            if m.id == message.id && m.status == Status::Read =>
        {
            Some(m.clone())
        }
        _ => None,
    })
    .await;
    let wamid = read.wamid.clone().unwrap();
    // A late `delivered`, and `sent` again, after `read`.
    assert_eq!(
        h.post(&status_payload(&wamid, "delivered", 1, "")).await,
        200
    );
    assert_eq!(h.post(&status_payload(&wamid, "sent", 1, "")).await, 200);
    let now = h.engine.store().reload(&message).unwrap().unwrap();
    assert_eq!(now.status, Status::Read);
    // The pricing object of the `sent`/`delivered` statuses is kept.
    assert_eq!(
        now.pricing.as_ref().unwrap().pricing_model.as_deref(),
        Some("PMP")
    );
    // A status for a message this store never sent is accepted and ignored.
    assert_eq!(
        h.post(&status_payload("wamid.UNKNOWN", "read", 1, ""))
            .await,
        200
    );
    assert!(h.engine.store().dead_letters().unwrap().is_empty());
}
