//! Files: sending them (`send_files`), and reading the files a conversation holds: the list for the Attachments section and
//! `attachments list`, and a kept file a piece at a time for whoever saves it.

use std::io::{Read, Seek, SeekFrom};

use base64::Engine as _;

use super::{Engine, EngineError, Request, Response, send_files::FileSend};
use crate::{
    domain::{
        attachment::{Fetch, save_name},
        permission::Actor,
    },
    engine::answers::AttachmentView,
};

/// The most one `ReadAttachment` answers with (base64 keeps it well under a socket line).
pub const CHUNK: u64 = 512 * 1024;

impl Engine {
    /// Sending files, listing them, reading one.
    pub(super) async fn file_command(
        &self,
        actor: &Actor,
        request: Request,
    ) -> Result<Response, EngineError> {
        match request {
            Request::SendFiles {
                to,
                files,
                caption,
                text,
            } => {
                let send = FileSend {
                    to: &to,
                    files: &files,
                    caption: caption.as_deref(),
                    text: text.as_deref(),
                };
                self.send_files(actor, send).await
            }
            Request::Attachments {
                with,
                conversation_id,
            } => {
                self.off_the_workers(actor, move |e, _| {
                    e.attachments(with.as_deref(), conversation_id)
                })
                .await
            }
            Request::ReadAttachment {
                attachment,
                offset,
                preview,
            } => {
                self.off_the_workers(actor, move |e, _| {
                    e.read_attachment(attachment, offset, preview)
                })
                .await
            }
            other => Err(EngineError::Unavailable(format!(
                "not a file request: {}",
                other.action()
            ))),
        }
    }

    fn attachments(
        &self,
        with: Option<&str>,
        conversation_id: Option<u64>,
    ) -> Result<Response, EngineError> {
        let conversation = match (with, conversation_id) {
            (_, Some(id)) => self
                .store()
                .conversation(id)?
                .ok_or_else(|| EngineError::NotFound(format!("no conversation {id}")))?,
            (Some(with), None) => self.find(with)?,
            (None, None) => {
                return Err(EngineError::BadInput(
                    "say whose files: a number, a BSUID or a conversation id".into(),
                ));
            }
        };
        let dir = &self.inner.stager.dir;
        let attachments = self
            .store()
            .attachments(&conversation)?
            .iter()
            .filter_map(|m| AttachmentView::of(m, dir))
            .collect();
        Ok(Response::Attachments { attachments })
    }

    fn read_attachment(
        &self,
        id: u64,
        offset: u64,
        preview: bool,
    ) -> Result<Response, EngineError> {
        let message = self
            .store()
            .file_message(id)?
            .ok_or_else(|| EngineError::NotFound(format!("no file with id {id}")))?;
        let media = message.media.clone().unwrap_or_default();
        let stored = match (&media.fetch, &media.stored) {
            (Some(Fetch::Ready), Some(stored)) => stored,
            (Some(other), _) => {
                return Err(EngineError::NotFound(format!(
                    "file {id} is not here: {}",
                    other.label()
                )));
            }
            (None, _) => {
                return Err(EngineError::NotFound(format!(
                    "file {id} was received before files were kept"
                )));
            }
        };
        let small = super::thumbnail::path(&self.inner.stager.dir, stored);
        let path = if preview && small.exists() {
            small
        } else {
            self.inner.stager.dir.join(stored)
        };
        let gone =
            |e: std::io::Error| EngineError::Unavailable(format!("file {id} cannot be read: {e}"));
        let mut file = std::fs::File::open(&path).map_err(gone)?;
        let size = file.metadata().map_err(gone)?.len();
        file.seek(SeekFrom::Start(offset.min(size))).map_err(gone)?;
        let mut data = Vec::new();
        file.take(CHUNK).read_to_end(&mut data).map_err(gone)?;
        Ok(Response::Chunk {
            attachment: id,
            file_name: save_name(
                media.filename.as_deref(),
                media.mime_type.as_deref(),
                &message.kind,
                id,
            ),
            size,
            offset: offset.min(size),
            data: base64::engine::general_purpose::STANDARD.encode(data),
        })
    }
}
