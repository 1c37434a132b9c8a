//! Files through the real binary and the daemon: a candidate's CV, photo, voice note and
//! sticker fetched and listed with `attachments list --json`, saved with `attachments save`,
//! a tampered and an expired file shown as such, hostile names never used as paths, and
//! `send --attach` with its refusals.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{
    TempDir,
    daemon::{Daemon, free_port, run, sim_for, text, write_config},
};
use hirechat::sim::{Inbound, InboundFile};
use serde_json::Value;
use sha2::Digest as _;

const KEN: &str = "+819012345678";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
const OGG: &[u8] = b"OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0";
const WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0";

fn file(kind: &str, mime: &str, bytes: &[u8], name: Option<&str>) -> InboundFile {
    InboundFile {
        kind: kind.into(),
        mime_type: mime.into(),
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
        filename: name.map(Into::into),
        ..InboundFile::default()
    }
}

fn list(dir: &std::path::Path) -> Vec<Value> {
    let out = run(dir, &["attachments", "list", "--with", KEN, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The list once no file is still on its way.
async fn settled_list(dir: &std::path::Path, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let files = list(dir);
        if files.len() == count && files.iter().all(|f| f["state"] != "downloading") {
            return files;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("files still downloading: {:?}", list(dir));
}

/// A CV with a hostile name, a photo, a voice note, a sticker, a file named with escape
/// sequences, one tampered with on the way and one WhatsApp no longer holds.
async fn candidate_sends_seven_files(sim: &hirechat::sim::Sim) {
    let sent = [
        file("document", "application/pdf", PDF, Some("../../etc/passwd")),
        file("image", "image/png", PNG, None),
        file("audio", "audio/ogg", OGG, None),
        file("sticker", "image/webp", WEBP, None),
        file(
            "document",
            "application/pdf",
            PDF,
            Some("cv\u{1b}]52;c;aGk=\u{7}.pdf"),
        ),
        InboundFile {
            wrong_sha256: true,
            ..file("document", "application/pdf", PDF, Some("tampered.pdf"))
        },
        InboundFile {
            expired: true,
            ..file("document", "application/pdf", PDF, Some("old.pdf"))
        },
    ];
    for f in sent {
        sim.inbound(Inbound {
            from: Some(KEN.into()),
            name: Some("Ken Sato".into()),
            file: Some(f),
            ..Inbound::default()
        })
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidates_files_are_fetched_listed_and_saved_and_hostile_names_stay_names() {
    let dir = TempDir::new("cli-files");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(dir.path(), &sim.api_base(), port, "");
    let _daemon = Daemon::start(dir.path());
    candidate_sends_seven_files(&sim).await;
    let files = settled_list(dir.path(), 7).await;
    // Newest first.
    assert_eq!(files[0]["file_name"], "old.pdf");
    assert_eq!(files[0]["state"], "expired");
    assert_eq!(files[1]["state"], "failed");
    assert!(files[1]["why"].as_str().unwrap().contains("checksum"));
    let hostile = files[2]["file_name"].as_str().unwrap();
    assert!(
        !hostile.contains('\u{1b}') && !hostile.contains('\u{7}'),
        "{hostile:?}"
    );
    let kinds: Vec<&str> = files[2..]
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["document", "sticker", "audio", "image", "document"]);
    for f in &files[2..] {
        assert_eq!(f["state"], "ready", "{f}");
        let kept = std::fs::read(f["path"].as_str().unwrap()).unwrap();
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&kept)),
            f["sha256"].as_str().unwrap()
        );
        assert!(f["mime_type"].is_string() && f["size"].is_u64());
    }
    let cv = &files[6];
    assert_eq!(cv["file_name"], "passwd");
    assert!(!dir.path().join("etc").exists());

    // Saved where asked, under a safe name with its type's extension, never over a file.
    let downloads = TempDir::new("downloads");
    let to = downloads.path().to_str().unwrap();
    let save = |file: &Value| {
        run(
            dir.path(),
            &["attachments", "save", &file["id"].to_string(), "--to", to],
        )
    };
    for expected in ["passwd.pdf", "passwd (2).pdf"] {
        let out = save(cv);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let saved = downloads.path().join(expected);
        assert_eq!(text(&out.stdout).trim(), saved.to_str().unwrap());
        assert_eq!(std::fs::read(&saved).unwrap(), PDF);
    }
    let out = save(&files[2]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved = text(&out.stdout);
    assert!(
        saved.trim().starts_with(to) && !saved.contains('\u{1b}'),
        "{saved:?}"
    );
    // What is not here says so.
    let out = save(&files[0]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("expired"),
        "{}",
        text(&out.stderr)
    );

    // `messages --json` carries each message's file.
    let out = run(dir.path(), &["messages", "--with", KEN, "--json"]);
    let messages: Value = serde_json::from_slice(&out.stdout).unwrap();
    let with_file = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["attachment"]["file_name"] == "passwd")
        .unwrap();
    assert_eq!(with_file["attachment"]["state"], "ready");
    assert!(with_file["attachment"]["path"].is_string());
}

/// A daemon, its simulator, and Ken having written (so files may go to him).
async fn ken_writes_to_a_daemon(label: &str) -> (TempDir, hirechat::sim::Sim, Daemon) {
    let dir = TempDir::new(label);
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(dir.path(), &sim.api_base(), port, "");
    let daemon = Daemon::start(dir.path());
    sim.inbound(Inbound {
        from: Some(KEN.into()),
        text: Some("Could you send the offer?".into()),
        ..Inbound::default()
    })
    .await
    .unwrap();
    (dir, sim, daemon)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_attach_uploads_each_file_once_and_refuses_what_cannot_go() {
    let (dir, sim, _daemon) = ken_writes_to_a_daemon("cli-attach").await;
    let files = TempDir::new("cli-attach-files");
    let path = |name: &str, bytes: &[u8]| {
        let p = files.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let (pdf, png) = (path("offer.pdf", PDF), path("map.png", PNG));
    let out = run(
        dir.path(),
        &[
            "send",
            "--to",
            KEN,
            "--attach",
            &pdf,
            "--attach",
            &png,
            "--caption",
            "Your offer",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed.as_array().unwrap().len(), 2);
    assert_eq!(printed[0]["media"]["filename"], "offer.pdf");
    assert_eq!(sim.uploads().len(), 2);
    let document = sim
        .requests()
        .into_iter()
        .find(|r| r["type"] == "document")
        .unwrap();
    assert_eq!(document["document"]["filename"], "offer.pdf");
    assert_eq!(document["document"]["caption"], "Your offer");

    // Refused, each with its reason (exit 2), and nothing goes up.
    let mut big = PDF.to_vec();
    big.resize(6 * 1024 * 1024, b' ');
    let big = path("big.pdf", &big);
    let exe = path("cv.pdf", EXE);
    let six: Vec<String> = (0..6).map(|i| path(&format!("{i}.pdf"), PDF)).collect();
    let mut sixth = vec!["send", "--to", KEN];
    for p in &six {
        sixth.extend(["--attach", p.as_str()]);
    }
    for (args, why) in [
        (
            vec!["send", "--to", KEN, "--attach", &big],
            "6.0 MB is over the 5.0 MB",
        ),
        (
            vec!["send", "--to", KEN, "--attach", &exe],
            "cv.pdf: its content is",
        ),
        (sixth, "at most 5"),
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains(why), "{}", text(&out.stderr));
    }
    assert_eq!(sim.uploads().len(), 2, "nothing more went up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_between_upload_and_send_neither_uploads_nor_sends_twice() {
    let (dir, sim, daemon) = ken_writes_to_a_daemon("cli-attach-kill").await;
    let pdf = dir.path().join("contract.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    // WhatsApp takes the upload, then the message, but answers the message too late (its
    // status webhooks may settle it meanwhile).
    sim.answer_late(1, Duration::from_secs(30));
    let out = run(
        dir.path(),
        &[
            "send",
            "--to",
            KEN,
            "--attach",
            pdf.to_str().unwrap(),
            "--wait",
            "1",
        ],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 5)),
        "{}",
        text(&out.stderr)
    );
    let sends = |sim: &hirechat::sim::Sim| {
        sim.requests()
            .iter()
            .filter(|r| r["type"] == "document")
            .count()
    };
    for _ in 0..100 {
        if sends(&sim) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!((sim.uploads().len(), sends(&sim)), (1, 1));
    // kill -9 while the message's answer is awaited, then start again.
    drop(daemon);
    let _daemon = Daemon::start(dir.path());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        (sim.uploads().len(), sends(&sim)),
        (1, 1),
        "no second upload, no second message"
    );
    let out = run(dir.path(), &["messages", "--with", KEN, "--json"]);
    let messages: Value = serde_json::from_slice(&out.stdout).unwrap();
    let document = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "document")
        .unwrap();
    assert!(
        ["uncertain", "sent", "delivered", "read"].contains(&document["status"].as_str().unwrap()),
        "{document}"
    );
}
