//! The list toolkit, the same for every list: the raw query read once, `limit` and `cursor`
//! (SPEC §6: `limit` defaults to 50, at most 500), the keyset cursor tied to the list's filter
//! and sort, the one rule for a customer's codes in a filter, and the cut after the extra row.

use crate::{Actor, FieldError};
use base64::Engine;
use cs_domain::CustomerId;
use cs_store::{Conn, repo::customers};
use sha2::{Digest, Sha256};

/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page; a larger `limit` is refused (422 `invalid_limit`), as its message says.
pub const MAX_LIMIT: i64 = 500;

fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------------------
// The raw query.

/// A value of a raw query string: the last of repeated keys, percent-decoded; `None` when
/// the key is absent. Pages and the API read a list's parameters with this one function.
pub fn query_value(raw: Option<&str>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .last()
}

/// A query parameter of a list, for the API's description: its name, what it means, and
/// whether it is a whole number (else text). Each list declares its parameters once, beside
/// the type that reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDoc {
    pub name: &'static str,
    pub about: &'static str,
    pub integer: bool,
}

impl ParamDoc {
    pub const fn text(name: &'static str, about: &'static str) -> Self {
        Self {
            name,
            about,
            integer: false,
        }
    }
}

/// The customer an operator names on a customer's list.
pub const CUSTOMER_NUMBER_DOC: ParamDoc = ParamDoc::text(
    "customer_number",
    "The customer's number (PRS): required for operators, ignored for customers' users.",
);

/// The paging parameters of a list, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

impl PageQuery {
    pub const DOC: [ParamDoc; 2] = [
        ParamDoc::text(
            "cursor",
            "The `next_cursor` of the previous page, with the same filter and sort.",
        ),
        ParamDoc {
            name: "limit",
            about: "Page size, 1 to 500 (default 50).",
            integer: true,
        },
    ];

    pub fn read(raw: Option<&str>) -> Self {
        Self {
            cursor: query_value(raw, "cursor"),
            limit: query_value(raw, "limit"),
        }
    }

    /// The first page: a cursor given blank is no cursor.
    pub fn is_first(&self) -> bool {
        given(self.cursor.as_deref()).is_none()
    }
}

// ---------------------------------------------------------------------------------------
// Limit.

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

// ---------------------------------------------------------------------------------------
// Cursors.

/// The error on a `cursor` that no page of this list, filter and sort gave.
pub fn invalid_cursor() -> FieldError {
    FieldError::field(
        "cursor",
        "invalid_cursor",
        "this cursor was not given by the previous page",
    )
}

/// A cursor that is a row's id (the `next_cursor` of an earlier page); blank or absent:
/// the first page. Anything but a positive whole number adds an error on `cursor`. For the
/// lists without a filter that changes their rows' order.
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

/// Where a page of a keyset list ends: the sort key and id of its last row, as text parts
/// (none of them holding `|`).
pub trait Position: Sized {
    /// The list's name in its cursors, so that one list's cursor is refused by another.
    const LIST: &'static str;
    fn parts(&self) -> Vec<String>;
    fn from_parts(parts: &[&str]) -> Option<Self>;
}

