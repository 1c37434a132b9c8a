//! The real binary: configuration errors, the CLI in-process and through the daemon's socket,
//! roles at the socket, and `kill -9` in the middle of a stream of webhooks.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{
    os::unix::fs::PermissionsExt,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use common::{
    APP_SECRET, TempDir,
    daemon::{Daemon, free_port, me, run, sim_for, text, write_config},
    team::Team,
};
use hirechat::{
    domain::event::Event, engine::Request, sim::Inbound, store::Store, whatsapp::signature,
};

#[test]
fn configuration_errors_name_the_key_and_the_file() {
    let dir = TempDir::new("cli-config");
    let out = run(dir.path(), &["conversations"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("config.toml does not exist")
            && text(&out.stderr).contains("config.example.toml"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        dir.path().join("config.toml"),
        "[whatsapp]\nphone_number = \"1\"\n",
    )
    .unwrap();
    let err = text(&run(dir.path(), &["conversations"]).stderr);
    assert!(
        err.contains("config.toml") && err.contains("phone_number"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("config.toml"),
        "[whatsapp]\nphone_number_id = \"1\"\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "hi"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("whatsapp.access_token") && err.contains("config.toml"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_empty_inbox_in_process() {
    let dir = TempDir::new("cli-empty");
    write_config(dir.path(), "http://127.0.0.1:9", free_port(), "");
    let out = run(dir.path(), &["conversations", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "[]");
    let out = run(dir.path(), &["conversations"]);
    assert_eq!(text(&out.stdout).trim(), "No conversations yet.");
    let out = run(dir.path(), &["conversations", "--view", "sent-today"]);
    assert_eq!(text(&out.stdout).trim(), "No conversations match.");
    let out = run(dir.path(), &["messages", "--with", "+819012345678"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("no conversation with +819012345678"));
    let out = run(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "hi"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("approved template"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines, reason = "one end-to-end scenario")]
async fn the_team_works_through_the_daemon() {
    let dir = TempDir::new("cli-daemon");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(
        dir.path(),
        &sim.api_base(),
        port,
        &format!(
            "[[users]]\nname = \"Aiko\"\nlogin = \"{}\"\nrole = \"admin\"\n",
            me()
        ),
    );
    let daemon = Daemon::start(dir.path());
    let socket = dir.path().join("data/hirechat.sock");
    assert_eq!(
        std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777,
        0o660
    );

    // A connected client (a TUI) is told of every stored change.
    let watcher = hirechat::client::DaemonClient::connect(&socket)
        .await
        .unwrap();
    let mut feed = watcher.subscribe();
    // Answered after the subscription (one connection, in order): no event is missed.
    watcher.call(Request::Whoami).await.unwrap();
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        name: Some("Ken \u{1b}[2J Sato".into()),
        text: Some("面接は何時ですか？".into()),
        ..Default::default()
    })
    .await
    .unwrap();

    let Some(hirechat::client::Feed::Event(event)) = feed.recv().await else {
        panic!("an event")
    };
    let Event::MessageReceived { message, .. } = *event else {
        panic!("{event:?}")
    };
    assert_eq!(message.text, "面接は何時ですか？");

    // The daemon owns the database: these go through its socket.
    let out = run(dir.path(), &["conversations", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &list[0];
    assert_eq!(c["wa_id"], "819012345678");
    assert_eq!(c["name"], "Ken \u{1b}[2J Sato");
    assert_eq!(c["unread"], 1);
    assert_eq!(c["window_open"], true);
    for key in [
        "user_id",
        "username",
        "last_inbound_at",
        "last_outbound_at",
        "window_expires_at",
    ] {
        assert!(c.get(key).is_some(), "{key} in {c}");
    }
    let table = text(&run(dir.path(), &["conversations"]).stdout);
    assert!(
        table.contains("Ken ␛[2J Sato") && !table.contains('\u{1b}'),
        "{table}"
    );

    let out = run(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "10:00 です"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sent["direction"], "out");
    assert!(
        ["sent", "delivered", "read"].contains(&sent["status"].as_str().unwrap()),
        "{sent}"
    );
    assert!(sent["wamid"].as_str().unwrap().starts_with("wamid."));

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let out = run(
            dir.path(),
            &["messages", "--with", "+819012345678", "--json"],
        );
        let messages: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let m = &messages.as_array().unwrap()[1];
        for key in [
            "id",
            "wamid",
            "direction",
            "type",
            "text",
            "status",
            "error",
            "at",
        ] {
            assert!(m.get(key).is_some(), "{key} in {m}");
        }
        if m["status"] == "read" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no read receipt: {m}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A second daemon on the same data is refused.
    let out = run(dir.path(), &["serve"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already running"),
        "{}",
        text(&out.stderr)
    );
    daemon.terminate();
    assert!(!socket.exists(), "the socket is removed on a clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_enforced_at_the_socket() {
    let dir = TempDir::new("cli-roles");
    let port = free_port();
    let sim = sim_for(port).await;
    let viewer = format!(
        "[[users]]\nname = \"V\"\nlogin = \"{}\"\nrole = \"viewer\"\n",
        me()
    );
    write_config(dir.path(), &sim.api_base(), port, &viewer);
    let daemon = Daemon::start(dir.path());
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        text: Some("hi".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let out = run(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "hello"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("may not send"),
        "{}",
        text(&out.stderr)
    );
    assert!(sim.requests().is_empty());
    assert!(
        run(dir.path(), &["conversations"]).status.success(),
        "viewers read"
    );
    drop(daemon);

    // Someone with no [[users]] entry gets nothing at all.
    let dir = TempDir::new("cli-stranger");
    write_config(
        dir.path(),
        &sim.api_base(),
        port,
        "[[users]]\nname = \"Other\"\nlogin = \"nobody-here\"\nrole = \"admin\"\n",
    );
    let _daemon = Daemon::start(dir.path());
    let out = run(dir.path(), &["conversations"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("is not a hirechat user"),
        "{}",
        text(&out.stderr)
    );
}

fn delivery(i: usize) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"81312345678","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Candidate {n}"}},"wa_id":"8190{n:08}"}}],"messages":[{{"from":"8190{n:08}","id":"wamid.CRASH{i:06}","timestamp":"1767225600","type":"text","text":{{"body":"message {i}"}}}}]}}}}]}}]}}"#,
        n = i % 50
    )
    .into_bytes()
}

