//! `hirechat disconnect`: after confirmation (the nickname typed, or `--yes`), the engine
//! unsubscribes the app, keeps the time in the connection file and stops every send.

use std::path::Path;

use chrono::Utc;

use super::{
    backend::{Backend, CliError},
    prompt,
};
use crate::{
    config::Config,
    engine::{Request, Response},
};

pub async fn disconnect(config: &Config, data_dir: &Path, yes: bool) -> Result<(), CliError> {
    let wa = &config.whatsapp;
    if wa.phone_number_id.is_empty() {
        return Err(CliError::BadInput("no number is connected".into()));
    }
    if let Some(at) = wa.disconnected_at {
        println!(
            "{} was disconnected on {} already.",
            wa.nickname,
            at.format("%Y-%m-%d %H:%M UTC")
        );
        return Ok(());
    }
    if !yes {
        if !prompt::interactive() {
            return Err(CliError::BadInput(
                "disconnecting stops all sending: run it in a terminal and type the nickname to confirm, or pass --yes".into(),
            ));
        }
        let typed = prompt::ask(
            &format!(
                "This stops all sending from {:?}; the history stays readable. Type the nickname to confirm",
                wa.nickname
            ),
            None,
        )?;
        if typed != wa.nickname {
            return Err(CliError::BadInput(
                "not disconnected: that is not the nickname".into(),
            ));
        }
    }
    let mut backend = Backend::connect(config, data_dir, None).await?;
    if let Response::Disconnected {
        warning: Some(w), ..
    } = backend.call(Request::Disconnect { at: Utc::now() }).await?
    {
        eprintln!("warning: {w}");
    }
    println!(
        "Disconnected {:?}: nothing is sent from this number any more, and the history stays readable. `hirechat connect` connects it again.",
        wa.nickname
    );
    Ok(())
}
