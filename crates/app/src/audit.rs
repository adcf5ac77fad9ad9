//! The audit trail's use: recording events (inside the transaction of the change they
//! describe) and verifying that the hash chain was not altered.

use crate::{Actor, AppError, RequestMeta, error::AppResult};
use cs_domain::{CustomerId, UserId};
use cs_store::{
    Conn,
    repo::{audit, users},
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Stable names of audited actions.
pub mod action {
    pub const LOGIN_OK: &str = "login.ok";
    pub const LOGIN_FAILED: &str = "login.failed";
    pub const LOGOUT: &str = "logout";
    pub const TOKEN_ISSUED: &str = "token.issued";
    pub const PASSWORD_SET: &str = "password.set";
    pub const OPERATOR_CREATED: &str = "operator.created";
    pub const DEMO_LOADED: &str = "demo.loaded";
    pub const ACCESS_DENIED: &str = "access.denied";
}

/// Who did it, as the trail records it.
#[derive(Debug, Clone)]
pub struct Who<'a> {
    pub user_id: Option<UserId>,
    pub name: &'a str,
    pub customer_id: Option<CustomerId>,
}

impl<'a> Who<'a> {
    pub fn actor(a: &'a Actor) -> Self {
        Self::actor_for(a, a.customer.as_ref().map(|c| c.id))
    }

    /// The actor on behalf of a customer (`None`: of none), recorded under it so that the
    /// customer's administrators see what was done to it, also by an operator.
    pub fn actor_for(a: &'a Actor, customer_id: Option<CustomerId>) -> Self {
        Self {
            user_id: Some(a.user_id),
            name: &a.username,
            customer_id,
        }
    }

    /// A user acting without a session yet (signing in, a one-time link, a forgotten
    /// password), under its own customer.
    pub fn user(u: &'a users::UserRow) -> Self {
        Self {
            user_id: Some(UserId::new(u.id)),
            name: &u.username,
            customer_id: u.customer_id.map(CustomerId::new),
        }
    }

    pub fn system(name: &'a str) -> Self {
        Self {
            user_id: None,
            name,
            customer_id: None,
        }
    }
}

/// The longest text an event keeps in any field (object, details' strings, …): a refused
/// request's path can be as long as the request line, and the trail is kept for good.
pub const MAX_TEXT: usize = 256;

/// `s` cut to at most [`MAX_TEXT`] characters, a cut one ending with `…`.
pub fn bounded(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(MAX_TEXT) {
        None => std::borrow::Cow::Borrowed(s),
        Some(_) => {
            let keep: String = s.chars().take(MAX_TEXT - 1).collect();
            std::borrow::Cow::Owned(format!("{keep}…"))
        }
    }
}

/// The details with every string (keys included) cut by [`bounded`].
fn bounded_details(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(bounded(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(bounded_details).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (bounded(&k).into_owned(), bounded_details(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Records one event on `conn` (normally the transaction of the change itself). Every text
/// is cut to [`MAX_TEXT`] characters here, whoever the caller.
pub async fn record(
    conn: &mut Conn<'_>,
    at: OffsetDateTime,
    who: &Who<'_>,
    meta: &RequestMeta,
    action: &str,
    object: (&str, &str),
    details: serde_json::Value,
) -> AppResult<i64> {
    let details = bounded_details(details).to_string();
    let (actor, action) = (bounded(who.name), bounded(action));
    let (object_type, object_id) = (bounded(object.0), bounded(object.1));
    let (ip, request_id) = (bounded(&meta.ip), bounded(&meta.request_id));
    let event = audit::NewAuditEvent {
        at,
        actor_user_id: who.user_id.map(UserId::get),
        actor: &actor,
        customer_id: who.customer_id.map(CustomerId::get),
        action: &action,
        object_type: &object_type,
        object_id: &object_id,
        ip: &ip,
        request_id: &request_id,
        details: &details,
    };
    let id = audit::append(conn, &event, |prev, seq| link_hash(prev, seq, &event)).await?;
    Ok(id)
}

/// Records one event in a transaction of its own (events not tied to a change, such as a
/// refused request).
pub async fn record_alone(
    app: &crate::App,
    who: &Who<'_>,
    meta: &RequestMeta,
    action: &str,
    object: (&str, &str),
    details: serde_json::Value,
) -> AppResult<i64> {
    let mut tx = app.store.begin().await?;
    let id = record(
        &mut tx.conn(),
        app.now(),
        who,
        meta,
        action,
        object,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The chain link: SHA-256 over the previous hash and a canonical, unambiguous encoding of
/// the event (length-prefixed fields, so no two events encode alike).
fn link_hash(prev: &str, seq: i64, e: &audit::NewAuditEvent<'_>) -> String {
    let mut h = Sha256::new();
    let at = e.at.unix_timestamp().to_string();
    let actor_id = e.actor_user_id.map(|v| v.to_string()).unwrap_or_default();
    let customer = e.customer_id.map(|v| v.to_string()).unwrap_or_default();
    let seq = seq.to_string();
    for field in [
        prev,
        &seq,
        &at,
        &actor_id,
        e.actor,
        &customer,
        e.action,
        e.object_type,
        e.object_id,
        e.ip,
        e.request_id,
        e.details,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Walks the whole chain; returns the number of events checked, or the id of the first
/// event whose link does not match.
pub async fn verify_chain(conn: &mut Conn<'_>) -> AppResult<Result<u64, i64>> {
    let mut prev = "0".repeat(64);
    let mut after = 0;
    let mut seq = 0i64;
    loop {
        let rows = audit::after(conn, after, 1000).await?;
        if rows.is_empty() {
            return Ok(Ok(seq as u64));
        }
        for r in rows {
            seq += 1;
            let e = audit::NewAuditEvent {
                at: r.at,
                actor_user_id: r.actor_user_id,
                actor: &r.actor,
                customer_id: r.customer_id,
                action: &r.action,
                object_type: &r.object_type,
                object_id: &r.object_id,
                ip: &r.ip,
                request_id: &r.request_id,
                details: &r.details,
            };
            if r.prev_hash != prev || link_hash(&prev, seq, &e) != r.hash {
                return Ok(Err(r.id));
            }
            prev = r.hash;
            after = r.id;
        }
    }
}

impl From<serde_json::Error> for AppError {
    #[track_caller]
    fn from(e: serde_json::Error) -> Self {
        AppError::internal_from("json", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_cut_at_256_characters() {
        assert_eq!(bounded("short"), "short");
        let exact = "é".repeat(MAX_TEXT);
        assert_eq!(bounded(&exact), exact.as_str());
        let long = "x".repeat(60_000);
        let cut = bounded(&long);
        assert_eq!(cut.chars().count(), MAX_TEXT);
        assert!(cut.ends_with('…'));
        let d =
            bounded_details(serde_json::json!({"path": long, "n": 3, "list": ["y".repeat(300)]}));
        assert_eq!(d["path"].as_str().unwrap().chars().count(), MAX_TEXT);
        assert_eq!(d["list"][0].as_str().unwrap().chars().count(), MAX_TEXT);
        assert_eq!(d["n"], 3);
    }
}
