//! `hirechat connect`, for admins: the values asked (or taken from flags and the
//! environment), the number chosen from the account's list, then the engine checks each
//! against the API before anything is kept (`engine::connect`); what goes wrong is said in
//! plain words with what to do.

use std::{fmt::Write as _, path::Path};

use super::{
    backend::{Backend, CliError},
    prompt, settings,
};
use crate::{
    config::{Config, SecretInput, WhatsAppConfig},
    engine::{ConnectForm, Connected, Request, Response},
    whatsapp::account::PhoneNumberInfo,
};

#[derive(Debug, clap::Args)]
pub struct ConnectArgs {
    /// A System User access token with `whatsapp_business_messaging` and
    /// `whatsapp_business_management`.
    #[arg(long, env = "WHATSAPP_ACCESS_TOKEN", hide_env_values = true)]
    access_token: Option<String>,
    /// The WhatsApp Business Account ID (WhatsApp Manager → Account tools).
    #[arg(long, value_name = "ID")]
    business_account_id: Option<String>,
    /// The app's secret (App Dashboard → App settings → Basic).
    #[arg(long, env = "WHATSAPP_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// What Meta's webhook verification must carry; made up when not given.
    #[arg(long, env = "WHATSAPP_VERIFY_TOKEN", hide_env_values = true)]
    verify_token: Option<String>,
    /// The channel's name in every header.
    #[arg(long)]
    nickname: Option<String>,
    /// Which of the account's numbers (else asked, or the only one that can be used).
    #[arg(long, value_name = "ID")]
    phone_number_id: Option<String>,
    /// Where Meta sends this account's webhooks instead of the app's callback: a relay
    /// (`https://relay.example.com/webhook`) or this machine's public address.
    #[arg(long, value_name = "URL")]
    callback: Option<String>,
    /// What a message from an unknown number creates: none, candidate or contact.
    #[arg(long)]
    unknown_senders: Option<String>,
    /// Who new conversations go to: user:LOGIN, group:NAME, role:ROLE, or "" for nobody.
    #[arg(long)]
    assign_to: Option<String>,
    /// Connect even though another app already takes this account's webhooks.
    #[arg(long)]
    take_over: bool,
}

/// A value from its flag, else asked (when someone is there), else what the config has.
fn value(
    given: Option<String>,
    configured: &str,
    flag: &str,
    question: &str,
    secret: bool,
) -> Result<String, CliError> {
    if let Some(v) = given.filter(|v| !v.trim().is_empty()) {
        return Ok(v.trim().to_owned());
    }
    let answer = if prompt::interactive() {
        if secret && !configured.is_empty() {
            let a = prompt::ask_secret(&format!("{question} (empty: keep the one configured)"))?;
            if a.is_empty() {
                configured.to_owned()
            } else {
                a
            }
        } else if secret {
            prompt::ask_secret(question)?
        } else {
            prompt::ask(question, Some(configured))?
        }
    } else {
        configured.to_owned()
    };
    if answer.trim().is_empty() {
        return Err(CliError::BadInput(format!(
            "{flag} is needed (or run `hirechat connect` in a terminal to be asked)"
        )));
    }
    Ok(answer.trim().to_owned())
}

fn describe(n: &PhoneNumberInfo) -> String {
    let quality = n.quality_rating.as_deref().unwrap_or("no rating yet");
    let mut line = format!(
        "{} {} (id {}): quality {quality}, {}",
        n.display_phone_number,
        n.verified_name,
        n.id,
        n.status.as_deref().unwrap_or("status unknown")
    );
    if let Some(why) = n.unusable() {
        let _ = write!(line, " — cannot be used: {why}");
    }
    line
}

/// The number to connect: the one named, else asked, else the only usable one.
fn choose(
    numbers: Vec<PhoneNumberInfo>,
    named: Option<String>,
) -> Result<PhoneNumberInfo, CliError> {
    if let Some(id) = named {
        return numbers.into_iter().find(|n| n.id == id).ok_or_else(|| {
            CliError::BadInput(format!(
                "--phone-number-id {id} is not one of this account's numbers"
            ))
        });
    }
    let usable: Vec<&PhoneNumberInfo> = numbers.iter().filter(|n| n.unusable().is_none()).collect();
    if usable.len() == 1 || !prompt::interactive() {
        return match usable.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(CliError::Refused(
                "none of this account's numbers can be used (see above)".into(),
            )),
            _ => Err(CliError::BadInput(
                "the account has several numbers: choose one with --phone-number-id".into(),
            )),
        };
    }
    loop {
        let answer = prompt::ask(&format!("Which number (1-{})", numbers.len()), None)?;
        if let Some(n) = answer
            .parse::<usize>()
            .ok()
            .and_then(|i| numbers.get(i.wrapping_sub(1)))
        {
            return Ok(n.clone());
        }
        eprintln!("Type the number's position in the list.");
    }
}

