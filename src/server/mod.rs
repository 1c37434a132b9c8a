//! The daemon's listeners: the webhook endpoint for Meta and the local socket for the team's
//! TUIs and CLIs.

mod accept;
pub mod daemon;
mod health;
pub mod http;
pub mod intake;
pub(crate) mod log_throttle;
pub mod peer;
pub mod socket;
pub mod webhook;
