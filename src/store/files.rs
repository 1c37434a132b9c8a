//! Reading the files the store knows: a conversation's, one by its message, all of them (the
//! retention rule), and the inbound ones still to fetch.

use super::{Conversation, Message, Store, StoreError, T, decode, keys, read::End};

impl Store {
    /// Every message of a conversation (and of those merged into it) that carries a file,
    /// newest first.
    pub fn attachments(&self, conversation: &Conversation) -> Result<Vec<Message>, StoreError> {
        let mut all = self.merged_messages(
            conversation,
            super::message_chunks::ALL,
            usize::MAX,
            End::Newest,
        )?;
        all.retain(|m| m.media.is_some());
        all.reverse();
        Ok(all)
    }

    /// Every message that carries a file, in id order (the retention rule's pass).
    pub fn file_messages(&self) -> Result<Vec<Message>, StoreError> {
        let mut out = Vec::new();
        for kv in &self.tree(T::Files)? {
            let (_, key) = kv?;
            if let Some(m) = self.message_at(&key)? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// A message that carries a file, by its id.
    pub fn file_message(&self, id: u64) -> Result<Option<Message>, StoreError> {
        match self.tree(T::Files)?.get(keys::id(id))? {
            Some(key) => self.message_at(&key),
            None => Ok(None),
        }
    }

    /// Inbound files waiting to be fetched.
    pub fn fetch_queue(&self) -> Result<Vec<crate::domain::attachment::FetchJob>, StoreError> {
        self.tree(T::MediaQueue)?
            .iter()
            .map(|kv| decode(&kv?.1))
            .collect()
    }
}
