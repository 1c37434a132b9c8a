//! `hirechat import` on the real binary: good rows in, bad rows reported with their line and
//! reason, a second import updates instead of duplicating.

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
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Imported 3 candidates"), "{text}");
    assert!(text.contains("4 rows were not imported"), "{text}");
    for expected in [
        "line 4: mobile: \"090-1234\" is not a valid number in JP",
        "line 5: a record needs a name",
        "line 6: mobile: \"080-4444-0107\" has no country code",
        "line 7: email: \"not-an-email\" is not an email address",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Importing the same file again updates: nothing is duplicated.
    let out = import(dir.path(), &file, true);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(3))
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
    assert!(import(dir.path(), &candidates, false).status.success());
    let jobs = write(
        "jobs.csv",
        "Posting Title,Recruiter,Location,Client,Department\n\
         Data Engineer,Aiko Tanaka,Tokyo,Sakura Bank,Data Platform\n\
         ,Aiko Tanaka,Osaka,,\n\
         SRE,Ken Mori,Remote,Koala Tech,\n",
    );
    let out = import_kind(dir.path(), "job-openings", &jobs, false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Imported 2 job-openings"), "{text}");
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
    assert!(text.contains("Imported 2 interviews"), "{text}");
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
