//! Sending webhooks the way Meta does: JSON with non-ASCII escaped as `\uXXXX`, signed with the
//! app secret over the exact bytes, retried a few times when the receiver does not answer 200.

use std::{fmt::Write as _, time::Duration};

use super::SimState;
use crate::whatsapp::signature;

/// Serialises like Meta: every non-ASCII character as a lowercase `\uXXXX` escape (UTF-16
/// surrogate pairs beyond the BMP), so receivers must check the signature on the raw bytes.
pub fn meta_json(value: &serde_json::Value) -> Vec<u8> {
    let plain = value.to_string();
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        }
    }
    out.into_bytes()
}

pub async fn post(state: &SimState, payload: &serde_json::Value) -> Result<u16, String> {
    let Some(url) = &state.config.webhook_url else {
        return Ok(0);
    };
    let body = meta_json(payload);
    let sig = signature::sign(&state.config.app_secret, &body);
    let mut last = String::new();
    for attempt in 0..4u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
        let sent = state
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(signature::HEADER, &sig)
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return Ok(r.status().as_u16()),
            Ok(r) => last = format!("HTTP {}", r.status()),
            Err(e) => last = e.to_string(),
        }
    }
    tracing::warn!(error = %last, "simulator could not deliver a webhook");
    Err(last)
}

/// The envelope around one `messages` change value.
pub fn envelope(state: &SimState, value: serde_json::Value) -> serde_json::Value {
    let mut value = value;
    value["messaging_product"] = "whatsapp".into();
    value["metadata"] = serde_json::json!({
        "display_phone_number": state.config.display_phone_number,
        "phone_number_id": state.config.phone_number_id,
    });
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": state.config.business_account_id, "changes": [{"field": "messages", "value": value}]}]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_meta() {
        let v = serde_json::json!({"t": "面接 👍 ok"});
        let bytes = meta_json(&v);
        let s = String::from_utf8(bytes.clone()).unwrap();
        assert!(s.is_ascii());
        assert!(s.contains("\\u9762\\u63a5 \\ud83d\\udc4d ok"), "{s}");
        let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, v);
    }
}
