//! What the benchmarks share: a scratch folder, percentiles, and signed webhook deliveries
//! posted over keep-alive connections to the daemon's own listener, as Meta's concurrent
//! deliveries arrive.

use std::{sync::Arc, time::Instant};

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
