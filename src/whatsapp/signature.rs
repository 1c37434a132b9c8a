//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw body bytes, keyed with the app secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const HEADER: &str = "x-hub-signature-256";

/// The header value Meta sends for `body`: `sha256=<lowercase hex>`.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a header value against the body, in constant time. A missing or malformed header
/// fails.
pub fn verify(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let sig = sign("s3cret", body);
        assert!(sig.starts_with("sha256="));
        assert!(verify("s3cret", body, Some(&sig)));
        assert!(!verify("other", body, Some(&sig)));
        assert!(!verify("s3cret", b"{}", Some(&sig)));
        assert!(!verify("s3cret", body, None));
        assert!(!verify("s3cret", body, Some("sha1=abc")));
        assert!(!verify("s3cret", body, Some("sha256=zz")));
    }

    #[test]
    fn known_vector() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
        assert_eq!(
            sign("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
