//! One connection to the daemon for a whole session: requests carry ids so that many can be
//! in hand at once, and the event stream comes on the same connection. When the daemon goes
//! away, calls in hand fail at once, the feed says it is reconnecting, and the connection is
//! made again (and the stream asked for again) as soon as the daemon answers.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::UnixStream,
    sync::{mpsc, oneshot},
};

use super::{ClientError, Feed};
use crate::engine::{
    Request, Response,
    api::{RequestLine, ResponseLine},
};

/// How long to wait between attempts to reach a daemon that went away.
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MOST: Duration = Duration::from_secs(2);

type Reply = oneshot::Sender<Result<Response, ClientError>>;

enum Order {
    Call(Box<Request>, Reply),
    /// Send the event stream here (asked again after every reconnection).
    Subscribe(mpsc::UnboundedSender<Feed>),
}

#[derive(Clone)]
pub struct DaemonClient {
    orders: mpsc::UnboundedSender<Order>,
}

impl DaemonClient {
    /// Connects when a daemon answers on `socket`; `None` when none does.
    pub async fn connect(socket: &Path) -> Option<Self> {
        let stream = UnixStream::connect(socket).await.ok()?;
        let (orders, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(socket.to_owned(), stream, rx));
        Some(Self { orders })
    }

    pub async fn call(&self, request: Request) -> Result<Response, ClientError> {
        let (reply, answer) = oneshot::channel();
        self.orders
            .send(Order::Call(Box::new(request), reply))
            .map_err(|_| ClientError::Lost("the connection is closed".into()))?;
        answer
            .await
            .map_err(|_| ClientError::Lost("the connection is closed".into()))?
    }

    /// The daemon's events (and the connection's ups and downs) from now on.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Feed> {
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = self.orders.send(Order::Subscribe(tx));
        rx
    }
}

/// Owns the connection: writes requests, matches answers to them by id, forwards events, and
/// reconnects when the daemon goes away. Ends when every handle to the client is dropped.
async fn run(socket: PathBuf, stream: UnixStream, mut orders: mpsc::UnboundedReceiver<Order>) {
    let mut feeds: Vec<mpsc::UnboundedSender<Feed>> = Vec::new();
    let mut stream = Some(stream);
    let mut next_id = 0u64;
    loop {
        let Some(connected) = stream.take() else {
            // Reconnecting: orders meanwhile fail at once, so no one waits on a dead daemon.
            let why = "the daemon is not answering; reconnecting";
            match reconnect(&socket, &mut orders, &mut feeds, why).await {
                Some(s) => {
                    stream = Some(s);
                    continue;
                }
                None => return,
            }
        };
        let (read, mut write) = connected.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut pending: HashMap<u64, Reply> = HashMap::new();
        if !feeds.is_empty() {
            next_id += 1;
            if write_line(&mut write, next_id, &Request::Subscribe)
                .await
                .is_err()
            {
                continue;
            }
            feeds.retain(|f| f.send(Feed::Reconnected).is_ok());
        }
        let why = loop {
            tokio::select! {
                order = orders.recv() => match order {
                    None => return,
                    Some(Order::Subscribe(feed)) => {
                        let first = feeds.is_empty();
                        feeds.push(feed);
                        if first {
                            next_id += 1;
                            if let Err(e) = write_line(&mut write, next_id, &Request::Subscribe).await {
                                break e.to_string();
                            }
                        }
                    }
                    Some(Order::Call(request, reply)) => {
                        next_id += 1;
                        pending.insert(next_id, reply);
                        if let Err(e) = write_line(&mut write, next_id, &request).await {
                            break e.to_string();
                        }
                    }
                },
                line = lines.next_line() => match line {
                    Ok(Some(line)) => match dispatch(&line, &mut pending, &mut feeds) {
                        Ok(()) => {}
                        Err(Broken::Why(why)) => break why,
                        Err(Broken::Refused(error)) => {
                            refused(error, pending, feeds, orders).await;
                            return;
                        }
                    },
                    Ok(None) => break "the daemon closed the connection".to_owned(),
                    Err(e) => break e.to_string(),
                },
            }
        };
        // A daemon that refuses a caller answers, then hangs up: a write may fail before the
        // answer is read. What it said last is read before calling the connection lost.
        if let Some(error) = last_words(&mut lines).await {
            refused(error, pending, feeds, orders).await;
            return;
        }
        for (_, reply) in pending.drain() {
            let _ = reply.send(Err(ClientError::Lost(why.clone())));
        }
        feeds.retain(|f| f.send(Feed::Reconnecting(why.clone())).is_ok());
    }
}

