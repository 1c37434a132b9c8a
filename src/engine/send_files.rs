//! Sending files: at most five, each checked and kept before anything is queued, then one
//! message per file (WhatsApp carries one file a message) and the text after them, all queued
//! in one transaction. The rules of every send apply (opt-out, the 24-hour window: files are
//! free-form messages).

use super::{
    Engine, EngineError, Response,
    send::{held, queued},
};
use crate::{
    domain::{
        attachment::{Kind, check_count},
        permission::Actor,
    },
    whatsapp::send::{MAX_TEXT_CHARS, SendRequest},
};

/// WhatsApp's longest caption.
pub const MAX_CAPTION_CHARS: usize = 1024;

/// A send of files: the sources (absolute paths or https links), a caption for the first file
/// that takes one, and a text sent after the files.
#[derive(Debug, Clone, Default)]
pub struct FileSend<'a> {
    pub to: &'a str,
    pub files: &'a [String],
    pub caption: Option<&'a str>,
    pub text: Option<&'a str>,
}

impl Engine {
    pub(super) async fn send_files(
        &self,
        actor: &Actor,
        send: FileSend<'_>,
    ) -> Result<Response, EngineError> {
        let target = self.target(send.to)?;
        check_count(send.files.len()).map_err(|e| EngineError::BadInput(e.to_string()))?;
        let caption = send.caption.map(str::trim).filter(|c| !c.is_empty());
        let mut text = send
            .text
            .map(str::trim_end)
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned);
        if send.files.is_empty() && text.is_none() {
            return Err(EngineError::BadInput(
                "nothing to send: give a file or a text".into(),
            ));
        }
        if let Some(c) = caption {
            let chars = c.chars().count();
            if chars > MAX_CAPTION_CHARS {
                return Err(EngineError::BadInput(format!(
                    "the caption has {chars} characters; WhatsApp takes at most {MAX_CAPTION_CHARS}"
                )));
            }
        }
        if !target.window_open() {
            return Err(EngineError::WindowClosed(target.window_closed_reason()));
        }
        // Every file is checked and kept before anything is queued: one refusal sends nothing.
        let mut staged = Vec::with_capacity(send.files.len());
        for source in send.files {
            staged.push(self.inner.stager.stage(source).await?);
        }
        let captioned = staged
            .iter()
            .position(|s| matches!(s.found.kind, Kind::Image | Kind::Video | Kind::Document));
        // No file takes a caption (audio): it goes as text.
        if let (Some(c), None) = (caption, captioned) {
            text = Some(match text {
                Some(t) => format!("{c}\n{t}"),
                None => c.to_owned(),
            });
        }
        if let Some(t) = &text {
            let chars = t.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(EngineError::BadInput(format!(
                    "the message has {chars} characters; WhatsApp takes at most {MAX_TEXT_CHARS}"
                )));
            }
        }
        let mut changes = Vec::with_capacity(staged.len() + 1);
        for (i, file) in staged.iter().enumerate() {
            let caption = caption.filter(|_| captioned == Some(i));
            let kind = file.found.kind;
            changes.push(queued(
                actor,
                &target,
                kind.as_str(),
                caption.unwrap_or_default(),
                Some(file.parts()),
                |to, recipient| SendRequest::media(to, recipient, kind, caption, &file.name),
            )?);
        }
        if let Some(t) = &text {
            changes.push(queued(actor, &target, "text", t, None, |to, recipient| {
                SendRequest::text(to, recipient, t)
            })?);
        }
        // Each is a message of its own, priced (and held) as one.
        for change in &mut changes {
            held(change, self.hold_for(actor, &target, None)?);
        }
        let messages = self.queue_all(changes).await?;
        Ok(Response::Sent { messages })
    }
}
