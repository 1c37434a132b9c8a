//! `doctor`'s questions to the WhatsApp API: the token, its permissions, the number and its
//! rating, the app's subscription to the account's webhooks, the app secret, and the clock.

use std::time::Duration;

use crate::{
    config::Config,
    domain::doctor::{self, Check},
    whatsapp::{account::explain, client::CloudClient},
};

pub async fn checks(config: &Config) -> Vec<Check> {
    let wa = &config.whatsapp;
    if wa.access_token.is_empty() || wa.phone_number_id.is_empty() {
        return vec![Check::fail(
            "token",
            "no access token or phone number id is configured",
            "run `hirechat connect` (or set [whatsapp] in the config and WHATSAPP_ACCESS_TOKEN)",
        )];
    }
    let client = match CloudClient::new(wa, Duration::from_secs(15)) {
        Ok(c) => c,
        Err(e) => {
            return vec![Check::fail(
                "token",
                e.to_string(),
                "check whatsapp.api_base",
            )];
        }
    };
    let waba = wa.business_account_id.as_str();
    // The number's own facts are the cheapest call with the token: it says whether the token
    // works at all.
    let number = match client.number_status().await {
        Ok(n) => n,
        Err(e) if e.code().is_some() => {
            return vec![Check::fail(
                "token",
                "WhatsApp refused it",
                explain(&e, waba),
            )];
        }
        Err(e) => return vec![Check::fail("token", "not checked", explain(&e, waba))],
    };
    let app = client.app().await.ok();
    let mut checks = vec![Check::ok(
        "token",
        match &app {
            Some(app) => format!("valid, for app {} ({})", app.name, app.id),
            None => "valid".to_owned(),
        },
    )];
    checks.push(match client.phone_numbers().await {
        Ok(numbers) if numbers.iter().any(|n| n.id == wa.phone_number_id) => Check::ok(
            "permissions",
            format!("the token manages business account {waba}"),
        ),
        Ok(_) => Check::fail(
            "permissions",
            format!(
                "phone number id {} is not one of business account {waba}'s numbers",
                wa.phone_number_id
            ),
            "run `hirechat connect` to choose the number again",
        ),
        Err(e) => Check::fail("permissions", "refused", explain(&e, waba)),
    });
    checks.push(doctor::number(
        number.quality_rating.as_deref(),
        number.status.as_deref(),
        number.messaging_limit_tier.as_deref(),
    ));
    let app_id = app.as_ref().map(|a| a.id.as_str());
    checks.push(subscription(&client, app_id, waba, wa.disconnected_at.is_some()).await);
    checks.push(match app_id {
        Some(id) => match client.app_secret_matches(id, wa.app_secret.expose()).await {
            Ok(true) => Check::ok("app secret", "the app's: webhook signatures can be checked"),
            Ok(false) => Check::fail(
                "app secret",
                "not the app's: every webhook would be refused as forged",
                "copy it from the App Dashboard → App settings → Basic → App secret (`hirechat connect`, or WHATSAPP_APP_SECRET)",
            ),
            Err(e) => Check::warn("app secret", "could not be checked", explain(&e, waba)),
        },
        None => Check::warn(
            "app secret",
            "could not be checked: the API does not say which app the token is for",
            "webhooks refused for a bad signature show in the log (`webhook refused: bad or missing signature`)",
        ),
    });
    checks.push(match client.api_clock().await {
        Ok(theirs) => doctor::clock((chrono::Utc::now() - theirs).num_seconds()),
        Err(e) => Check::warn(
            "clock",
            "the API's clock could not be read",
            explain(&e, waba),
        ),
    });
    checks
}

/// This app's subscription (any app's, when the token's app is not known).
async fn subscription(
    client: &CloudClient,
    app_id: Option<&str>,
    waba: &str,
    disconnected: bool,
) -> Check {
    match client.subscribed_apps().await {
        Ok(apps) => match apps.iter().find(|a| app_id.is_none_or(|id| a.app_id == id)) {
            Some(ours) => Check::ok(
                "subscription",
                match &ours.override_callback_uri {
                    Some(uri) => format!("the account's webhooks go to {uri}"),
                    None => "the account's webhooks go to the app's callback URL".to_owned(),
                },
            ),
            None if disconnected => Check::ok(
                "subscription",
                "not subscribed (the number is disconnected)",
            ),
            None => Check::fail(
                "subscription",
                "the app is not subscribed to the account's webhooks: no message arrives",
                "run `hirechat connect` (it subscribes the app)",
            ),
        },
        Err(e) => Check::fail("subscription", "could not be read", explain(&e, waba)),
    }
}
