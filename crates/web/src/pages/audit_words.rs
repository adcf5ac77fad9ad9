//! The audit trail in a reader's words: each action code and object named in the page's
//! language (`audit-action-…`, `audit-object-…`), the details as short lines. The API and
//! the stored trail keep the codes.

use cs_app::i18n;
use cs_domain::Language;

/// `login.ok` → "Signed in"; a code without words (a newer action) shows itself.
pub fn action(lang: Language, code: &str) -> String {
    let key = format!("audit-action-{}", code.replace(['.', '_'], "-"));
    let text = i18n::t(lang, &key);
    if text == key { code.to_owned() } else { text }
}

/// `route` `GET /users` → "page /users"; `user` `12` → "user #12"; an unknown type shows
/// as stored.
pub fn object(lang: Language, object_type: &str, id: &str) -> String {
    let (method, path) = match object_type {
        "route" => id.split_once(' ').unwrap_or(("GET", id)),
        _ => ("", ""),
    };
    let key = format!("audit-object-{}", object_type.replace('_', "-"));
    let text = i18n::t_args(
        lang,
        &key,
        &[("id", id), ("method", method), ("path", path)],
    );
    if text == key {
        format!("{object_type} {id}").trim().to_owned()
    } else {
        text
    }
}

/// The details of an event as `key: value` lines (nested values as JSON).
pub fn details(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action the use cases record has words in every language.
    #[test]
    fn every_recorded_action_reads_as_words() {
        use cs_app::{
            access_requests, account, audit, backoffice, imports, jobs, lockout, registered_items,
            signin, users,
        };
        let codes = [
            audit::action::LOGIN_OK,
            audit::action::LOGIN_FAILED,
            audit::action::LOGOUT,
            audit::action::TOKEN_ISSUED,
            audit::action::PASSWORD_SET,
            audit::action::OPERATOR_CREATED,
            audit::action::DEMO_LOADED,
            audit::action::ACCESS_DENIED,
            access_requests::action::SUBMITTED,
            access_requests::action::APPROVED,
            access_requests::action::REJECTED,
            account::action::PASSWORD_CHANGED,
            account::action::PASSWORD_CHANGE_FAILED,
            account::action::SESSIONS_ENDED,
            account::action::TOKEN_CREATED,
            account::action::TOKEN_REVOKED,
            account::action::PASSWORD_RESET_REQUESTED,
            backoffice::action::CUSTOMER_SUSPENDED,
            backoffice::action::CUSTOMER_REACTIVATED,
            imports::action::COMPLETED,
            imports::action::REJECTED,
            jobs::admin::action::JOB_RETRIED,
            lockout::action::LOGIN_LOCKED,
            lockout::action::USER_LOCKED,
            lockout::action::USER_UNLOCKED,
            registered_items::action::EXPORTED,
            signin::action::TOTP_RESET,
            signin::action::REQUIRE_TOTP,
            signin::action::TOTP_ENROLMENT_STARTED,
            signin::action::TOTP_ENABLED,
            signin::action::TOTP_DISABLED,
            users::action::USER_CREATED,
            users::action::USER_UPDATED,
            users::action::USER_DISABLED,
            users::action::USER_ENABLED,
        ];
        for lang in Language::ALL {
            for code in codes {
                assert_ne!(action(lang, code), code, "{code} in {lang:?}");
            }
        }
        assert_eq!(action(Language::En, "login.ok"), "Signed in");
        assert_eq!(action(Language::En, "something.new"), "something.new");
    }

    #[test]
    fn objects_read_as_words() {
        assert_eq!(object(Language::En, "route", "GET /users"), "page /users");
        assert_eq!(
            object(Language::En, "route", "POST /users/3/disable"),
            "form sent to /users/3/disable"
        );
        assert_eq!(object(Language::En, "user", "12"), "user #12");
        assert_eq!(object(Language::En, "widget", "7"), "widget 7");
        for t in [
            "route",
            "user",
            "customer",
            "access_request",
            "api_token",
            "job",
            "import",
            "database",
        ] {
            let key = format!("audit-object-{}", t.replace('_', "-"));
            for lang in Language::ALL {
                let args = [("id", "1"), ("method", "GET"), ("path", "/")];
                assert_ne!(i18n::t_args(lang, &key, &args), key, "{t} in {lang:?}");
            }
        }
    }

    #[test]
    fn details_are_short_lines() {
        let v = serde_json::json!({"code": "forbidden", "n": 2});
        assert_eq!(details(&v), ["code: forbidden", "n: 2"]);
        assert!(details(&serde_json::json!({})).is_empty());
    }
}
