//! Connecting a number the way an admin does, with the real binary against the simulated
//! Cloud API: `connect` checks every value and explains what is wrong, subscribes the app
//! (through a relay's callback, verified with Meta's challenge), keeps the secrets private;
//! `doctor` says ok, then fails with the fix when the token is revoked; `disconnect` asks for
//! confirmation and stops sending.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{os::unix::fs::PermissionsExt as _, path::Path};

use common::{
    APP_SECRET, TOKEN, TempDir,
    daemon::{self, Daemon, run, text},
};
use hirechat::sim::{Inbound, Sim, TokenState};

/// A config with only the API's address and where the daemon listens: the rest comes from
/// `connect`.
fn bare_config(dir: &Path, sim: &Sim, port: u16) {
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[whatsapp]\napi_base = \"{}\"\n\n[webhook]\nlisten = \"127.0.0.1:{port}\"\n",
            sim.api_base()
        ),
    )
    .unwrap();
}

/// `connect` with the simulator's account, `changed` flags replacing the right ones, and more.
fn connect_with(dir: &Path, changed: &[(&str, &str)], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["connect"];
    for (flag, value) in [
        ("--access-token", TOKEN),
        ("--business-account-id", "102290129340398"),
        ("--app-secret", APP_SECRET),
        ("--verify-token", "verify-me"),
        ("--nickname", "Tokyo hiring desk"),
    ] {
        let value = changed
            .iter()
            .find(|(f, _)| *f == flag)
            .map_or(value, |(_, v)| *v);
        args.extend([flag, value]);
    }
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn connect(dir: &Path, extra: &[&str]) -> std::process::Output {
    connect_with(dir, &[], extra)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_explains_each_wrong_value_in_plain_words() {
    let dir = TempDir::new("connect-wrong");
    let port = daemon::free_port();
    let sim = daemon::sim_for(port).await;
    bare_config(dir.path(), &sim, port);

    sim.set_token(TokenState::Expired);
    let out = connect(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("the access token has expired: create a System User token"));
    sim.set_token(TokenState::Revoked);
    assert!(text(&connect(dir.path(), &[]).stderr).contains("not valid (revoked"));
    sim.set_token(TokenState::WithoutManagement);
    assert!(text(&connect(dir.path(), &[]).stderr).contains("whatsapp_business_management"));
    sim.set_token(TokenState::Valid);

    let out = connect_with(dir.path(), &[("--business-account-id", "999")], &[]);
    assert!(text(&out.stderr).contains("business account 999 was not found"));
    let out = connect_with(dir.path(), &[("--app-secret", "not-the-secret")], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the app secret is not that of app"));

    let out = connect(
        dir.path(),
        &["--phone-number-id", hirechat::sim::ON_PREMISES_NUMBER_ID],
    );
    assert!(text(&out.stderr).contains("On-Premises API: migrate it"));

    sim.link_elsewhere("https://other-inbox.example.com/hook");
    let out = connect(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(3));
    let said = text(&out.stderr);
    assert!(said.contains("already linked to Another inbox"), "{said}");
    assert!(said.contains("--take-over"), "{said}");
    assert!(
        !dir.path().join("data/connection.toml").exists(),
        "nothing saved while anything is wrong"
    );
    // Nothing secret in what was said.
    assert!(!text(&out.stdout).contains(TOKEN) && !said.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_then_doctor_ok_then_a_revoked_token_fails_then_disconnect() {
    let dir = TempDir::new("connect");
    let port = daemon::free_port();
    let sim = daemon::sim_for(port).await;
    bare_config(dir.path(), &sim, port);

    let out = connect(
        dir.path(),
        &["--unknown-senders", "contact", "--assign-to", ""],
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("cannot be used: it is on the On-Premises API"),
        "{said}"
    );
    assert!(
        said.contains("Connected +81 3-1234-5678 (Sakura Talent)"),
        "{said}"
    );
    assert!(said.contains("creates a contact record"), "{said}");
    assert!(!said.contains(TOKEN));
    let file = dir.path().join("data/connection.toml");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(sim.subscription().is_some());

    let daemon = Daemon::start(dir.path());
    let out = run(dir.path(), &["doctor"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    for line in [
        "ok    daemon",
        "ok    connection   \"Tokyo hiring desk\" connected",
        "ok    token        valid, for app",
        "ok    permissions",
        "ok    number       quality GREEN, status CONNECTED, messaging limit TIER_1K",
        "ok    subscription the account's webhooks go to the app's callback URL",
        "ok    app secret",
        "ok    clock",
    ] {
        assert!(said.contains(line), "{line:?} in:\n{said}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["doctor", "--json"]).stdout).unwrap();
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["level"] != "fail")
    );
    assert!(!json.to_string().contains(TOKEN) && !json.to_string().contains(APP_SECRET));

    sim.set_token(TokenState::Revoked);
    let out = run(dir.path(), &["doctor"]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("fail  token"), "{said}");
    assert!(
        said.contains("fix: the access token is not valid"),
        "{said}"
    );
    sim.set_token(TokenState::Valid);

    // Not without a confirmation; then nothing goes out, and every client is told.
    let out = run(dir.path(), &["disconnect"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("type the nickname to confirm, or pass --yes"));
    assert!(sim.subscription().is_some(), "still connected");
    let out = run(dir.path(), &["disconnect", "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(sim.subscription().is_none(), "unsubscribed");
    let out = run(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "hello"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("was disconnected on"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        run(dir.path(), &["conversations", "--json"])
            .status
            .success(),
        "the history stays readable"
    );
    drop(daemon);
    // After a restart too.
    let _daemon = Daemon::start(dir.path());
    let out = run(
        dir.path(),
        &["send", "--to", "+819012345678", "--text", "hello"],
    );
    assert_eq!(out.status.code(), Some(3));
    let out = run(dir.path(), &["doctor"]);
    assert!(
        text(&out.stdout).contains("warn  connection   \"Tokyo hiring desk\" was disconnected on")
    );

    connected_again_while_the_daemon_runs(dir.path(), &sim).await;
}

/// Connected again while the daemon runs: it takes the contact's webhook and sends at once,
/// under the new nickname, with no restart.
async fn connected_again_while_the_daemon_runs(dir: &Path, sim: &Sim) {
    let out = connect_with(dir, &[("--nickname", "Tokyo desk")], &[]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("The daemon sends and receives for this number from now on"),
        "{said}"
    );
    assert!(sim.subscription().is_some(), "subscribed again");
    // Checked with the connection's app secret, the contact's message lands; the answer goes.
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        text: Some("Is the role still open?".into()),
        ..Inbound::default()
    })
    .await
    .unwrap();
    let out = run(
        dir,
        &["send", "--to", "+819012345678", "--text", "back again"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    common::eventually("the send reaches the API", || {
        sim.requests()
            .iter()
            .any(|r| r.to_string().contains("back again"))
    })
    .await;
    let out = run(dir, &["doctor"]);
    let said = text(&out.stdout);
    assert!(said.contains("Tokyo desk"), "{said}");
    assert!(!said.contains("was disconnected on"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_through_a_relay_has_meta_verify_the_relays_callback() {
    let dir = TempDir::new("connect-relay");
    let port = daemon::free_port();
    let sim = daemon::sim_for(port).await;
    bare_config(dir.path(), &sim, port);
    let relay_dir = TempDir::new("connect-relay-relay");
    let mut relay = hirechat::config::Config::default();
    relay.whatsapp.verify_token = hirechat::config::Secret::new("verify-me");
    relay.relay_server.consumers = vec![hirechat::config::Consumer {
        name: "inbox".into(),
        token: hirechat::config::Secret::new("inbox-token-0123456789"),
    }];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/webhook", listener.local_addr().unwrap());
    let app = hirechat::relay::app(&relay, relay_dir.path()).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // A verify token the relay does not know: Meta's check fails, and connect says why.
    let out = connect_with(
        dir.path(),
        &[("--verify-token", "another-token")],
        &["--callback", &callback],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("Meta could not verify the callback URL"));

    let out = connect(dir.path(), &["--callback", &callback]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("Meta sends this account's webhooks to {callback}"))
    );
    assert_eq!(
        sim.subscription().unwrap().callback.as_deref(),
        Some(callback.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_that_does_not_say_the_tokens_app_still_connects_and_doctor_says_what_it_could_not_check()
 {
    let dir = TempDir::new("connect-no-app");
    let port = daemon::free_port();
    let sim = daemon::sim_for(port).await;
    sim.without_app_endpoint();
    bare_config(dir.path(), &sim, port);
    let out = connect(dir.path(), &[]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("the app secret is checked by the first webhook's signature"),
        "{said}"
    );
    let out = run(dir.path(), &["doctor"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("ok    token        valid"), "{said}");
    assert!(
        said.contains("warn  app secret   could not be checked"),
        "{said}"
    );
    assert!(said.contains("ok    subscription"), "{said}");
}

/// The TUI on its own, with no number configured yet: once an admin connects one, this
/// process has a client and its workers, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_without_an_account_gets_one_when_a_number_is_connected() {
    use hirechat::{
        config::{Config, SecretInput},
        engine::{ConnectForm, Engine, EngineError, Request, Response},
    };
    let dir = TempDir::new("connect-engine");
    let sim = daemon::sim_for(daemon::free_port()).await;
    let mut config = Config::default();
    config.whatsapp.api_base = sim.api_base();
    let engine = Engine::start(&config, dir.path(), false).await.unwrap();
    engine.run_workers_once_connected();
    let admin = common::admin();
    let before = engine.handle(&admin, Request::SyncTemplates).await;
    assert!(
        matches!(&before, Err(EngineError::Unavailable(m)) if m.contains("not set up")),
        "{before:?}"
    );
    let numbers = engine
        .handle(
            &admin,
            Request::AccountNumbers {
                access_token: SecretInput::new(TOKEN),
                business_account_id: "102290129340398".into(),
            },
        )
        .await
        .unwrap();
    let Response::Numbers { numbers } = numbers else {
        panic!("{numbers:?}")
    };
    let form = ConnectForm {
        access_token: SecretInput::new(TOKEN),
        business_account_id: "102290129340398".into(),
        app_secret: SecretInput::new(APP_SECRET),
        nickname: "Tokyo hiring desk".into(),
        phone_number_id: numbers[0].id.clone(),
        ..ConnectForm::default()
    };
    let connected = engine
        .handle(
            &admin,
            Request::Connect {
                form: Box::new(form),
            },
        )
        .await
        .unwrap();
    let Response::Connected { connected } = connected else {
        panic!("{connected:?}")
    };
    assert!(
        connected.made_up_verify_token.is_some(),
        "none was given or in use"
    );
    assert!(!serde_json::to_string(&connected).unwrap().contains(TOKEN));
    assert!(
        engine.handle(&admin, Request::SyncTemplates).await.is_ok(),
        "the templates are read with the connected token"
    );
    let Response::Actor { channel, .. } = engine.handle(&admin, Request::Whoami).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(channel, "Tokyo hiring desk");
    // A viewer may not even list the numbers.
    let viewer = hirechat::domain::permission::Actor {
        role: hirechat::domain::permission::Role::Viewer,
        ..common::admin()
    };
    let refused = engine
        .handle(
            &viewer,
            Request::AccountNumbers {
                access_token: SecretInput::default(),
                business_account_id: "102290129340398".into(),
            },
        )
        .await;
    assert!(matches!(refused, Err(EngineError::Forbidden(_))));
}
