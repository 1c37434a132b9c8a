//! `hirechat import` on the real binary: good rows in, bad rows reported with their line and
//! reason, a second import updates instead of duplicating.

mod common;

use std::process::Command;

use common::TempDir;
use hirechat::{domain::phone::PhoneNumber, store::Store};

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
    let mut c = Command::new(env!("CARGO_BIN_EXE_hirechat"));
    c.env_remove("HIRECHAT_CONFIG")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("none.toml"));
    std::fs::write(dir.join("none.toml"), "").unwrap();
    c.arg("import").arg("candidates").arg(file);
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
