//! The fetch queue of inbound files inside a transaction: queued with the message that
//! carries the file, retried, and gone once the file is kept or given up (the message then
//! says which).

use chrono::{DateTime, Utc};

use super::{T, Tx, TxResult};
use crate::domain::{
    attachment::{Fetch, FetchJob},
    conversation::Conversation,
    event::Event,
    message::Message,
};
use crate::store::keys;

impl Tx<'_> {
    /// Queues the fetch of `m`'s file, when it has one to fetch.
    pub(super) fn queue_fetch(&self, m: &Message) -> TxResult<()> {
        let Some(media) = m
            .media
            .as_ref()
            .filter(|x| x.fetch == Some(Fetch::Fetching))
        else {
            return Ok(());
        };
        let (Some(wamid), Some(media_id)) = (m.wamid.clone(), media.id.clone()) else {
            return Ok(());
        };
        let job = FetchJob {
            message_id: m.id,
            wamid,
            media_id,
            sha256: media.sha256.clone(),
            attempts: 0,
            next_at: m.at,
        };
        self.put(T::MediaQueue, keys::id(m.id), &job)
    }

    /// The retention rule removed `message_id`'s file: the message keeps what it was and says
    /// when it went.
    pub(super) fn file_removed(&self, message_id: u64, after_days: u32) -> TxResult<Vec<Event>> {
        let Some(key) = self.tree(T::Files).get(keys::id(message_id))? else {
            return Ok(vec![]);
        };
        let Some(mut message) = self.message(&key)? else {
            return Ok(vec![]);
        };
        let Some(media) = message.media.as_mut() else {
            return Ok(vec![]);
        };
        media.fetch = Some(Fetch::Removed { after_days });
        media.stored = None;
        self.file_changed(&key, message)
    }

    pub(super) fn media_retry(
        &self,
        message_id: u64,
        attempts: u32,
        next_at: DateTime<Utc>,
    ) -> TxResult<Vec<Event>> {
        if let Some(mut job) = self.get::<FetchJob>(T::MediaQueue, keys::id(message_id))? {
            job.attempts = attempts;
            job.next_at = next_at;
            self.put(T::MediaQueue, keys::id(message_id), &job)?;
        }
        Ok(vec![])
    }

    pub(super) fn media_fetched(
        &self,
        message_id: u64,
        wamid: &str,
        fetch: &Fetch,
        facts: (Option<u64>, Option<&String>, Option<&String>),
    ) -> TxResult<Vec<Event>> {
        let (size, stored, mime_type) = facts;
        self.tree(T::MediaQueue).remove(&keys::id(message_id))?;
        let Some((key, mut message)) = self.message_by_wamid(wamid)? else {
            return Ok(vec![]);
        };
        let Some(media) = message.media.as_mut() else {
            return Ok(vec![]);
        };
        media.fetch = Some(fetch.clone());
        media.size = size.or(media.size);
        media.stored = stored.cloned().or_else(|| media.stored.clone());
        if let Some(m) = mime_type {
            media.mime_type = Some(m.clone());
        }
        self.file_changed(&key, message)
    }

    /// Stores a message whose file changed, and tells its conversation's viewers.
    fn file_changed(&self, key: &[u8], message: Message) -> TxResult<Vec<Event>> {
        self.put_message(key, &message)?;
        let conversation: Option<Conversation> =
            self.get(T::Conversations, keys::id(message.conversation_id))?;
        Ok(conversation
            .map(|conversation| Event::MessageChanged {
                conversation,
                message,
            })
            .into_iter()
            .collect())
    }
}
