//! The WhatsApp Cloud API: its wire format, error codes, webhook signatures and the HTTP client.

pub mod account;
pub mod client;
pub mod errors;
pub mod inbound;
pub mod media;
pub mod number;
pub mod send;
pub mod signature;
pub mod templates;
pub mod webhook;
