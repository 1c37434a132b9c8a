//! The demo end to end in a real terminal: tmux runs `hirechat demo`, keys go in with
//! `send-keys`, and the screen is read with `capture-pane` until the expected text appears.

mod common;

use std::{
    process::Command,
    time::{Duration, Instant},
};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    fn text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    /// Polls the screen until `pred` holds; no fixed sleeps.
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {what}; the screen is:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn alive(&self) -> bool {
        self.run(&["has-session", "-t", "e2e"]).status.success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_demo_in_tmux() {
    if !tmux_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (.ci/run installs it)"
        );
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let home = common::TempDir::new("tmux-home");
    let t = Tmux {
        socket: format!("hirechat-e2e-{}", std::process::id()),
    };
    let command = format!(
        "env HOME={} TERM=xterm-256color {} demo",
        home.path().display(),
        env!("CARGO_BIN_EXE_hirechat")
    );
    let started = t.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "160",
        "-y",
        "45",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");

    t.wait("the seeded inbox", |s| {
        s.contains("Conversations (12)") && s.contains("Haruto Sato")
    });
    t.keys(&["?"]);
    t.wait("the help overlay", |s| {
        s.contains("Keys") && s.contains("switch pane")
    });
    t.keys(&["Escape"]);
    t.wait("help closed", |s| !s.contains("switch pane"));
    t.keys(&["Enter"]);
    t.wait("Haruto's chat", |s| {
        s.contains("Haruto Sato · +819012340001")
    });
    t.keys(&["r"]);
    t.wait("the compose box", |s| s.contains("Compose"));
    t.text("Hello from tmux, see you Tuesday!");
    t.keys(&["Enter"]);
    t.wait("the reply", |s| {
        s.contains("Hello from tmux, see you Tuesday!")
    });
    t.wait("a scripted answer after the reply", |s| {
        let after = s
            .split("Hello from tmux, see you Tuesday!")
            .nth(1)
            .unwrap_or("");
        [
            "Thanks! That works for me.",
            "ありがとうございます。承知しました！",
            "Great, could you also send me the job description?",
            "Perfect, see you then",
            "了解です。よろしくお願いします。",
            "Sounds good. Is the position hybrid?",
        ]
        .iter()
        .any(|a| after.contains(a))
    });

    records_and_a_picked_interview(&t);

    // Resizing: 80×24 still draws the inbox; smaller says so.
    t.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    t.wait("the 80×24 layout", |s| {
        s.contains("Conversations (12)") && s.lines().count() <= 24
    });
    t.run(&["resize-window", "-t", "e2e", "-x", "70", "-y", "20"]);
    t.wait("the too-small notice", |s| s.contains("too small"));
    t.run(&["resize-window", "-t", "e2e", "-x", "160", "-y", "45"]);
    t.wait("the full layout again", |s| {
        s.contains("Conversations (12)")
    });

    t.keys(&["Escape", "Escape", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while t.alive() {
        assert!(
            Instant::now() < deadline,
            "hirechat did not quit:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// From the records pane to a template whose interview is picked in a popup; then a record
/// that never wrote.
fn records_and_a_picked_interview(t: &Tmux) {
    // Escape alone: followed at once by a letter, a terminal reads Alt-letter.
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["c"]);
    t.wait("the records pane", |s| {
        s.contains("Candidates and contacts (")
    });
    t.text("haruto");
    t.wait("the search", |s| s.contains("Candidates and contacts (1)"));
    t.keys(&["Enter"]);
    t.wait("the records pane closed", |s| {
        !s.contains("Candidates and contacts (")
    });
    t.keys(&["t"]);
    t.wait("the picker", |s| s.contains("Templates · window open"));
    t.text("interview_rem");
    t.wait("the choice announced", |s| {
        s.contains("Several values for Interviews (2)")
    });
    t.keys(&["Enter"]);
    t.wait("the choice", |s| s.contains("Which of the Interviews?"));
    t.keys(&["Down", "Enter"]);
    t.wait("the filled preview", |s| {
        s.contains("your Backend Engineer (Rust) interview on")
    });
    t.keys(&["Enter"]);
    t.wait("the reminder in the chat", |s| {
        !s.contains("Templates · window open") && s.contains("Backend Engineer (Rust) interview")
    });
    // Someone who never wrote: their conversation opens empty, window closed.
    t.keys(&["c"]);
    t.text("priya");
    t.wait("Priya found", |s| s.contains("Candidates and contacts (1)"));
    t.keys(&["Enter"]);
    t.wait("Priya's conversation", |s| {
        s.contains("Priya Raman (Northwind Logistics) · +919876500111")
    });
}
