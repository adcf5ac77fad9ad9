//! Shapes shared by several API modules (SPEC §6 names their fields).

use serde::Serialize;
use utoipa::ToSchema;

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// `fr`, `nl`, `de` or `en`.
    pub language: String,
    /// `operator`, `admin` or `user`.
    pub role: String,
    pub modules: Vec<String>,
    pub cost_centres: Vec<String>,
    /// `invited`, `active` or `disabled`.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerBody {
    pub customer_number: String,
    pub name: String,
}
