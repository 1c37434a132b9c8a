//! A bulk send from the shell through the daemon: the dry run's preflight, Ctrl-C during the
//! undo period taking it back, and a batch of 60 reaching each recipient exactly once across
//! a kill -9 of the daemon in the middle.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{collections::HashMap, path::Path, process::Stdio, time::Duration};

use common::{
    TempDir,
    daemon::{
        Daemon, approved_template, command, free_port, run, sim_for, text, until, write_config,
    },
};
use hirechat::sim::Sim;

const N: usize = 60;

fn number(i: usize) -> String {
    format!("+819034{i:06}")
}

/// Templates the simulator took, by recipient.
fn taken(sim: &Sim) -> HashMap<String, usize> {
    let mut by = HashMap::new();
    for (to, _) in sim.taken() {
        *by.entry(to).or_default() += 1;
    }
    by
}

/// Ctrl-C within the undo period: taken back, nothing leaves.
async fn interrupted_in_its_undo_period(dir: &Path, file: &str, sim: &Sim) {
    let child = command(dir, &["send", "--template", "new_role", "--to-file", file])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        text(&out.stderr).contains("Taken back: nothing is sent."),
        "{}",
        text(&out.stderr)
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        sim.taken().is_empty(),
        "an undone batch never reaches the API"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_send_is_previewed_taken_back_then_sent_once_each_across_a_kill_9() {
    let dir = TempDir::new("bulk-daemon");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(
        dir.path(),
        &sim.api_base(),
        port,
        "messages_per_second = 20\n[outreach]\nbulk_undo_secs = 2\n",
    );
    let mut daemon = Daemon::start(dir.path());
    approved_template(
        dir.path(),
        "new_role",
        "utility",
        "A new role in Tokyo may suit you: reply here to hear more.",
    )
    .await;
    let file = dir.path().join("shortlist.csv");
    let mut lines = vec!["Mobile,Name".to_owned(), "# from the fair".to_owned()];
    lines.extend((0..N).map(|i| format!("{},Candidate {i}", number(i))));
    lines.push(number(0));
    std::fs::write(&file, lines.join("\n")).unwrap();
    let file = file.to_str().unwrap();

    // The dry run: who would receive it, who is skipped, nothing sent.
    let out = run(
        dir.path(),
        &[
            "send",
            "--template",
            "new_role",
            "--to-file",
            file,
            "--dry-run",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let preflight: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(preflight["send"].as_array().unwrap().len(), N);
    assert_eq!(preflight["skipped"][0]["reason"], "listed twice: sent once");

    interrupted_in_its_undo_period(dir.path(), file, &sim).await;

    // For real, and the daemon killed in the middle: each recipient exactly once.
    let follower = command(
        dir.path(),
        &[
            "send",
            "--template",
            "new_role",
            "--to-file",
            file,
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    until("a third of the batch", 20, || sim.taken().len() >= N / 3).await;
    daemon.0.kill().unwrap();
    daemon.0.wait().unwrap();
    let cut_off = follower.wait_with_output().unwrap();
    assert!(
        !cut_off.status.success(),
        "the follower says it lost the daemon"
    );
    let before = sim.taken().len();
    assert!(before < N, "killed before the end ({before})");
    let _daemon = Daemon::start(dir.path());
    // One cut off between being marked in flight and reaching the API stays "may have been
    // sent" and is never posted again: the only way one may be missing.
    let in_doubt = || {
        text(&run(dir.path(), &["outbox", "list", "--json"]).stdout)
            .matches("uncertain")
            .count()
    };
    until("every recipient", 30, || {
        let n = taken(&sim).len();
        n == N || (n == N - 1 && in_doubt() == 1)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let by = taken(&sim);
    assert!(by.values().all(|n| *n == 1), "{by:?}");
    let sent = by.len();

    let out = run(dir.path(), &["batches", "list", "--json"]);
    let batches: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(batches[0]["progress"]["sent"], sent);
    assert_eq!(batches[1]["progress"]["cancelled"], N);
    let id = batches[0]["batch"]["id"].as_u64().unwrap().to_string();
    let out = run(dir.path(), &["batches", "show", &id]);
    assert!(
        text(&out.stdout).contains(&format!("{N} recipients: {sent} sent, 1 skipped")),
        "{}",
        text(&out.stdout)
    );
}
