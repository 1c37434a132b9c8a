//! Files in the inbox: the chat's Attachments section (every file of the conversation,
//! newest first, with a cursor), the files waiting in the compose box, and where files are
//! saved and opened on this machine.

use std::path::PathBuf;

use crate::{config::AttachmentsConfig, engine::api::AttachmentView};

/// The Attachments section of the open conversation.
#[derive(Debug, Default)]
pub struct FilesSection {
    /// Newest first; none until the list arrives.
    pub list: Option<Vec<AttachmentView>>,
    pub cursor: usize,
}

impl FilesSection {
    pub fn selected(&self) -> Option<&AttachmentView> {
        self.list.as_ref()?.get(self.cursor)
    }

    pub fn move_by(&mut self, delta: isize) {
        let len = self.list.as_ref().map_or(0, Vec::len);
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(len.saturating_sub(1));
    }

    /// A new list: the cursor stays on the same file where it still is.
    pub fn loaded(&mut self, list: Vec<AttachmentView>) {
        let id = self.selected().map(|a| a.id);
        self.cursor = id
            .and_then(|id| list.iter().position(|a| a.id == id))
            .unwrap_or(0);
        self.list = Some(list);
    }
}

/// A file waiting in the compose box, sent with the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFile {
    /// The full path, as the engine takes it.
    pub path: String,
    /// Its last part, made safe to show.
    pub name: String,
    pub size: u64,
}

/// Where files go on this machine (`[attachments]`).
#[derive(Debug, Clone, Default)]
pub struct FileSetup {
    /// Where `s` saves.
    pub save_dir: PathBuf,
    /// Where a file is put to be opened (private to the user).
    pub open_dir: PathBuf,
    /// The opener and its arguments before the path; none: there is no way to open here.
    pub opener: Option<Vec<String>>,
    /// A chooser that prints the chosen paths; none: the compose box asks for a path.
    pub picker: Option<Vec<String>>,
    /// Whether images are previewed (the terminal's way of showing them is known).
    pub previews: bool,
}

impl FileSetup {
    /// From the config, the environment (`$OPENER`) and whether a desktop is there.
    pub fn new(config: &AttachmentsConfig, desktop: bool) -> Self {
        let words = |s: &str| {
            let w: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
            (!w.is_empty()).then_some(w)
        };
        let opener = words(&config.open_command)
            .or_else(|| std::env::var("OPENER").ok().as_deref().and_then(words))
            .or_else(|| {
                desktop.then(|| {
                    vec![
                        if cfg!(target_os = "macos") {
                            "open"
                        } else {
                            "xdg-open"
                        }
                        .to_owned(),
                    ]
                })
            });
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        Self {
            save_dir: config.save_folder(),
            open_dir: cache.join("hirechat").join("open"),
            opener,
            picker: words(&config.picker_command),
            // Set once the link knows how this terminal shows images.
            previews: false,
        }
    }
}

impl FileSetup {
    /// Copies made to be opened stay while a viewer may still read them; a day later, at the
    /// next start, they go (candidates' files do not pile up in the cache).
    pub fn forget_old_openings(&self) {
        let Ok(entries) = std::fs::read_dir(&self.open_dir) else {
            return;
        };
        let day = std::time::Duration::from_secs(24 * 3600);
        for entry in entries.filter_map(Result::ok) {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// `Tab` in the attach prompt: the typed path completed as far as the folder's entries agree
/// (a folder gets its `/`), and the names that still match (at most twelve, for the prompt).
/// Hidden entries only when the typed name starts with a dot.
pub fn complete_path(typed: &str) -> (String, Vec<String>) {
    let (folder, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let expanded = match (folder.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ if folder.is_empty() => PathBuf::from("."),
        _ => PathBuf::from(folder),
    };
    let Ok(entries) = std::fs::read_dir(&expanded) else {
        return (typed.to_owned(), Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let hidden = name.starts_with('.') && !prefix.starts_with('.');
            (!hidden && name.starts_with(prefix)).then(|| {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    name + "/"
                } else {
                    name
                }
            })
        })
        .collect();
    names.sort();
    let common = names
        .iter()
        .skip(1)
        .fold(names.first().cloned().unwrap_or_default(), |acc, n| {
            acc.chars()
                .zip(n.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect()
        });
    let completed = if common.len() > prefix.len() {
        format!("{folder}{common}")
    } else {
        typed.to_owned()
    };
    let shown = if names.len() > 1 {
        names
            .iter()
            .take(12)
            .map(|n| crate::domain::safe_text::neutralise(n, false).into_owned())
            .collect()
    } else {
        Vec::new()
    };
    (completed, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_opened_a_day_ago_are_forgotten_at_the_next_start() {
        let dir = std::env::temp_dir().join(format!("hirechat-opened-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (old, new) = (dir.join("cv.pdf"), dir.join("photo.jpg"));
        std::fs::write(&new, b"").unwrap();
        let file = std::fs::File::create(&old).unwrap();
        file.set_modified(
            std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600),
        )
        .unwrap();
        let setup = FileSetup {
            open_dir: dir.clone(),
            ..FileSetup::default()
        };
        setup.forget_old_openings();
        assert!(!old.exists() && new.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tab_completes_as_far_as_the_names_agree() {
        let dir = std::env::temp_dir().join(format!("hirechat-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("cvs")).unwrap();
        std::fs::write(dir.join("cv_ken.pdf"), b"").unwrap();
        std::fs::write(dir.join("cv_kenji.pdf"), b"").unwrap();
        std::fs::write(dir.join(".hidden"), b"").unwrap();
        let base = format!("{}/", dir.display());
        let (done, matches) = complete_path(&format!("{base}cv_"));
        assert_eq!(done, format!("{base}cv_ken"));
        assert_eq!(matches, ["cv_ken.pdf", "cv_kenji.pdf"]);
        assert_eq!(
            complete_path(&format!("{base}cvs")).0,
            format!("{base}cvs/")
        );
        let (_, all) = complete_path(&base);
        assert!(!all.iter().any(|n| n.starts_with('.')), "{all:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
