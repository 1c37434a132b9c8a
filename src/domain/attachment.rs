//! What may be attached to a message: the kind a file is, decided by its content (its first
//! bytes), never by its name; the sizes allowed (the product's defaults, which the config may
//! raise up to WhatsApp's own limits and never past them); at most five files a send; and the
//! name a file from outside may be shown under (never a path on disk).

use serde::{Deserialize, Serialize};

pub use super::fetch::{
    AfterFailure, FETCH_ATTEMPTS, Fetch, FetchFailure, FetchJob, after_failure, checksum_matches,
};
use super::safe_text::neutralise;

/// At most this many files go with one send.
pub const MAX_PER_SEND: usize = 5;

const MB: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Image,
    Document,
    Audio,
    Video,
    Sticker,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Document => "document",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Sticker => "sticker",
        }
    }

    /// WhatsApp's own limit for the kind (a static sticker's: an animated one may be 500 KB).
    pub fn whatsapp_limit(self) -> u64 {
        match self {
            Self::Image => 5 * MB,
            Self::Audio | Self::Video => 16 * MB,
            Self::Document => 100 * MB,
            Self::Sticker => 100 * 1024,
        }
    }
}

/// The sizes allowed per kind, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub image: u64,
    pub document: u64,
    pub audio: u64,
    pub video: u64,
}

impl Default for Limits {
    /// The product's: 5 MB of each.
    fn default() -> Self {
        Self {
            image: 5 * MB,
            document: 5 * MB,
            audio: 5 * MB,
            video: 5 * MB,
        }
    }
}

impl Limits {
    /// The limit for `kind`, never past WhatsApp's.
    pub fn of(&self, kind: Kind) -> u64 {
        let wanted = match kind {
            Kind::Image => self.image,
            Kind::Document => self.document,
            Kind::Audio => self.audio,
            Kind::Video => self.video,
            Kind::Sticker => kind.whatsapp_limit(),
        };
        wanted.min(kind.whatsapp_limit())
    }
}

/// The usual extension of a file of `mime_type`, if it is one WhatsApp carries.
pub fn extension(mime_type: &str) -> Option<&'static str> {
    let base = mime_type.split(';').next().unwrap_or_default().trim();
    Some(match base {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "audio/amr" => "amr",
        "audio/aac" => "aac",
        "audio/mp4" => "m4a",
        "text/plain" => "txt",
        "application/msword" => "doc",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        _ => return None,
    })
}

/// The name a file is saved under: the sender's name made safe (its last path part, no
/// control characters, no leading dot), else the kind and the message id; the extension its
/// type has is added when the name does not end with it, so a file named `cv.desktop` that is
/// a PDF is saved as `cv.desktop.pdf`.
pub fn save_name(filename: Option<&str>, mime_type: Option<&str>, kind: &str, id: u64) -> String {
    let name = filename
        .map(display_name)
        .filter(|n| n != "file")
        .unwrap_or_else(|| format!("{kind}-{id}"));
    // Visible escapes are fine on screen, not in a file name.
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_control() || ('\u{2400}'..='\u{2421}').contains(&c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    match mime_type.and_then(extension) {
        Some(ext) if !name.to_ascii_lowercase().ends_with(&format!(".{ext}")) => {
            format!("{name}.{ext}")
        }
        _ => name,
    }
}

/// What a file was found to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    pub mime_type: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{name}: {found} cannot be sent; the files that can: images (JPEG, PNG), documents (PDF), video (MP4, 3GP), audio (MP3, OGG, AMR)"
    )]
    Type { name: String, found: String },
    #[error("{name}: {size} is over the {limit} allowed for {kind}s")]
    TooLarge {
        name: String,
        kind: &'static str,
        size: String,
        limit: String,
    },
    #[error("{count} files: at most {MAX_PER_SEND} go with one message")]
    TooMany { count: usize },
}

/// The types the product sends, by the MIME type their content shows.
fn kind_of(mime: &str) -> Option<Kind> {
    Some(match mime {
        "image/jpeg" | "image/png" => Kind::Image,
        "application/pdf" => Kind::Document,
        "video/mp4" | "video/3gpp" => Kind::Video,
        "audio/mpeg" | "audio/ogg" | "audio/amr" => Kind::Audio,
        _ => return None,
    })
}

