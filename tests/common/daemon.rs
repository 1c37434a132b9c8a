//! The real binary: a config file, `hirechat serve` as a child process, and the CLI.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use hirechat::{
    server::peer,
    sim::{Sim, SimConfig},
};

use super::{APP_SECRET, TOKEN};

/// What the binary would read from the environment instead of its arguments.
const ENVIRONMENT: [&str; 6] = [
    "HIRECHAT_CONFIG",
    "HIRECHAT_DATA_DIR",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "HIRECHAT_RELAY_TOKEN",
];

/// The binary with none of the environment that would change what it reads.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hirechat"));
    for var in ENVIRONMENT {
        c.env_remove(var);
    }
    c
}

/// A command with `dir/data` and `dir/config.toml`, to run or spawn.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = bin();
    c.arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .args(args);
    c
}

/// Runs a command with `dir/data` and `dir/config.toml`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().unwrap()
}

/// Waits (at most `secs`) until `done` holds, looking every 50 ms.
pub async fn until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates a template from the shell (`category`: utility, marketing…) and waits until
/// WhatsApp (the simulator) approved it.
pub async fn approved_template(dir: &Path, name: &str, category: &str, body: &str) {
    let out = run(
        dir,
        &[
            "templates",
            "create",
            "--name",
            name,
            "--body",
            body,
            "--lang",
            "en",
            "--category",
            category,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    until("the approval", 15, || {
        text(&run(dir, &["templates", "list", "--json"]).stdout).contains("approved")
    })
    .await;
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A port for a daemon to listen on later. Taken below the range Linux hands out to
/// `bind(…:0)` and to outgoing connections (32768 and up), so that no simulator or client of a
/// test running beside this one can take it before the daemon starts; each call of this test
/// process a different one, from where its process id puts it.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FROM: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(97) % SPAN;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = u16::try_from(FROM + (start + n) % SPAN).unwrap();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

pub fn me() -> String {
    peer::login_of(peer::current_uid().unwrap()).unwrap()
}

/// Writes `dir/config.toml` for a daemon on `port` that sends to `api_base`; `extra` is more
/// TOML (users).
pub fn write_config(dir: &Path, api_base: &str, port: u16, extra: &str) {
    write_config_full(dir, api_base, port, "", extra);
}

/// As [`write_config`], with more keys of `[webhook]` (limits).
pub fn write_config_full(dir: &Path, api_base: &str, port: u16, webhook: &str, extra: &str) {
    let config = format!(
        r#"
[whatsapp]
api_base = "{api_base}"
phone_number_id = "106540352242922"
business_account_id = "102290129340398"
access_token = "{TOKEN}"
app_secret = "{APP_SECRET}"
verify_token = "verify-me"

[webhook]
listen = "127.0.0.1:{port}"
{webhook}

[outbox]
first_retry_ms = 20
{extra}
"#
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
}

/// `hirechat serve`, killed when dropped.
pub struct Daemon(pub Child);

impl Daemon {
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, |_| {})
    }

    /// Starts the daemon after `adjust` has set up its command (an umask, limits).
    pub fn start_with(dir: &Path, adjust: impl FnOnce(&mut Command)) -> Self {
        Self::launch(dir, "serve", adjust)
    }

    /// `hirechat relay` with `dir/data` and `dir/config.toml`, killed when dropped.
    pub fn relay(dir: &Path) -> Self {
        Self::launch(dir, "relay", |_| {})
    }

    /// Runs `subcommand` (which says `listening on ADDR` first) after `adjust`.
    fn launch(dir: &Path, subcommand: &str, adjust: impl FnOnce(&mut Command)) -> Self {
        let mut command = bin();
        command
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--config")
            .arg(dir.join("config.toml"))
            .arg(subcommand)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        adjust(&mut command);
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if !line.starts_with("listening on 127.0.0.1:") {
            let mut told = String::new();
            // Stopped first, so that its stderr ends.
            let _ = child.kill();
            if let Some(mut err) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut err, &mut told);
            }
            panic!("daemon said {line:?}, and on stderr: {told}");
        }
        Self(child)
    }

    /// Starts the daemon from a shell that runs `setup` first (`ulimit -n 64`, `umask 022`).
    pub fn start_after(dir: &Path, setup: &str) -> Self {
        Self::start_with(dir, |c| {
            let program = c.get_program().to_owned();
            let args: Vec<_> = c.get_args().map(ToOwned::to_owned).collect();
            let mut shell = Command::new("sh");
            shell
                .arg("-c")
                .arg(format!("{setup} && exec \"$0\" \"$@\""))
                .arg(program)
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            for var in ENVIRONMENT {
                shell.env_remove(var);
            }
            *c = shell;
        })
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn terminate(mut self) {
        let pid = self.0.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.0.wait().unwrap();
    }

    /// A line of the daemon's `/proc/PID/status` in kB (`VmRSS`, `VmHWM`).
    pub fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/{}/status", self.pid()))
    }

    /// Resets the peak (`VmHWM`) to the present size.
    pub fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5").unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Posts a signed delivery of one text message from `from` to the daemon on `port`.
pub async fn writes(port: u16, from: &str, id: &str, text: &str) {
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Candidate"}},"wa_id":"{from}"}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{}","type":"text","text":{{"body":"{text}"}}}}]}}}}]}}]}}"#,
        chrono::Utc::now().timestamp()
    );
    let sig = hirechat::whatsapp::signature::sign(APP_SECRET, body.as_bytes());
    let status = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/webhook"))
        .header("x-hub-signature-256", sig)
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
}

/// A simulator whose webhooks go to a daemon on `port`.
pub async fn sim_for(port: u16) -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Sim::start(
        listener,
        SimConfig {
            access_token: TOKEN.into(),
            app_secret: APP_SECRET.into(),
            webhook_url: Some(format!("http://127.0.0.1:{port}/webhook")),
            status_delays: [Duration::from_millis(20); 3],
            ..SimConfig::default()
        },
    )
    .unwrap()
}
