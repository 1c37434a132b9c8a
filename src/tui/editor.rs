//! Handing the terminal to the user's editor and back. The text goes to a private temporary
//! file; `$VISUAL`, else `$EDITOR`, else `vi` is run on it through `sh` (so an editor given
//! with arguments, `code --wait`, works); what it leaves is the new text. While it runs the
//! key reader stands aside, so no keystroke meant for the editor is taken.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// Tells the key reader to stop reading, and knows when it has.
#[derive(Clone, Default)]
pub struct KeyPause {
    asked: Arc<AtomicBool>,
    idle: Arc<AtomicBool>,
}

impl KeyPause {
    /// The reader's side: whether to read now (saying it is idle when not).
    pub fn may_read(&self) -> bool {
        let asked = self.asked.load(Ordering::SeqCst);
        self.idle.store(asked, Ordering::SeqCst);
        !asked
    }

    /// Stops the reader, waiting (briefly) until it is between reads.
    fn pause(&self) {
        self.asked.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_millis(500);
        while !self.idle.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn resume(&self) {
        self.asked.store(false, Ordering::SeqCst);
    }
}

/// The editor's command line.
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned())
}

/// Runs a file chooser (`[attachments] picker_command`, no shell) with the terminal its own
/// and returns what it printed: the chosen paths, one per line.
pub fn choose(argv: &[String], keys: &KeyPause) -> Result<String, String> {
    let Some((program, rest)) = argv.split_first() else {
        return Err("no picker_command is set".into());
    };
    keys.pause();
    super::restore();
    let output = std::process::Command::new(program)
        .args(rest)
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .output();
    super::take_over();
    keys.resume();
    match output {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => Err(format!(
            "{program} exited with {}: nothing attached",
            o.status
        )),
        Err(e) => Err(format!("cannot run {program}: {e}")),
    }
}

/// Runs the editor on `text` and returns what it left; the terminal is the editor's meanwhile.
pub fn edit(text: &str, keys: &KeyPause) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("hirechat-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make a file to edit: {e}"))?;
    let file = dir.join("reply.txt");
    std::fs::write(&file, text).map_err(|e| format!("cannot make a file to edit: {e}"))?;
    keys.pause();
    super::restore();
    let command = editor();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status();
    super::take_over();
    keys.resume();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read what the editor wrote: {e}")),
        Ok(s) => Err(format!("{command} exited with {s}: the text is as it was")),
        Err(e) => Err(format!("cannot run {command}: {e}")),
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}
