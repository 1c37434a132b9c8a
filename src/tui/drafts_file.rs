//! Where the TUI keeps a user's unsent replies between sessions: a small JSON file of
//! conversation id → text in the user's own state directory, one per data directory (ids are
//! a store's), private to the user like everything hirechat writes. Written whole to a
//! temporary file and renamed, so a crash leaves the old one or the new one.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Drafts are saved at most this often while typing (and always on the way out).
const EVERY: Duration = Duration::from_secs(2);

pub struct DraftsFile {
    path: PathBuf,
    saved: BTreeMap<u64, String>,
    at: Option<Instant>,
}

impl DraftsFile {
    /// The drafts file for the store in `data_dir`.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        let name: String = std::path::absolute(data_dir)
            .unwrap_or_else(|_| data_dir.to_owned())
            .display()
            .to_string()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        Self::at(
            crate::paths::state_dir()
                .join("drafts")
                .join(format!("{name}.json")),
        )
    }

    pub fn at(path: PathBuf) -> Self {
        Self {
            path,
            saved: BTreeMap::new(),
            at: None,
        }
    }

    /// What an earlier session left; nothing when there is no file or it cannot be read.
    pub fn load(&mut self) -> BTreeMap<u64, String> {
        let drafts: BTreeMap<u64, String> = std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        self.saved.clone_from(&drafts);
        drafts
    }

    /// Saves `drafts` if they changed, at most every couple of seconds unless `now` is asked.
    pub fn save(&mut self, drafts: &BTreeMap<u64, String>, now: bool) {
        if *drafts == self.saved || (!now && self.at.is_some_and(|t| t.elapsed() < EVERY)) {
            return;
        }
        self.at = Some(Instant::now());
        match self.write(drafts) {
            Ok(()) => self.saved.clone_from(drafts),
            Err(e) => tracing::warn!(path = %self.path.display(), error = %e, "drafts not saved"),
        }
    }

    fn write(&self, drafts: &BTreeMap<u64, String>) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(drafts).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_come_back_and_an_empty_set_is_saved_too() {
        let dir = std::env::temp_dir().join(format!("hirechat-drafts-{}", std::process::id()));
        let path = dir.join("d.json");
        let mut file = DraftsFile::at(path.clone());
        assert!(file.load().is_empty());
        let drafts = BTreeMap::from([(7, "Dear Haruto,\nsee you".to_owned())]);
        file.save(&drafts, true);
        assert_eq!(DraftsFile::at(path.clone()).load(), drafts);
        file.save(&BTreeMap::new(), true);
        assert!(DraftsFile::at(path).load().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