/// What a cursor is tied to: the normalised filter and sort of its list (the same pairs the
/// page's links carry) and the customer, as `(name, value)` pairs in a fixed order.
pub type CursorKey = [(&'static str, String)];

const CURSOR_VERSION: &str = "c2";
/// A cursor is short; a longer text is refused before it is decoded.
const CURSOR_MAX_CHARS: usize = 512;

/// The digest a cursor carries: of its list, its key and its position, so that a cursor
/// replayed with another filter or sort, or altered, no longer matches. It is not a secret:
/// a cursor only positions a list already limited to the caller's rows, so one forged by
/// hand can show nothing more.
fn digest<P: Position>(key: &CursorKey, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    put(CURSOR_VERSION);
    put(P::LIST);
    for (name, value) in key {
        put(name);
        put(value);
    }
    for part in parts {
        put(part);
    }
    hex::encode(&h.finalize()[..12])
}

/// The opaque cursor of the page that ends at `at`, in a list of `key`.
pub fn encode_cursor<P: Position>(key: &CursorKey, at: &P) -> String {
    let parts = at.parts();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let mut text = format!("{CURSOR_VERSION}|{}", P::LIST);
    for p in &refs {
        text.push('|');
        text.push_str(p);
    }
    text.push('|');
    text.push_str(&digest::<P>(key, &refs));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode<P: Position>(raw: &str, key: &CursorKey) -> Option<P> {
    if raw.len() > CURSOR_MAX_CHARS {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let parts: Vec<&str> = text.split('|').collect();
    let [version, list, position @ .., sum] = parts.as_slice() else {
        return None;
    };
    if *version != CURSOR_VERSION || *list != P::LIST || *sum != digest::<P>(key, position) {
        return None;
    }
    P::from_parts(position)
}

/// The position a typed `cursor` stands for, if a page of this very list, key and position
/// gave it; blank or absent: `None`, the first page. Anything else adds `invalid_cursor` on
/// `cursor` (422).
pub fn decode_cursor<P: Position>(
    raw: Option<&str>,
    key: &CursorKey,
    errors: &mut Vec<FieldError>,
) -> Option<P> {
    let raw = given(raw)?;
    let at = decode(raw, key);
    if at.is_none() {
        errors.push(invalid_cursor());
    }
    at
}

/// Rows read with `limit + 1`: keeps the first `limit` and says whether more follow.
pub fn cut<T>(rows: &mut Vec<T>, limit: i64) -> bool {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    more
}

/// The next page's cursor: the position of the last row kept, when more follow.
pub fn next_cursor<T, P: Position>(
    rows: &[T],
    more: bool,
    key: &CursorKey,
    position: impl Fn(&T) -> P,
) -> Option<String> {
    rows.last()
        .filter(|_| more)
        .map(|r| encode_cursor(key, &position(r)))
}

// ---------------------------------------------------------------------------------------
// A customer's codes in a filter.

/// A code of the customer's that a filter may name, with its name for the form's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The codes a caller may filter a customer's list on: the customer's collection points,
/// and its cost centres (only the caller's own when it is limited to some), by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Codes {
    pub collection_points: Vec<Choice>,
    pub cost_centres: Vec<Choice>,
}

impl Codes {
    /// Read for `actor` on the customer `customer_id`.
    pub async fn load(
        conn: &mut Conn<'_>,
        customer_id: CustomerId,
        actor: &Actor,
    ) -> cs_store::Result<Self> {
        let collection_points = customers::collection_points(conn, customer_id.get())
            .await?
            .into_iter()
            .map(|p| Choice {
                id: p.id,
                code: p.code,
                name: p.name,
            })
            .collect();
        let cost_centres = customers::cost_centres(conn, customer_id.get())
            .await?
            .into_iter()
            .filter(|c| actor.cost_centres.is_empty() || actor.cost_centres.contains(&c.code))
            .map(|c| Choice {
                id: c.id,
                code: c.code,
                name: c.name,
            })
            .collect();
        Ok(Self {
            collection_points,
            cost_centres,
        })
    }

    /// The one rule for a collection point in a filter: one of the customer's, else 422
    /// `unknown_collection_point` on `collection_point`.
    pub fn collection_point(
        &self,
        code: Option<&str>,
        errors: &mut Vec<FieldError>,
    ) -> Option<&Choice> {
        known(
            &self.collection_points,
            code?,
            errors,
            "collection_point",
            "unknown_collection_point",
            "choose one of the customer's collection points",
        )
    }

    /// The one rule for a cost centre in a filter: one of the customer's that the caller may
    /// see, else 422 `unknown_cost_centre` on `cost_centre`.
    pub fn cost_centre(&self, code: Option<&str>, errors: &mut Vec<FieldError>) -> Option<&Choice> {
        known(
            &self.cost_centres,
            code?,
            errors,
            "cost_centre",
            "unknown_cost_centre",
            "choose one of your cost centres",
        )
    }
}

/// An unknown code, another customer's and one outside the caller's limits answer alike,
/// so the error tells nothing about codes the caller may not see.
fn known<'a>(
    choices: &'a [Choice],
    code: &str,
    errors: &mut Vec<FieldError>,
    field: &str,
    error: &str,
    message: &str,
) -> Option<&'a Choice> {
    let found = choices.iter().find(|c| c.code == code);
    if found.is_none() {
        errors.push(FieldError::field(field, error, message));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_keep_the_last_and_decode() {
        let raw = Some("search=a%20b&status=x&status=active&limit=");
        assert_eq!(query_value(raw, "search").as_deref(), Some("a b"));
        assert_eq!(query_value(raw, "status").as_deref(), Some("active"));
        assert_eq!(query_value(raw, "limit").as_deref(), Some(""));
        assert_eq!(query_value(raw, "cursor"), None);
        assert_eq!(query_value(None, "cursor"), None);
        let page = PageQuery::read(Some("cursor=%20&limit=7"));
        assert_eq!(page.limit.as_deref(), Some("7"));
        assert!(page.is_first());
        assert!(!PageQuery::read(Some("cursor=abc")).is_first());
    }

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

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct At(i64, i64);

    impl Position for At {
        const LIST: &'static str = "test";
        fn parts(&self) -> Vec<String> {
            vec![self.0.to_string(), self.1.to_string()]
        }
        fn from_parts(parts: &[&str]) -> Option<Self> {
            let [a, b] = parts else { return None };
            Some(At(a.parse().ok()?, b.parse().ok()?))
        }
    }

    struct Other;

    impl Position for Other {
        const LIST: &'static str = "other";
        fn parts(&self) -> Vec<String> {
            vec!["-1250".into(), "42".into()]
        }
        fn from_parts(_: &[&str]) -> Option<Self> {
            Some(Other)
        }
    }

    fn key(product: &str, sort: &str) -> Vec<(&'static str, String)> {
        vec![("product", product.to_owned()), ("sort", sort.to_owned())]
    }

    fn decoded(raw: &str, key: &CursorKey) -> Result<Option<At>, Vec<FieldError>> {
        let mut e = Vec::new();
        let at = decode_cursor::<At>(Some(raw), key, &mut e);
        if e.is_empty() { Ok(at) } else { Err(e) }
    }

    #[test]
    fn cursors_round_trip_and_are_url_safe() {
        let k = key("P1", "date");
        let c = encode_cursor(&k, &At(-1250, 42));
        assert!(
            c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'),
            "{c}"
        );
        assert_eq!(decoded(&c, &k), Ok(Some(At(-1250, 42))));
        let mut e = Vec::new();
        assert_eq!(decode_cursor::<At>(Some("  "), &k, &mut e), None);
        assert_eq!(decode_cursor::<At>(None, &k, &mut e), None);
        assert!(e.is_empty());
    }

    #[test]
    fn a_cursor_belongs_to_its_list_filter_sort_and_position() {
        let k = key("P1", "date");
        let c = encode_cursor(&k, &At(7, 42));
        let text = String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&c)
                .unwrap(),
        )
        .unwrap();
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let other_list = encode_cursor(&k, &Other);
        let edited = b64(&text.replace("|42|", "|43|"));
        let longer = format!("{c}{}", "A".repeat(CURSOR_MAX_CHARS));
        for (bad, k) in [
            (c.clone(), key("P2", "date")),
            (c.clone(), key("P1", "-date")),
            (c.clone(), vec![("product", "P1".into())]),
            (other_list, k.clone()),
            (edited, k.clone()),
            (c[..c.len() / 2].to_owned(), k.clone()),
            (longer, k.clone()),
            ("bm9wZQ".to_owned(), k.clone()),
            ("!!!".to_owned(), k.clone()),
            (b64("c2|test|1|2"), k.clone()),
        ] {
            let e = decoded(&bad, &k).unwrap_err();
            assert_eq!(e.len(), 1, "{bad}");
            assert_eq!(e[0].code, "invalid_cursor");
            assert_eq!(e[0].field.as_deref(), Some("cursor"));
        }
    }

    #[test]
    fn the_extra_row_says_more_follow() {
        let mut rows = vec![1, 2, 3];
        assert!(cut(&mut rows, 2));
        assert_eq!(rows, [1, 2]);
        let k = key("", "date");
        let next = next_cursor(&rows, true, &k, |r| At(*r, *r)).unwrap();
        assert_eq!(decoded(&next, &k), Ok(Some(At(2, 2))));
        assert!(!cut(&mut rows, 2));
        assert_eq!(rows, [1, 2]);
        assert_eq!(next_cursor(&rows, false, &k, |r| At(*r, *r)), None);
    }

    fn choice(id: i64, code: &str) -> Choice {
        Choice {
            id,
            code: code.into(),
            name: format!("{code} name"),
        }
    }

    #[test]
    fn codes_outside_the_choices_are_errors_on_their_field() {
        let codes = Codes {
            collection_points: vec![choice(1, "HQ"), choice(2, "DEPOT")],
            cost_centres: vec![choice(7, "CA1")],
        };
        let mut e = Vec::new();
        assert_eq!(
            codes.collection_point(Some("DEPOT"), &mut e).map(|c| c.id),
            Some(2)
        );
        assert_eq!(
            codes.cost_centre(Some("CA1"), &mut e).map(|c| c.id),
            Some(7)
        );
        assert_eq!(codes.collection_point(None, &mut e), None);
        assert!(e.is_empty());
        // Case matters: codes are exact.
        assert_eq!(codes.collection_point(Some("hq"), &mut e), None);
        assert_eq!(codes.cost_centre(Some("CA2"), &mut e), None);
        let got: Vec<_> = e
            .iter()
            .map(|f| (f.field.as_deref().unwrap(), f.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("collection_point", "unknown_collection_point"),
                ("cost_centre", "unknown_cost_centre")
            ]
        );
    }
}
