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
