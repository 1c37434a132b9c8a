//! Webhooks for an inbox that Meta cannot reach. `hirechat relay` runs on a host Meta can
//! reach: it keeps each delivery's raw bytes and signature header on disk before answering
//! 200 and hands them to its consumers after a cursor (`server`, `writer`). The inbox's
//! worker (`worker`) reads them, checks Meta's signature itself (the relay is not trusted),
//! ingests them like a direct webhook and acknowledges once they are durable.

pub mod server;
pub mod wire;
pub mod worker;
pub mod writer;

use std::{path::Path, time::Duration};

use chrono::Utc;

use crate::{
    config::{Config, ConfigError, Need},
    server::{daemon::shutdown_signal, http},
    store::{StoreError, relay_log::RelayLog},
};

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the relay: {0}")]
    Start(std::io::Error),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
}

/// How often acknowledged deliveries past their retention are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// The relay's endpoints on its database in `data_dir` (opened, with its writer and the task
/// that deletes what is acknowledged and old). Must run inside a tokio runtime.
pub fn app(config: &Config, data_dir: &Path) -> Result<axum::Router, RelayError> {
    config.require(Need::Relay)?;
    std::fs::create_dir_all(data_dir).map_err(RelayError::Start)?;
    let log = RelayLog::open(data_dir, config.relay_server.cache_mb)?;
    let cap = config.relay_server.max_store_mb.saturating_mul(1024 * 1024);
    let writer = writer::Writer::start(log.clone(), cap).map_err(RelayError::Start)?;
    let state = server::RelayState::new(config, log.clone(), writer);
    tokio::spawn(prune(log, config.clone()));
    Ok(server::router(&config.webhook.path, state))
}

/// `hirechat relay`: serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config, data_dir: &Path) -> Result<(), RelayError> {
    let router = app(&config, data_dir)?;
    let tcp = tokio::net::TcpListener::bind(config.webhook.listen)
        .await
        .map_err(|e| RelayError::Listen(config.webhook.listen, e))?;
    let addr = tcp
        .local_addr()
        .map_err(|e| RelayError::Listen(config.webhook.listen, e))?;
    tracing::info!(%addr, "relay listening");
    println!("listening on {addr}");
    http::serve(
        tcp,
        router,
        http::Limits::from_config(&config.webhook),
        shutdown_signal(),
    )
    .await;
    tracing::info!("relay stopped");
    Ok(())
}

/// Deletes what every consumer has acknowledged once it is older than the retention.
async fn prune(log: RelayLog, config: Config) {
    let retention = chrono::Duration::hours(
        i64::try_from(config.relay_server.retention_hours).unwrap_or(i64::MAX / 3_600_000),
    );
    let names: Vec<String> = config
        .relay_server
        .consumers
        .iter()
        .map(|c| c.name.clone())
        .collect();
    loop {
        let log = log.clone();
        let names = names.clone();
        let pruned = tokio::task::spawn_blocking(move || -> Result<usize, StoreError> {
            let acks = names
                .iter()
                .map(|n| log.acked(n))
                .collect::<Result<Vec<_>, _>>()?;
            let through = crate::domain::relay_link::deletable_through(acks);
            log.prune(through, Utc::now() - retention)
        })
        .await;
        match pruned {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => {
                tracing::info!(
                    deleted = n,
                    "acknowledged deliveries past retention deleted"
                );
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "acknowledged deliveries could not be deleted");
            }
            Err(_) => return,
        }
        tokio::time::sleep(PRUNE_EVERY).await;
    }
}
