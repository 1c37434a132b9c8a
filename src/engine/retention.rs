//! `[attachments] keep_days`: kept files older than that are removed from the data
//! directory's `media/`, and their messages say "removed after N days". A file kept once for
//! several messages (the same CV sent twice) stays while a newer message still holds it.

use std::{collections::HashSet, path::PathBuf, time::Duration};

use chrono::Utc;

use super::writer::Writer;
use crate::{
    domain::attachment::Fetch,
    store::{Change, Store},
};

/// How often the rule runs (and once at start).
const EVERY: Duration = Duration::from_secs(3600);

pub struct Pruner {
    pub store: Store,
    pub writer: Writer,
    pub dir: PathBuf,
    pub keep_days: u32,
}

impl Pruner {
    /// Runs the rule in the background when `keep_days` asks for it.
    pub fn start(
        config: &crate::config::Config,
        store: &Store,
        writer: &Writer,
        data_dir: &std::path::Path,
    ) {
        let keep_days = config.attachments.keep_days;
        if keep_days > 0 {
            let pruner = Self {
                store: store.clone(),
                writer: writer.clone(),
                dir: data_dir.join("media"),
                keep_days,
            };
            tokio::spawn(pruner.run());
        }
    }

    pub async fn run(self) {
        loop {
            match self.prune().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, days = self.keep_days, "old files removed"),
                Err(e) => tracing::warn!(error = %e, "the retention rule could not run"),
            }
            tokio::time::sleep(EVERY).await;
        }
    }

    /// One pass: returns how many messages lost their file.
    pub async fn prune(&self) -> Result<usize, String> {
        let cutoff = Utc::now() - chrono::Duration::days(i64::from(self.keep_days));
        let store = self.store.clone();
        let messages = tokio::task::spawn_blocking(move || store.file_messages())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let kept = |m: &&crate::domain::message::Message| {
            m.media
                .as_ref()
                .is_some_and(|x| x.fetch == Some(Fetch::Ready) && x.stored.is_some())
        };
        let (old, young): (Vec<_>, Vec<_>) =
            messages.iter().filter(kept).partition(|m| m.at < cutoff);
        let still_held: HashSet<&str> = young
            .iter()
            .filter_map(|m| m.media.as_ref()?.stored.as_deref())
            .collect();
        let mut changes = Vec::with_capacity(old.len());
        for m in &old {
            let Some(hash) = m.media.as_ref().and_then(|x| x.stored.as_deref()) else {
                continue;
            };
            if !still_held.contains(hash) {
                let _ = std::fs::remove_file(super::thumbnail::path(&self.dir, hash));
                match std::fs::remove_file(self.dir.join(hash)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        tracing::warn!(error = %e, message = m.id, "an old file could not be removed");
                        continue;
                    }
                }
            }
            changes.push(Change::FileRemoved {
                message_id: m.id,
                after_days: self.keep_days,
            });
        }
        let n = changes.len();
        for chunk in changes.chunks(500) {
            self.writer
                .write(chunk.to_vec())
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(n)
    }
}
