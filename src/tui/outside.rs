//! Carrying out the app's requests outside the screen: OSC 52 to set the clipboard of the
//! terminal the recruiter sits at (inside tmux, also wrapped for tmux to pass on), and the
//! desktop's opener for a link, run directly (no shell) with the link as one argument.

use std::io::Write as _;

use base64::Engine as _;

use super::app::Outside;

/// Whether a desktop is there to open links on (not so over a bare SSH session).
pub fn desktop() -> bool {
    cfg!(target_os = "macos")
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
        || std::env::var_os("DISPLAY").is_some()
}

/// The OSC 52 sequence that puts `text` on the clipboard; in tmux, also the same wrapped so
/// that tmux passes it to the outer terminal.
pub fn osc52(text: &str, tmux: bool) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let plain = format!("\x1b]52;c;{encoded}\x07");
    if tmux {
        format!("{plain}\x1bPtmux;\x1b\x1b]52;c;{encoded}\x07\x1b\\")
    } else {
        plain
    }
}

pub fn carry_out(outside: Outside) {
    match outside {
        Outside::Copy(text) => {
            let mut out = std::io::stdout();
            let _ = out.write_all(osc52(&text, std::env::var_os("TMUX").is_some()).as_bytes());
            let _ = out.flush();
        }
        Outside::Open(link) => {
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            };
            let spawned = std::process::Command::new(opener)
                .arg(&link)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "{opener} could not be run");
            }
        }
        Outside::OpenFile(command) => {
            let Some((program, rest)) = command.split_first() else {
                return;
            };
            let spawned = std::process::Command::new(program)
                .args(rest)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
            match spawned {
                // Reaped in the background: an opener may stay as long as its window.
                Ok(mut child) => {
                    std::thread::spawn(move || child.wait());
                }
                Err(e) => tracing::warn!(error = %e, program, "the opener could not be run"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(super::osc52("hi", false), "\x1b]52;c;aGk=\x07");
        assert!(super::osc52("hi", true).contains("\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"));
    }
}
