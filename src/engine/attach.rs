//! Files a recruiter sends: each, from a local path or an https link, is checked by its
//! content (`domain::attachment::check`) and copied into the data directory's `media/` under
//! its SHA-256 before anything is queued, so the outbox can upload it after a restart and the
//! Attachments section can open it later. A link is fetched here, with the same caps, so a
//! share link on a private network works too.

use std::{
    io::{Read, Write},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

use super::EngineError;
use crate::domain::{
    attachment::{self, Fetch, Found, Limits, display_name, human_size},
    message::Media,
    outbox::Upload,
};

/// How much of a file decides its type.
const HEAD: usize = 8192;

/// A file copied into `media/` and found fit to send.
#[derive(Debug, Clone)]
pub struct Staged {
    pub found: Found,
    /// The name it is shown under (never a path).
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

impl Staged {
    /// The attachment as the thread shows it, and what the outbox uploads.
    pub fn parts(&self) -> (Media, Upload) {
        let media = Media {
            mime_type: Some(self.found.mime_type.to_owned()),
            sha256: Some(self.sha256.clone()),
            filename: Some(self.name.clone()),
            fetch: Some(Fetch::Ready),
            size: Some(self.size),
            stored: Some(self.sha256.clone()),
            ..Media::default()
        };
        let upload = Upload {
            stored: self.sha256.clone(),
            mime_type: self.found.mime_type.to_owned(),
            kind: self.found.kind,
            media_id: None,
        };
        (media, upload)
    }
}

/// Where files go and what they may be.
#[derive(Debug, Clone)]
pub struct Stager {
    /// `<data dir>/media`.
    pub dir: PathBuf,
    pub limits: Limits,
    pub timeout: std::time::Duration,
}

impl Stager {
    /// The largest file any kind allows: a download stops there.
    fn cap(&self) -> u64 {
        use attachment::Kind;
        [Kind::Image, Kind::Document, Kind::Audio, Kind::Video]
            .into_iter()
            .map(|k| self.limits.of(k))
            .max()
            .unwrap_or_default()
    }

    fn prepare_dir(&self) -> Result<(), EngineError> {
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| crate::paths::make_private(&self.dir))
            .map_err(|e| {
                EngineError::Unavailable(format!(
                    "cannot make the media folder {}: {e}",
                    self.dir.display()
                ))
            })
    }

    /// A local file (an absolute path) or an `https://` link.
    pub async fn stage(&self, source: &str) -> Result<Staged, EngineError> {
        self.prepare_dir()?;
        let staged = if attachment::is_link(source) {
            self.fetch_link(source).await?
        } else {
            let (this, source) = (self.clone(), source.to_owned());
            tokio::task::spawn_blocking(move || this.copy_local(Path::new(&source)))
                .await
                .map_err(|e| EngineError::Unavailable(format!("copying a file stopped: {e}")))??
        };
        super::thumbnail::make(&self.dir, &staged.sha256, Some(staged.found.mime_type)).await;
        Ok(staged)
    }

    fn copy_local(&self, path: &Path) -> Result<Staged, EngineError> {
        let shown = display_name(&path.to_string_lossy());
        if !path.is_absolute() {
            return Err(EngineError::BadInput(format!(
                "{shown}: give the file's full path"
            )));
        }
        let unreadable =
            |e: std::io::Error| EngineError::BadInput(format!("{shown}: cannot be read ({e})"));
        let mut file = std::fs::File::open(path).map_err(unreadable)?;
        let meta = file.metadata().map_err(unreadable)?;
        if !meta.is_file() {
            return Err(EngineError::BadInput(format!("{shown}: is not a file")));
        }
        let mut head = vec![0; HEAD];
        let n = read_up_to(&mut file, &mut head).map_err(unreadable)?;
        head.truncate(n);
        let found = attachment::check(&shown, &head, meta.len(), &self.limits)
            .map_err(|r| EngineError::BadInput(r.to_string()))?;
        let partial = self.partial();
        let written = (|| {
            let mut out = private_file(&partial)?;
            let mut hash = Sha256::new();
            hash.update(&head);
            out.write_all(&head)?;
            let mut size = head.len() as u64;
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                hash.update(&buf[..n]);
                out.write_all(&buf[..n])?;
            }
            out.sync_all()?;
            Ok::<_, std::io::Error>((size, hex::encode(hash.finalize())))
        })();
        let (size, sha256) = written.map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            EngineError::Unavailable(format!("{shown}: cannot be copied into the inbox: {e}"))
        })?;
        // The file grew while it was copied: hold it to the limit it was checked against.
        attachment::check(&shown, &head, size, &self.limits).map_err(|r| {
            let _ = std::fs::remove_file(&partial);
            EngineError::BadInput(r.to_string())
        })?;
        self.keep(&partial, &sha256)?;
        Ok(Staged {
            found,
            name: shown,
            size,
            sha256,
        })
    }

    async fn fetch_link(&self, url: &str) -> Result<Staged, EngineError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| EngineError::BadInput(format!("{url}: not a link ({e})")))?;
        if !allowed_scheme(&parsed) {
            return Err(EngineError::BadInput(format!(
                "{}: only https links are fetched",
                display_name(url)
            )));
        }
        let shown = link_name(&parsed);
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(std::time::Duration::from_secs(10))
            // Redirects are followed (share links use them), never down to plain http.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() > 10 || !allowed_scheme(attempt.url()) {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .user_agent(concat!("hirechat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EngineError::Unavailable(e.to_string()))?;
        let failed = |e: &dyn std::fmt::Display| {
            EngineError::BadInput(format!("{shown}: the link could not be fetched ({e})"))
        };
        let mut response = client
            .get(parsed.clone())
            .send()
            .await
            .map_err(|e| failed(&e.without_url()))?;
        if !response.status().is_success() {
            return Err(failed(&format!("HTTP {}", response.status().as_u16())));
        }
        // A share link redirects to the file: its name is the last address's.
        let shown = link_name(response.url());
        let cap = self.cap();
        let too_large = || {
            EngineError::BadInput(format!(
                "{shown}: larger than the {} any file may be",
                human_size(cap)
            ))
        };
        if response.content_length().is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let partial = self.partial();
        let mut out = private_file(&partial).map_err(|e| failed(&e))?;
        let mut hash = Sha256::new();
        let mut head = Vec::with_capacity(HEAD);
        let mut size = 0u64;
        let result = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len() as u64;
                    if size > cap {
                        break Err(too_large());
                    }
                    let room = HEAD.saturating_sub(head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..room]);
                    hash.update(&chunk);
                    if let Err(e) = out.write_all(&chunk) {
                        break Err(failed(&e));
                    }
                }
                Ok(None) => break out.sync_all().map_err(|e| failed(&e)),
                Err(e) => break Err(failed(&e.without_url())),
            }
        };
        drop(out);
        let checked = result.and_then(|()| {
            attachment::check(&shown, &head, size, &self.limits).map_err(|r| {
                let hint = if head.trim_ascii_start().starts_with(b"<") {
                    " The link gives a web page, not the file: use the service's direct download link."
                } else {
                    ""
                };
                EngineError::BadInput(format!("{r}{hint}"))
            })
        });
        let found = match checked {
            Ok(found) => found,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        let sha256 = hex::encode(hash.finalize());
        self.keep(&partial, &sha256)?;
        Ok(Staged {
            found,
            name: shown,
            size,
            sha256,
        })
    }

    fn partial(&self) -> PathBuf {
        self.dir
            .join(format!(".staging-{:016x}", fastrand::u64(..)))
    }

    /// Renames the copy to its hash (the same content is kept once).
    fn keep(&self, partial: &Path, sha256: &str) -> Result<(), EngineError> {
        std::fs::rename(partial, self.dir.join(sha256)).map_err(|e| {
            let _ = std::fs::remove_file(partial);
            EngineError::Unavailable(format!("cannot keep the file in the inbox: {e}"))
        })
    }
}

/// The name a link's file is shown under: the last part of its path.
fn link_name(url: &reqwest::Url) -> String {
    display_name(
        url.path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .unwrap_or("link"),
    )
}

/// https, or http to this machine (a simulator, a test).
fn allowed_scheme(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}
