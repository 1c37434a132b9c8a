//! The daemon's listeners: the webhook endpoint for Meta and the local socket for the team's
//! TUIs and CLIs.

pub mod daemon;
pub mod peer;
pub mod socket;
pub mod webhook;
