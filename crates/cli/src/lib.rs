//! The `collectstamp` program as a library: configuration, the server's start-up and the
//! commands, so that the integration tests start exactly what the binary starts.

pub mod bench;
pub mod commands;
pub mod config;
pub mod import;
pub mod server;
