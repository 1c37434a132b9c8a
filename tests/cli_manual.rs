//! The CLI describes itself: every argument has a help line, shells complete it, `man` shows it.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::process::Command;

use clap::CommandFactory;
use common::daemon::bin;

/// Every argument of every command, with the command's path.
fn arguments(command: &clap::Command, path: &str, out: &mut Vec<(String, clap::Arg)>) {
    for arg in command.get_arguments() {
        out.push((path.to_owned(), arg.clone()));
    }
    for sub in command.get_subcommands() {
        arguments(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

#[test]
fn every_argument_says_what_it_is_for() {
    let mut all = Vec::new();
    let mut command = hirechat::cli::Cli::command();
    command.build();
    arguments(&command, "hirechat", &mut all);
    let silent: Vec<String> = all
        .iter()
        .filter(|(_, a)| a.get_help().is_none() && a.get_long_help().is_none())
        .map(|(path, a)| format!("{path} {}", a.get_id()))
        .collect();
    assert!(silent.is_empty(), "without a help line: {silent:?}");
    let help = bin().args(["conversations", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: 50]"), "{help}");
}

#[test]
fn bash_completes_commands_and_options() {
    if Command::new("bash").arg("--version").output().is_err() {
        println!("skipped: bash is not installed");
        return;
    }
    let script = bin().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let dir = common::TempDir::new("completions");
    let file = dir.path().join("hirechat.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let complete = |words: &str| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_LINE=\"{words}\"; COMP_POINT=${{#COMP_LINE}}; _hirechat hirechat \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; echo \"${{COMPREPLY[*]}}\"",
                file.display()
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(complete("hirechat conv").contains("conversations"));
    assert!(complete("hirechat send --wa").contains("--wait"));
    for shell in ["zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
}

#[test]
fn man_renders_every_command_and_option() {
    let page = bin().arg("man").output().unwrap();
    assert!(page.status.success());
    let roff = String::from_utf8_lossy(&page.stdout);
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH hirechat"),
        "{roff}"
    );
    let rendered = Command::new("sh")
        .arg("-c")
        .arg("command -v man >/dev/null && MANWIDTH=100 man -l - | col -b")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = rendered else {
        println!("skipped rendering: no sh");
        return;
    };
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &page.stdout).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        println!("skipped rendering: man is not installed");
        return;
    }
    for part in [
        "HIRECHAT SEND",
        "--wait <SECS>",
        "[default: 20]",
        "HIRECHAT TEMPLATES CREATE",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
}
