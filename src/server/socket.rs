//! The daemon's local socket: newline-delimited JSON. A client writes `RequestLine`s and reads
//! `ResponseLine`s. A request with an `id` is carried out beside the others and answered with
//! that id whenever it is done; one without is answered in order. After `subscribe` the
//! session also streams `event` lines (and `lagged` when it fell behind), while requests go
//! on. The caller is known by the socket's peer credentials, never by what it claims.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{UnixListener, UnixStream, unix::OwnedReadHalf},
    sync::{Semaphore, broadcast::error::RecvError, mpsc},
};

use super::{accept::Backoff, peer};
use crate::{
    config::Config,
    domain::permission::Actor,
    engine::{
        Engine, Request, Response,
        api::{ErrorKind, ErrorView, RequestLine, ResponseLine},
    },
};

/// The longest request line the daemon reads (an import batch is well under it); a longer
/// one is refused without being held in memory.
pub const MAX_LINE: usize = 1024 * 1024;
/// Requests one client may have in hand at once.
const IN_HAND: usize = 16;
/// Answers and events waiting to be written to one client; a client that reads none of them
/// holds up its own requests, and its events are dropped (it is told it lagged).
const QUEUE: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("another hirechat daemon is already running on {0}")]
    InUse(PathBuf),
    #[error("socket {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Whether a daemon answers on `path`.
pub async fn answers(path: &Path) -> bool {
    UnixStream::connect(path).await.is_ok()
}

/// Binds the socket with mode 0660 (the owner and the team's group). A socket file left by a
/// daemon that died is replaced; one that answers belongs to a running daemon.
pub async fn bind(path: &Path) -> Result<UnixListener, SocketError> {
    if path.exists() {
        if answers(path).await {
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
                Ok(cred) => peer::actor_for(&config, cred.uid(), own_uid).map(|a| {
                    let caller = peer::Caller {
                        uid: cred.uid(),
                        gid: cred.gid(),
                    };
                    (a, caller)
                }),
                Err(e) => Err(format!("cannot identify the caller: {e}")),
            };
            let (read, mut write) = stream.into_split();
            let (lines, mut queued) = mpsc::channel::<Vec<u8>>(QUEUE);
            let writer = tokio::spawn(async move {
                while let Some(line) = queued.recv().await {
                    if write.write_all(&line).await.is_err() {
                        return;
                    }
                }
            });
            match actor {
                Ok((actor, caller)) => {
                    tracing::debug!(login = actor.login, "socket session opened");
                    let who = Who {
                        actor: &actor,
                        caller,
                        own_uid,
                    };
                    if let Err(e) = session(&engine, who, read, &lines).await {
                        tracing::debug!(error = %e, login = actor.login, "socket session ended");
                    }
                }
                Err(message) => {
                    tracing::warn!(%message, "socket caller refused");
                    let refusal = error(ErrorKind::Forbidden, message);
                    let _ = lines.send(encode(None, &refusal)).await;
                }
            }
            drop(lines);
            let _ = writer.await;
        });
    }
}

fn error(kind: ErrorKind, message: String) -> Response {
    Response::Error {
        error: ErrorView { kind, message },
    }
}

fn encode(id: Option<u64>, response: &Response) -> Vec<u8> {
    let line = ResponseLine {
        id,
        response: response.clone(),
    };
    let mut bytes = serde_json::to_vec(&line).unwrap_or_else(|e| {
        serde_json::to_vec(&ResponseLine {
            id,
            response: error(
                ErrorKind::Unavailable,
                format!("cannot encode the answer: {e}"),
            ),
        })
        .unwrap_or_default()
    });
    bytes.push(b'\n');
    bytes
}

/// The caller of a session: their hirechat user and their Unix ids.
#[derive(Clone, Copy)]
struct Who<'a> {
    actor: &'a Actor,
    caller: peer::Caller,
    own_uid: Option<u32>,
}

async fn session(
    engine: &Engine,
    who: Who<'_>,
    read: OwnedReadHalf,
    lines: &mpsc::Sender<Vec<u8>>,
) -> std::io::Result<()> {
    let closed = || std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left");
    let actor = who.actor;
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    let mut subscribed = false;
    let busy = Arc::new(Semaphore::new(IN_HAND));
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
            let refusal = error(
                ErrorKind::BadInput,
                format!(
                    "a request may be at most {} MiB; this one is longer",
                    MAX_LINE / (1024 * 1024)
                ),
            );
            return lines
                .send(encode(None, &refusal))
                .await
                .map_err(|_| closed());
        }
        let RequestLine { id, request } = match serde_json::from_slice(&line) {
            Ok(r) => r,
            Err(e) => {
                let refusal = error(ErrorKind::BadInput, format!("not a request: {e}"));
                lines
                    .send(encode(None, &refusal))
                    .await
                    .map_err(|_| closed())?;
                continue;
            }
        };
        if request == Request::Subscribe {
            if !subscribed {
                subscribed = true;
                // Subscribed before the answer: no event after it is missed.
                tokio::spawn(stream_events(engine.subscribe(), lines.clone()));
            }
            lines
                .send(encode(id, &Response::Subscribed))
                .await
                .map_err(|_| closed())?;
            continue;
        }
        // A client may have this many requests in hand at once; the next waits.
        let slot = busy.clone().acquire_owned().await.map_err(|_| closed())?;
        let (engine, actor, lines) = (engine.clone(), actor.clone(), lines.clone());
        let checked = peer::own_files_only(request, who.caller, who.own_uid);
        let answer = async move {
            let response = match checked {
                Err(message) => error(ErrorKind::Forbidden, message),
                Ok(request) => match engine.handle(&actor, request).await {
                    Ok(r) => r,
                    Err(e) => Response::Error { error: e.view() },
                },
            };
            drop(slot);
            lines.send(encode(id, &response)).await.is_ok()
        };
        if id.is_some() {
            tokio::spawn(answer);
        } else if !answer.await {
            return Err(closed());
        }
    }
}

/// Every engine event to the client, until it leaves. One that falls behind is told how
/// many it missed, so that it loads again what it shows.
async fn stream_events(
    mut events: tokio::sync::broadcast::Receiver<std::sync::Arc<crate::domain::event::Event>>,
    lines: mpsc::Sender<Vec<u8>>,
) {
    let mut missed = 0u64;
    loop {
        let response = match events.recv().await {
            Ok(event) => Response::Event {
                event: Box::new(std::sync::Arc::unwrap_or_clone(event)),
            },
            Err(RecvError::Lagged(n)) => {
                missed += n;
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        if missed > 0 {
            tracing::warn!(missed, "a subscriber fell behind; it loads again");
            match lines.try_send(encode(None, &Response::Lagged { missed })) {
                Ok(()) => missed = 0,
                Err(mpsc::error::TrySendError::Full(_)) => continue,
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            }
        }
        match lines.try_send(encode(None, &response)) {
            Ok(()) => {}
            // A client that does not read loses events, not the daemon's memory.
            Err(mpsc::error::TrySendError::Full(_)) => missed += 1,
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
    }
}
