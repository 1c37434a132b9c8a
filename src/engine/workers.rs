//! What runs beside the requests: the fetcher of inbound files, their retention, the
//! schedule that catches up missed webhooks and the outbox (where the Cloud API is
//! configured) with the scheduler of sends for later, and the end of snoozes (always).

use std::time::Duration;

use super::{Engine, media_fetch, outbox, resync, retention};
use crate::whatsapp::client::CloudClient;

impl Engine {
    /// What runs where the Cloud API is configured: the fetcher of inbound files, their
    /// retention, the schedule that catches up missed webhooks, and the outbox.
    pub(super) fn start_workers(&self, client: CloudClient) {
        let (store, writer) = (&self.inner.store, &self.inner.writer);
        let (config, data_dir) = (&self.inner.config, &self.inner.data_dir);
        let fetcher = media_fetch::Fetcher {
            store: store.clone(),
            writer: writer.clone(),
            client: client.clone(),
            dir: data_dir.join("media"),
            cap: config.attachments.download_cap(),
            deliveries: self.inner.deliveries.clone(),
        };
        tokio::spawn(fetcher.run());
        retention::Pruner::start(config, store, writer, data_dir);
        resync::start(
            self,
            client.clone(),
            Duration::from_secs(config.whatsapp.resync_secs.max(1)),
        );
        let worker = outbox::Outbox {
            media: data_dir.join("media"),
            store: store.clone(),
            writer: writer.clone(),
            client,
            config: config.outbox.clone(),
            wake: self.inner.wake_outbox.clone(),
            stopped: self.inner.sending_stopped.clone(),
        };
        tokio::spawn(worker.run());
        self.start_scheduler();
        self.start_rule_clock();
        self.start_credits_watch();
    }
}
