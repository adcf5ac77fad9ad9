//! The one error vocabulary of the portal: a stable code per failure, rendered by the edge
//! as a JSON error (`{"error":{"code","message","details"}}`) or as an HTML page.

use cs_store::StoreError;
use serde::Serialize;

/// A problem with one input field (or one line and column of a file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            line: None,
            column: None,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that does not parse or breaks a rule; one detail per field.
    #[error("the input is not valid")]
    Validation(Vec<FieldError>),
    /// A malformed request as a whole (bad JSON, bad query string).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("sign-in required")]
    Unauthenticated,
    #[error("unknown username or wrong password")]
    InvalidCredentials,
    /// Right password, but the account has a second factor and no code was given.
    #[error("this account has a second factor: give the code of your authenticator app (totp)")]
    TotpRequired,
    /// A wrong, expired or already used second-factor code (or recovery code).
    #[error("the second-factor code is wrong, expired or already used")]
    InvalidTotp,
    /// The user's company requires a second factor and the user has not set one up yet.
    #[error("your company requires a second factor: set it up on /account/two-factor first")]
    TotpEnrolmentRequired,
    /// A one-time link that is unknown, used or expired.
    #[error("this link is not valid any more: ask for a new one")]
    InvalidLink,
    #[error("you do not have the right to do this")]
    Forbidden,
    /// Right password, but the user's company has its portal access suspended.
    #[error("your company's access to the portal is suspended: please call the Service Centre")]
    CustomerSuspended,
    #[error("the request was refused: its form token is missing or it came from another site")]
    CsrfRejected,
    /// A sensitive change (making someone an administrator, another user's e-mail, removing
    /// a second factor) without the actor's own password, or with a wrong one.
    #[error("{}", if *wrong { "the password given as current_password is not right" } else { "this change needs your own password again: give it as current_password" })]
    ReauthenticationRequired { wrong: bool },
    /// Unknown, or belonging to another customer: both answer the same.
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A feed file refused whole: one detail per bad cell (its line and column), at most the
    /// first 1,000, with the count of all of them.
    #[error("{message}")]
    ImportRejected {
        message: String,
        details: Vec<FieldError>,
        error_count: u64,
        rows_read: u64,
        import_id: Option<i64>,
    },
    /// A body or file over its size limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("too many attempts: try again later")]
    Throttled { code: &'static str },
    /// Every place for an export is taken (on this instance, or for this customer).
    #[error("too many exports are running: try again in {retry_after_secs} seconds")]
    TooManyExports { retry_after_secs: u32 },
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// A bug or broken invariant: logged with its cause, shown only as a reference.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The stable, machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(details) => {
                request_level_code(details).unwrap_or("validation_failed")
            }
            AppError::BadRequest { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TotpRequired => "totp_required",
            AppError::InvalidTotp => "invalid_totp",
            AppError::TotpEnrolmentRequired => "totp_enrolment_required",
            AppError::InvalidLink => "invalid_link",
            AppError::Forbidden => "forbidden",
            AppError::CustomerSuspended => "customer_suspended",
            AppError::CsrfRejected => "csrf_rejected",
            AppError::ReauthenticationRequired { .. } => "reauthentication_required",
            AppError::NotFound => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::ImportRejected { .. } => "import_rejected",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Throttled { code } => code,
            AppError::TooManyExports { .. } => "too_many_exports",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The HTTP status this error maps to at the edge.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) | AppError::ImportRejected { .. } => 422,
            AppError::BadRequest { .. } | AppError::InvalidLink => 400,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::TotpRequired
            | AppError::InvalidTotp => 401,
            AppError::Forbidden
            | AppError::CsrfRejected
            | AppError::CustomerSuspended
            | AppError::ReauthenticationRequired { .. }
            | AppError::TotpEnrolmentRequired => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::PayloadTooLarge(_) => 413,
            AppError::Throttled { .. } | AppError::TooManyExports { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal(_) => 500,
        }
    }

    pub fn details(&self) -> &[FieldError] {
        match self {
            AppError::Validation(d) | AppError::ImportRejected { details: d, .. } => d,
            _ => &[],
        }
    }

    /// Seconds the client should wait before trying again (`Retry-After`), when known.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            AppError::TooManyExports { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::field(field, code, message)])
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }
}

/// Codes of problems with the request as a whole rather than with what a field means: a
/// character no field may hold, a date outside the portal's calendar, a page size or cursor
/// no list accepts.
pub const REQUEST_LEVEL_CODES: &[&str] = &[
    "invalid_characters",
    "invalid_date",
    "invalid_limit",
    "invalid_cursor",
];

/// The top-level code of a validation error whose details all share one request-level code:
/// that code, so that a client can branch on `error.code` alone (retry without the control
/// character, correct the date) without walking the details. Mixed details, or details of
/// field rules such as `username_taken`, stay `validation_failed`.
fn request_level_code(details: &[FieldError]) -> Option<&'static str> {
    let first = details.first()?;
    let code = REQUEST_LEVEL_CODES.iter().find(|c| **c == first.code)?;
    details.iter().all(|d| d.code == *code).then_some(code)
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => AppError::Unavailable,
            other => {
                AppError::Internal(format!("{other}: {:?}", std::error::Error::source(&other)))
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_status_in_the_contract() {
        let all = [
            AppError::Validation(vec![]),
            AppError::bad_request("bad_json", "x"),
            AppError::Unauthenticated,
            AppError::InvalidCredentials,
            AppError::TotpRequired,
            AppError::InvalidTotp,
            AppError::TotpEnrolmentRequired,
            AppError::InvalidLink,
            AppError::Forbidden,
            AppError::CustomerSuspended,
            AppError::CsrfRejected,
            AppError::NotFound,
            AppError::Conflict {
                code: "last_admin",
                message: "x".into(),
            },
            AppError::Throttled {
                code: "account_locked",
            },
            AppError::PayloadTooLarge("x".into()),
            AppError::TooManyExports {
                retry_after_secs: 30,
            },
            AppError::Unavailable,
            AppError::Internal("x".into()),
        ];
        for e in all {
            assert!(
                [400, 401, 403, 404, 409, 413, 422, 429, 500, 503].contains(&e.status()),
                "{e:?}"
            );
            assert!(!e.code().is_empty());
        }
    }

    #[test]
    fn validation_of_one_request_level_code_answers_that_code() {
        let f = |field: &str, code: &str| FieldError::field(field, code, "x");
        let one = AppError::Validation(vec![f("from", "invalid_date"), f("to", "invalid_date")]);
        assert_eq!(one.code(), "invalid_date");
        let chars = AppError::Validation(vec![f("search", "invalid_characters")]);
        assert_eq!(chars.code(), "invalid_characters");
        let mixed =
            AppError::Validation(vec![f("from", "invalid_date"), f("limit", "invalid_limit")]);
        assert_eq!(mixed.code(), "validation_failed");
        let field_rule = AppError::Validation(vec![f("username", "username_taken")]);
        assert_eq!(field_rule.code(), "validation_failed");
        assert_eq!(AppError::Validation(vec![]).code(), "validation_failed");
    }
}
