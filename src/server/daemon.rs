//! `hirechat serve`: the engine, the outbox, the webhook listener and the local socket in one
//! process, which owns the database (sled allows one process per database).

use std::{path::Path, sync::Arc};

use crate::{
    config::{Config, ConfigError, Need},
    engine::{Engine, EngineError},
    paths,
};

use super::{http, socket, webhook};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Socket(#[from] socket::SocketError),
    #[error("cannot listen for webhooks on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
}

pub async fn run(config: Config, data_dir: &Path) -> Result<(), DaemonError> {
    config.require(Need::Serve)?;
    std::fs::create_dir_all(data_dir).map_err(|e| {
        EngineError::Unavailable(format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        ))
    })?;
    let socket_path = paths::socket_file(data_dir);
    // A running daemon answers on the socket: say so before touching its database.
    if socket::answers(&socket_path).await {
        return Err(socket::SocketError::InUse(socket_path).into());
    }
    let engine = Engine::start(&config, data_dir, true).await?;
    let unix = socket::bind(&socket_path).await?;
    let tcp = tokio::net::TcpListener::bind(config.webhook.listen)
        .await
        .map_err(|e| DaemonError::Listen(config.webhook.listen, e))?;
    let addr = tcp
        .local_addr()
        .map_err(|e| DaemonError::Listen(config.webhook.listen, e))?;
    let router = webhook::router(
        &config.webhook.path,
        webhook::WebhookState::new(engine.clone(), &config),
    );
    let config = Arc::new(config);
    let limits = http::Limits::from_config(&config.webhook);
    tokio::spawn(socket::serve(unix, engine.clone(), config));
    tracing::info!(%addr, socket = %socket_path.display(), "listening");
    println!("listening on {addr}");
    http::serve(tcp, router, limits, shutdown_signal()).await;
    let _ = std::fs::remove_file(&socket_path);
    engine.store().flush().map_err(EngineError::from)?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in hand. (`kill -9` needs nothing: every
/// acknowledged webhook is already on disk.)
pub async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}
