//! Request parameters read leniently, for pages and the API alike: ids in paths, values in
//! query strings, a list's declared parameters in the OpenAPI document, a refused export.

use crate::error::WebError;
use cs_app::{AppError, FieldError, paging::ParamDoc};
use utoipa::openapi::{
    Required,
    path::{Parameter, ParameterBuilder, ParameterIn},
    schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type},
};

/// An id in a path. Anything that is not one (`0`, `-3`, `x`) is unknown, exactly like an
/// id that does not exist or belongs to another customer: 404.
pub fn path_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(WebError(AppError::NotFound))
}

/// A value of the raw query string: the last of repeated keys, percent-decoded; `None` when
/// the key is absent (the lists' own rule, [`cs_app::paging::query_value`]).
pub fn query_value(raw: &Option<String>, key: &str) -> Option<String> {
    cs_app::paging::query_value(raw.as_deref(), key)
}

/// The `format` of an export.
pub const FORMAT_DOC: ParamDoc = ParamDoc::text(
    "format",
    "`csv` (for software: the field names as header, comma, amounts in cents), or for people \
     in the caller's language `xlsx` or `csv-excel` (semicolons and decimal commas, as Belgian \
     Excel opens it).",
);

/// The OpenAPI description of query parameters declared beside the app type that reads
/// them, group after group, so that a list's parameters are written once. `place` is
/// utoipa's (`None` unless the operation names one): the query by default.
pub fn described(
    groups: &[&[ParamDoc]],
    place: impl Fn() -> Option<ParameterIn>,
) -> Vec<Parameter> {
    groups
        .iter()
        .flat_map(|g| g.iter())
        .map(|d| {
            let schema = if d.integer {
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            } else {
                ObjectBuilder::new().schema_type(Type::String)
            };
            // A list's parameters are in the query unless the operation says otherwise; the
            // place is set first, since the builder holds a path parameter required.
            ParameterBuilder::new()
                .name(d.name)
                .parameter_in(place().unwrap_or(ParameterIn::Query))
                .required(Required::False)
                .description(Some(d.about))
                .schema(Some(schema))
                .build()
        })
        .collect()
}

/// The answer to an export whose format was refused: the format's problem first, then the
/// filter's own ones (`filter`, checked without beginning the export), so that a client sees
/// every mistake at once.
pub fn format_refused(bad: FieldError, filter: Result<(), AppError>) -> WebError {
    match filter {
        Ok(()) => AppError::Validation(vec![bad]).into(),
        Err(AppError::Validation(mut d)) => {
            d.insert(0, bad);
            AppError::Validation(d).into()
        }
        Err(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_keep_the_last_and_decode() {
        let raw = Some("search=a%20b&status=x&status=active&limit=".to_owned());
        assert_eq!(query_value(&raw, "search").as_deref(), Some("a b"));
        assert_eq!(query_value(&raw, "status").as_deref(), Some("active"));
        assert_eq!(query_value(&raw, "limit").as_deref(), Some(""));
        assert_eq!(query_value(&raw, "cursor"), None);
        assert_eq!(query_value(&None, "cursor"), None);
    }

    #[test]
    fn ids_that_are_not_ids_are_unknown() {
        assert_eq!(path_id("42").unwrap(), 42);
        for bad in ["0", "-3", "x", "", "1.5"] {
            assert!(
                matches!(path_id(bad), Err(WebError(AppError::NotFound))),
                "{bad}"
            );
        }
    }

    #[test]
    fn declared_parameters_are_described_in_order() {
        let limit = ParamDoc {
            name: "limit",
            about: "Page size.",
            integer: true,
        };
        let params = described(&[&[FORMAT_DOC], &[limit]], || None);
        let json = serde_json::to_value(&params).unwrap();
        assert_eq!(json[0]["name"], "format");
        assert_eq!(json[0]["in"], "query");
        assert_eq!(json[0]["required"], false);
        assert_eq!(json[0]["schema"]["type"], "string");
        assert_eq!(json[1]["description"], "Page size.");
        assert_eq!(json[1]["schema"]["type"], "integer");
        assert_eq!(json[1]["schema"]["format"], "int64");
    }

    #[test]
    fn a_bad_format_comes_first_among_the_filters_problems() {
        let bad = || FieldError::field("format", "format_unknown", "x");
        let filter = Err(AppError::Validation(vec![FieldError::field(
            "from",
            "invalid_date",
            "x",
        )]));
        let WebError(AppError::Validation(d)) = format_refused(bad(), filter) else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = d.iter().filter_map(|f| f.field.as_deref()).collect();
        assert_eq!(fields, ["format", "from"]);
        let WebError(AppError::Validation(d)) = format_refused(bad(), Ok(())) else {
            panic!("expected a validation error")
        };
        assert_eq!(d.len(), 1);
        assert!(matches!(
            format_refused(bad(), Err(AppError::NotFound)),
            WebError(AppError::NotFound)
        ));
    }
}
