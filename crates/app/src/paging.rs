//! Keyset paging, the same for every list: its `limit` and `cursor` parameters (SPEC §6:
//! `limit` defaults to 50, at most 500) and the cut after the one extra row fetched.

use crate::FieldError;

/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page; a larger `limit` is refused (422 `invalid_limit`), as its message says.
pub const MAX_LIMIT: i64 = 500;

fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// A list's `limit` as typed: blank or absent is [`DEFAULT_LIMIT`]. Anything but a whole
/// number from 1 to [`MAX_LIMIT`] adds an error on `limit` (and gives the default, so that
/// the other parameters are still checked). A larger limit is refused rather than cut, so
/// that a client never takes a page of 500 for the size it asked for.
pub fn limit(raw: Option<&str>, errors: &mut Vec<FieldError>) -> i64 {
    match given(raw) {
        None => DEFAULT_LIMIT,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                errors.push(FieldError::field(
                    "limit",
                    "invalid_limit",
                    format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                ));
                DEFAULT_LIMIT
            }
        },
    }
}

/// The error on a `cursor` that no page of this list gave.
pub fn invalid_cursor() -> FieldError {
    FieldError::field(
        "cursor",
        "invalid_cursor",
        "this cursor was not given by the previous page",
    )
}

/// A cursor that is a row's id (the `next_cursor` of an earlier page); blank or absent:
/// the first page. Anything but a positive whole number adds an error on `cursor`.
pub fn id_cursor(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let raw = given(raw)?;
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.push(invalid_cursor());
            None
        }
    }
}

/// Rows read with `limit + 1`: keeps the first `limit` and says whether more follow.
pub fn cut<T>(rows: &mut Vec<T>, limit: i64) -> bool {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    more
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_cap_and_refuse_nonsense() {
        let mut e = Vec::new();
        assert_eq!(limit(None, &mut e), DEFAULT_LIMIT);
        assert_eq!(limit(Some(" "), &mut e), DEFAULT_LIMIT);
        assert_eq!(limit(Some("7"), &mut e), 7);
        assert_eq!(limit(Some("500"), &mut e), 500);
        assert!(e.is_empty());
        limit(Some("0"), &mut e);
        limit(Some("-3"), &mut e);
        limit(Some("ten"), &mut e);
        assert_eq!(limit(Some("501"), &mut e), DEFAULT_LIMIT);
        assert_eq!(limit(Some("100000"), &mut e), DEFAULT_LIMIT);
        assert_eq!(e.len(), 5);
        assert!(e.iter().all(|f| f.code == "invalid_limit"));
        assert!(e.iter().all(|f| f.field.as_deref() == Some("limit")));
    }

    #[test]
    fn id_cursors_are_positive_ids() {
        let mut e = Vec::new();
        assert_eq!(id_cursor(None, &mut e), None);
        assert_eq!(id_cursor(Some(" "), &mut e), None);
        assert_eq!(id_cursor(Some(" 42 "), &mut e), Some(42));
        assert!(e.is_empty());
        assert_eq!(id_cursor(Some("0"), &mut e), None);
        assert_eq!(id_cursor(Some("abc"), &mut e), None);
        assert_eq!(e.len(), 2);
        assert!(e.iter().all(|f| f.field.as_deref() == Some("cursor")));
    }

    #[test]
    fn the_extra_row_says_more_follow() {
        let mut rows = vec![1, 2, 3];
        assert!(cut(&mut rows, 2));
        assert_eq!(rows, [1, 2]);
        assert!(!cut(&mut rows, 2));
        assert_eq!(rows, [1, 2]);
    }
}
