//! `hirechat connect` and `hirechat disconnect`, for the admin who owns the data directory:
//! each value is checked against the API before anything is saved, and what goes wrong is
//! said in plain words with what to do.

use std::{fmt::Write as _, path::Path, time::Duration};

use chrono::Utc;

use super::{
    backend::{Backend, CliError},
    prompt, settings,
};
use crate::{
    config::{Config, Connection, Secret, WhatsAppConfig},
    whatsapp::{
        account::{PhoneNumberInfo, explain},
        client::CloudClient,
    },
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

fn api(e: &crate::whatsapp::client::ClientError, waba: &str) -> CliError {
    CliError::Refused(explain(e, waba))
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
    verify: String,
    /// The verify token was made up here: it is shown once.
    made_up: bool,
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
    let verify = args
        .verify_token
        .take()
        .filter(|v| !v.is_empty())
        .or_else(|| (!wa.verify_token.is_empty()).then(|| wa.verify_token.expose().to_owned()));
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
        made_up: verify.is_none(),
        verify: verify
            .unwrap_or_else(|| format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))),
    })
}

/// Checks every value against the API and subscribes the app; returns the number chosen.
async fn check(
    wa: &WhatsAppConfig,
    answers: &Answers,
    args: &ConnectArgs,
) -> Result<PhoneNumberInfo, CliError> {
    let waba = answers.waba.as_str();
    let mut account = WhatsAppConfig {
        business_account_id: waba.to_owned(),
        access_token: Secret::new(answers.token.clone()),
        ..wa.clone()
    };
    let client = |account: &WhatsAppConfig| {
        CloudClient::new(account, Duration::from_secs(20))
            .map_err(|e| CliError::Other(e.to_string()))
    };
    println!("Checking the token and business account {waba}…");
    let numbers = client(&account)?
        .phone_numbers()
        .await
        .map_err(|e| api(&e, waba))?;
    if numbers.is_empty() {
        return Err(CliError::Refused(format!(
            "business account {waba} has no phone number yet: add one in WhatsApp Manager → Account tools → Phone numbers"
        )));
    }
    for (i, n) in numbers.iter().enumerate() {
        println!("  {}. {}", i + 1, describe(n));
    }
    let number = choose(numbers, args.phone_number_id.clone())?;
    if let Some(why) = number.unusable() {
        return Err(CliError::Refused(format!(
            "{} cannot be used: {why}",
            number.display_phone_number
        )));
    }
    account.phone_number_id = number.id.clone();
    let client = client(&account)?;
    let app = app_checked(&client, &answers.secret, waba).await?;
    // Without the token's app, another app shows by the callback it overrides.
    let ours = |a: &crate::whatsapp::account::SubscribedApp| match &app {
        Some(app) => a.app_id == app.id,
        None => a.override_callback_uri.is_none() || a.override_callback_uri == args.callback,
    };
    let others: Vec<String> = client
        .subscribed_apps()
        .await
        .map_err(|e| api(&e, waba))?
        .into_iter()
        .filter(|a| !ours(a))
        .map(|a| match a.override_callback_uri {
            Some(uri) => format!("{} (webhooks to {uri})", a.name),
            None => a.name,
        })
        .collect();
    if !others.is_empty() && !args.take_over {
        return Err(CliError::Refused(format!(
            "this business account is already linked to {}: both would receive its messages and both could answer them. Disconnect it there first (or remove that app in Business Settings → Accounts → WhatsApp accounts → Connected apps), or pass --take-over to connect this inbox as well",
            others.join(", ")
        )));
    }
    println!("Subscribing the app to the account's webhooks…");
    client
        .subscribe(
            args.callback
                .as_deref()
                .map(|c| (c, answers.verify.as_str())),
        )
        .await
        .map_err(|e| api(&e, waba))?;
    Ok(number)
}

/// The token's app, with the secret checked to be that app's; none when the API does not say
/// which app a token is for (the secret is then checked by the first webhook's signature).
async fn app_checked(
    client: &CloudClient,
    secret: &str,
    waba: &str,
) -> Result<Option<crate::whatsapp::account::AppInfo>, CliError> {
    println!("Checking the app secret…");
    let app = match client.app().await {
        Ok(app) => app,
        Err(e) if crate::whatsapp::account::token_refused(&e) => return Err(api(&e, waba)),
        Err(_) => {
            println!(
                "  (this API does not say which app the token is for: the secret is checked by the first webhook's signature)"
            );
            return Ok(None);
        }
    };
    if !client
        .app_secret_matches(&app.id, secret)
        .await
        .map_err(|e| api(&e, waba))?
    {
        return Err(CliError::BadInput(format!(
            "the app secret is not that of app {} ({}), which the token belongs to: copy it from the App Dashboard → App settings → Basic → App secret",
            app.name, app.id
        )));
    }
    Ok(Some(app))
}

pub async fn connect(
    config: &Config,
    data_dir: &Path,
    mut args: ConnectArgs,
) -> Result<(), CliError> {
    let answers = gather(&config.whatsapp, &mut args)?;
    let number = check(&config.whatsapp, &answers, &args).await?;
    let connection = Connection {
        phone_number_id: number.id.clone(),
        business_account_id: answers.waba.clone(),
        nickname: answers.nickname.clone(),
        access_token: Secret::new(answers.token.clone()),
        app_secret: Secret::new(answers.secret.clone()),
        verify_token: Secret::new(answers.verify.clone()),
        callback: args.callback.clone(),
        connected_at: Utc::now(),
        connected_by: caller(),
        disconnected_at: None,
    };
    let path = save(&connection, data_dir)?;
    println!(
        "Connected {} ({}) as {:?}: quality {}. The token and secrets are in {} (readable by you only).",
        number.display_phone_number,
        number.verified_name,
        answers.nickname,
        number.quality_rating.as_deref().unwrap_or("not rated yet"),
        path.display()
    );
    match &args.callback {
        Some(cb) => println!("Meta sends this account's webhooks to {cb}."),
        None => println!(
            "Meta sends this account's webhooks to the app's callback URL (App Dashboard → WhatsApp → Configuration)."
        ),
    }
    if answers.made_up {
        println!(
            "The verify token Meta's verification must carry: {}",
            answers.verify
        );
    }
    routing(config, data_dir, args.unknown_senders, args.assign_to).await?;
    if crate::server::socket::answers(&crate::paths::socket_file(data_dir)).await {
        println!("Restart `hirechat serve` to send and receive with this connection.");
    }
    Ok(())
}

fn save(connection: &Connection, data_dir: &Path) -> Result<std::path::PathBuf, CliError> {
    connection.save(data_dir).map_err(|e| {
        CliError::Other(format!(
            "cannot save the connection in {}: {e}",
            data_dir.display()
        ))
    })
}

/// The seed's account settings: asked (or taken from the flags) and set through the engine.
async fn routing(
    config: &Config,
    data_dir: &Path,
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
    let mut config = config.clone();
    config.apply_connection(data_dir)?;
    let mut backend = Backend::connect(&config, data_dir, None).await?;
    let settings = settings::set_routing(&mut backend, unknown_senders, assign_to).await?;
    settings::show(settings, false)
}

fn caller() -> String {
    crate::server::peer::current_uid()
        .and_then(crate::server::peer::login_of)
        .unwrap_or_else(|| "unknown".into())
}