/// Posts deliveries `range` with 16 at a time; returns those acknowledged with 200, and
/// counts them in `progress` as they come.
async fn post_all(
    port: u16,
    range: std::ops::Range<usize>,
    progress: Arc<AtomicUsize>,
) -> Vec<usize> {
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/webhook");
    let mut acked = Vec::new();
    let ids: Vec<usize> = range.collect();
    for chunk in ids.chunks(16) {
        let sends = chunk.iter().map(|&i| {
            let body = delivery(i);
            let sig = signature::sign(APP_SECRET, &body);
            let req = http
                .post(&url)
                .header("x-hub-signature-256", sig)
                .body(body)
                .timeout(Duration::from_secs(5));
            async move { (i, req.send().await.map(|r| r.status().as_u16())) }
        });
        for (i, r) in futures_join(sends).await {
            if r.ok() == Some(200) {
                progress.fetch_add(1, Ordering::Relaxed);
                acked.push(i);
            }
        }
    }
    acked
}

async fn futures_join<F>(fs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_redelivery_stores_every_message_once() {
    const N: usize = 2000;
    let dir = TempDir::new("cli-crash");
    let port = free_port();
    write_config(dir.path(), "http://127.0.0.1:9", port, "");
    let mut daemon = Daemon::start(dir.path());
    let progress = Arc::new(AtomicUsize::new(0));
    let stream = tokio::spawn(post_all(port, 0..N, progress.clone()));
    // Let part of the stream through, then kill without warning.
    while progress.load(Ordering::Relaxed) < 200 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    daemon.0.kill().unwrap();
    daemon.0.wait().unwrap();
    let acked_before_kill = stream.await.unwrap();
    assert!(
        !acked_before_kill.is_empty() && acked_before_kill.len() < N,
        "the kill landed mid-stream ({} acked)",
        acked_before_kill.len()
    );
    drop(daemon);
    {
        // Every acknowledged delivery survived the kill.
        let store = Store::open(&dir.path().join("data"), 16).unwrap();
        for i in &acked_before_kill {
            assert!(
                store
                    .message_by_wamid(&format!("wamid.CRASH{i:06}"))
                    .unwrap()
                    .is_some(),
                "acked {i} lost"
            );
        }
    }
    // WhatsApp redelivers everything (it does not know what we stored).
    let daemon = Daemon::start(dir.path());
    let acked = post_all(port, 0..N, Arc::default()).await;
    assert_eq!(acked.len(), N);
    daemon.terminate();
    let store = Store::open(&dir.path().join("data"), 16).unwrap();
    assert_eq!(
        store.message_count().unwrap(),
        N as u64,
        "each stored exactly once"
    );
    for i in 0..N {
        let m = store
            .message_by_wamid(&format!("wamid.CRASH{i:06}"))
            .unwrap()
            .unwrap();
        assert_eq!(m.text, format!("message {i}"));
    }
    let total: usize = store
        .conversations(usize::MAX)
        .unwrap()
        .iter()
        .map(|c| store.messages(c, usize::MAX).unwrap().len())
        .sum();
    assert_eq!(total, N, "no duplicates in the conversations either");
    assert_eq!(store.conversation_count().unwrap(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_unix_users_on_one_daemon_each_within_their_role() {
    let tag = format!("{}", std::process::id() % 100_000);
    let Some(team) = Team::create(&tag, &["admin", "rec", "view", "stranger"]) else {
        eprintln!("skipped: creating Unix users needs root, useradd and runuser");
        return;
    };
    let dir = TempDir::new("team");
    let port = free_port();
    let sim = sim_for(port).await;
    let bin = team.directory(
        dir.path(),
        &sim.api_base(),
        port,
        &[
            ("admin", "admin"),
            ("recruiter", "recruiter"),
            ("viewer", "viewer"),
        ],
    );
    let _daemon = Daemon::start(dir.path());
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        text: Some("Is the interview still on?".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let send = ["send", "--to", "+819012345678", "--text", "Yes, Tuesday"];
    let (admin, recruiter, viewer, stranger) = (0, 1, 2, 3);
    // The viewer reads and may not send.
    let out = team.run_as(viewer, &bin, dir.path(), &["conversations", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("819012345678"));
    let out = team.run_as(viewer, &bin, dir.path(), &send);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("may not send"),
        "{}",
        text(&out.stderr)
    );
    // The recruiter answers, and may not change settings.
    let out = team.run_as(recruiter, &bin, dir.path(), &send);
    assert!(out.status.success(), "{}", text(&out.stderr));
    the_daemon_reads_only_files_the_caller_may(&team, &bin, dir.path(), recruiter);
    let routing = ["settings", "routing", "--unknown-senders", "candidate"];
    let out = team.run_as(recruiter, &bin, dir.path(), &routing);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("may not change the routing"),
        "{}",
        text(&out.stderr)
    );
    // The admin may.
    let out = team.run_as(admin, &bin, dir.path(), &routing);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("creates a candidate record"));
    // A Unix user without an entry gets nothing, even in the group.
    let out = team.run_as(stranger, &bin, dir.path(), &["conversations"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("is not a hirechat user"),
        "{}",
        text(&out.stderr)
    );
    tuis_of_two_users(&team, &bin, dir.path());
    // Which user replied is stored with the message.
    let out = team.run_as(
        viewer,
        &bin,
        dir.path(),
        &["messages", "--with", "+819012345678", "--json"],
    );
    let messages: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let answer = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["direction"] == "out")
        .unwrap();
    assert_eq!(answer["sent_by"], team.users[recruiter].as_str());
}

/// The daemon reads a file for a caller only where the caller could read it: one only the
/// daemon's user may read is refused.
fn the_daemon_reads_only_files_the_caller_may(team: &Team, bin: &Path, dir: &Path, who: usize) {
    let private = dir.join("daemon-only.pdf");
    std::fs::write(&private, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let attach = [
        "send",
        "--to",
        "+819012345678",
        "--attach",
        private.to_str().unwrap(),
    ];
    let out = team.run_as(who, bin, dir, &attach);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("you may not read this file"),
        "{}",
        text(&out.stderr)
    );
}

/// The three users each in a TUI attached to the daemon, in tmux: the others see the
/// recruiter's reply arrive, and the viewer is refused when trying to send.
fn tuis_of_two_users(team: &Team, bin: &Path, dir: &Path) {
    use common::tmux::{Tmux, tmux_available};
    if !tmux_available() {
        eprintln!("skipped the TUIs: tmux is not installed");
        return;
    }
    let tui = |who: usize| team.tui(who, bin, dir);
    let socket = format!("hirechat-team-{}", std::process::id());
    let recruiter = Tmux::new(&socket, "recruiter");
    recruiter.start(&tui(1));
    let viewer = Tmux::new(&socket, "viewer");
    viewer.start(&tui(2));
    let admin = Tmux::new(&socket, "admin");
    admin.start(&tui(0));
    for (t, role) in [
        (&recruiter, "recruiter"),
        (&viewer, "viewer"),
        (&admin, "admin"),
    ] {
        t.wait("the inbox through the daemon", |s| {
            s.contains("connected to the daemon") && s.contains(&format!("({role})"))
        });
        t.keys(&["Enter"]);
        t.wait("the chat", |s| s.contains("Is the interview still on?"));
    }
    recruiter.keys(&["r"]);
    recruiter.text("See you on Tuesday at 10");
    recruiter.keys(&["Enter"]);
    for t in [&viewer, &admin] {
        t.wait("the recruiter's reply, live", |s| {
            s.contains("See you on Tuesday at 10")
        });
    }
    viewer.keys(&["r"]);
    viewer.text("I should not be able to send this");
    viewer.keys(&["Enter"]);
    viewer.wait("the refusal", |s| s.contains("may not send"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_reads_standard_input_and_says_when_nothing_went_out() {
    let dir = TempDir::new("cli-stdin");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(dir.path(), &sim.api_base(), port, "");
    let _daemon = Daemon::start(dir.path());
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        text: Some("Can you send the details?".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    // `--text -`: the message from standard input, its line breaks kept.
    let mut child = common::daemon::command(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "-"],
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        b"Details:\n- Tuesday 10:00\n- Otemachi 12F\n",
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r["type"] == "text")
        .collect();
    assert_eq!(
        sent[0]["text"]["body"],
        "Details:\n- Tuesday 10:00\n- Otemachi 12F"
    );
    // The Cloud API unreachable: still queued when `--wait` runs out, and it says so (exit 5).
    let unreachable = TempDir::new("cli-unreachable");
    let port = free_port();
    write_config(unreachable.path(), "http://127.0.0.1:9", port, "");
    let _daemon = Daemon::start(unreachable.path());
    common::daemon::writes(port, "819012345678", "wamid.Q1", "hi").await;
    let out = run(
        unreachable.path(),
        &[
            "send",
            "--to",
            "+819012345678",
            "--text",
            "hi",
            "--wait",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("still queued after 1 s"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_key_the_inbox_cannot_read_is_named_with_its_file() {
    let dir = TempDir::new("cli-keys");
    common::daemon::write_config_full(
        dir.path(),
        "http://127.0.0.1:9",
        free_port(),
        "",
        "\n[tui]\ntheme = \"light\"\nmouse = false\n\n[keys]\nreply = \"a\"\nfly = \"x\"\n",
    );
    let out = run(dir.path(), &["tui"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("config.toml") && err.contains("keys.fly") && err.contains("open_link"),
        "{err}"
    );
}

/// `assign` and `labels` on Haruto's conversation, as the shell does them.
fn assign_and_label(dir: &std::path::Path, with: &[&str]) {
    let out = run(dir, &[&["assign", "--to", "none"][..], with].concat());
    assert_eq!(
        text(&out.stdout).trim(),
        "Haruto: nobody's",
        "{}",
        text(&out.stderr)
    );
    let out = run(dir, &[&["assign", "--to", "nosuch"][..], with].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no such user"),
        "{}",
        text(&out.stderr)
    );
    let out = run(dir, &["labels", "create", "visa", "--colour", "pink"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(run(dir, &["labels", "create", "visa"]).status.success());
    let out = run(
        dir,
        &[&["labels", "put", "--add", "visa"][..], with].concat(),
    );
    assert_eq!(
        text(&out.stdout).trim(),
        "Haruto: visa",
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_resolved_snoozed_and_reopened_from_the_shell_with_its_trail() {
    let dir = TempDir::new("cli-state");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(dir.path(), &sim.api_base(), port, "");
    let _daemon = Daemon::start(dir.path());
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        name: Some("Haruto".into()),
        text: Some("Any news?".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let with = ["--with", "+819012345678"];
    let out = run(
        dir.path(),
        &[&["conversations", "resolve"][..], &with].concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "Haruto: resolved");
    let listed = run(
        dir.path(),
        &["conversations", "--filter", "unreplied", "--json"],
    );
    assert_eq!(text(&listed.stdout).trim(), "[]");
    let out = run(
        dir.path(),
        &[
            &["conversations", "snooze"][..],
            &with,
            &["--until", "someday"],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("tomorrow (9:00)"));
    let out = run(
        dir.path(),
        &[
            &["conversations", "snooze", "--json"][..],
            &with,
            &["--until", "3d"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let snoozed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(snoozed["snoozed_until"].is_string(), "{snoozed}");
    let out = run(
        dir.path(),
        &[&["conversations", "reopen"][..], &with].concat(),
    );
    assert_eq!(text(&out.stdout).trim(), "Haruto: open");
    assign_and_label(dir.path(), &with);
    // The trail, among the messages, as events with who and when.
    let out = run(dir.path(), &[&["messages", "--json"][..], &with].concat());
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let events: Vec<&str> = items
        .iter()
        .filter(|i| i["type"] == "event")
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert_eq!(events.len(), 4, "{items:?}");
    assert!(events[0].contains("resolved this") && events[1].contains("snoozed this until"));
    assert_eq!(items[0]["type"], "text", "the message first");
    assert_eq!(items[1]["by"], me());
}

/// Two candidates (Haruto Sato, Yui Tanaka), Haruto's interview in three days and its job
/// opening, imported into the store under `dir`.
fn import_records(dir: &std::path::Path) {
    let file = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let candidates = file(
        "candidates.csv",
        "Name,Mobile,Country,Email,Time Zone,Owner,Job Opening\n\
         Haruto Sato,090-1234-5678,JP,haruto@example.jp,Asia/Tokyo,aiko,SRE\n\
         Yui Tanaka,+44 7400 123456,,yui@example.co.uk,Europe/London,ken,\n",
    );
    let soon = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let interviews = file(
        "interviews.csv",
        &format!(
            "Candidate,Job Opening,From,Time Zone\nharuto@example.jp,SRE,{soon} 10:00,Asia/Tokyo\n"
        ),
    );
    let jobs = file("jobs.csv", "Posting Title,Client\nSRE,Koala Tech\n");
    for (kind, f) in [
        ("candidates", &candidates),
        ("interviews", &interviews),
        ("job-openings", &jobs),
    ] {
        let out = run(dir, &["import", kind, f]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

#[test]
fn records_listed_and_shown_from_the_shell() {
    let dir = TempDir::new("cli-records");
    write_config(dir.path(), "http://127.0.0.1:9", free_port(), "");
    import_records(dir.path());
    let out = run(dir.path(), &["records", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    let out = run(dir.path(), &["records", "list", "tanaka"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("Yui Tanaka") && !shown.contains("Haruto"),
        "{shown}"
    );
    let haruto = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Haruto Sato")
        .unwrap()["id"]
        .to_string();
    let out = run(dir.path(), &["records", "show", &haruto]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let card = text(&out.stdout);
    for expected in [
        "+819012345678",
        "haruto@example.jp",
        "Owner          aiko",
        "SRE · Koala Tech",
        "10:00 JST",
        "No conversation yet.",
    ] {
        assert!(card.contains(expected), "{expected:?} in\n{card}");
    }
    let out = run(dir.path(), &["records", "show", &haruto, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["record"]["email"], "haruto@example.jp");
    assert_eq!(json["interviews"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["job_openings"][0]["title"], "SRE");
    let out = run(dir.path(), &["records", "show", "999"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("no record 999"));
    let out = run(dir.path(), &["records", "show"]);
    assert_eq!(out.status.code(), Some(2), "an id or --with is needed");
}

#[test]
fn a_record_edited_from_the_shell() {
    let dir = TempDir::new("cli-record-edit");
    write_config(dir.path(), "http://127.0.0.1:9", free_port(), "");
    import_records(dir.path());
    let out = run(dir.path(), &["records", "list", "haruto", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let haruto = list[0]["id"].to_string();
    // A field changed, one cleared, a custom one added, opted out.
    let edit = |args: &[&str]| {
        let mut all = vec!["records", "edit", haruto.as_str()];
        all.extend_from_slice(args);
        run(dir.path(), &all)
    };
    let out = edit(&[
        "--set",
        "E-mail=haruto.sato@example.jp",
        "--set",
        "Owner=",
        "--set",
        "Notice period = 1 month",
        "--opt-out",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(saved["email"], "haruto.sato@example.jp");
    assert_eq!(saved["owner"], serde_json::Value::Null);
    assert_eq!(saved["custom"]["Notice period"], "1 month");
    assert_eq!(saved["custom"]["Job Opening"], "SRE", "the rest as it was");
    assert_eq!(saved["mobile"], "+819012345678");
    assert_eq!(saved["opted_out"], true);
    let out = run(dir.path(), &["records", "show", &haruto]);
    let card = text(&out.stdout);
    assert!(
        card.contains("haruto.sato@example.jp") && card.contains("Opt-out history"),
        "{card}"
    );
    let out = edit(&["--opt-in", "--json"]);
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(saved["opted_out"], false);
    assert_eq!(
        saved["consent"].as_array().map(Vec::len),
        Some(2),
        "{saved}"
    );
    // What cannot be saved says why, and changes nothing.
    for (args, why) in [
        (&[][..], "nothing to change"),
        (&["--set", "Email"][..], "FIELD=VALUE"),
        (&["--set", "=x"][..], "name is missing"),
        (
            &["--set", "Email=not-an-address"][..],
            "not an email address",
        ),
        (&["--set", "Opt-out=perhaps"][..], "neither yes nor no"),
    ] {
        let out = edit(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(why),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = run(dir.path(), &["records", "show", &haruto, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["record"]["email"], "haruto.sato@example.jp");
    let out = run(dir.path(), &["records", "edit", "999", "--opt-out"]);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn rules_from_the_shell_say_what_is_wrong() {
    let dir = TempDir::new("cli-rules");
    write_config(dir.path(), "http://127.0.0.1:9", free_port(), "");
    let out = run(dir.path(), &["rules", "list"]);
    assert!(
        text(&out.stdout).contains("No rules"),
        "{}",
        text(&out.stderr)
    );
    let file = dir.path().join("welcome.toml");
    std::fs::write(
        &file,
        "name = \"welcome\"\n[when]\nevent = \"record_created\"\nmodule = \"candidates\"\n[[actions]]\nsend_template = \"welcome\"\nafter = \"2m\"\n",
    )
    .unwrap();
    let create = ["rules", "create", "--file", file.to_str().unwrap()];
    let out = run(dir.path(), &create);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no such template"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(&file, "name = \"welcome\"\n[when]\nevent = \"sometime\"\n").unwrap();
    let out = run(dir.path(), &create);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("sometime"),
        "{}",
        text(&out.stderr)
    );
    let out = run(dir.path(), &["rules", "show", "welcome"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(dir.path(), &["rules", "log"]);
    assert_eq!(text(&out.stdout).trim(), "Nothing yet.");
}
