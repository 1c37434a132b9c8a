//! A team on one daemon works a conversation to its end, each as their own Unix user and in
//! their own terminal (tmux): the admin labels it and assigns it, the recruiter is told,
//! answers and resolves it; it leaves the unreplied view and comes back when the candidate
//! writes again; a snooze returns at its time; a second recruiter may not give away a
//! colleague's conversation, and a viewer may change nothing.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{path::Path, time::Duration};

use common::{
    TempDir,
    daemon::{Daemon, free_port, sim_for, text},
    team::Team,
    tmux::{Tmux, tmux_available},
};
use hirechat::sim::Inbound;

const HARUTO: &str = "+819012345678";
const ADMIN: usize = 0;
const KEN: usize = 1;
const MEI: usize = 2;
const VIEWER: usize = 3;

/// `hirechat ARGS --json` as `who`, parsed.
fn json(team: &Team, who: usize, bin: &Path, dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = team.run_as(who, bin, dir, &[args, &["--json"]].concat());
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether Haruto's conversation is in what `filter` lists.
fn listed(team: &Team, bin: &Path, dir: &Path, filter: &str) -> bool {
    json(
        team,
        VIEWER,
        bin,
        dir,
        &["conversations", "--filter", filter],
    )
    .as_array()
    .unwrap()
    .iter()
    .any(|c| c["wa_id"] == "819012345678")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines, reason = "one scenario, told in order")]
async fn two_recruiters_and_an_admin_work_a_conversation_to_its_end() {
    let tag = format!("{}", std::process::id() % 100_000);
    let Some(team) = Team::create(&tag, &["adm", "ken", "mei", "vic"]) else {
        eprintln!("skipped: creating Unix users needs root, useradd and runuser");
        return;
    };
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let dir = TempDir::new("team-to-the-end");
    let port = free_port();
    let sim = sim_for(port).await;
    let bin = team.directory(
        dir.path(),
        &sim.api_base(),
        port,
        &[
            ("Aiko", "admin"),
            ("Ken", "recruiter"),
            ("Mei", "recruiter"),
            ("Vic", "viewer"),
        ],
    );
    let (bin, dir) = (bin.as_path(), dir.path());
    let _daemon = Daemon::start(dir);
    let haruto_writes = |text: &'static str| {
        sim.inbound(Inbound {
            from: Some(HARUTO.into()),
            name: Some("Haruto".into()),
            text: Some(text.into()),
            ..Default::default()
        })
    };
    haruto_writes("Is the SRE role still open?").await.unwrap();
    let out = team.run_as(ADMIN, bin, dir, &["labels", "create", "visa"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let socket = format!("hirechat-team-end-{}", std::process::id());
    let admin = Tmux::new(&socket, "admin");
    admin.start(&team.tui(ADMIN, bin, dir));
    let ken = Tmux::new(&socket, "ken");
    ken.start(&team.tui(KEN, bin, dir));
    for t in [&admin, &ken] {
        t.wait("the inbox", |s| {
            s.contains("connected to the daemon") && s.contains("Haruto")
        });
    }

    // The admin labels Haruto's conversation and hands it to Ken.
    admin.keys(&["L"]);
    admin.wait("the labels", |s| s.contains("[ ] visa"));
    admin.keys(&["Enter"]);
    admin.wait("visa on", |s| s.contains("[x] visa"));
    admin.keys(&["Escape"]);
    admin.wait("the label in the list", |s| s.contains("#visa"));
    admin.keys(&["A"]);
    admin.wait("the team", |s| s.contains("Ken (hcken"));
    admin.keys(&["Down", "Enter"]);
    ken.wait("told it is his", |s| {
        s.contains("Aiko assigned Haruto to you")
    });
    admin.wait("whose it is", |s| s.contains("→hcken"));

    // Mei may not give Ken's conversation to someone else; a viewer may change nothing.
    let give = ["assign", "--with", HARUTO, "--to", &team.users[ADMIN]];
    let out = team.run_as(MEI, bin, dir, &give);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not assign someone else's"));
    let viewer_changes: [&[&str]; 6] = [
        &["conversations", "resolve", "--with", HARUTO],
        &["conversations", "pending", "--with", HARUTO],
        &["conversations", "snooze", "--with", HARUTO, "--until", "1h"],
        &["assign", "--with", HARUTO, "--to", "none"],
        &["labels", "put", "--with", HARUTO, "--remove", "visa"],
        &["labels", "create", "urgent"],
    ];
    for args in viewer_changes {
        let out = team.run_as(VIEWER, bin, dir, args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(
            text(&out.stderr).contains("may not"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }

    // Ken answers and resolves: out of the unreplied view.
    assert!(listed(&team, bin, dir, "unreplied"));
    ken.keys(&["Enter"]);
    ken.wait("the chat", |s| s.contains("Is the SRE role still open?"));
    ken.keys(&["r"]);
    ken.text("It is! Could we talk on Tuesday?");
    ken.keys(&["Enter"]);
    ken.wait("the reply", |s| s.contains("Could we talk on Tuesday?"));
    // Escape alone: a key right after it would read as Alt and that key.
    ken.keys(&["Escape"]);
    ken.wait("back in the chat", |s| s.contains(" Chat "));
    ken.keys(&["x"]);
    ken.wait("resolved, in the trail", |s| {
        s.contains("Ken resolved this")
    });
    admin.wait("resolved, seen by the admin", |s| s.contains("resolved"));
    assert!(!listed(&team, bin, dir, "unreplied"));
    assert!(listed(&team, bin, dir, "status:resolved"));

    // Haruto writes again: open and unreplied again.
    haruto_writes("Tuesday works for me.").await.unwrap();
    ken.wait("reopened", |s| {
        s.contains("Reopened: the contact wrote again")
    });
    assert!(listed(&team, bin, dir, "unreplied status:open"));

    // Ken snoozes it for three seconds: gone, then back as unread.
    let snooze = ["conversations", "snooze", "--with", HARUTO, "--until", "3s"];
    let out = team.run_as(KEN, bin, dir, &snooze);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(listed(&team, bin, dir, "snoozed"));
    assert!(!listed(&team, bin, dir, "unreplied"));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while listed(&team, bin, dir, "snoozed") {
        assert!(std::time::Instant::now() < deadline, "the snooze ended");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(listed(&team, bin, dir, "unread unreplied"));
    ken.wait("the snooze's end in the chat", |s| {
        s.contains("The snooze ended")
    });

    // Everything that happened, with who, in the conversation's history.
    let history = json(&team, VIEWER, bin, dir, &["messages", "--with", HARUTO]);
    let events: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "event")
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    for said in [
        "Aiko labelled this visa",
        "Aiko assigned this to hcken",
        "Ken resolved this",
        "Reopened: the contact wrote again",
        "Ken snoozed this until",
        "The snooze ended",
    ] {
        assert!(
            events.iter().any(|e| e.starts_with(said)),
            "{said:?} in {events:#?}"
        );
    }
}
