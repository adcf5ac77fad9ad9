//! Request parameters read leniently, for pages and the API alike: ids in paths and values in
//! query strings, so that nothing here fails outside the portal's error vocabulary.

use crate::error::WebError;
use cs_app::AppError;

/// An id in a path. Anything that is not one (`0`, `-3`, `x`) is unknown, exactly like an
/// id that does not exist or belongs to another customer: 404.
pub fn path_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(WebError(AppError::NotFound))
}

/// A value of the raw query string: the last of repeated keys, percent-decoded; `None` when
/// the key is absent.
pub fn query_value(raw: &Option<String>, key: &str) -> Option<String> {
    form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .last()
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
}
