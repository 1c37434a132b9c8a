//! Questions on the terminal for commands an admin runs by hand (`connect`, `disconnect`):
//! asked on standard error, answered on standard input, a secret without echo. Without a
//! terminal nothing is asked: the command says which flag to give.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use super::backend::CliError;

/// Whether someone is there to answer.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn read_line() -> Result<String, CliError> {
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Other(format!("cannot read the answer: {e}")))?;
    if n == 0 {
        return Err(CliError::BadInput("no answer (end of input)".into()));
    }
    Ok(line.trim().to_owned())
}

/// Asks `question`; an empty answer takes `default`.
pub fn ask(question: &str, default: Option<&str>) -> Result<String, CliError> {
    let mut err = std::io::stderr();
    let _ = match default {
        Some(d) if !d.is_empty() => write!(err, "{question} [{d}]: "),
        _ => write!(err, "{question}: "),
    };
    let _ = err.flush();
    let answer = read_line()?;
    Ok(if answer.is_empty() {
        default.unwrap_or_default().to_owned()
    } else {
        answer
    })
}

/// Asks for a secret without showing what is typed.
pub fn ask_secret(question: &str) -> Result<String, CliError> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} (not shown): ");
    let _ = err.flush();
    let stdin = std::io::stdin();
    let before = tcgetattr(&stdin).ok();
    if let Some(mut quiet) = before.clone() {
        quiet.local_modes.remove(LocalModes::ECHO);
        let _ = tcsetattr(&stdin, OptionalActions::Now, &quiet);
    }
    let answer = read_line();
    if let Some(before) = before {
        let _ = tcsetattr(&stdin, OptionalActions::Now, &before);
    }
    let _ = writeln!(err);
    answer
}
