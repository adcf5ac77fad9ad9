//! The one error vocabulary of the portal: a closed list of stable codes ([`ErrorCode`]) and
//! the [`AppError`] a use case returns; the edge maps each to a status and renders it.

use cs_store::StoreError;
use serde::Serialize;
use std::{error::Error as StdError, fmt, panic::Location};

/// Defines [`ErrorCode`] from one list, so that the variants, their strings and
/// [`ErrorCode::ALL`] cannot disagree.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// Every top-level `error.code` the portal answers with (`docs/ERRORS.md` gives each
        /// one's status and meaning). Clients branch on these strings: never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order of `docs/ERRORS.md`.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as clients read it (`snake_case`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    /// Input that breaks a rule; the details name each field.
    ValidationFailed = "validation_failed",
    /// A control character where no field may hold one.
    InvalidCharacters = "invalid_characters",
    /// A date that does not parse or lies outside the portal's calendar (2000–2100).
    InvalidDate = "invalid_date",
    /// A page size no list accepts.
    InvalidLimit = "invalid_limit",
    /// A cursor that does not parse, or was made for another filter or sort.
    InvalidCursor = "invalid_cursor",
    /// A request body that could not be read.
    InvalidBody = "invalid_body",
    /// A JSON body that does not parse into the operation's input.
    InvalidJson = "invalid_json",
    /// A query string that does not parse into the operation's parameters.
    InvalidQuery = "invalid_query",
    /// A form body that does not parse.
    InvalidForm = "invalid_form",
    /// A feed file that cannot be read (broken off, not a file).
    FileUnreadable = "file_unreadable",
    Unauthenticated = "unauthenticated",
    InvalidCredentials = "invalid_credentials",
    TotpRequired = "totp_required",
    InvalidTotp = "invalid_totp",
    TotpEnrolmentRequired = "totp_enrolment_required",
    InvalidLink = "invalid_link",
    Forbidden = "forbidden",
    CustomerSuspended = "customer_suspended",
    CsrfRejected = "csrf_rejected",
    ReauthenticationRequired = "reauthentication_required",
    NotFound = "not_found",
    /// The path exists, but not with this method (the `Allow` header lists those it takes).
    MethodNotAllowed = "method_not_allowed",
    UserDisabled = "user_disabled",
    LastAdmin = "last_admin",
    UsernameTaken = "username_taken",
    CustomerNumberTaken = "customer_number_taken",
    AlreadyDecided = "already_decided",
    TooManyTokens = "too_many_tokens",
    TotpAlreadyEnabled = "totp_already_enabled",
    ImportConcurrentChange = "import_concurrent_change",
    DocumentExists = "document_exists",
    ImportRejected = "import_rejected",
    PayloadTooLarge = "payload_too_large",
    AccountLocked = "account_locked",
    TooManyAttempts = "too_many_attempts",
    PasswordChangeThrottled = "password_change_throttled",
    TooManyExports = "too_many_exports",
    Unavailable = "unavailable",
    Internal = "internal",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A problem with one input field (or one line and column of a file). Its `code` is the
/// field's own vocabulary (`required`, `invalid_vat`, …), open unlike [`ErrorCode`].
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

/// The cause of an internal error, kept for the log only.
pub type Cause = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that does not parse or breaks a rule; one detail per field.
    #[error("the input is not valid")]
    Validation(Vec<FieldError>),
    /// A malformed request as a whole (bad JSON, bad query string).
    #[error("{message}")]
    BadRequest { code: ErrorCode, message: String },
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
    /// A known path asked with a method it does not take.
    #[error("this address does not take this method")]
    MethodNotAllowed,
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
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
    Throttled { code: ErrorCode },
    /// Every place for an export is taken (on this instance, or for this customer).
    #[error("too many exports are running: try again in {retry_after_secs} seconds")]
    TooManyExports { retry_after_secs: u32 },
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// A bug, a broken invariant or a failure the portal has no code for. Its display is
    /// generic on purpose: `what`, `site` and the cause go to the log (once, at the edge,
    /// under the request id), never to the caller. Made by [`AppError::internal`].
    #[error("internal error")]
    Internal {
        /// What failed, in the words of the code that saw it.
        what: String,
        /// Where: the line that made the error, or the `?` that converted a store error.
        site: &'static Location<'static>,
        #[source]
        cause: Option<Cause>,
    },
}

