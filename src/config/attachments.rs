//! `[attachments]`: the sizes a send allows (the product's 5 MB, raised at most to WhatsApp's
//! own limits), how large an inbound file may be, how long files are kept, and how a file is
//! opened, saved and picked on this machine.

use std::path::PathBuf;

use serde::Deserialize;

use crate::domain::attachment::Limits;

const MB: u64 = 1024 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentsConfig {
    /// Largest file of each kind a send takes, in MB (never past WhatsApp's own limits:
    /// images 5, video and audio 16, documents 100).
    pub image_mb: u64,
    pub document_mb: u64,
    pub audio_mb: u64,
    pub video_mb: u64,
    /// Largest inbound file kept, in MB (WhatsApp's largest is 100).
    pub download_mb: u64,
    /// How long one download or upload may take, in seconds.
    pub transfer_timeout_secs: u64,
    /// Files older than this many days are removed (0: kept for good).
    pub keep_days: u32,
    /// The program that opens a file (given its path as its one argument); empty: `$OPENER`,
    /// else `xdg-open` (`open` on macOS).
    pub open_command: String,
    /// Where `s` in the Attachments section and `attachments save` put a file; empty: the
    /// user's Downloads folder, else their home.
    pub save_dir: Option<PathBuf>,
    /// A file chooser that prints the chosen paths, one per line (`yazi --chooser-file=/dev/stdout`,
    /// `nnn -p -`); empty: the compose box asks for a path.
    pub picker_command: String,
    /// Images previewed inside the terminal.
    pub previews: bool,
    /// How: `auto` (from what the terminal says of itself; half blocks inside tmux),
    /// `halfblocks`, `sixel`, `kitty` or `iterm2`.
    pub graphics: Graphics,
}

/// A terminal's way of showing images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Graphics {
    #[default]
    Auto,
    Halfblocks,
    Sixel,
    Kitty,
    Iterm2,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        let product = Limits::default();
        Self {
            image_mb: product.image / MB,
            document_mb: product.document / MB,
            audio_mb: product.audio / MB,
            video_mb: product.video / MB,
            download_mb: 100,
            transfer_timeout_secs: 300,
            keep_days: 0,
            open_command: String::new(),
            save_dir: None,
            picker_command: String::new(),
            previews: true,
            graphics: Graphics::Auto,
        }
    }
}

impl AttachmentsConfig {
    /// The send limits, in bytes (the domain holds them to WhatsApp's).
    pub fn limits(&self) -> Limits {
        Limits {
            image: self.image_mb.saturating_mul(MB),
            document: self.document_mb.saturating_mul(MB),
            audio: self.audio_mb.saturating_mul(MB),
            video: self.video_mb.saturating_mul(MB),
        }
    }

    /// The largest inbound file, in bytes (never past WhatsApp's largest).
    pub fn download_cap(&self) -> u64 {
        self.download_mb
            .saturating_mul(MB)
            .min(crate::domain::attachment::Kind::Document.whatsapp_limit())
    }

    /// The folder files are saved to.
    pub fn save_folder(&self) -> PathBuf {
        if let Some(dir) = self.save_dir.as_ref().filter(|d| !d.as_os_str().is_empty()) {
            return dir.clone();
        }
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
        let downloads = home.join("Downloads");
        if downloads.is_dir() { downloads } else { home }
    }
}
