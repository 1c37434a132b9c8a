//! The balance watched where the outbox runs: admins are told when it falls below
//! `[credits] low_balance` (once per fall), and auto-recharge adds `recharge_amount` when it
//! falls below `recharge_below` — through `recharge_command` (given the amount; its exit status
//! decides: the place where an organisation plugs its payment or approval step), or, without
//! one, by asking admins to add credits — never past `recharge_monthly_cap` in a month. A
//! command that failed runs again once `recharge_retry_secs` passed and more was spent.

use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::broadcast;

use super::Engine;
use crate::{
    domain::{
        credits::{self, Entry},
        event::Event,
        money::Money,
        permission::Role,
    },
    store::Change,
};

/// What the watcher remembers between moves of the balance.
#[derive(Default)]
struct Watch {
    /// Admins were told the balance is low, and it has not risen above since.
    told_low: bool,
    /// Admins were asked to add credits (no command), and it has not risen above since.
    asked: bool,
    /// When the command last failed, and the balance then.
    failed: Option<(Instant, Money)>,
}

impl Engine {
    pub(super) fn start_credits_watch(&self) {
        let engine = self.clone();
        let mut events = self.subscribe();
        tokio::spawn(async move {
            let mut watch = Watch::default();
            loop {
                let balance = match events.recv().await.as_deref() {
                    Ok(Event::Balance { balance, .. }) => *balance,
                    // Behind (a recharge took a while): the balance as it is now.
                    Err(broadcast::error::RecvError::Lagged(_)) => match engine.store().balance() {
                        Ok(b) => b,
                        Err(_) => continue,
                    },
                    Err(broadcast::error::RecvError::Closed) => return,
                    Ok(_) => continue,
                };
                engine.balance_moved(balance, &mut watch).await;
            }
        });
    }

    async fn balance_moved(&self, balance: Money, watch: &mut Watch) {
        let config = &self.inner.config.credits;
        let low = config.low_balance();
        if low.is_positive() && balance < low {
            if !watch.told_low {
                watch.told_low = true;
                self.tell_admins(format!(
                    "the balance is {balance}, below [credits] low_balance ({low})"
                ))
                .await;
            }
        } else {
            watch.told_low = false;
        }
        let (below, amount, cap) = config.recharge();
        if balance >= below {
            watch.asked = false;
            return;
        }
        let recharged = self.store().recharged(Utc::now()).unwrap_or(cap);
        let Some(amount) = credits::recharge_due(balance, below, amount, cap, recharged) else {
            return;
        };
        let Some(command) = config.recharge_command.clone() else {
            if !watch.asked {
                watch.asked = true;
                self.tell_admins(format!(
                    "the balance is {balance}, below [credits] recharge_below ({below}): add credits with `hirechat credits add {amount}`"
                ))
                .await;
            }
            return;
        };
        // After a failure: not on every move, but once time passed and more was spent.
        let retry = Duration::from_secs(config.recharge_retry_secs);
        if watch
            .failed
            .is_some_and(|(at, then)| at.elapsed() < retry || balance >= then)
        {
            return;
        }
        match run(
            &command,
            amount,
            Duration::from_secs(config.recharge_timeout_secs),
        )
        .await
        {
            Ok(()) => {
                watch.failed = None;
                let entry = Entry::Recharge {
                    amount,
                    how: "recharge_command".into(),
                };
                let change = Change::Credit {
                    entry,
                    at: Utc::now(),
                };
                if let Err(e) = self.apply_history(vec![change]).await {
                    tracing::warn!(error = %e, "an auto-recharge could not be recorded");
                }
            }
            Err(why) => {
                watch.failed = Some((Instant::now(), balance));
                tracing::warn!(%why, "auto-recharge failed");
                self.tell_admins(format!("auto-recharge of {amount} failed: {why}"))
                    .await;
            }
        }
    }

    /// A notification to every admin (everyone, without `[[users]]`).
    async fn tell_admins(&self, note: String) {
        let users = self
            .inner
            .users
            .iter()
            .filter(|u| u.role == Role::Admin)
            .map(|u| u.login.clone())
            .collect();
        let change = Change::Notify {
            users,
            conversation_id: None,
            record_id: None,
            name: "Credits".into(),
            note,
            at: Utc::now(),
        };
        if let Err(e) = self.apply_history(vec![change]).await {
            tracing::warn!(error = %e, "admins could not be told about the credits");
        }
    }
}

/// Runs the recharge command with the amount (its argument, and `HIRECHAT_RECHARGE_AMOUNT`);
/// why it failed, when it did.
async fn run(command: &str, amount: Money, timeout: Duration) -> Result<(), String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("hirechat-recharge")
        .arg(amount.to_string())
        .env("HIRECHAT_RECHARGE_AMOUNT", amount.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run [credits] recharge_command: {e}"))?;
    let stderr = child.stderr.take();
    let Ok(status) = tokio::time::timeout(timeout, child.wait()).await else {
        let _ = child.kill().await;
        return Err(format!("it took longer than {} s", timeout.as_secs()));
    };
    let status = status.map_err(|e| e.to_string())?;
    if status.success() {
        return Ok(());
    }
    let mut said = String::new();
    if let Some(mut err) = stderr {
        use tokio::io::AsyncReadExt;
        let _ = err.read_to_string(&mut said).await;
    }
    let said = said.lines().last().unwrap_or_default().trim().to_owned();
    let code = status
        .code()
        .map_or_else(|| "a signal".to_owned(), |c| format!("exit {c}"));
    Err(if said.is_empty() {
        code
    } else {
        format!("{code}: {said}")
    })
}
