//! Media (reference section 4): `GET /{media-id}` for a file's short-lived URL and facts, and
//! the download of that URL with the same bearer token, streamed to a file (never whole in
//! memory), its SHA-256 computed on the way and its size held to a cap, by the length it
//! declares and again while it streams.

use std::path::Path;

use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::client::{ClientError, CloudClient, refused};

/// What `GET /{media-id}` tells of a file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaInfo {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Hex, as Meta writes it here.
    #[serde(default)]
    pub sha256: Option<String>,
    /// A number in Meta's SDK examples, a string in its syntax: both are read.
    #[serde(default, deserialize_with = "number_or_text")]
    pub file_size: Option<u64>,
}

fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Size>::deserialize(d)? {
        Some(Size::Number(n)) => Some(n),
        Some(Size::Text(t)) => t.trim().parse().ok(),
        None => None,
    })
}

/// A file written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("the file is larger than the {limit} bytes allowed")]
    TooLarge { limit: u64 },
    #[error("cannot write the file: {0}")]
    Disk(#[from] std::io::Error),
}

impl CloudClient {
    /// `GET /{media-id}`: the file's facts and a URL that works for a few minutes.
    pub async fn media_info(&self, media_id: &str) -> Result<MediaInfo, ClientError> {
        let url = format!("{}/{media_id}", self.base);
        self.send_request(self.http.get(url)).await
    }

    /// `POST /{phone-number-id}/media`: uploads the file at `path` (streamed, never whole in
    /// memory) as `mime_type`; WhatsApp answers with the id a send names it by.
    pub async fn upload(&self, path: &Path, mime_type: &str) -> Result<String, ClientError> {
        #[derive(Deserialize)]
        struct Uploaded {
            id: String,
        }
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| ClientError::Network(format!("cannot read the file to upload: {e}")))?;
        let length = file
            .metadata()
            .await
            .map_err(|e| ClientError::Network(format!("cannot read the file to upload: {e}")))?
            .len();
        let part = reqwest::multipart::Part::stream_with_length(file, length)
            // The name is not the sender's: the file is known by its hash here.
            .file_name("upload")
            .mime_str(mime_type)
            .map_err(|e| ClientError::Network(e.to_string()))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", part);
        let request = self
            .http
            .post(self.media_url())
            .timeout(self.transfer_timeout)
            .multipart(form);
        let uploaded: Uploaded = self.send_request(request).await?;
        Ok(uploaded.id)
    }

    /// Downloads `url` (with the bearer token) into `dest`, at most `cap` bytes.
    pub async fn download(
        &self,
        url: &str,
        dest: &Path,
        cap: u64,
    ) -> Result<Downloaded, DownloadError> {
        let mut response = self
            .http
            .get(url)
            .timeout(self.transfer_timeout)
            .bearer_auth(self.token().expose())
            .send()
            .await
            .map_err(|e| {
                let e = e.without_url().to_string();
                ClientError::Network(e)
            })?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.bytes().await.unwrap_or_default();
            return Err(refused(status, &body).into());
        }
        if response.content_length().is_some_and(|n| n > cap) {
            return Err(DownloadError::TooLarge { limit: cap });
        }
        // A candidate's file is this user's alone, whatever the umask.
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(dest)
            .await?;
        let mut hash = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| ClientError::NoAnswer(e.without_url().to_string()))?
        {
            size += chunk.len() as u64;
            if size > cap {
                drop(file);
                let _ = tokio::fs::remove_file(dest).await;
                return Err(DownloadError::TooLarge { limit: cap });
            }
            hash.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.sync_all().await?;
        Ok(Downloaded {
            size,
            sha256: hex::encode(hash.finalize()),
        })
    }
}
