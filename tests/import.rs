//! `hirechat import` on the real binary: good rows in, bad rows reported with their line and
//! reason, a second import updates instead of duplicating.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::process::Command;

use common::TempDir;
use hirechat::{
    domain::{phone::PhoneNumber, related::RelatedData},
    store::Store,
};

const CSV: &str = "\
First Name,Last Name,Mobile Phone,Country,E-mail,Owner,GDPR opt-out,Desired salary
Haruto,Sato,090-1234-5678,JP,haruto@example.jp,aiko,,8M JPY
Emily,Clarke,+44 7400 123456,,emily@example.co.uk,ken,no,
Yui,Tanaka,090-1234,JP,,aiko,,
,,+81 90 5555 0101,JP,,aiko,,
Ren,Ito,080-4444-0107,,ren@example.jp,,,
Mika,Sato,+81 80 5555 0102,JP,not-an-email,,,
Sakura,Kobayashi,+81 80 4444 0107,JP,sakura@example.jp,aiko,yes,
";

fn import(dir: &std::path::Path, file: &std::path::Path, json: bool) -> std::process::Output {
    import_kind(dir, "candidates", file, json)
}

fn import_kind(
    dir: &std::path::Path,
    kind: &str,
    file: &std::path::Path,
    json: bool,
) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hirechat"));
    c.env_remove("HIRECHAT_CONFIG")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("none.toml"));
    std::fs::write(dir.join("none.toml"), "").unwrap();
    c.arg("import").arg(kind).arg(file);
    if json {
        c.arg("--json");
    }
    c.output().unwrap()
}

