//! Sending files through the engine against the simulator over real HTTP: each file checked
//! by its content and kept, one multipart upload each, one message each with the media id,
//! refusals that say why, and an upload never repeated once WhatsApp took it.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{path::Path, time::Duration};

use chrono::Utc;
use common::{Harness, TempDir, admin, wait_for};
use hirechat::{
    domain::{
        event::Event,
        message::{Effect, Message, Status, Summary},
        outbox::Upload,
        phone::PhoneNumber,
    },
    engine::{EngineError, Request, Response},
    sim::{Inbound, MediaFile},
    store::{Arrived, Change, ContactInfo, Queued, Store},
};

const KEN: &str = "+819012345678";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0";

async fn ken_writes(h: &Harness) {
    let mut events = h.engine.subscribe();
    h.sim
        .inbound(Inbound {
            from: Some(KEN.into()),
            name: Some("Ken Sato".into()),
            text: Some("Could you send the job description?".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    wait_for(&mut events, |e| {
        matches!(e, Event::MessageReceived { .. }).then_some(())
    })
    .await;
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

async fn send_files(
    h: &Harness,
    files: Vec<String>,
    caption: Option<&str>,
    text: Option<&str>,
) -> Result<Vec<Message>, EngineError> {
    let request = Request::SendFiles {
        to: KEN.into(),
        files,
        caption: caption.map(Into::into),
        text: text.map(Into::into),
    };
    match h.engine.handle(&admin(), request).await? {
        Response::Sent { messages } => Ok(messages),
        other => panic!("unexpected {other:?}"),
    }
}

/// Waits until every message has been taken by WhatsApp (or failed).
async fn settled(h: &Harness, messages: &[Message]) -> Vec<Message> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now: Vec<Message> = messages
            .iter()
            .map(|m| h.engine.store().reload(m).unwrap().unwrap())
            .collect();
        if now
            .iter()
            .all(|m| !matches!(m.status, Status::Queued | Status::Uncertain))
        {
            return now;
        }
        assert!(tokio::time::Instant::now() < deadline, "{now:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_and_a_png_are_uploaded_once_each_then_sent_by_their_ids() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let files = TempDir::new("to-send");
    let sent = send_files(
        &h,
        vec![
            write(files.path(), "job description.pdf", PDF),
            write(files.path(), "office", PNG),
        ],
        Some("The role we spoke about"),
        Some("Let me know what you think."),
    )
    .await
    .unwrap();
    assert_eq!(sent.len(), 3, "one message a file, then the text");
    let sent = settled(&h, &sent).await;
    assert!(sent.iter().all(|m| m.status != Status::Failed), "{sent:?}");
    let pdf = sent[0].media.clone().unwrap();
    assert_eq!(
        (pdf.filename.as_deref(), pdf.mime_type.as_deref()),
        (Some("job description.pdf"), Some("application/pdf"))
    );
    let kept = h.dir.path().join("media").join(pdf.stored.unwrap());
    assert_eq!(
        std::fs::read(kept).unwrap(),
        PDF,
        "kept for the Attachments section"
    );

    let uploads = h.sim.uploads();
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    let mut types: Vec<&str> = uploads
        .iter()
        .map(|u| {
            assert_eq!(u["messaging_product"], "whatsapp");
            assert_eq!(u["type"], u["file_type"], "{u}");
            u["type"].as_str().unwrap()
        })
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["application/pdf", "image/png"]);
    let requests = h.sim.requests();
    let document = requests.iter().find(|r| r["type"] == "document").unwrap();
    let id = document["document"]["id"].as_str().unwrap();
    assert_eq!(h.sim.media(id).unwrap().bytes, PDF);
    assert_eq!(document["document"]["filename"], "job description.pdf");
    assert_eq!(document["document"]["caption"], "The role we spoke about");
    assert_eq!(document["to"], KEN);
    let image = requests.iter().find(|r| r["type"] == "image").unwrap();
    assert!(image["image"]["id"].is_string());
    assert!(
        image["image"].get("caption").is_none(),
        "the caption goes once"
    );
    let order: Vec<&str> = requests.iter().filter_map(|r| r["type"].as_str()).collect();
    assert_eq!(order, ["document", "image", "text"], "in the order given");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_a_disguised_program_and_a_sixth_file_are_refused_with_why() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let files = TempDir::new("refused");
    let mut big = PDF.to_vec();
    big.resize(6 * 1024 * 1024, b' ');
    let cases = [
        (
            vec![write(files.path(), "big.pdf", &big)],
            "big.pdf: 6.0 MB is over the 5.0 MB allowed for documents",
        ),
        (
            vec![write(files.path(), "cv.pdf", EXE)],
            "cv.pdf: its content is application/",
        ),
        (
            (0..6)
                .map(|i| write(files.path(), &format!("{i}.pdf"), PDF))
                .collect(),
            "6 files: at most 5 go with one message",
        ),
        (
            vec!["relative.pdf".to_owned()],
            "relative.pdf: give the file's full path",
        ),
    ];
    for (files, why) in cases {
        let err = send_files(&h, files, None, None).await.unwrap_err();
        assert!(matches!(err, EngineError::BadInput(_)), "{err}");
        assert!(err.to_string().contains(why), "{err} lacks {why:?}");
    }
    assert!(h.sim.uploads().is_empty(), "nothing went up");
    assert!(
        h.engine.store().outbox().unwrap().is_empty(),
        "nothing queued"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_wait_for_the_window_like_text() {
    let h = Harness::start().await;
    let files = TempDir::new("closed");
    let err = send_files(&h, vec![write(files.path(), "cv.pdf", PDF)], None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::WindowClosed(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_whatsapp_already_took_is_not_uploaded_again_after_a_stop() {
    let dir = TempDir::new("uploaded-then-stopped");
    let media_id = "880112233445999";
    {
        // A previous process queued a document, uploaded it, recorded WhatsApp's id, and
        // stopped before posting the message.
        let store = Store::open(dir.path(), 16).unwrap();
        let ken = ContactInfo {
            phone: Some(PhoneNumber::parse(KEN).unwrap()),
            ..ContactInfo::default()
        };
        store
            .apply(&[Change::Inbound(Arrived {
                contact: ken.clone(),
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
        let request = serde_json::json!({"messaging_product": "whatsapp", "to": KEN,
            "type": "document", "document": {"filename": "cv.pdf"}});
        let upload = Upload {
            stored: "0".repeat(64),
            mime_type: "application/pdf".into(),
            kind: hirechat::domain::attachment::Kind::Document,
            media_id: None,
        };
        let events = store
            .apply(&[Change::Queue(Queued {
                contact: ken,
                kind: "document".into(),
                text: String::new(),
                request,
                sent_by: "aiko".into(),
                at: Utc::now(),
                file: Some((hirechat::domain::message::Media::default(), upload)),
                batch: None,
                hold: None,
            })])
            .unwrap();
        let Event::MessageQueued { message, .. } = &events[0][0] else {
            panic!("queued")
        };
        let id = message.id;
        store
            .apply(&[
                Change::Uploaded {
                    id,
                    media_id: media_id.into(),
                },
                Change::UploadRetry {
                    id,
                    next_at: Utc::now() + chrono::Duration::milliseconds(500),
                    error: "stopped".into(),
                },
            ])
            .unwrap();
        store.flush().unwrap();
    }
    let h = Harness::start_in(dir, |_| {}).await;
    h.sim.put_media(
        media_id,
        MediaFile {
            bytes: PDF.to_vec(),
            mime_type: "application/pdf".into(),
            ..MediaFile::default()
        },
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !h.engine.store().outbox().unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the send went");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(h.sim.uploads().is_empty(), "not uploaded again");
    let sends: Vec<_> = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r["type"] == "document")
        .collect();
    assert_eq!(sends.len(), 1);
    assert_eq!(sends[0]["document"]["id"], media_id);
}

/// A file server on this machine: `/s/abc` redirects to `/files/job_description.pdf`;
/// `/page` is a web page (what a share link often gives).
async fn file_server() -> String {
    use axum::{response::Redirect, routing::get};
    let app = axum::Router::new()
        .route(
            "/s/abc",
            get(|| async { Redirect::temporary("/files/job_description.pdf") }),
        )
        .route("/files/job_description.pdf", get(|| async { PDF.to_vec() }))
        .route(
            "/page",
            get(|| async { "<!doctype html><html><body>Sign in to see this file</body></html>" }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_is_fetched_here_with_the_same_checks() {
    let h = Harness::start().await;
    ken_writes(&h).await;
    let base = file_server().await;
    let sent = send_files(&h, vec![format!("{base}/s/abc")], None, None)
        .await
        .unwrap();
    let sent = settled(&h, &sent).await;
    let media = sent[0].media.clone().unwrap();
    assert_eq!(media.filename.as_deref(), Some("job_description.pdf"));
    assert_eq!(h.sim.uploads().len(), 1);
    let err = send_files(&h, vec![format!("{base}/page")], None, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("web page, not the file"), "{err}");
    let err = send_files(&h, vec!["ftp://example.com/cv.pdf".into()], None, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only https links"), "{err}");
}