/// Decides what the file `name` is from its first bytes (`head`, a few KB suffice) and whether
/// `size` is allowed for it.
pub fn check(name: &str, head: &[u8], size: u64, limits: &Limits) -> Result<Found, Refusal> {
    let shown = display_name(name);
    let detected = infer::get(head);
    let Some((kind, mime)) = detected
        .as_ref()
        .and_then(|t| Some((kind_of(t.mime_type())?, t.mime_type())))
    else {
        return Err(Refusal::Type {
            name: shown,
            found: detected.map_or_else(
                || "a file of no known type".to_owned(),
                |t| format!("its content is {}", t.mime_type()),
            ),
        });
    };
    let limit = limits.of(kind);
    if size > limit {
        return Err(Refusal::TooLarge {
            name: shown,
            kind: kind.as_str(),
            size: human_size(size),
            limit: human_size(limit),
        });
    }
    Ok(Found {
        kind,
        mime_type: mime,
    })
}

/// Whether a file to send is named by a link (fetched by the engine) rather than a path.
pub fn is_link(source: &str) -> bool {
    source.contains("://")
}

/// Refuses a sixth file before any is read.
pub fn check_count(count: usize) -> Result<(), Refusal> {
    if count > MAX_PER_SEND {
        return Err(Refusal::TooMany { count });
    }
    Ok(())
}

/// The name a file from outside is shown under: its last path part, control and escape
/// characters made visible, no leading dots, at most 120 characters. It is never used as a
/// path: files are stored under their content's hash.
pub fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let trimmed = last.trim().trim_start_matches('.');
    let shown: String = neutralise(trimmed, false).chars().take(120).collect();
    if shown.is_empty() {
        "file".to_owned()
    } else {
        shown
    }
}

/// `48 KB`, `5.0 MB`.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";

    #[test]
    fn the_content_decides_not_the_name() {
        let found = check("cv.pdf", PDF, 48_000, &Limits::default()).unwrap();
        assert_eq!(
            (found.kind, found.mime_type),
            (Kind::Document, "application/pdf")
        );
        assert_eq!(
            check("photo", PNG, 1000, &Limits::default()).unwrap().kind,
            Kind::Image
        );
        let err = check("cv.pdf", EXE, 48_000, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("cv.pdf: its content is"), "{err}");
    }

    #[test]
    fn sizes_are_the_products_unless_raised_and_never_past_whatsapps() {
        let err = check("big.pdf", PDF, 6 * MB, &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "big.pdf: 6.0 MB is over the 5.0 MB allowed for documents"
        );
        let raised = Limits {
            document: 500 * MB,
            image: 50 * MB,
            ..Limits::default()
        };
        assert!(check("big.pdf", PDF, 6 * MB, &raised).is_ok());
        assert_eq!(raised.of(Kind::Document), 100 * MB);
        assert_eq!(raised.of(Kind::Image), 5 * MB);
        assert!(check_count(5).is_ok());
        assert!(
            check_count(6)
                .unwrap_err()
                .to_string()
                .contains("at most 5")
        );
    }

    #[test]
    fn a_saved_file_is_named_safely_with_the_extension_of_its_type() {
        assert_eq!(
            save_name(Some("../../cv.pdf"), Some("application/pdf"), "document", 7),
            "cv.pdf"
        );
        assert_eq!(
            save_name(Some("cv.desktop"), Some("application/pdf"), "document", 7),
            "cv.desktop.pdf"
        );
        assert_eq!(
            save_name(None, Some("image/jpeg"), "image", 42),
            "image-42.jpg"
        );
        assert!(!save_name(Some("a\x1b[2Jb.pdf"), None, "document", 1).contains('\x1b'));
    }

    #[test]
    fn names_from_outside_are_shown_never_used_as_paths() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\x\\.bashrc"), "bashrc");
        assert_eq!(display_name("..."), "file");
        let hostile = display_name("cv\x1b[31m.pdf");
        assert!(!hostile.contains('\x1b'), "{hostile:?}");
    }
}