#[test]
fn imports_good_rows_and_reports_bad_ones_by_line() {
    let dir = TempDir::new("import");
    let file = dir.path().join("candidates.csv");
    std::fs::write(&file, CSV).unwrap();
    let out = import(dir.path(), &file, false);
    let text = String::from_utf8_lossy(&out.stdout);
    // The good rows are in, and the refused ones make the command fail for a script.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("4 of 7 rows were refused"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Read 7 rows of candidates")
            && text.contains("3 new, 0 updated, 0 unchanged, 4 refused"),
        "{text}"
    );
    for expected in [
        "line 4: mobile: \"090-1234\" is not a valid number in JP",
        "line 5: a record needs a name",
        "line 6: mobile: \"080-4444-0107\" has no country code",
        "line 7: email: \"not-an-email\" is not an email address",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Importing the same file again changes nothing: nothing is duplicated.
    let out = import(dir.path(), &file, true);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            report["created"].as_u64(),
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    let store = Store::open(&dir.path().join("data"), 16).unwrap();
    let haruto = store
        .record_by_phone(&PhoneNumber::parse("+819012345678").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(haruto.name, "Haruto Sato");
    assert_eq!(haruto.email.as_deref(), Some("haruto@example.jp"));
    assert_eq!(
        haruto.custom.get("Desired salary").map(String::as_str),
        Some("8M JPY")
    );
    let sakura = store.record_by_email("sakura@example.jp").unwrap().unwrap();
    assert!(sakura.opted_out);
    assert_eq!(sakura.mobile.unwrap().as_str(), "+818044440107");
}

#[test]
fn a_file_without_names_or_that_is_missing_is_refused_clearly() {
    let dir = TempDir::new("import-bad");
    let file = dir.path().join("x.csv");
    std::fs::write(&file, "Mobile,Country\n+819012345678,JP\n").unwrap();
    let out = import(dir.path(), &file, false);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no name column"));
    let out = import(dir.path(), &dir.path().join("missing.csv"), false);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn job_openings_interviews_clients_and_bookings_import_and_link_to_candidates() {
    let dir = TempDir::new("import-related");
    let write = |name: &str, text: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        f
    };
    let candidates = write("candidates.csv", CSV);
    // Some rows of that file are refused: the import says so with its exit code.
    assert_eq!(
        import(dir.path(), &candidates, false).status.code(),
        Some(2)
    );
    let jobs = write(
        "jobs.csv",
        "Posting Title,Recruiter,Location,Client,Department\n\
         Data Engineer,Aiko Tanaka,Tokyo,Sakura Bank,Data Platform\n\
         ,Aiko Tanaka,Osaka,,\n\
         SRE,Ken Mori,Remote,Koala Tech,\n",
    );
    let out = import_kind(dir.path(), "job-openings", &jobs, false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Read 3 rows of job-openings") && text.contains("2 new"),
        "{text}"
    );
    assert!(text.contains("line 3: Posting Title is missing"), "{text}");
    let interviews = write(
        "interviews.csv",
        "Candidate,Job Opening,From,To,Time Zone,Location,Meeting Link\n\
         haruto@example.jp,Data Engineer,2026-12-01 10:00,2026-12-01 11:00,Asia/Tokyo,Otemachi 12F,\n\
         +81 90 1234 5678,SRE,2026-12-03T15:30:00+09:00,,,,https://meet.example.com/sre\n\
         nobody@example.jp,SRE,2026-12-03 10:00,,Asia/Tokyo,,\n\
         haruto@example.jp,SRE,2026-12-04 10:00,,Mars/Olympus,,\n\
         haruto@example.jp,SRE,2026-12-05 10:00,2026-12-05 09:00,Asia/Tokyo,,\n\
         haruto@example.jp,SRE,next tuesday,,Asia/Tokyo,,\n",
    );
    let out = import_kind(dir.path(), "interviews", &interviews, false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Read 6 rows of interviews") && text.contains("2 new"),
        "{text}"
    );
    for expected in [
        "line 4: no candidate has the email or mobile \"nobody@example.jp\"",
        "line 5: \"Mars/Olympus\" is not a time zone",
        "line 6: the interview ends before it starts",
        "line 7: From: \"next tuesday\" is not a time",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The same file again updates the two interviews.
    let out = import_kind(dir.path(), "interviews", &interviews, true);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(2))
    );
    let clients = write(
        "clients.csv",
        "Client Name,Department,Department Head\nSakura Bank,Data Platform,Kenji Watanabe\n",
    );
    assert!(
        import_kind(dir.path(), "clients", &clients, false)
            .status
            .success()
    );
    let bookings = write(
        "bookings.csv",
        "Booking Name,Booking Link,Owner\nAiko's call,https://cal.example.com/aiko,aiko\nBad,cal dot com,aiko\n",
    );
    let out = import_kind(dir.path(), "bookings", &bookings, false);
    assert!(String::from_utf8_lossy(&out.stdout).contains("line 3: \"cal dot com\" is not a link"));
    // A file without the column that identifies the kind is refused before any row.
    let out = import_kind(dir.path(), "interviews", &jobs, false);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need a From"));

    let store = Store::open(&dir.path().join("data"), 16).unwrap();
    let haruto = store
        .record_by_phone(&PhoneNumber::parse("+819012345678").unwrap())
        .unwrap()
        .unwrap();
    let theirs = store.interviews_of(haruto.id).unwrap();
    assert_eq!(theirs.len(), 2);
    let RelatedData::Interview(first) = &theirs[0].data else {
        panic!("an interview")
    };
    assert_eq!(first.from.to_rfc3339(), "2026-12-01T10:00:00+09:00");
    assert_eq!(first.location.as_deref(), Some("Otemachi 12F"));
    assert_eq!(store.job_openings_titled("data engineer").unwrap().len(), 1);
    assert_eq!(store.clients_named("Sakura Bank").unwrap().len(), 1);
    assert_eq!(store.bookings_for("aiko").unwrap().len(), 1);
}

fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn counts(r: &serde_json::Value) -> (u64, u64, u64, usize) {
    (
        r["created"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
        r["problems"].as_array().unwrap().len(),
    )
}

#[test]
fn a_re_import_keeps_what_the_file_does_not_say_above_all_an_opt_out() {
    let dir = TempDir::new("import-merge");
    let write = |name: &str, text: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        f
    };
    let first = write(
        "first.csv",
        "Name,Mobile,Email,Owner,GDPR opt-out,Job Opening\nKen Sato,+819012345678,ken@example.jp,aiko,yes,Designer\n",
    );
    assert_eq!(
        counts(&report(&import(dir.path(), &first, true))),
        (1, 0, 0, 0)
    );
    // A file without those columns (and an empty cell) changes only what it gives.
    let second = write(
        "second.csv",
        "Name,Mobile,Email\nKen Sato,+81 90 1234 5678,\n",
    );
    assert_eq!(
        counts(&report(&import(dir.path(), &second, true))),
        (0, 0, 1, 0)
    );
    let third = write("third.csv", "Name,Mobile\nKenji Sato,+819012345678\n");
    assert_eq!(
        counts(&report(&import(dir.path(), &third, true))),
        (0, 1, 0, 0)
    );
    let ken = |dir: &std::path::Path| {
        let store = Store::open(&dir.join("data"), 16).unwrap();
        store
            .record_by_phone(&PhoneNumber::parse("+819012345678").unwrap())
            .unwrap()
            .unwrap()
    };
    let r = ken(dir.path());
    assert_eq!(r.name, "Kenji Sato");
    assert!(r.opted_out, "the opt-out stays");
    assert_eq!(r.email.as_deref(), Some("ken@example.jp"));
    assert_eq!(r.owner.as_deref(), Some("aiko"));
    assert_eq!(
        r.custom.get("Job Opening").map(String::as_str),
        Some("Designer")
    );
    assert_eq!(r.consent.len(), 1);
    assert!(r.consent[0].opted_out && r.consent[0].via.contains("line 2"));
    // Only an explicit opt-in clears it, and that is recorded too.
    let fourth = write(
        "fourth.csv",
        "Name,Mobile,Opted out\nKenji Sato,+819012345678,no\n",
    );
    assert_eq!(
        counts(&report(&import(dir.path(), &fourth, true))),
        (0, 1, 0, 0)
    );
    let r = ken(dir.path());
    assert!(!r.opted_out);
    assert_eq!(r.consent.len(), 2);
    assert!(!r.consent[1].opted_out);
    assert!(!r.consent[1].by.is_empty());
    let unclear = write(
        "unclear.csv",
        "Name,Mobile,Opted out\nKenji Sato,+819012345678,maybe\n",
    );
    let r = report(&import(dir.path(), &unclear, true));
    assert_eq!(counts(&r), (0, 0, 0, 1));
    assert!(
        r["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("neither yes nor no")
    );
}

#[test]
fn rows_that_collide_or_cannot_be_found_again_are_refused_and_every_row_is_counted() {
    let dir = TempDir::new("import-collide");
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "Name,Mobile,Country,Email\n\
         Aoi Mori,090-1111-0001,JP,\n\
         Ben Hall,+447400123456,,ben@example.co.uk\n\
         Aoi M.,+81 90 1111 0001,,\n\
         Chie Ono,+819011110003,,\n\
         Ben Hall,+447400999999,,ben@example.co.uk\n\
         Dai Abe,+819011110005,,\n\
         No Contact,,,\n",
    )
    .unwrap();
    let r = report(&import(dir.path(), &file, true));
    assert_eq!(counts(&r), (4, 0, 0, 3), "{r}");
    let reasons: Vec<(u64, String)> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        reasons[0].0 == 4 && reasons[0].1.contains("line 2"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].0 == 6 && reasons[1].1.contains("email") && reasons[1].1.contains("line 3"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].0 == 8 && reasons[2].1.contains("no mobile and no email"),
        "{reasons:?}"
    );
    // Again: nothing new, nothing copied.
    let r = report(&import(dir.path(), &file, true));
    assert_eq!(counts(&r), (0, 0, 4, 3), "{r}");
}
