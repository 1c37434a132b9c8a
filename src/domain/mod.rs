//! Pure types and rules: no IO, no async. Most of the project's rules are tested here.

pub mod contact;
pub mod conversation;
pub mod delivery;
pub mod event;
pub mod filter;
pub mod identity;
pub mod language;
pub mod links;
pub mod merge;
pub mod merge_source;
pub mod message;
pub mod outbox;
pub mod permission;
pub mod phone;
pub mod record;
pub mod record_update;
pub mod related;
pub mod related_rows;
pub mod routing;
pub mod safe_text;
pub mod search;
pub mod template;
pub mod template_review;
pub mod template_rules;
pub mod view;
pub mod window;