/// A refusal among the lines still to be read on a connection that broke, if there is one.
async fn last_words(
    lines: &mut tokio::io::Lines<BufReader<tokio::net::unix::OwnedReadHalf>>,
) -> Option<crate::engine::api::ErrorView> {
    let read = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Ok(ResponseLine {
                id: None,
                response: Response::Error { error },
            }) = serde_json::from_str(&line)
                && error.kind == crate::engine::api::ErrorKind::Forbidden
            {
                return Some(error);
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_millis(200), read)
        .await
        .ok()
        .flatten()
}

/// Why a connection ended: it broke, or the daemon refused the caller (not a hirechat user).
enum Broken {
    Why(String),
    Refused(crate::engine::api::ErrorView),
}

/// The daemon refused this user: every call, now and later, gets that refusal, and the
/// connection is not made again.
async fn refused(
    error: crate::engine::api::ErrorView,
    pending: HashMap<u64, Reply>,
    feeds: Vec<mpsc::UnboundedSender<Feed>>,
    mut orders: mpsc::UnboundedReceiver<Order>,
) {
    for (_, reply) in pending {
        let _ = reply.send(Err(error.clone().into()));
    }
    for feed in &feeds {
        let _ = feed.send(Feed::Reconnecting(error.message.clone()));
    }
    while let Some(order) = orders.recv().await {
        match order {
            Order::Call(_, reply) => {
                let _ = reply.send(Err(error.clone().into()));
            }
            Order::Subscribe(feed) => {
                let _ = feed.send(Feed::Reconnecting(error.message.clone()));
            }
        }
    }
}

/// One line from the daemon: an answer (to the request with its id), or the event stream.
fn dispatch(
    line: &str,
    pending: &mut HashMap<u64, Reply>,
    feeds: &mut Vec<mpsc::UnboundedSender<Feed>>,
) -> Result<(), Broken> {
    let ResponseLine { id, response } = serde_json::from_str(line)
        .map_err(|e| Broken::Why(format!("the daemon answered something unreadable: {e}")))?;
    match (id, response) {
        (_, Response::Event { event }) => {
            feeds.retain(|f| f.send(Feed::Event(event.clone())).is_ok());
        }
        (_, Response::Lagged { missed }) => {
            tracing::warn!(missed, "events were missed; loading again");
            feeds.retain(|f| f.send(Feed::Resync).is_ok());
        }
        (Some(id), response) => {
            if let Some(reply) = pending.remove(&id) {
                let _ = reply.send(match response {
                    Response::Error { error } => Err(error.into()),
                    other => Ok(other),
                });
            }
        }
        // An answer without an id is about the connection itself: the caller refused, or a
        // line the daemon would not read (it then hangs up).
        (None, Response::Error { error }) => {
            return Err(if error.kind == crate::engine::api::ErrorKind::Forbidden {
                Broken::Refused(error)
            } else {
                Broken::Why(error.message)
            });
        }
        (None, _) => {}
    }
    Ok(())
}

async fn write_line(
    write: &mut tokio::net::unix::OwnedWriteHalf,
    id: u64,
    request: &Request,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&RequestLine {
        id: Some(id),
        request: request.clone(),
    })
    .map_err(std::io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await
}

/// Waits for the daemon to answer again, failing the orders that come meanwhile; `None` when
/// the client is gone.
async fn reconnect(
    socket: &Path,
    orders: &mut mpsc::UnboundedReceiver<Order>,
    feeds: &mut Vec<mpsc::UnboundedSender<Feed>>,
    why: &str,
) -> Option<UnixStream> {
    let mut delay = RETRY_FIRST;
    loop {
        if let Ok(s) = UnixStream::connect(socket).await {
            return Some(s);
        }
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => break,
                order = orders.recv() => match order? {
                    Order::Call(_, reply) => {
                        let _ = reply.send(Err(ClientError::Lost(why.to_owned())));
                    }
                    Order::Subscribe(feed) => {
                        let _ = feed.send(Feed::Reconnecting(why.to_owned()));
                        feeds.push(feed);
                    }
                },
            }
        }
        delay = (delay * 2).min(RETRY_MOST);
    }
}
