//! A store written by the release before schema 5 (every value JSON), opened by this one:
//! everything it held reads back the same through `--json`, and a migration killed half-way
//! finishes when the store is opened again.
//!
//! `fixtures/store-schema4/data.tar.gz` is the data directory of that release's demo (its
//! conversations, messages with files, records, templates, rules, credits, a scheduled send,
//! a failed send), with a saved view, a shared view and a label added through its CLI.
//! `expected/` is what that release printed for it, `{data}` standing for the directory.
#![allow(
    clippy::unwrap_used,
    reason = "tests stop on the first thing that goes wrong"
)]

mod common;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use common::{TempDir, daemon::bin};
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-schema4")
}

/// The old release's data directory, unpacked into `dir/data`.
fn unpack(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(fixture_dir().join("data.tar.gz"))
        .arg("-C")
        .arg(&data)
        .status()
        .unwrap();
    assert!(status.success());
    data
}

fn run(data: &Path, args: &[&str]) -> (Value, String) {
    let out = bin()
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (json, stderr)
}

/// What changes with the clock alone, not with what is stored.
fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("window_open");
            map.remove("count");
            // Printed since the fixture was made: a conversation stored before the start of a
            // wait was kept waits since the contact's last message.
            if let Some(since) = map.remove("waiting_since") {
                assert_eq!(Some(&since), map.get("last_inbound_at"), "{map:?}");
            }
            map.values_mut().for_each(normalize);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

fn expected(name: &str, data: &Path) -> Value {
    let text = std::fs::read_to_string(fixture_dir().join("expected").join(name)).unwrap();
    let mut v: Value =
        serde_json::from_str(&text.replace("{data}", &data.display().to_string())).unwrap();
    normalize(&mut v);
    v
}

const LISTS: [(&str, &[&str]); 10] = [
    ("conversations.json", &["conversations", "--json"]),
    ("records.json", &["records", "list", "--json"]),
    ("templates.json", &["templates", "list", "--json"]),
    ("views.json", &["views", "list", "--json"]),
    ("labels.json", &["labels", "list", "--json"]),
    ("rules.json", &["rules", "list", "--json"]),
    ("credits.json", &["credits", "show", "--json"]),
    ("scheduled.json", &["scheduled", "list", "--json"]),
    ("outbox.json", &["outbox", "list", "--json"]),
    ("rates.json", &["rates", "list", "--json"]),
];

