//! The demo end to end in a real terminal: tmux runs `hirechat demo`, keys go in with
//! `send-keys`, and the screen is read with `capture-pane` until the expected text appears.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::time::{Duration, Instant};

use common::tmux::{Tmux, tmux_available};

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
    // An editor that writes a reply, as a recruiter would in vim.
    let editor = home.path().join("write-reply.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'Written in the editor\\nits second line\\n' > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let t = Tmux::new(&format!("hirechat-e2e-{}", std::process::id()), "e2e");
    let command = format!(
        "env HOME={} TERM=xterm-256color EDITOR={} {} demo",
        home.path().display(),
        editor.display(),
        env!("CARGO_BIN_EXE_hirechat")
    );
    t.start(&command);

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

    the_cv_saved_from_the_attachments_section(&t, home.path());
    a_pasted_summary(&t);
    written_in_the_editor(&t);
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

    // Quitting over an unsent reply asks first.
    t.keys(&["Escape", "Escape", "Enter", "r"]);
    t.wait("the compose box", |s| s.contains("Compose"));
    t.text("not sent yet");
    t.keys(&["C-c"]);
    t.wait("the question", |s| s.contains("is not sent"));
    t.keys(&["n"]);
    t.wait("back to the reply", |s| {
        !s.contains("is not sent") && s.contains("not sent yet")
    });
    t.keys(&["Escape"]);
    // Apart, so that the terminal does not read Escape and q as Alt-q.
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["q"]);
    t.wait("the question again", |s| s.contains("is not sent"));
    t.keys(&["y"]);
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

/// Haruto's CV and photo in the chat's Attachments section; `s` saves the CV into the home
/// folder (there is no ~/Downloads), `a` goes back to the messages.
fn the_cv_saved_from_the_attachments_section(t: &Tmux, home: &std::path::Path) {
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["a"]);
    t.wait("the Attachments section", |s| {
        s.contains("haruto_sato_cv.pdf") && s.contains("“And a photo for the visitor badge”")
    });
    t.keys(&["j", "s"]);
    t.wait("the CV saved", |s| s.contains("Saved "));
    let saved = std::fs::read(home.join("haruto_sato_cv.pdf")).unwrap();
    assert!(saved.starts_with(b"%PDF-"), "the CV itself");
    t.keys(&["a"]);
    t.wait("the messages again", |s| {
        s.contains("Tuesday 10:00 works for me.")
    });
}

/// Three lines pasted into the reply box (tmux pastes them bracketed, as terminals do) go out
/// as one message, its lines one under the other in one bubble.
fn a_pasted_summary(t: &Tmux) {
    t.keys(&["r"]);
    t.wait("the compose box", |s| s.contains("Compose"));
    assert!(
        t.run(&[
            "set-buffer",
            "-b",
            "summary",
            "Paste one: the summary\nPaste two: strong SQL\nPaste three: March"
        ])
        .status
        .success()
    );
    assert!(
        t.run(&["paste-buffer", "-p", "-b", "summary", "-t", "e2e"])
            .status
            .success()
    );
    t.wait("the paste in the box", |s| s.contains("Paste three: March"));
    t.keys(&["Enter"]);
    // Sent as one message: its three lines in one bubble, then one line of who, when, ticks.
    t.wait("the summary sent as one message", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.windows(4).any(|w| {
            w[0].contains("Paste one: the summary")
                && w[1].contains("Paste two: strong SQL")
                && w[2].contains("Paste three: March")
                && (w[3].contains('✓') || w[3].contains('🕓'))
        })
    });
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
}

/// Ctrl-o in the reply box opens $EDITOR; what it writes comes back into the box, to be sent.
fn written_in_the_editor(t: &Tmux) {
    t.keys(&["r"]);
    t.wait("the compose box", |s| s.contains("Compose"));
    t.keys(&["C-o"]);
    t.wait("the editor's text in the box", |s| {
        s.contains("Written in the editor") && s.contains("Compose")
    });
    t.keys(&["Enter"]);
    t.wait("the editor's reply sent, the box empty", |s| {
        let lines: Vec<&str> = s.lines().collect();
        let in_chat = lines
            .windows(2)
            .any(|w| w[0].contains("Written in the editor") && w[1].contains("its second line"));
        let in_box = lines.iter().rev().take(6).any(|l| l.contains("Written"));
        in_chat && !in_box
    });
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
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
    t.wait("a last look", |s| s.contains("Send this to Haruto"));
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

/// The demo's process by the mark in its environment.
fn process_marked(mark: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let environ = std::fs::read(e.path().join("environ")).ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        (environ.split(|b| *b == 0).any(|v| v == mark.as_bytes())
            && String::from_utf8_lossy(&cmdline).contains("demo"))
        .then_some(pid)
    })
}

#[test]
fn a_demo_whose_terminal_closes_leaves_nothing_behind() {
    if !tmux_available() {
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let home = common::TempDir::new("tmux-hangup");
    let t = Tmux::new(&format!("hirechat-hup-{}", std::process::id()), "hup");
    let mark = format!("HIRECHAT_TEST_MARK=hangup-{}", std::process::id());
    t.start(&format!(
        "env {mark} HOME={} TERM=xterm-256color {} demo",
        home.path().display(),
        env!("CARGO_BIN_EXE_hirechat")
    ));
    t.wait("the seeded inbox", |s| s.contains("Conversations (12)"));
    let pid = process_marked(&mark).expect("the demo's process");
    let dir = std::env::temp_dir().join(format!("hirechat-demo-{pid}"));
    assert!(dir.exists(), "the demo's directory");
    // The terminal goes away: tmux hangs up on the process.
    t.run(&["kill-server"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while dir.exists() || std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            Instant::now() < deadline,
            "{} is still there after the terminal closed",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `[attachments] picker_command`: in the reply box `Alt-a` runs the chooser (here a script
/// that prints a path, as `nnn -p -` would), its file is listed under the reply and goes out
/// with it.
#[test]
fn a_file_chosen_with_the_picker_command_is_sent() {
    if !tmux_available() {
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let home = common::TempDir::new("tmux-picker");
    let offer = home.path().join("offer_letter.pdf");
    std::fs::write(&offer, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").unwrap();
    let chooser = home.path().join("choose.sh");
    std::fs::write(&chooser, format!("#!/bin/sh\necho '{}'\n", offer.display())).unwrap();
    std::fs::set_permissions(
        &chooser,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[attachments]\npicker_command = \"{}\"\n",
            chooser.display()
        ),
    )
    .unwrap();
    let t = Tmux::new(&format!("hirechat-picker-{}", std::process::id()), "picker");
    t.start(&format!(
        "env HOME={} TERM=xterm-256color {} --config {} demo",
        home.path().display(),
        env!("CARGO_BIN_EXE_hirechat"),
        config.display()
    ));
    t.wait("the seeded inbox", |s| s.contains("Conversations (12)"));
    t.keys(&["Enter"]);
    t.wait("Haruto's chat", |s| {
        s.contains("Haruto Sato · +819012340001")
    });
    t.keys(&["r"]);
    t.wait("the compose box", |s| s.contains("Compose"));
    t.keys(&["M-a"]);
    t.wait("the chosen file under the reply", |s| {
        s.contains("📎 offer_letter.pdf · ")
    });
    t.text("Your offer letter");
    t.keys(&["Enter"]);
    // Sent: the caption under the document in the chat, with its file.
    t.wait("the document in the chat", |s| {
        s.contains("📄 Document: Your offer letter")
            && s.contains("📎 offer_letter.pdf · 23 B · ready")
    });
    t.keys(&["C-c"]);
}
