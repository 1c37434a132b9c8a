//! What the benchmarks share: a scratch folder, percentiles, signed webhook deliveries posted
//! over keep-alive connections to the daemon's own listener (as Meta's concurrent deliveries
//! arrive), and the binary run as a child process whose memory is read.
#![allow(
    dead_code,
    reason = "each benchmark uses a different part of what they share"
)]

use std::{sync::Arc, time::Instant};

/// As the binary allocates (`src/main.rs`), so that what is measured is what runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use hirechat::{
    config::Config,
    engine::Engine,
    server::webhook::{WebhookState, router},
    whatsapp::signature,
};

pub fn temp_dir(label: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("hirechat-bench-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "indexes are small"
    )]
    let i = (sorted.len().saturating_sub(1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

/// Serves `engine`'s webhook endpoint on 127.0.0.1 through the daemon's own listener, with
/// its limits as `config` sets them; returns its URL.
pub async fn serve_webhooks(engine: &Engine, config: &Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let app = router("/webhook", WebhookState::new(engine.clone(), config));
    let limits = hirechat::server::http::Limits::from_config(&config.webhook);
    tokio::spawn(hirechat::server::http::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    url
}

/// Posts every body, signed with `secret`, over `concurrency` keep-alive connections, each
/// expecting 200; returns the seconds it took and each acknowledgement's latency in ms.
pub async fn post_signed(
    url: &str,
    bodies: &[Vec<u8>],
    secret: &str,
    concurrency: usize,
) -> (f64, Vec<f64>) {
    let signed: Arc<Vec<(Vec<u8>, String)>> = Arc::new(
        bodies
            .iter()
            .map(|b| (b.clone(), signature::sign(secret, b)))
            .collect(),
    );
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (signed, url) = (signed.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            // One connection per worker.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut lat = Vec::new();
            for i in (w..signed.len()).step_by(concurrency) {
                let (body, sig) = &signed[i];
                let t = Instant::now();
                let r = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", sig)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    (start.elapsed().as_secs_f64(), lat)
}

/// `hirechat SUBCOMMAND` (`serve`, `relay`) with `dir/data` and `dir/config.toml`, once it
/// says it listens; killed when dropped.
pub struct Process(std::process::Child);

/// The binary with `dir/data` and `dir/config.toml` (and no access token from the
/// environment).
pub fn command(dir: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hirechat"));
    c.arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .env_remove("WHATSAPP_ACCESS_TOKEN");
    c
}

impl Process {
    pub fn start(subcommand: &str, dir: &std::path::Path) -> Self {
        use std::io::BufRead as _;
        let mut child = command(dir)
            .arg(subcommand)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("listening on"), "{line}");
        Self(child)
    }

    /// A line of `/proc/PID/status`, in MB.
    pub fn memory_mb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kb / 1024.0
    }

    /// Resets the peak (`VmHWM`) to the present size.
    pub fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.0.id()), "5").unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
