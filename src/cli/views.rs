//! `hirechat views list|save|delete`: the views of the list, and saving a query as one.

use clap::Subcommand;

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    domain::{
        safe_text::neutralise,
        view::{Sort, ViewInput},
    },
    engine::{Request, Response, api::ViewCount},
};

#[derive(Debug, Subcommand)]
pub enum ViewsCommand {
    /// Every view you see (built-in, shared, yours) with its count.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Save a query as a view; saving an existing name replaces it.
    Save {
        /// The view's name, as the list's views line and `--view` show it.
        name: String,
        /// The query, e.g. "unreplied>3d owner:me window:open".
        #[arg(long)]
        filter: String,
        /// `newest` (most recent activity first) or `oldest` (longest waiting first).
        #[arg(long, default_value = "newest")]
        sort: String,
        /// For everyone (admins only); otherwise yours alone.
        #[arg(long)]
        shared: bool,
    },
    /// Delete a view: yours, or a shared one (admins only).
    Delete {
        /// The view's name.
        name: String,
    },
}

pub async fn run(
    config: &Config,
    data_dir: &std::path::Path,
    command: ViewsCommand,
) -> Result<(), CliError> {
    let (request, json) = match command {
        ViewsCommand::List { json } => (Request::Views, json),
        ViewsCommand::Save {
            name,
            filter,
            sort,
            shared,
        } => {
            let sort = match sort.as_str() {
                "newest" => Sort::Newest,
                "oldest" => Sort::Oldest,
                other => {
                    return Err(CliError::BadInput(format!(
                        "--sort {other:?}: use newest or oldest"
                    )));
                }
            };
            let view = ViewInput {
                name,
                query: filter,
                sort,
                shared,
            };
            (Request::SaveView { view }, false)
        }
        ViewsCommand::Delete { name } => (Request::DeleteView { name }, false),
    };
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let Response::Views { views } = backend.call(request).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if json {
        output::json(&views);
    } else {
        print_table(&views);
    }
    Ok(())
}

fn print_table(views: &[ViewCount]) {
    println!("{:<28} {:>8}  {:<8} QUERY", "VIEW", "COUNT", "FOR");
    for v in views {
        let name = if v.name.is_empty() { "(all)" } else { &v.name };
        let count = v.count.map_or_else(|| "-".into(), |c| c.to_string());
        let (whom, query) = match &v.saved {
            Some(s) => (
                s.owner.clone().unwrap_or_else(|| "everyone".into()),
                s.query.clone(),
            ),
            None => (
                "built-in".to_owned(),
                crate::domain::filter::built_in_view(&v.name)
                    .unwrap_or("")
                    .to_owned(),
            ),
        };
        println!(
            "{:<28} {count:>8}  {:<8} {}",
            neutralise(name, false),
            neutralise(&whom, false),
            neutralise(&query, false)
        );
    }
}
