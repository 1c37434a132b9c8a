//! The inbox's side of a relay (`[webhook] mode = "relay"`): reads deliveries after its
//! cursor by long poll, checks Meta's signature on the bytes Meta sent (the relay is not
//! trusted), ingests them as the webhook endpoint would (repeats are stored once), and
//! acknowledges them once they are durable here. Failing, it waits (one second, doubling, at
//! most `[relay] max_backoff_secs`) and tries again from its acknowledged cursor; every header
//! shows how the link stands.

use std::time::Duration;

use chrono::Utc;

use super::wire::{Ack, Page, Relayed, Standing};
use crate::{
    config::{Config, RelayConfig, Secret},
    domain::relay_link::{RelayLink, retry_delay},
    engine::Engine,
    whatsapp::signature,
};

/// Deliveries read in one poll, at most.
const PAGE: usize = 200;

#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("the relay refused this inbox's token (relay.token)")]
    Refused,
    #[error("whatsapp.app_secret is needed to check what the relay hands over")]
    NoAppSecret,
    #[error("the relay answered HTTP {0}")]
    Status(u16),
    #[error("the relay could not be reached")]
    Unreachable,
    #[error("the relay's answer could not be read")]
    Unreadable,
    #[error("what the relay handed over could not be stored here: {0}")]
    Store(String),
}

pub struct Worker {
    engine: Engine,
    http: reqwest::Client,
    url: String,
    token: Secret,
    wait: Duration,
    max_backoff: Duration,
    link: RelayLink,
    /// The newest refused delivery counted: one read again (after a failed acknowledgement)
    /// is not counted twice.
    refused_through: u64,
}

/// Starts the worker when the configuration reads webhooks from a relay.
pub fn start(engine: &Engine, config: &Config) {
    if config.webhook.mode != crate::config::FeedMode::Relay {
        return;
    }
    // Without an app secret nothing can be checked: the link says so until one is connected.
    match Worker::new(engine.clone(), &config.relay) {
        Ok(worker) => {
            tokio::spawn(worker.run());
        }
        Err(e) => tracing::error!(error = %e, "the relay worker could not start"),
    }
}

impl Worker {
    fn new(engine: Engine, relay: &RelayConfig) -> Result<Self, reqwest::Error> {
        let wait = Duration::from_secs(relay.wait_secs);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(wait + Duration::from_secs(20))
            .build()?;
        Ok(Self {
            engine,
            http,
            url: relay.url.trim_end_matches('/').to_owned(),
            token: relay.token.clone(),
            wait,
            max_backoff: Duration::from_secs(relay.max_backoff_secs),
            link: RelayLink::connecting(),
            refused_through: 0,
        })
    }

    async fn run(mut self) {
        self.engine.set_relay_link(self.link.clone());
        let mut failures = 0u32;
        // Unknown at first: the relay then reads after this inbox's acknowledged cursor.
        let mut after: Option<u64> = None;
        loop {
            match self.round(after).await {
                Ok(read_through) => {
                    failures = 0;
                    after = Some(read_through);
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let delay = retry_delay(failures, self.max_backoff, fastrand::f64());
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis(), "relay link failing");
                    self.link.failed(Utc::now(), e.to_string());
                    self.engine.set_relay_link(self.link.clone());
                    after = None;
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// One poll: read, check, ingest, acknowledge. Returns the cursor read through.
    async fn round(&mut self, after: Option<u64>) -> Result<u64, LinkError> {
        if self.engine.webhook_secrets().0.is_empty() {
            return Err(LinkError::NoAppSecret);
        }
        let page = self.poll(after).await?;
        let start =
            after.unwrap_or_else(|| page.events.first().map_or(page.last, |e| e.cursor - 1));
        let through = page.read_through(start);
        self.link
            .connected(Utc::now(), page.last.saturating_sub(through));
        if page.events.is_empty() {
            self.engine.set_relay_link(self.link.clone());
            return Ok(through);
        }
        self.ingest(&page.events).await?;
        let standing = self.ack(through).await?;
        self.link.connected(Utc::now(), standing.backlog);
        self.engine.set_relay_link(self.link.clone());
        Ok(through)
    }

    async fn poll(&self, after: Option<u64>) -> Result<Page, LinkError> {
        let mut query = vec![
            ("wait", self.wait.as_secs().to_string()),
            ("limit", PAGE.to_string()),
        ];
        if let Some(a) = after {
            query.push(("after", a.to_string()));
        }
        let response = self
            .http
            .get(format!("{}/events", self.url))
            .bearer_auth(self.token.expose())
            .query(&query)
            .send()
            .await
            .map_err(|_| LinkError::Unreachable)?;
        read(response).await
    }

    async fn ack(&self, cursor: u64) -> Result<Standing, LinkError> {
        let response = self
            .http
            .post(format!("{}/ack", self.url))
            .bearer_auth(self.token.expose())
            .json(&Ack { cursor })
            .send()
            .await
            .map_err(|_| LinkError::Unreachable)?;
        read(response).await
    }

    /// Every delivery whose signature matches, stored and durable; the others counted and
    /// left out (acknowledged with the rest, so one altered delivery cannot hold up the
    /// stream).
    async fn ingest(&mut self, events: &[Relayed]) -> Result<(), LinkError> {
        let mut bodies = Vec::with_capacity(events.len());
        // As connected now: an admin may connect another number while the link runs.
        let (app_secret, _) = self.engine.webhook_secrets();
        for e in events {
            match e.body_bytes() {
                Ok(body)
                    if signature::verify(app_secret.expose(), &body, e.signature.as_deref()) =>
                {
                    bodies.push(body);
                }
                _ if e.cursor <= self.refused_through => {}
                _ => {
                    self.refused_through = e.cursor;
                    self.link.refused += 1;
                    tracing::warn!(
                        cursor = e.cursor,
                        "a delivery from the relay does not match Meta's signature (changed on the way): not stored"
                    );
                }
            }
        }
        // All at once: the writer keeps them in one group, in this order.
        let stored =
            futures_util::future::join_all(bodies.iter().map(|b| self.engine.ingest(b))).await;
        for result in stored {
            result.map_err(|e| LinkError::Store(e.to_string()))?;
        }
        Ok(())
    }
}

async fn read<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, LinkError> {
    match response.status().as_u16() {
        200 => response.json().await.map_err(|_| LinkError::Unreadable),
        401 | 403 => Err(LinkError::Refused),
        other => Err(LinkError::Status(other)),
    }
}
