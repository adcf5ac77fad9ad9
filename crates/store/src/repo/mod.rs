//! Repositories, one module per aggregate. Each function takes a [`crate::Conn`] (a pooled
//! connection or a transaction) and runs the same SQL on both backends unless it says otherwise.

pub mod access_requests;
pub mod audit;
pub mod auth;
pub mod backoffice;
pub mod catalogue;
pub mod customers;
pub mod dashboard;
pub mod documents;
pub mod import_runs;
pub mod jobs;
pub mod meta;
pub mod operations;
pub mod registered_items;
pub mod security;
pub mod tokens;
pub mod transactions;
pub mod user_admin;
pub mod users;
