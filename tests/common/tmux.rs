//! tmux for end-to-end tests: a private server, keys in with `send-keys`, the screen out with
//! `capture-pane`, polled until the expected text appears.

use std::{
    process::Command,
    time::{Duration, Instant},
};

/// A tmux server of the test's own, with one session (`target`) whose screen is read.
pub struct Tmux {
    socket: String,
    target: String,
}

impl Tmux {
    pub fn new(socket: &str, target: &str) -> Self {
        Self {
            socket: socket.to_owned(),
            target: target.to_owned(),
        }
    }

    /// Starts the session at 160×45 running `command` (a shell command line).
    pub fn start(&self, command: &str) {
        let started = self.run(&[
            "new-session",
            "-d",
            "-s",
            &self.target,
            "-x",
            "160",
            "-y",
            "45",
            command,
        ]);
        assert!(started.status.success(), "{started:?}");
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", &self.target]).stdout)
            .into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.target.as_str()];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", &self.target, "-l", text])
                .status
                .success()
        );
    }

    /// Polls the screen until `pred` holds; no fixed sleeps.
    pub fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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

    pub fn alive(&self) -> bool {
        self.run(&["has-session", "-t", &self.target])
            .status
            .success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
