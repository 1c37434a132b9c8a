//! Credits from the shell, through the daemon: a rate card imported (a bad one refused with
//! its line), credits bought, a template's price debited once WhatsApp says what it cost, the
//! send that would overdraw refused with its numbers (exit 3), and `usage --json` adding up to
//! the ledger.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use common::{
    TempDir,
    daemon::{Daemon, approved_template, free_port, run, sim_for, text, until, write_config},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_credits_a_debit_a_refusal_and_usage_from_the_shell() {
    let dir = TempDir::new("credits-cli");
    let port = free_port();
    let sim = sim_for(port).await;
    write_config(dir.path(), &sim.api_base(), port, "");
    let _daemon = Daemon::start(dir.path());
    let d = dir.path();

    let bad = d.join("bad.csv");
    std::fs::write(&bad, "Market,Currency,Marketing\nAtlantis,EUR,0.1\n").unwrap();
    let out = run(d, &["rates", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("line 2"),
        "{}",
        text(&out.stderr)
    );
    let card = d.join("card.csv");
    std::fs::write(
        &card,
        "Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nRest of Asia Pacific,EUR,0.0732,0.0113,0.0113,,\nOther,EUR,5.00,0.0077,0.0077,,\n",
    )
    .unwrap();
    let out = run(d, &["rates", "import", card.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Rest of Asia Pacific"),
        "{}",
        text(&out.stdout)
    );

    let out = run(d, &["credits", "add", "1", "--note", "invoice 118"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Balance: 1.00 EUR"),
        "{}",
        text(&out.stdout)
    );

    approved_template(
        d,
        "new_role",
        "marketing",
        "A new role in Tokyo may suit you.",
    )
    .await;
    let send = |to: &str| run(d, &["send", "--to", to, "--template", "new_role"]);
    let out = send("+819012345678");
    assert!(out.status.success(), "{}", text(&out.stderr));
    until("the debit", 20, || {
        text(&run(d, &["credits", "show", "--json"]).stdout).contains("\"debit\"")
    })
    .await;
    let out = run(d, &["credits"]);
    assert!(
        text(&out.stdout).contains("Balance: 0.9268 EUR")
            && text(&out.stdout).contains("marketing to JP"),
        "{}",
        text(&out.stdout)
    );
    // Brazil falls to Other, at 5.00: more than the balance.
    let out = send("+5511987654321");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the balance is 0.9268 EUR, this send costs 5.00 EUR"),
        "{}",
        text(&out.stderr)
    );

    let out = run(d, &["usage", "--by", "country", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let usage: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(usage["total"]["amount"], 73_200, "{usage}");
    assert_eq!(usage["rows"][0]["value"], "JP", "{usage}");
    let out = run(d, &["usage", "--by", "weather"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("user, category, country"));
}
