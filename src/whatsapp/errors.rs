//! WhatsApp's error codes: each mapped to a class (what the outbox does about it) and to a
//! sentence a recruiter understands.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The token or the account: an admin must act.
    Auth,
    /// Too much, too fast: wait and try again.
    RateLimit,
    /// More than 24 hours since the contact wrote: only a template can go.
    WindowClosed,
    /// The request itself is wrong: retrying changes nothing.
    InvalidRequest,
    /// Something about this recipient.
    Recipient,
    /// Trouble on WhatsApp's side or on the way there: try again.
    Transient,
}

impl ErrorClass {
    /// Classifies a Graph error code; `http_status` decides for codes not in the table.
    pub fn of(code: i64, http_status: Option<u16>) -> Self {
        match code {
            0 | 190 | 3 | 10 | 200..=299 | 131_005 | 131_031 | 368 | 131_042 | 133_010 => {
                Self::Auth
            }
            4 | 80_007 | 130_429 | 131_056 | 131_048 => Self::RateLimit,
            131_047 | 470 => Self::WindowClosed,
            1 | 2 | 131_016 | 131_000 | 131_057 => Self::Transient,
            131_021 | 131_026 | 131_030 | 131_050 | 131_049 | 130_472 | 131_052 => Self::Recipient,
            100 | 131_008 | 131_009 | 131_051 | 131_053 | 131_062 | 132_000..=132_999 => {
                Self::InvalidRequest
            }
            _ => match http_status {
                Some(429) => Self::RateLimit,
                Some(401) => Self::Auth,
                Some(s) if s >= 500 => Self::Transient,
                _ => Self::InvalidRequest,
            },
        }
    }

    /// Whether sending the same request again later can succeed.
    pub fn retryable(self, code: i64) -> bool {
        match self {
            Self::Transient => true,
            // The spam limit is about quality, not speed: retrying soon makes it worse.
            Self::RateLimit => code != 131_048,
            _ => false,
        }
    }
}

/// A sentence for a recruiter: what happened and what to do. Whether it will be tried again
/// is the outbox's to say, not the code's.
pub fn sentence(code: i64) -> &'static str {
    match code {
        0 | 190 => "WhatsApp did not accept the access token: ask an admin to renew it.",
        3 | 10 | 200..=299 | 131_005 => {
            "The app lacks a WhatsApp permission: ask an admin to check the account's access."
        }
        4 | 80_007 | 130_429 => "WhatsApp is limiting how fast we send.",
        131_056 => "Too many messages to this person in a short time.",
        131_048 => "WhatsApp limited sending because of spam reports: check the number's quality.",
        131_049 => {
            "WhatsApp held this marketing message back to avoid overloading the person; try tomorrow."
        }
        131_057 => "The WhatsApp number is in maintenance.",
        1 | 2 | 131_016 | 131_000 => "WhatsApp had a temporary problem.",
        100 | 131_008 | 131_009 => "WhatsApp rejected the request as invalid.",
        131_021 => "You cannot send a message to the business's own number.",
        131_026 => {
            "The message could not be delivered: the number may not use WhatsApp, or has blocked us."
        }
        131_030 => "This number is not on the test account's allowed list.",
        131_031 | 368 => "The WhatsApp account is locked or blocked for a policy violation.",
        131_042 => "WhatsApp billing has a problem: ask an admin to check the payment method.",
        131_047 | 470 => {
            "More than 24 hours have passed since the contact last wrote: send an approved template."
        }
        131_050 => "The person has opted out of marketing messages.",
        131_051 => "WhatsApp does not support this message type.",
        131_052 => "The contact's file could not be downloaded: ask them to send it again.",
        131_053 => "The attachment could not be processed: check its type and size.",
        131_062 => "This message type cannot be sent to a contact whose number is hidden.",
        132_000 => "The template's parameters do not match its placeholders.",
        132_001 => {
            "The template does not exist in that language or is not approved: sync templates."
        }
        132_005 => "The filled-in template is too long.",
        132_007 => "The template's content breaks WhatsApp's rules.",
        132_012 => "A template parameter has the wrong format.",
        132_015 => "The template is paused for low quality; try again later.",
        132_016 => "The template has been disabled by WhatsApp.",
        133_010 => "The WhatsApp number is not registered: ask an admin to register it.",
        130_472 => {
            "WhatsApp did not deliver this marketing message (the person is in an experiment)."
        }
        _ => "WhatsApp refused the message.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_retries() {
        assert_eq!(ErrorClass::of(131_047, Some(400)), ErrorClass::WindowClosed);
        assert_eq!(ErrorClass::of(130_429, Some(400)), ErrorClass::RateLimit);
        assert!(ErrorClass::of(130_429, None).retryable(130_429));
        assert!(!ErrorClass::of(131_048, None).retryable(131_048));
        assert_eq!(ErrorClass::of(190, Some(401)), ErrorClass::Auth);
        assert_eq!(ErrorClass::of(131_026, None), ErrorClass::Recipient);
        assert_eq!(ErrorClass::of(132_001, None), ErrorClass::InvalidRequest);
        assert!(ErrorClass::of(131_000, None).retryable(131_000));
        assert_eq!(ErrorClass::of(999_999, Some(503)), ErrorClass::Transient);
        assert_eq!(ErrorClass::of(999_999, Some(429)), ErrorClass::RateLimit);
        assert_eq!(
            ErrorClass::of(999_999, Some(400)),
            ErrorClass::InvalidRequest
        );
        assert!(sentence(131_047).contains("24 hours"));
    }
}
