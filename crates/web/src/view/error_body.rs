//! The JSON error body every failing API call returns (SPEC §6), exactly this shape, and its
//! OpenAPI schema: `code` is the closed list of [`ErrorCode`], `request_id` the reference.

use cs_app::{AppError, ErrorCode};
use std::borrow::Cow;
use utoipa::openapi::{
    RefOr,
    schema::{ObjectBuilder, Schema, Type},
};

/// The error body every failing API call returns (SPEC §6), exactly this shape.
// Built by the one renderer (`render` in `error.rs`), so this schema is what clients receive.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorContent,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorContent {
    /// Stable machine-readable code, one of a closed list (`docs/ERRORS.md`). A validation
    /// error whose details all share one of `invalid_characters`, `invalid_date`,
    /// `invalid_limit`, `invalid_cursor` carries that code here; other validation errors
    /// `validation_failed`.
    #[schema(value_type = ErrorCodeSchema)]
    pub code: ErrorCode,
    pub message: String,
    /// The request's reference: the response's `X-Request-Id`, the reference on the error
    /// page, and the key of the server's log entry for this request.
    pub request_id: String,
    pub details: Vec<ErrorDetail>,
    /// `import_rejected` only: how many problems the file has (the details list at most
    /// the first 1,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error_count: Option<u64>,
    /// `import_rejected` only: the data rows read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub rows_read: Option<u64>,
    /// `import_rejected` only: the recorded run (absent for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub import_id: Option<i64>,
}

/// One problem: of a `field`, or of a file's `line` and `column`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// The file's line (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    /// The body of `err`, with `message` as the client may read it, under `request_id`.
    pub fn of(err: &AppError, message: String, request_id: &str) -> Self {
        let (error_count, rows_read, import_id) = match err {
            AppError::ImportRejected {
                error_count,
                rows_read,
                import_id,
                ..
            } => (Some(*error_count), Some(*rows_read), *import_id),
            _ => (None, None, None),
        };
        ErrorBody {
            error: ErrorContent {
                code: err.code(),
                message,
                request_id: request_id.to_owned(),
                details: err
                    .details()
                    .iter()
                    .map(|d| ErrorDetail {
                        field: d.field.clone(),
                        line: d.line,
                        column: d.column.clone(),
                        code: d.code.clone(),
                        message: d.message.clone(),
                    })
                    .collect(),
                error_count,
                rows_read,
                import_id,
            },
        }
    }
}

/// The OpenAPI schema of [`ErrorCode`], named `ErrorCode`: a string enum of
/// [`ErrorCode::ALL`]. Written here, not derived in the app crate, because the API
/// document is the web crate's (ADR 0001); built from `ALL`, it cannot drift.
pub struct ErrorCodeSchema;

impl utoipa::PartialSchema for ErrorCodeSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Every top-level error code the portal answers with; docs/ERRORS.md gives \
                 each one's status and meaning.",
            ))
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCodeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorCode")
    }
}
