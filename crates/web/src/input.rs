//! Characters no request may carry, checked once for every route before any handler runs:
//! control characters in query strings, form fields and JSON strings (422 `invalid_characters`).
//!
//! Why here and not per field: a NUL reaches PostgreSQL as an error (and SQLite stores it),
//! a line break in a header value breaks the response; refusing them at the edge keeps both
//! backends answering alike and every handler, present or future, covered. Tab, CR and LF are
//! allowed in bodies, whose texts may span lines (an access request's message), never in a
//! query string. CSV files are not read here: their cells answer by line and column.

use cs_app::{AppError, FieldError};

/// Parameters that have their own, more lenient rule: an unsafe `next` falls back to the
/// home page instead of being refused, so that a bad link still lands somewhere.
const OWN_RULE: &[&str] = &["next"];

/// The longest field name quoted in an error (a key can be as long as the request).
const NAME_MAX: usize = 64;

/// C0 controls and DEL: never in a query string.
fn forbidden_in_query(c: char) -> bool {
    c.is_ascii_control()
}

/// C0 controls and DEL, except tab and line breaks: never in a form field or JSON string.
fn forbidden_in_body(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A field name fit to quote: control characters escaped, at most [`NAME_MAX`] characters.
fn shown(name: &str) -> String {
    name.chars()
        .flat_map(char::escape_debug)
        .take(NAME_MAX)
        .collect()
}

struct Refusal {
    fields: Vec<String>,
    message: &'static str,
}

impl Refusal {
    fn new(message: &'static str) -> Self {
        Self {
            fields: Vec::new(),
            message,
        }
    }

    fn check(&mut self, name: &str, value: &str, forbidden: fn(char) -> bool) {
        if OWN_RULE.contains(&name) {
            return;
        }
        if name.chars().any(forbidden) || value.chars().any(forbidden) {
            let name = shown(name);
            if !self.fields.contains(&name) {
                self.fields.push(name);
            }
        }
    }

    fn into_result(self) -> Result<(), AppError> {
        if self.fields.is_empty() {
            return Ok(());
        }
        Err(AppError::Validation(
            self.fields
                .iter()
                .map(|f| FieldError::field(f, "invalid_characters", self.message))
                .collect(),
        ))
    }
}

const QUERY_MESSAGE: &str =
    "must not contain control characters (such as NUL, tab or a line break)";
const BODY_MESSAGE: &str =
    "must not contain control characters (such as NUL); only tab and line breaks are allowed";

/// A raw query string: every key and percent-decoded value.
pub fn check_query(raw: Option<&str>) -> Result<(), AppError> {
    let mut r = Refusal::new(QUERY_MESSAGE);
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        r.check(&k, &v, forbidden_in_query);
    }
    r.into_result()
}

/// A form body (`application/x-www-form-urlencoded`): every key and decoded value.
pub fn check_form(body: &[u8]) -> Result<(), AppError> {
    let mut r = Refusal::new(BODY_MESSAGE);
    for (k, v) in form_urlencoded::parse(body) {
        r.check(&k, &v, forbidden_in_body);
    }
    r.into_result()
}

/// A JSON document: every string and object key, each named by its path (`items[2].name`).
pub fn check_json(value: &serde_json::Value) -> Result<(), AppError> {
    fn walk(v: &serde_json::Value, path: &mut String, r: &mut Refusal) {
        match v {
            serde_json::Value::String(s) => r.check(path, s, forbidden_in_body),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path, r);
                    path.truncate(len);
                }
            }
            serde_json::Value::Object(fields) => {
                for (k, item) in fields {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    if k.chars().any(forbidden_in_body) {
                        r.check(path, "", forbidden_in_body);
                    } else {
                        walk(item, path, r);
                    }
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut r = Refusal::new(BODY_MESSAGE);
    walk(value, &mut String::new(), &mut r);
    r.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(e: &AppError) -> Vec<String> {
        assert_eq!(e.code(), "invalid_characters");
        e.details()
            .iter()
            .map(|d| {
                assert_eq!(d.code, "invalid_characters");
                d.field.clone().unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn query_strings_refuse_every_control_character_and_name_the_field() {
        assert!(check_query(Some("search=a%20b&limit=5")).is_ok());
        assert!(check_query(None).is_ok());
        let e = check_query(Some("search=a%00b&recipient=x%09&actor=%7F&ok=1")).unwrap_err();
        assert_eq!(fields(&e), ["search", "recipient", "actor"]);
        let e = check_query(Some("a%0Ab=1")).unwrap_err();
        assert_eq!(fields(&e), ["a\\nb"]);
    }

    #[test]
    fn next_keeps_its_own_rule() {
        assert!(check_query(Some("next=/%09/evil.example")).is_ok());
        assert!(check_form(b"next=%00").is_ok());
    }

    #[test]
    fn bodies_allow_tab_and_line_breaks_only() {
        assert!(check_form(b"message=line%0D%0Aline%09tab").is_ok());
        let e = check_form(b"message=a%00&name=b%1B").unwrap_err();
        assert_eq!(fields(&e), ["message", "name"]);
        let ok = serde_json::json!({"message": "a\r\n\tb", "n": 3});
        assert!(check_json(&ok).is_ok());
        let bad = serde_json::json!({"contact": {"name": "a\u{0}"}, "tags": ["x", "\u{7f}"]});
        assert_eq!(
            fields(&check_json(&bad).unwrap_err()),
            ["contact.name", "tags[1]"]
        );
    }

    proptest! {
        #[test]
        fn a_value_is_refused_exactly_when_it_holds_a_forbidden_character(v in "\\PC*|[\\x00-\\x7f]{0,8}") {
            let raw: String = form_urlencoded::Serializer::new(String::new()).append_pair("q", &v).finish();
            prop_assert_eq!(check_query(Some(&raw)).is_err(), v.chars().any(|c| c.is_ascii_control()));
            prop_assert_eq!(check_form(raw.as_bytes()).is_err(), v.chars().any(forbidden_in_body));
        }
    }
}
