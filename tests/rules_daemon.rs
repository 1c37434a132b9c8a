//! A rule through the daemon, from the shell: "candidate created → template after a while"
//! with a CSV import of 50 candidates (3 opted out): 47 sends, each once, none before its
//! time, across a kill -9 of the daemon in the middle of sending them.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use common::{
    TempDir,
    daemon::{Daemon, approved_template, free_port, run, sim_for, text, until, write_config},
};

const N: usize = 50;
/// The rule's delay.
const AFTER_SECS: u64 = 3;

fn number(i: usize) -> String {
    format!("+819035{i:06}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creation_rule_sends_47_of_50_imported_each_once_across_a_kill_9() {
    let dir = TempDir::new("rules-daemon");
    let port = free_port();
    let sim = sim_for(port).await;
    // Slow enough that the kill lands among the sends.
    write_config(
        dir.path(),
        &sim.api_base(),
        port,
        "messages_per_second = 4\n",
    );
    let mut daemon = Daemon::start(dir.path());
    approved_template(
        dir.path(),
        "welcome",
        "utility",
        "Thank you for applying: we will be in touch.",
    )
    .await;
    let rule = dir.path().join("welcome.toml");
    std::fs::write(
        &rule,
        format!(
            "name = \"welcome\"\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n[[actions]]\nsend_template = \"welcome\"\nafter = \"{AFTER_SECS}s\"\n"
        ),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["rules", "create", "--file", rule.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let csv = dir.path().join("fair.csv");
    let mut lines = vec!["First Name,Last Name,Mobile Phone,GDPR opt-out".to_owned()];
    lines.extend((0..N).map(|i| {
        let out = if i % 17 == 5 { "yes" } else { "" };
        format!("Candidate,{i},{},{out}", number(i))
    }));
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let opted_out: Vec<String> = (0..N).filter(|i| i % 17 == 5).map(number).collect();
    assert_eq!(opted_out.len(), 3);
    let imported = Instant::now();
    let out = run(dir.path(), &["import", "candidates", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    until("a third of the sends", 30, || sim.taken().len() >= 15).await;
    daemon.0.kill().unwrap();
    daemon.0.wait().unwrap();
    let before = sim.taken().len();
    assert!(before < N - 3, "killed before the end ({before})");
    let _daemon = Daemon::start(dir.path());
    // One cut off between being marked in flight and reaching the API stays "may have been
    // sent" and is never posted again: the only way one may be missing.
    let in_doubt = || {
        text(&run(dir.path(), &["outbox", "list", "--json"]).stdout)
            .matches("uncertain")
            .count()
    };
    let by = || {
        let mut by: HashMap<String, usize> = HashMap::new();
        for (to, _) in sim.taken() {
            *by.entry(to).or_default() += 1;
        }
        by
    };
    until("every candidate who did not opt out", 60, || {
        let n = by().len();
        n == N - 3 || (n == N - 4 && in_doubt() == 1)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let by = by();
    assert!(by.values().all(|n| *n == 1), "each once: {by:?}");
    for o in &opted_out {
        assert!(!by.contains_key(o), "{o} opted out");
    }
    // None before its time: the rule's delay after the import.
    let first = sim.taken().iter().map(|(_, at)| *at).min().unwrap();
    assert!(first.duration_since(imported) >= Duration::from_secs(AFTER_SECS));

    let out = run(dir.path(), &["rules", "log", "welcome", "--json"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |o: &str| {
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["outcome"] == o)
            .count()
    };
    assert_eq!(count("scheduled"), N, "one firing per new candidate");
    assert_eq!(count("not_sent"), 3, "the three who opted out");
}
