//! Saving a kept file where its user wants it: read from the engine a piece at a time (so a
//! daemon's file reaches a user who may not read the daemon's folder, and a large file never
//! sits whole in memory), written under the file's safe name, never over another file.

use std::{
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use base64::Engine as _;

use super::{Client, ClientError};
use crate::engine::{Request, Response};

fn failed(message: String) -> ClientError {
    ClientError::Engine {
        kind: crate::engine::api::ErrorKind::Unavailable,
        message,
    }
}

impl Client {
    /// Saves file `id` (a message's id) into `dir`; returns the path written. `progress` hears
    /// (bytes so far, the whole size) after each piece.
    pub async fn save_attachment(
        &self,
        id: u64,
        dir: &Path,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<PathBuf, ClientError> {
        let mut offset = 0u64;
        let mut out: Option<(PathBuf, std::fs::File)> = None;
        loop {
            let Response::Chunk {
                file_name,
                size,
                data,
                ..
            } = self
                .call(Request::ReadAttachment {
                    attachment: id,
                    offset,
                    preview: false,
                })
                .await?
            else {
                return Err(failed("unexpected answer".into()));
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|e| failed(format!("a piece of the file was damaged: {e}")))?;
            if out.is_none() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    failed(format!("cannot make the folder {}: {e}", dir.display()))
                })?;
                out = Some(create_new(dir, &file_name)?);
            }
            let Some((path, file)) = out.as_mut() else {
                unreachable!("opened above")
            };
            file.write_all(&bytes)
                .map_err(|e| failed(format!("cannot write {}: {e}", path.display())))?;
            offset += bytes.len() as u64;
            progress(offset, size);
            if offset >= size || bytes.is_empty() {
                let (path, file) = out.take().unwrap_or_else(|| unreachable!("opened above"));
                file.sync_all()
                    .map_err(|e| failed(format!("cannot write {}: {e}", path.display())))?;
                return Ok(path);
            }
        }
    }
}

impl Client {
    /// A kept file whole in memory, at most `cap` bytes (with `preview`, an image's small
    /// copy where there is one).
    pub async fn read_attachment(
        &self,
        id: u64,
        cap: u64,
        preview: bool,
    ) -> Result<Vec<u8>, ClientError> {
        let mut bytes = Vec::new();
        loop {
            let Response::Chunk { size, data, .. } = self
                .call(Request::ReadAttachment {
                    attachment: id,
                    offset: bytes.len() as u64,
                    preview,
                })
                .await?
            else {
                return Err(failed("unexpected answer".into()));
            };
            if size > cap {
                return Err(failed(format!(
                    "the file is larger than the {} shown here",
                    crate::domain::attachment::human_size(cap)
                )));
            }
            let piece = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|e| failed(format!("a piece of the file was damaged: {e}")))?;
            let done = piece.is_empty();
            bytes.extend_from_slice(&piece);
            if done || bytes.len() as u64 >= size {
                return Ok(bytes);
            }
        }
    }
}

/// `dir/name`, or `dir/stem (2).ext` and on when that exists: nothing is overwritten.
fn create_new(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File), ClientError> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    for n in 1..1000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(failed(format!("cannot save into {}: {e}", dir.display())));
            }
        }
    }
    Err(failed(format!(
        "{} already holds a thousand files called {name}",
        dir.display()
    )))
}
