//! Media over real HTTP against the simulator: a file's facts, its download with the bearer
//! token streamed to disk with its checksum, the size cap, an expired id, a wrong token.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use common::{TOKEN, TempDir};
use hirechat::{
    sim::{MediaFile, Sim, SimConfig},
    whatsapp::{
        client::{ClientError, CloudClient},
        media::DownloadError,
    },
};

const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";

async fn sim() -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Sim::start(
        listener,
        SimConfig {
            access_token: TOKEN.into(),
            ..SimConfig::default()
        },
    )
    .unwrap()
}

fn client(sim: &Sim, token: &str) -> CloudClient {
    let mut config = common::config(&sim.api_base()).whatsapp;
    config.access_token = hirechat::config::Secret::new(token);
    CloudClient::new(&config, Duration::from_secs(10)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_found_and_downloaded_with_its_checksum() {
    let sim = sim().await;
    let id = sim.add_media(MediaFile {
        bytes: PDF.to_vec(),
        mime_type: "application/pdf".into(),
        ..MediaFile::default()
    });
    let whatsapp = client(&sim, TOKEN);
    let info = whatsapp.media_info(&id).await.unwrap();
    assert_eq!(info.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        info.file_size,
        Some(PDF.len() as u64),
        "a size given as text is read"
    );
    let dir = TempDir::new("media");
    let dest = dir.path().join("download");
    let got = whatsapp
        .download(&info.url, &dest, 1024 * 1024)
        .await
        .unwrap();
    assert_eq!(got.size, PDF.len() as u64);
    assert_eq!(Some(got.sha256), info.sha256);
    assert_eq!(std::fs::read(&dest).unwrap(), PDF);
    // Over the cap: refused, and nothing is left half written.
    let err = whatsapp.download(&info.url, &dest, 10).await.unwrap_err();
    assert!(
        matches!(err, DownloadError::TooLarge { limit: 10 }),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_file_an_expired_id_and_a_wrong_token_are_told_apart() {
    let sim = sim().await;
    let whatsapp = client(&sim, TOKEN);
    let tampered = sim.add_media(MediaFile {
        bytes: PDF.to_vec(),
        mime_type: "application/pdf".into(),
        wrong_sha256: true,
        ..MediaFile::default()
    });
    let info = whatsapp.media_info(&tampered).await.unwrap();
    let dir = TempDir::new("media-bad");
    let got = whatsapp
        .download(&info.url, &dir.path().join("f"), 1024 * 1024)
        .await
        .unwrap();
    assert_ne!(Some(got.sha256), info.sha256, "the checksum tells");
    let expired = sim.add_media(MediaFile {
        bytes: PDF.to_vec(),
        mime_type: "application/pdf".into(),
        expired: true,
        ..MediaFile::default()
    });
    match whatsapp.media_info(&expired).await.unwrap_err() {
        ClientError::Api { status, code, .. } => assert_eq!((status, code), (404, 100)),
        other => panic!("{other:?}"),
    }
    // The download URL wants the token too.
    let stranger = client(&sim, "not-the-token");
    let err = stranger
        .download(&info.url, &dir.path().join("g"), 1024 * 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Client(ClientError::Api { status: 401, .. })
        ),
        "{err}"
    );
}

/// A document from a contact, as WhatsApp delivers it: the webhook carries the media id.
async fn document_from_ken(h: &common::Harness, media_id: &str, name: &str) {
    h.sim
        .inbound(hirechat::sim::Inbound {
            from: Some("+819012345678".into()),
            name: Some("Ken Sato".into()),
            message: Some(serde_json::json!({"type": "document", "document": {
                "id": media_id, "mime_type": "application/pdf", "filename": name}})),
            ..hirechat::sim::Inbound::default()
        })
        .await
        .unwrap();
}

/// The message once its file is no longer on its way.
async fn fetched(
    events: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<hirechat::domain::event::Event>>,
) -> hirechat::domain::message::Message {
    use hirechat::domain::{attachment::Fetch, event::Event};
    common::wait_for(events, |e| match e {
        Event::MessageChanged { message, .. }
            if message
                .media
                .as_ref()
                .is_some_and(|m| m.fetch.as_ref().is_some_and(|f| *f != Fetch::Fetching)) =>
        {
            Some(message.clone())
        }
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbound_document_is_fetched_after_the_webhook_and_kept_by_its_checksum() {
    use hirechat::domain::attachment::Fetch;
    use std::os::unix::fs::PermissionsExt;
    let h = common::Harness::start().await;
    let mut events = h.engine.subscribe();
    let id = h.sim.add_media(MediaFile {
        bytes: PDF.to_vec(),
        mime_type: "application/pdf".into(),
        ..MediaFile::default()
    });
    document_from_ken(&h, &id, "../../etc/cv.pdf").await;
    let message = fetched(&mut events).await;
    let media = message.media.unwrap();
    assert_eq!(media.fetch, Some(Fetch::Ready));
    assert_eq!(media.size, Some(PDF.len() as u64));
    let stored = h.dir.path().join("media").join(media.stored.unwrap());
    assert_eq!(std::fs::read(&stored).unwrap(), PDF);
    assert_eq!(
        std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The sender's name is only a name: nothing was written where it points.
    assert!(!h.dir.path().join("etc").exists());

    // An id WhatsApp has forgotten is expired; a file that is not what WhatsApp said is not
    // kept.
    let gone = h.sim.add_media(MediaFile {
        expired: true,
        ..MediaFile::default()
    });
    document_from_ken(&h, &gone, "old.pdf").await;
    let message = fetched(&mut events).await;
    assert_eq!(message.media.unwrap().fetch, Some(Fetch::Expired));
    let tampered = h.sim.add_media(MediaFile {
        bytes: PDF.to_vec(),
        mime_type: "application/pdf".into(),
        wrong_sha256: true,
        ..MediaFile::default()
    });
    document_from_ken(&h, &tampered, "cv2.pdf").await;
    let message = fetched(&mut events).await;
    assert!(
        matches!(message.media.unwrap().fetch, Some(Fetch::Failed { why }) if why.contains("checksum"))
    );
    assert!(h.engine.store().fetch_queue().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_older_than_keep_days_are_removed_and_their_messages_say_so() {
    use chrono::Utc;
    use hirechat::{
        domain::{
            attachment::Fetch,
            message::{Effect, Media, Summary},
            phone::PhoneNumber,
        },
        store::{Arrived, Change, ContactInfo, Store},
    };
    let dir = TempDir::new("retention");
    let media = dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    let (old_only, shared) = ("a".repeat(64), "b".repeat(64));
    std::fs::write(media.join(&old_only), PDF).unwrap();
    std::fs::write(media.join(&shared), PDF).unwrap();
    let arrived = |wamid: &str, days: i64, hash: &str| {
        Change::Inbound(Arrived {
            contact: ContactInfo {
                phone: Some(PhoneNumber::parse("+819012345678").unwrap()),
                ..ContactInfo::default()
            },
            wamid: wamid.into(),
            at: Utc::now() - chrono::Duration::days(days),
            reply_to: None,
            effect: Effect::New(Summary {
                kind: "document".into(),
                text: String::new(),
                media: Some(Media {
                    filename: Some(format!("{wamid}.pdf")),
                    fetch: Some(Fetch::Ready),
                    stored: Some(hash.to_owned()),
                    size: Some(PDF.len() as u64),
                    ..Media::default()
                }),
            }),
            error_code: None,
            payload: None,
        })
    };
    {
        let store = Store::open(dir.path(), 16).unwrap();
        store
            .apply(&[
                arrived("wamid.OLD", 40, &old_only),
                arrived("wamid.OLD2", 40, &shared),
                arrived("wamid.NEW", 1, &shared),
            ])
            .unwrap();
        store.flush().unwrap();
    }
    let h = common::Harness::start_in(dir, |c| c.attachments.keep_days = 30).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let removed = loop {
        let m = h
            .engine
            .store()
            .message_by_wamid("wamid.OLD")
            .unwrap()
            .unwrap();
        if m.media.as_ref().unwrap().fetch != Some(Fetch::Ready) {
            break m;
        }
        assert!(tokio::time::Instant::now() < deadline, "the rule ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let media_of = |m: &hirechat::domain::message::Message| m.media.clone().unwrap();
    assert_eq!(
        media_of(&removed).fetch,
        Some(Fetch::Removed { after_days: 30 })
    );
    assert_eq!(
        media_of(&removed).fetch.unwrap().label(),
        "removed after 30 days"
    );
    assert!(!h.dir.path().join("media").join(&old_only).exists());
    // The same file held by a newer message stays.
    assert!(h.dir.path().join("media").join(&shared).exists());
    let newer = h
        .engine
        .store()
        .message_by_wamid("wamid.NEW")
        .unwrap()
        .unwrap();
    assert_eq!(media_of(&newer).fetch, Some(Fetch::Ready));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_photo_gets_a_small_copy_for_previews() {
    use base64::Engine as _;
    use hirechat::engine::{Request, Response};
    let h = common::Harness::start().await;
    let mut events = h.engine.subscribe();
    let photo = include_bytes!("../assets/demo/photo.png");
    let id = h.sim.add_media(MediaFile {
        bytes: photo.to_vec(),
        mime_type: "image/png".into(),
        ..MediaFile::default()
    });
    h.sim
        .inbound(hirechat::sim::Inbound {
            from: Some("+819012345678".into()),
            message: Some(serde_json::json!({"type": "image", "image": {
                "id": id, "mime_type": "image/png"}})),
            ..hirechat::sim::Inbound::default()
        })
        .await
        .unwrap();
    let message = fetched(&mut events).await;
    let stored = message.media.unwrap().stored.unwrap();
    let small = h.dir.path().join("media").join(format!("{stored}.preview"));
    assert!(
        small.exists(),
        "the thumbnail is made when the file is kept"
    );
    let read = |preview| Request::ReadAttachment {
        attachment: message.id,
        offset: 0,
        preview,
    };
    for (preview, expected) in [
        (true, std::fs::read(&small).unwrap()),
        (false, photo.to_vec()),
    ] {
        let Response::Chunk { data, .. } = h
            .engine
            .handle(&common::admin(), read(preview))
            .await
            .unwrap()
        else {
            panic!("a piece of the file")
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        assert_eq!(bytes, expected);
    }
}