/// What the admin gave (or was asked for).
struct Answers {
    token: String,
    waba: String,
    secret: String,
    nickname: String,
}

fn gather(wa: &WhatsAppConfig, args: &mut ConnectArgs) -> Result<Answers, CliError> {
    let token = value(
        args.access_token.take(),
        wa.access_token.expose(),
        "--access-token",
        "Access token (a System User token)",
        true,
    )?;
    let waba = value(
        args.business_account_id.take(),
        &wa.business_account_id,
        "--business-account-id",
        "WhatsApp Business Account ID",
        false,
    )?;
    let secret = value(
        args.app_secret.take(),
        wa.app_secret.expose(),
        "--app-secret",
        "App secret",
        true,
    )?;
    let nickname = value(
        args.nickname.take(),
        &wa.nickname,
        "--nickname",
        "Nickname",
        false,
    )?;
    if let Some(cb) = &args.callback
        && !crate::config::safe_url(cb)
    {
        return Err(CliError::BadInput(format!(
            "--callback {cb}: Meta only calls https addresses"
        )));
    }
    Ok(Answers {
        token,
        waba,
        secret,
        nickname,
    })
}

/// Asks the engine (the daemon's, else one here) to check everything and connect: a running
/// daemon sends and receives for the new number at once.
pub async fn connect(
    config: &Config,
    data_dir: &Path,
    mut args: ConnectArgs,
) -> Result<(), CliError> {
    let answers = gather(&config.whatsapp, &mut args)?;
    let mut backend = Backend::connect(config, data_dir, None).await?;
    println!("Checking the token and business account {}…", answers.waba);
    let access_token = SecretInput::new(answers.token.clone());
    let numbers = match backend
        .call(Request::AccountNumbers {
            access_token: access_token.clone(),
            business_account_id: answers.waba.clone(),
        })
        .await?
    {
        Response::Numbers { numbers } => numbers,
        other => return Err(CliError::Other(format!("unexpected answer: {other:?}"))),
    };
    for (i, n) in numbers.iter().enumerate() {
        println!("  {}. {}", i + 1, describe(n));
    }
    let number = choose(numbers, args.phone_number_id.take())?;
    println!("Checking the app secret and subscribing the app to the account's webhooks…");
    let form = ConnectForm {
        access_token,
        business_account_id: answers.waba,
        app_secret: SecretInput::new(answers.secret),
        verify_token: SecretInput::new(args.verify_token.take().unwrap_or_default()),
        nickname: answers.nickname,
        phone_number_id: number.id,
        callback: args.callback.clone(),
        take_over: args.take_over,
    };
    let connected = match backend
        .call(Request::Connect {
            form: Box::new(form),
        })
        .await?
    {
        Response::Connected { connected } => connected,
        other => return Err(CliError::Other(format!("unexpected answer: {other:?}"))),
    };
    tell(&connected, data_dir);
    routing(&mut backend, args.unknown_senders, args.assign_to).await?;
    if backend.client().is_daemon() {
        println!("The daemon sends and receives for this number from now on.");
    }
    Ok(())
}

fn tell(c: &Connected, data_dir: &Path) {
    for note in &c.notes {
        println!("  ({note})");
    }
    let n = &c.number;
    println!(
        "Connected {} ({}) as {:?}: quality {}. The token and secrets are in {} (readable by you only).",
        n.display_phone_number,
        n.verified_name,
        c.connection.nickname,
        n.quality_rating.as_deref().unwrap_or("not rated yet"),
        crate::config::connection_file(data_dir).display()
    );
    match &c.connection.callback {
        Some(cb) => println!("Meta sends this account's webhooks to {cb}."),
        None => println!(
            "Meta sends this account's webhooks to the app's callback URL (App Dashboard → WhatsApp → Configuration)."
        ),
    }
    if let Some(v) = &c.made_up_verify_token {
        println!("The verify token Meta's verification must carry: {v}");
    }
}

/// The seed's account settings: asked (or taken from the flags) and set through the engine.
async fn routing(
    backend: &mut Backend,
    unknown_senders: Option<String>,
    assign_to: Option<String>,
) -> Result<(), CliError> {
    let (unknown_senders, assign_to) = if prompt::interactive() && unknown_senders.is_none() {
        (
            Some(prompt::ask(
                "A message from a number that matches no record creates (candidate, contact, none)",
                Some("candidate"),
            )?),
            Some(prompt::ask(
                "New conversations go to (user:LOGIN, group:NAME, role:recruiter, or empty for nobody)",
                assign_to.as_deref(),
            )?),
        )
    } else {
        (unknown_senders, assign_to)
    };
    if unknown_senders.is_none() && assign_to.is_none() {
        return Ok(());
    }
    let settings = settings::set_routing(backend, unknown_senders, assign_to).await?;
    settings::show(settings, false)
}
