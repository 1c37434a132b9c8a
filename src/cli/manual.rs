//! Shell completions and the manual page, made from the same command definitions as the
//! parser, so they cannot drift from it.

use std::io::Write;

use clap::{Arg, Command, CommandFactory};

use super::{Cli, CliError};

/// `hirechat completions SHELL`: the script on standard output.
pub fn completions(shell: clap_complete::Shell) {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "hirechat", &mut std::io::stdout());
}

/// `hirechat man`: one page in roff, the program's sections (`clap_mangen`) followed by a
/// section per command with its usage and every option.
pub fn man() -> Result<(), CliError> {
    let write = |e: std::io::Error| CliError::Other(format!("cannot write the manual: {e}"));
    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .map_err(write)?;
    // The commands are sections of this one page, not pages of their own.
    let mut page = String::from_utf8_lossy(&page).replace("hirechat\\-", "hirechat ");
    let shown = |c: &&Command| !c.is_hide_set() && c.get_name() != "help";
    for sub in command.get_subcommands().filter(shown) {
        command_section(&mut page, sub, &format!("hirechat {}", sub.get_name()));
        for inner in sub.get_subcommands().filter(shown) {
            let name = format!("hirechat {} {}", sub.get_name(), inner.get_name());
            command_section(&mut page, inner, &name);
        }
    }
    std::io::stdout()
        .lock()
        .write_all(page.as_bytes())
        .map_err(write)
}

/// A section for one command: what it does, how it is called, and its options.
fn command_section(out: &mut String, command: &Command, name: &str) {
    let mut lines = vec![format!(".SH \"{}\"", name.to_uppercase())];
    if let Some(about) = command.get_long_about().or(command.get_about()) {
        lines.push(roff(&about.to_string()));
    }
    let usage = command.clone().bin_name(name).render_usage().to_string();
    lines.push(".PP".into());
    lines.push(format!(
        "\\fB{}\\fR",
        roff(usage.trim_start_matches("Usage: "))
    ));
    for arg in command
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !is_builtin(a))
    {
        lines.push(".TP".into());
        lines.push(roff(&arg_name(arg)));
        lines.push(roff(&arg_help(arg)));
    }
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
}

fn is_builtin(arg: &Arg) -> bool {
    matches!(arg.get_id().as_str(), "help" | "version") || arg.is_global_set()
}

fn arg_name(arg: &Arg) -> String {
    let value = arg
        .get_value_names()
        .and_then(|v| v.first())
        .map(|v| format!(" <{v}>"))
        .unwrap_or_default();
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    match arg.get_long() {
        Some(long) if takes_value => format!("--{long}{value}"),
        Some(long) => format!("--{long}"),
        None => format!("<{}>", arg.get_id().as_str().to_uppercase()),
    }
}

fn arg_help(arg: &Arg) -> String {
    let help = arg
        .get_long_help()
        .or(arg.get_help())
        .map(ToString::to_string)
        .unwrap_or_default();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if defaults.is_empty() {
        help
    } else {
        format!("{help} [default: {}]", defaults.join(", "))
    }
}

/// Text made safe for roff: backslashes escaped, hyphens as hyphens, and a line that would
/// read as a request kept as text.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