impl AppError {
    /// The stable, machine-readable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Validation(details) => {
                request_level_code(details).unwrap_or(ErrorCode::ValidationFailed)
            }
            AppError::BadRequest { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Throttled { code } => *code,
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::TotpRequired => ErrorCode::TotpRequired,
            AppError::InvalidTotp => ErrorCode::InvalidTotp,
            AppError::TotpEnrolmentRequired => ErrorCode::TotpEnrolmentRequired,
            AppError::InvalidLink => ErrorCode::InvalidLink,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::CustomerSuspended => ErrorCode::CustomerSuspended,
            AppError::CsrfRejected => ErrorCode::CsrfRejected,
            AppError::ReauthenticationRequired { .. } => ErrorCode::ReauthenticationRequired,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            AppError::ImportRejected { .. } => ErrorCode::ImportRejected,
            AppError::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            AppError::TooManyExports { .. } => ErrorCode::TooManyExports,
            AppError::Unavailable => ErrorCode::Unavailable,
            AppError::Internal { .. } => ErrorCode::Internal,
        }
    }

    pub fn details(&self) -> &[FieldError] {
        match self {
            AppError::Validation(d) | AppError::ImportRejected { details: d, .. } => d,
            _ => &[],
        }
    }

    /// Seconds the caller should wait before trying again, when known (the edge sends them
    /// as `Retry-After`).
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            AppError::TooManyExports { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::field(field, code, message)])
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// An internal error made here: the caller's line is its site.
    #[track_caller]
    pub fn internal(what: impl Into<String>) -> Self {
        AppError::Internal {
            what: what.into(),
            site: Location::caller(),
            cause: None,
        }
    }

    /// An internal error caused by `cause`, whose chain of sources is logged with it.
    #[track_caller]
    pub fn internal_from(what: impl Into<String>, cause: impl Into<Cause>) -> Self {
        AppError::Internal {
            what: what.into(),
            site: Location::caller(),
            cause: Some(cause.into()),
        }
    }
}

/// Codes of problems with the request as a whole rather than with what a field means: a
/// character no field may hold, a date outside the portal's calendar, a page size or cursor
/// no list accepts.
pub const REQUEST_LEVEL_CODES: &[ErrorCode] = &[
    ErrorCode::InvalidCharacters,
    ErrorCode::InvalidDate,
    ErrorCode::InvalidLimit,
    ErrorCode::InvalidCursor,
];

/// The top-level code of a validation error whose details all share one request-level code:
/// that code, so that a client can branch on `error.code` alone (retry without the control
/// character, correct the date) without walking the details. Mixed details, or details of
/// field rules such as `username_taken`, stay `validation_failed`.
fn request_level_code(details: &[FieldError]) -> Option<ErrorCode> {
    let first = details.first()?;
    let code = *REQUEST_LEVEL_CODES.iter().find(|c| **c == *first.code)?;
    details.iter().all(|d| code == *d.code).then_some(code)
}

impl From<StoreError> for AppError {
    /// An unreachable database is [`AppError::Unavailable`]; any other store failure is
    /// internal, its site the `?` that converted it and its cause the store error itself.
    #[track_caller]
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => AppError::Unavailable,
            other => AppError::internal_from("storage", other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn validation_of_one_request_level_code_answers_that_code() {
        let f = |field: &str, code: &str| FieldError::field(field, code, "x");
        let one = AppError::Validation(vec![f("from", "invalid_date"), f("to", "invalid_date")]);
        assert_eq!(one.code(), ErrorCode::InvalidDate);
        let chars = AppError::Validation(vec![f("search", "invalid_characters")]);
        assert_eq!(chars.code(), "invalid_characters");
        let mixed =
            AppError::Validation(vec![f("from", "invalid_date"), f("limit", "invalid_limit")]);
        assert_eq!(mixed.code(), ErrorCode::ValidationFailed);
        let field_rule = AppError::Validation(vec![f("username", "username_taken")]);
        assert_eq!(field_rule.code(), ErrorCode::ValidationFailed);
        assert_eq!(AppError::Validation(vec![]).code(), "validation_failed");
    }

    #[test]
    fn every_code_serialises_as_its_string_and_is_listed_once() {
        let mut seen = BTreeSet::new();
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "{code:?}");
            assert!(seen.insert(code.as_str()), "{code} listed twice");
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    /// The codes `docs/ERRORS.md` lists: the first cell of each table row, in backticks.
    fn documented_codes() -> Vec<String> {
        include_str!("../../../docs/ERRORS.md")
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once('`'))
            .map(|(code, _)| code.to_owned())
            .collect()
    }

    #[test]
    fn the_errors_document_lists_exactly_the_codes_of_the_enum() {
        let documented = documented_codes();
        let listed: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let missing: Vec<_> = listed
            .iter()
            .filter(|c| !documented.iter().any(|d| d == *c))
            .collect();
        let unknown: Vec<_> = documented
            .iter()
            .filter(|d| !listed.contains(&d.as_str()))
            .collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "docs/ERRORS.md drifted from ErrorCode: missing {missing:?}, not codes {unknown:?}"
        );
        assert_eq!(documented.len(), listed.len(), "a code is listed twice");
    }

    #[test]
    fn an_internal_error_keeps_its_site_and_cause_but_shows_neither() {
        let e = AppError::internal_from("template", std::io::Error::other("disk gone"));
        let AppError::Internal { what, site, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(what, "template");
        assert!(site.file().ends_with("error.rs"), "{site}");
        assert_eq!(e.to_string(), "internal error");
        let cause = StdError::source(&e).map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("disk gone"));
        assert_eq!(e.code(), ErrorCode::Internal);
    }

    #[test]
    fn a_store_error_is_internal_at_the_question_mark_that_converted_it() {
        fn fails(at: &mut u32) -> AppResult<()> {
            *at = line!() + 1;
            Err(StoreError::Corrupt("users.role".into()))?;
            Ok(())
        }
        let mut at = 0;
        let e = fails(&mut at).unwrap_err();
        let AppError::Internal { site, cause, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(site.file().ends_with("error.rs"), "{site}");
        assert_eq!(site.line(), at, "{site}");
        let cause = cause.as_ref().map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("corrupt row: users.role"));
    }
}
