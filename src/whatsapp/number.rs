//! The sending number as WhatsApp rates it: `GET /{phone-number-id}?fields=…` (re-read on a
//! schedule, since a missed `phone_number_quality_update` webhook is never sent again) and
//! that webhook's value.

use serde::{Deserialize, Serialize};

use super::client::{ClientError, CloudClient};

/// The fields asked for.
const FIELDS: &str =
    "display_phone_number,verified_name,quality_rating,messaging_limit_tier,status";

/// What WhatsApp says of the number. Every field is optional: Meta leaves out what does not
/// apply (a new number has no rating yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberStatus {
    #[serde(default)]
    pub display_phone_number: Option<String>,
    #[serde(default)]
    pub verified_name: Option<String>,
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN` (or `NA` for a new number).
    #[serde(default)]
    pub quality_rating: Option<String>,
    /// `TIER_250`, `TIER_1K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`…
    #[serde(default)]
    pub messaging_limit_tier: Option<String>,
    /// `CONNECTED`, `FLAGGED`, `RESTRICTED`, `PENDING`…
    #[serde(default)]
    pub status: Option<String>,
}

/// `phone_number_quality_update`'s value: `event` (`FLAGGED`, `UNFLAGGED`, `UPGRADE`,
/// `DOWNGRADE`…) and the messaging limit now in force.
#[derive(Debug, Clone, Deserialize)]
pub struct QualityUpdate {
    #[serde(default)]
    pub display_phone_number: Option<String>,
    pub event: String,
    #[serde(default)]
    pub current_limit: Option<String>,
}

impl NumberStatus {
    /// What a quality webhook changes: the limit it names; a flag shows as the status.
    pub fn apply(&mut self, update: &QualityUpdate) {
        if let Some(limit) = &update.current_limit {
            self.messaging_limit_tier = Some(limit.clone());
        }
        match update.event.as_str() {
            "FLAGGED" => self.status = Some("FLAGGED".into()),
            "UNFLAGGED" => self.status = Some("CONNECTED".into()),
            _ => {}
        }
    }
}

impl CloudClient {
    /// `GET /{phone-number-id}?fields=…`
    pub async fn number_status(&self) -> Result<NumberStatus, ClientError> {
        let url = format!("{}/{}", self.base, self.phone_number_id());
        self.send_request(self.http.get(&url).query(&[("fields", FIELDS)]))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_and_a_new_limit_from_the_webhook() {
        let mut n = NumberStatus {
            quality_rating: Some("GREEN".into()),
            messaging_limit_tier: Some("TIER_1K".into()),
            status: Some("CONNECTED".into()),
            ..NumberStatus::default()
        };
        let update: QualityUpdate = serde_json::from_str(
            r#"{"display_phone_number":"81312345678","event":"FLAGGED","current_limit":"TIER_250"}"#,
        )
        .unwrap();
        n.apply(&update);
        assert_eq!(n.status.as_deref(), Some("FLAGGED"));
        assert_eq!(n.messaging_limit_tier.as_deref(), Some("TIER_250"));
        let n2: NumberStatus =
            serde_json::from_str(r#"{"id":"1","verified_name":"Sakura"}"#).unwrap();
        assert_eq!(n2.quality_rating, None);
    }
}
