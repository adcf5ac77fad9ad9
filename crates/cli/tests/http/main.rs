//! HTTP integration tests: the real portal on port 0, a fresh database per test, each test
//! run on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]
#![allow(
    clippy::too_many_lines,
    clippy::cognitive_complexity,
    clippy::cast_possible_truncation,
    reason = "a test reads top to bottom as one scenario, on small data"
)]

mod harness;
#[path = "../openpyxl/mod.rs"]
mod openpyxl;

mod access;
mod access_requests;
mod account;
mod auth;
mod backoffice;
mod concurrency;
mod dashboard;
mod downloads;
mod errors;
mod escaping;
mod formats;
mod hardening;
mod imports;
mod jobs;
mod links;
mod operator_work;
mod registered_items;
mod shell;
mod signin;
mod small_things;
mod transactions;
mod users;