/// Whom each conversation is with, as `messages --with` takes it.
fn contacts(conversations: &Value) -> Vec<String> {
    conversations
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["wa_id"]
                .as_str()
                .or(c["user_id"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn messages(data: &Path, with: &str) -> (Value, String) {
    run(
        data,
        &["messages", "--with", with, "--json", "--limit", "1000000"],
    )
}

#[test]
fn a_schema_4_store_reads_back_the_same_after_its_migration() {
    let dir = TempDir::new("migrate-fixture");
    let data = unpack(dir.path());
    let (mut conversations, told) = run(&data, &["conversations", "--json"]);
    assert!(
        told.contains("updating the database to schema"),
        "the migration is told: {told}"
    );
    normalize(&mut conversations);
    assert_eq!(conversations, expected("conversations.json", &data));
    let with = contacts(&conversations);
    assert_eq!(with.len(), 12);
    for contact in &with {
        let (mut got, _) = messages(&data, contact);
        normalize(&mut got);
        assert_eq!(
            got,
            expected(&format!("messages-{contact}.json"), &data),
            "the messages with {contact}"
        );
    }
    for (file, args) in LISTS {
        let (mut got, told) = run(&data, args);
        assert!(!told.contains("updating"), "migrated once: {told}");
        normalize(&mut got);
        assert_eq!(got, expected(file, &data), "{args:?}");
    }
    // What is written after the migration reads back too.
    let saved = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["views", "save", "--filter", "label:urgent", "urgent-mine"])
        .output()
        .unwrap();
    assert!(saved.status.success());
    let (views, _) = run(&data, &["views", "list", "--json"]);
    assert!(views.to_string().contains("urgent-mine"), "{views}");
}

/// Copies of one conversation's newest message, written as the old release wrote them
/// (JSON, straight into sled), so that the migration has enough to do to be killed during it.
fn add_legacy_messages(data: &Path, conversation: u64, copies: u64) {
    let db = sled::open(data.join("db")).unwrap();
    let messages = db.open_tree("messages").unwrap();
    let (key, value) = messages
        .scan_prefix(conversation.to_be_bytes())
        .last()
        .unwrap()
        .unwrap();
    let mut message: Value = serde_json::from_slice(&value).unwrap();
    let mut batch = sled::Batch::default();
    for i in 0..copies {
        let id = 10_000_000 + i;
        message["id"] = id.into();
        message["wamid"] = format!("wamid.copy.{i}").into();
        let mut k = key.to_vec();
        k[16..].copy_from_slice(&id.to_be_bytes());
        batch.insert(k, serde_json::to_vec(&message).unwrap());
    }
    messages.apply_batch(batch).unwrap();
    db.flush().unwrap();
}

/// The schema the store says it has, and how many message values are still JSON.
fn schema_and_json_left(data: &Path) -> (u32, usize) {
    let db = sled::open(data.join("db")).unwrap();
    let version = db
        .open_tree("meta")
        .unwrap()
        .get("schema_version")
        .unwrap()
        .unwrap();
    let json = db
        .open_tree("messages")
        .unwrap()
        .iter()
        .filter(|kv| kv.as_ref().unwrap().1.first() == Some(&b'{'))
        .count();
    (
        u32::from_be_bytes(version.as_ref().try_into().unwrap()),
        json,
    )
}

/// Starts `conversations --json` on `data` and kills it (SIGKILL: no chance to finish or
/// clean up) `after` its stderr says `marker`; returns that line.
fn kill_once_it_says(data: &Path, marker: &str, after: Duration) -> String {
    let mut child = bin()
        .arg("--data-dir")
        .arg(data)
        .args(["conversations", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no line with {marker:?} on stderr"));
    std::thread::sleep(after);
    child.kill().unwrap();
    child.wait().unwrap();
    line
}

#[test]
fn a_migration_killed_half_way_finishes_when_the_store_is_opened_again() {
    const COPIES: u64 = 150_000;
    let dir = TempDir::new("migrate-kill");
    let data = unpack(dir.path());
    let haruto = 23;
    add_legacy_messages(&data, haruto, COPIES);

    let first = kill_once_it_says(&data, "values rewritten", Duration::ZERO);
    let (version, left) = schema_and_json_left(&data);
    assert_eq!(version, 4, "killed before the end (after \"{first}\")");
    assert!(left > 0, "killed half-way: some messages still JSON");

    let (list, told) = messages(&data, "819012340001");
    assert!(told.contains("updating the database to schema"), "{told}");
    let before = expected("messages-819012340001.json", &data);
    let expected_count = before.as_array().unwrap().len() + usize::try_from(COPIES).unwrap();
    assert_eq!(list.as_array().unwrap().len(), expected_count);
    assert_eq!(
        schema_and_json_left(&data),
        (hirechat::store::SCHEMA_VERSION, 0)
    );
    let db = sled::open(data.join("db")).unwrap();
    assert!(
        !db.tree_names()
            .iter()
            .any(|n| n.as_ref() == b"msg_by_wamid"),
        "the key-per-wamid tree is gone"
    );
    drop(db);
    let (mut conversations, told) = run(&data, &["conversations", "--json"]);
    assert!(!told.contains("updating"), "{told}");
    normalize(&mut conversations);
    assert_eq!(conversations, expected("conversations.json", &data));
}

/// After a migration the database is written anew; killed while that copy is made (or just
/// after), the next open finds the migrated database whole and nothing left beside it.
#[test]
fn a_compaction_killed_after_the_migration_leaves_the_store_whole() {
    let dir = TempDir::new("migrate-compact-kill");
    let data = unpack(dir.path());
    add_legacy_messages(&data, 23, 60_000);

    kill_once_it_says(
        &data,
        "writing the updated database anew",
        Duration::from_millis(100),
    );

    let (list, told) = messages(&data, "819012340001");
    assert!(
        !told.contains("updating the database"),
        "migrated before: {told}"
    );
    let before = expected("messages-819012340001.json", &data);
    assert_eq!(
        list.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 60_000
    );
    assert!(!data.join("db.compact").exists() && !data.join("db.old").exists());
    let (mut conversations, _) = run(&data, &["conversations", "--json"]);
    normalize(&mut conversations);
    assert_eq!(conversations, expected("conversations.json", &data));
}
