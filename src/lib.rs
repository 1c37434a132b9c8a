//! hirechat: a keyboard-driven terminal inbox for recruiters on the WhatsApp Business Cloud API.
//!
//! Data flow: webhooks (`server::webhook`, or read from a `relay` where Meta cannot reach this
//! machine) are parsed by `whatsapp` into `store::Change`s that
//! the engine's single writer applies and flushes as a group before answering; commands from the
//! CLI (in-process or through the daemon's socket, `server::socket`) go through `engine::Engine`,
//! which checks the rules and queues sends in the durable outbox; the outbox worker posts them
//! with `whatsapp::client`. Every stored change is published as a `domain::event::Event`.

pub mod cli;
pub mod client;
pub mod config;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod logging;
pub mod memory;
pub mod paths;
pub mod relay;
pub mod server;
pub mod sim;
pub mod store;
pub mod tui;
pub mod whatsapp;
