//! The command line (clap). Each command calls the same Engine API as the TUI: through the
//! daemon's socket when one runs, else with an engine in this process.

mod attachments;
mod backend;
mod bulk;
mod compact;
mod connect;
mod conversation_state;
mod credits;
mod disconnect;
mod doctor;
mod doctor_api;
mod import;
mod inbox;
mod labels;
mod listing;
mod manual;
mod outbox;
mod output;
mod prompt;
mod record_fields;
mod records;
mod rules;
mod scheduled;
mod send;
mod settings;
mod templates;
mod views;

use std::{io::Write as _, net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{config::Config, sim::SimConfig};
use backend::{Backend, CliError};

#[derive(Debug, Parser)]
#[command(
    name = "hirechat",
    version,
    about = "A terminal inbox for recruiters on WhatsApp"
)]
pub struct Cli {
    /// The configuration file.
    #[arg(long, global = true, env = "HIRECHAT_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Where the database, the socket and the log live.
    #[arg(long, global = true, env = "HIRECHAT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Without a command: the inbox (`tui`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The inbox against the built-in simulator, seeded with demo conversations; no account
    /// needed (with `--config`, its `[tui]`, `[notifications]` and `[attachments]` apply).
    Demo,
    /// The inbox: through the daemon when one runs, else with the engine in this process.
    Tui,
    /// The daemon: webhook listener, engine, outbox and the team's local socket.
    Serve,
    /// A relay for an inbox Meta cannot reach: run it on a host Meta can, point Meta's
    /// callback at it, and set `[webhook] mode = "relay"` in the inbox's config.
    Relay,
    /// A simulator of the WhatsApp Cloud API, for trying hirechat without an account.
    Sim {
        /// The address the simulated Cloud API listens on.
        #[arg(long, default_value = "127.0.0.1:8788")]
        listen: SocketAddr,
        /// Where to post signed webhooks (a running `hirechat serve`).
        #[arg(long)]
        webhook_url: Option<String>,
        /// The app secret its webhooks are signed with (the daemon's `app_secret`).
        #[arg(
            long,
            env = "WHATSAPP_APP_SECRET",
            default_value = "sim-secret",
            hide_env_values = true
        )]
        app_secret: String,
        /// The bearer token the simulator accepts.
        #[arg(
            long,
            env = "WHATSAPP_ACCESS_TOKEN",
            default_value = "sim-token",
            hide_env_values = true
        )]
        access_token: String,
        /// The phone number id it answers for (the daemon's `phone_number_id`).
        #[arg(long, default_value = "106540352242922")]
        phone_number_id: String,
    },
    /// Queue a message and print it as JSON once WhatsApp has taken it (or refused it); with
    /// files, one message each (then the text), printed as a JSON array. With `--at`, it is
    /// scheduled for then instead (`scheduled list` shows it waiting).
    Send(send::SendArgs),
    /// Workflow rules: when a record is created, edited or a field becomes a value, send an
    /// approved template (admins manage them; anyone reads them and their log).
    Rules {
        #[command(subcommand)]
        command: rules::RulesCommand,
    },
    /// WhatsApp's rate card: import one in the shape of Meta's CSV, list them.
    Rates {
        #[command(subcommand)]
        command: credits::RatesCommand,
    },
    /// The credits every business-initiated message draws on: the balance and its ledger,
    /// credits bought or refunded (admins).
    Credits {
        #[command(subcommand)]
        command: Option<credits::CreditsCommand>,
    },
    /// What was spent in a month, by user, category, country, template or day (admins).
    Usage(credits::UsageArgs),
    /// Bulk sends (`send --template NAME --filter Q | --to-file F`): list them, see each
    /// recipient's outcome, stop one.
    Batches {
        #[command(subcommand)]
        command: bulk::BatchesCommand,
    },
    /// Messages scheduled for later (`send --at`): list them, change or cancel one.
    Scheduled {
        #[command(subcommand)]
        command: scheduled::ScheduledCommand,
    },
    /// Import candidates, contacts, job-openings, interviews, clients or bookings from a CSV file
    /// (re-importing updates: records by mobile or email, the others by what identifies them).
    Import {
        /// candidates, contacts, job-openings, interviews, clients or bookings.
        kind: String,
        /// The CSV file, with a header line naming its columns.
        file: PathBuf,
        /// The report as JSON (created, updated, unchanged, and each refused row).
        #[arg(long)]
        json: bool,
    },
    /// Manage templates.
    Templates {
        #[command(subcommand)]
        command: templates::TemplatesCommand,
    },
    /// Candidates and contacts: list and search them, show one's card.
    Records {
        #[command(subcommand)]
        command: records::RecordsCommand,
    },
    /// Labels: define them (admins), put them on conversations.
    Labels {
        #[command(subcommand)]
        command: labels::LabelsCommand,
    },
    /// The outbox: what waits or failed; send a failed message again.
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// A conversation's files: list them, save one.
    Attachments {
        #[command(subcommand)]
        command: attachments::AttachmentsCommand,
    },
    /// Settings: the routing of unknown senders and new conversations (changes: admins).
    Settings {
        #[command(subcommand)]
        command: settings::SettingsCommand,
    },
    /// The views of the list: built-in, shared, and your own saved queries.
    Views {
        #[command(subcommand)]
        command: views::ViewsCommand,
    },
    /// Connect the WhatsApp number (admins): checks the token, the business account, the
    /// number and the app secret against the API, subscribes the app to the account's
    /// webhooks, keeps the secrets in the data directory (0600), and asks the routing.
    Connect(connect::ConnectArgs),
    /// Disconnect the number (admins): after confirmation (type the nickname, or `--yes`)
    /// nothing is sent from it; the history stays readable.
    Disconnect {
        /// No question: disconnect at once.
        #[arg(long)]
        yes: bool,
    },
    /// Write the database anew with only its live data: a smaller file that opens faster
    /// and takes less memory (after an upgrade that migrated it, or months of writes). Stop
    /// the daemon and every inbox on this data directory first; needs room for one more copy
    /// of the live data, and leaves the database as it was if cut off.
    Compact {
        /// The outcome as JSON (keys copied, bytes on disk before and after).
        #[arg(long)]
        json: bool,
    },
    /// The daemon's health (admins): database, outbox, webhooks kept aside and why.
    Doctor {
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List conversations, most recent first; or resolve, reopen, set pending or snooze one.
    Conversations {
        #[command(subcommand)]
        action: Option<conversation_state::StateAction>,
        /// A built-in view: my-unreplied, sent-today, all-unreplied.
        #[arg(long, conflicts_with = "filter")]
        view: Option<String>,
        /// A filter, e.g. "unreplied>3d owner:me window:open".
        #[arg(long)]
        filter: Option<String>,
        /// One JSON array instead of a table (after a change: the conversation as JSON).
        #[arg(long, global = true)]
        json: bool,
        /// At most this many conversations.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
    },
    /// Hand a conversation to someone: a user, a group (its members in turn) or nobody.
    /// Admins assign any; a recruiter takes one or hands over their own.
    Assign {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
        /// LOGIN, group:NAME, role:ROLE, or none.
        #[arg(long)]
        to: String,
        /// The conversation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One conversation's messages, oldest first.
    Messages {
        /// A phone number or a BSUID.
        #[arg(long)]
        with: String,
        /// One JSON array instead of lines.
        #[arg(long)]
        json: bool,
        /// The newest this many messages.
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
    },
    /// Print a shell's completion script: `source <(hirechat completions bash)`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `hirechat man | man -l -`.
    Man,
}

pub fn main() -> ExitCode {
    crate::memory::small_pages();
    crate::memory::give_back_at_once();
    crate::paths::private_by_default();
    let cli = Cli::parse();
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(crate::paths::default_data_dir);
    let log_dir = match (&cli.command, &cli.data_dir) {
        (Some(Command::Demo), None) => crate::demo::fresh_dir(),
        _ => data_dir.clone(),
    };
    let _log = crate::logging::init(&log_dir);
    // The relay is meant for a one-core host: one thread serves it all (its writer has its
    // own), which also keeps its memory small.
    let mut builder = if matches!(cli.command, Some(Command::Relay)) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(&CliError::Other(format!("cannot start: {e}"))),
    };
    // The demo's database lives in its own directory, gone when it ends.
    let own_store = (!matches!(cli.command, Some(Command::Demo))).then(|| data_dir.clone());
    let long_running = matches!(cli.command, None | Some(Command::Tui | Command::Serve));
    let result = runtime.block_on(run(cli, data_dir));
    // Every task ends here, and with them this process's handles on the database.
    drop(runtime);
    if let Some(dir) = own_store
        && crate::store::wrote_enough(long_running)
        && let Err(e) = crate::store::Store::checkpoint_closed(&dir)
    {
        tracing::warn!(error = %e, "could not checkpoint the database on the way out");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &CliError) -> ExitCode {
    // Not eprintln!: with the terminal gone it would panic instead of exiting with the code.
    let _ = writeln!(std::io::stderr(), "error: {e}");
    ExitCode::from(e.exit_code())
}

async fn run(cli: Cli, data_dir: PathBuf) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Tui);
    match command {
        // Made from the command definitions alone: no configuration needed.
        Command::Completions { shell } => {
            manual::completions(shell);
            return Ok(());
        }
        Command::Man => return manual::man(),
        _ => {}
    }
    if matches!(command, Command::Demo) {
        return inbox::demo(cli.config.as_deref(), cli.data_dir.clone()).await;
    }
    let mut config = Config::load(cli.config.as_deref())?;
    config.apply_connection(&data_dir)?;
    let exposed = config.exposure_warning();
    if let Some(warning) = &exposed {
        tracing::warn!("{warning}");
        eprintln!("warning: {warning}");
    }
    match command {
        Command::Tui => inbox::tui(&config, &data_dir, exposed).await,
        Command::Serve => crate::server::daemon::run(config, &data_dir)
            .await
            .map_err(|e| CliError::Other(e.to_string())),
        Command::Relay => crate::relay::run(config, &data_dir)
            .await
            .map_err(|e| CliError::Other(e.to_string())),
        Command::Sim {
            listen,
            webhook_url,
            app_secret,
            access_token,
            phone_number_id,
        } => {
            let sim = SimConfig {
                access_token,
                app_secret,
                webhook_url,
                phone_number_id,
                ..SimConfig::default()
            };
            sim_standalone(listen, sim).await
        }
        Command::Templates { command } => templates::run(&config, &data_dir, command).await,
        Command::Attachments { command } => attachments::run(&config, &data_dir, command).await,
        Command::Outbox { command } => outbox::run(&config, &data_dir, command).await,
        Command::Labels { command } => labels::run(&config, &data_dir, command).await,
        Command::Records { command } => records::run(&config, &data_dir, command).await,
        Command::Views { command } => views::run(&config, &data_dir, command).await,
        Command::Doctor { json } => doctor::run(&config, &data_dir, json).await,
        Command::Compact { json } => compact::run(&config, &data_dir, json).await,
        Command::Connect(args) => connect::connect(&config, &data_dir, args).await,
        Command::Disconnect { yes } => disconnect::disconnect(&config, &data_dir, yes).await,
        Command::Settings { command } => settings::run(&config, &data_dir, command).await,
        Command::Import { kind, file, json } => {
            import::run(&config, &data_dir, &kind, &file, json).await
        }
        Command::Send(args) => send::run(&config, &data_dir, args).await,
        Command::Scheduled { command } => scheduled::run(&config, &data_dir, command).await,
        Command::Batches { command } => bulk::batches(&config, &data_dir, command).await,
        Command::Rules { command } => rules::run(&config, &data_dir, command).await,
        Command::Rates { command } => credits::rates(&config, &data_dir, command).await,
        Command::Credits { command } => credits::credits(&config, &data_dir, command).await,
        Command::Usage(args) => credits::usage(&config, &data_dir, args).await,
        Command::Conversations {
            action: Some(action),
            json,
            ..
        } => conversation_state::run(&config, &data_dir, action, json).await,
        Command::Conversations {
            action: None,
            view,
            filter,
            json,
            limit,
        } => listing::conversations(&config, &data_dir, view, filter, json, Some(limit)).await,
        Command::Assign { with, to, json } => {
            conversation_state::assign(&config, &data_dir, with, to, json).await
        }
        Command::Messages { with, json, limit } => {
            listing::messages(&config, &data_dir, with, json, Some(limit)).await
        }
        Command::Demo | Command::Completions { .. } | Command::Man => Ok(()),
    }
}

async fn sim_standalone(listen: SocketAddr, sim: SimConfig) -> Result<(), CliError> {
    crate::sim::run_standalone(listen, sim)
        .await
        .map_err(|e| CliError::Other(format!("simulator: {e}")))
}
