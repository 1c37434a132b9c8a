//! The daemon's local socket: newline-delimited JSON. A client writes one `Request` per line
//! and reads one `Response` per line; after `subscribe` the server streams `event` responses.
//! The caller is known by the socket's peer credentials, never by what it claims.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{
        UnixListener, UnixStream,
        unix::{OwnedReadHalf, OwnedWriteHalf},
    },
};

use super::{accept::Backoff, peer};
use crate::{
    config::Config,
    domain::permission::Actor,
    engine::{Engine, Request, Response, api::ErrorView},
};

/// The longest request line the daemon reads (an import batch is well under it); a longer
/// one is refused without being held in memory.
pub const MAX_LINE: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("another hirechat daemon is already running on {0}")]
    InUse(PathBuf),
    #[error("socket {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Binds the socket with mode 0660 (the owner and the team's group). A socket file left by a
/// daemon that died is replaced; one that answers belongs to a running daemon.
pub async fn bind(path: &Path) -> Result<UnixListener, SocketError> {
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(SocketError::InUse(path.to_owned()));
        }
        std::fs::remove_file(path).map_err(|e| SocketError::Io(path.to_owned(), e))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| SocketError::Io(path.to_owned(), e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(|e| SocketError::Io(path.to_owned(), e))?;
    Ok(listener)
}

pub async fn serve(listener: UnixListener, engine: Engine, config: Arc<Config>) {
    let own_uid = peer::current_uid();
    let mut backoff = Backoff::new("socket");
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => {
                backoff.reset();
                s
            }
            Err(e) => {
                backoff.failed(&e).await;
                continue;
            }
        };
        let (engine, config) = (engine.clone(), config.clone());
        tokio::spawn(async move {
            let actor = match stream.peer_cred() {
                Ok(cred) => peer::actor_for(&config, cred.uid(), own_uid),
                Err(e) => Err(format!("cannot identify the caller: {e}")),
            };
            let (read, mut write) = stream.into_split();
            match actor {
                Ok(actor) => {
                    if let Err(e) = session(&engine, &actor, read, &mut write).await {
                        tracing::debug!(error = %e, login = actor.login, "socket session ended");
                    }
                }
                Err(message) => {
                    tracing::warn!(%message, "socket caller refused");
                    let refusal = Response::Error {
                        error: ErrorView {
                            kind: "forbidden".into(),
                            message,
                        },
                    };
                    let _ = send(&mut write, &refusal).await;
                }
            }
        });
    }
}

async fn session(
    engine: &Engine,
    actor: &Actor,
    read: OwnedReadHalf,
    write: &mut OwnedWriteHalf,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        let limit = MAX_LINE as u64 + 1;
        if (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut line)
            .await?
            == 0
        {
            return Ok(());
        }
        if line.len() > MAX_LINE {
            // The rest of the line is never read: the session ends with the answer.
            tracing::warn!(
                login = actor.login,
                "socket request over the size limit refused"
            );
            let error = ErrorView {
                kind: "bad_input".into(),
                message: format!(
                    "a request may be at most {} MiB; this one is longer",
                    MAX_LINE / (1024 * 1024)
                ),
            };
            return send(write, &Response::Error { error }).await;
        }
        let request: Request = match serde_json::from_slice(&line) {
            Ok(r) => r,
            Err(e) => {
                let error = ErrorView {
                    kind: "bad_input".into(),
                    message: format!("not a request: {e}"),
                };
                send(write, &Response::Error { error }).await?;
                continue;
            }
        };
        if request == Request::Subscribe {
            let mut events = engine.subscribe();
            send(write, &Response::Subscribed).await?;
            loop {
                match events.recv().await {
                    Ok(event) => {
                        send(
                            write,
                            &Response::Event {
                                event: Box::new(event),
                            },
                        )
                        .await?;
                    }
                    // A slow reader skips what it missed rather than stalling the engine.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "a subscriber fell behind");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
                }
            }
        }
        let response = match engine.handle(actor, request).await {
            Ok(r) => r,
            Err(e) => Response::Error { error: e.view() },
        };
        send(write, &response).await?;
    }
}

async fn send(write: &mut OwnedWriteHalf, response: &Response) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(response).map_err(std::io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await
}

/// The client side, used by the CLI (and the TUI) when a daemon runs.
pub struct Client {
    lines: tokio::io::Lines<BufReader<OwnedReadHalf>>,
    write: OwnedWriteHalf,
}

impl Client {
    /// Connects when a daemon is listening on `path`; `None` when none is.
    pub async fn connect(path: &Path) -> Option<Self> {
        let stream = UnixStream::connect(path).await.ok()?;
        let (read, write) = stream.into_split();
        Some(Self {
            lines: BufReader::new(read).lines(),
            write,
        })
    }

    pub async fn call(&mut self, request: &Request) -> std::io::Result<Response> {
        let mut line = serde_json::to_vec(request).map_err(std::io::Error::other)?;
        line.push(b'\n');
        // A refused caller is answered and closed before it writes: the answer still counts.
        let written = self.write.write_all(&line).await;
        match self.next().await {
            Ok(r) => Ok(r),
            Err(e) => Err(written.err().unwrap_or(e)),
        }
    }

    pub async fn next(&mut self) -> std::io::Result<Response> {
        let line = self.lines.next_line().await?.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the daemon closed the connection",
            )
        })?;
        serde_json::from_str(&line).map_err(std::io::Error::other)
    }
}
