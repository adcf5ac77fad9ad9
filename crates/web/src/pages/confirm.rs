//! Confirmation pages of the actions that cut someone off: suspending a customer, disabling a
//! user, rejecting an access request. The button of each leads here (a GET); this page's form
//! POSTs the action with `confirm=yes`, and a POST without it only shows this page again.

use super::{Chrome, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    params::{path_id, query_value},
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{FieldError, access_requests, backoffice, i18n, users};
use cs_domain::{UserId, UserStatus};

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/operator/customers/{number}/suspend",
        Policy::Operator,
        suspend_get,
    )
    .get("/users/{id}/disable", Policy::Users, disable_get)
    .get(
        "/operator/access-requests/{id}/reject",
        Policy::Operator,
        reject_get,
    )
}

/// The field a confirmed form carries, and its value.
pub const FIELD: &str = "confirm";
pub const YES: &str = "yes";

/// Whether a form's pairs say the action was confirmed on its page.
pub fn confirmed(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, v)| k == FIELD && v == YES)
}

/// The reason field of a confirmation, when its action takes one.
pub struct Reason {
    pub label: String,
    pub value: String,
    pub required: bool,
    pub multiline: bool,
    pub max_chars: usize,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    chrome: Chrome,
    title: String,
    /// What will happen, in a sentence.
    consequence: String,
    /// Where the form POSTs (with the customer of an operator's link kept in its query).
    action: String,
    reason: Option<Reason>,
    submit: String,
    cancel_href: String,
}

impl ConfirmPage {
    fn answer(&self, status: StatusCode) -> Response {
        let mut r = render(self);
        *r.status_mut() = status;
        r
    }
}

/// The status of a confirmation page shown again: 422 when it carries an error.
fn status_of(reason: Option<&Reason>) -> StatusCode {
    if reason.is_some_and(|r| r.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// The first error of `field`, translated with `prefix`.
pub fn field_error(
    chrome_lang: cs_domain::Language,
    prefix: &str,
    errors: &[FieldError],
    field: &str,
) -> Option<String> {
    errors
        .iter()
        .find(|d| d.field.as_deref() == Some(field))
        .map(|d| error_text(chrome_lang, prefix, &d.code, &d.message))
}

// ---------------------------------------------------------------- suspend a customer

/// The confirmation of a customer's suspension, with its reason as typed (and its error).
pub async fn suspend_page(
    s: &AppState,
    ctx: &RequestCtx,
    number: &str,
    reason: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let d = backoffice::customer_detail(&s.app, ctx.actor()?, number).await?;
    let c = d.customer;
    let back = format!("/operator/customers/{}", c.customer_number);
    if c.status == "suspended" {
        return Ok(Redirect::to(&back).into_response());
    }
    let chrome = Chrome::new(ctx, "/operator/customers");
    let who = format!("{} ({})", c.name, c.customer_number);
    let page = ConfirmPage {
        title: i18n::t_args(chrome.lang, "confirm-suspend-title", &[("customer", &who)]),
        consequence: chrome.t("bo-suspend-explained"),
        action: format!("{back}/suspend"),
        reason: Some(Reason {
            label: chrome.t("bo-field-reason"),
            value: reason,
            required: false,
            multiline: false,
            max_chars: backoffice::MAX_REASON_CHARS,
            error,
        }),
        submit: chrome.t("bo-suspend"),
        cancel_href: back,
        chrome,
    };
    Ok(page.answer(status_of(page.reason.as_ref())))
}

async fn suspend_get(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    suspend_page(&s, &ctx, &number, String::new(), None).await
}

// ---------------------------------------------------------------- disable a user

/// The confirmation of disabling a user (a customer's admin or an operator, who names the
/// customer with `customer_number`, kept in the form's action).
pub async fn disable_page(
    s: &AppState,
    ctx: &RequestCtx,
    id: &str,
    raw: &Option<String>,
) -> Result<Response, WebError> {
    let id = UserId::new(path_id(id)?);
    let actor = ctx.actor()?;
    let cn = if actor.is_operator() {
        query_value(raw, "customer_number").unwrap_or_default()
    } else {
        String::new()
    };
    let cn_arg = Some(cn.as_str()).filter(|c| !c.is_empty());
    let user = match users::get(&s.app, actor, cn_arg, id).await {
        Ok(u) => u,
        Err(e) => return super::users::chooser_or(ctx, raw, e),
    };
    let keep = |path: String| match cn_arg {
        Some(c) => format!(
            "{path}?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("customer_number", c)
                .finish()
        ),
        None => path,
    };
    let back = keep(format!("/users/{id}"));
    if user.status == UserStatus::Disabled {
        return Ok(Redirect::to(&back).into_response());
    }
    let chrome = Chrome::new(ctx, "/users");
    let who = format!("{} ({})", user.full_name, user.username);
    let page = ConfirmPage {
        title: i18n::t_args(chrome.lang, "confirm-disable-title", &[("user", &who)]),
        consequence: chrome.t("users-disable-note"),
        action: keep(format!("/users/{id}/disable")),
        reason: None,
        submit: chrome.t("users-disable"),
        cancel_href: back,
        chrome,
    };
    Ok(page.answer(StatusCode::OK))
}

async fn disable_get(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    disable_page(&s, &ctx, &id, &raw).await
}

// ---------------------------------------------------------------- reject an access request

/// The confirmation of rejecting an access request, with the reason (required, e-mailed to
/// the applicant) as typed and its error.
pub async fn reject_page(
    s: &AppState,
    ctx: &RequestCtx,
    id: &str,
    reason: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let id = path_id(id)?;
    let d = access_requests::get(&s.app, ctx.actor()?, id).await?;
    let r = d.request;
    let back = format!("/operator/access-requests/{id}");
    if r.status != access_requests::Status::Pending {
        return Ok(Redirect::to(&back).into_response());
    }
    let chrome = Chrome::new(ctx, "/operator/access-requests");
    let page = ConfirmPage {
        title: i18n::t_args(
            chrome.lang,
            "confirm-reject-title",
            &[("company", &r.company_name)],
        ),
        consequence: i18n::t_args(
            chrome.lang,
            "confirm-reject-consequence",
            &[("email", &r.email)],
        ),
        action: format!("{back}/reject"),
        reason: Some(Reason {
            label: chrome.t("access-request-field-reason"),
            value: reason,
            required: true,
            multiline: true,
            max_chars: access_requests::max::REASON,
            error,
        }),
        submit: chrome.t("access-request-reject-submit"),
        cancel_href: back,
        chrome,
    };
    Ok(page.answer(status_of(page.reason.as_ref())))
}

async fn reject_get(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    reject_page(&s, &ctx, &id, String::new(), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_confirmation_field_confirms() {
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert!(confirmed(&[pair("_csrf", "t"), pair("confirm", "yes")]));
        assert!(!confirmed(&[pair("_csrf", "t")]));
        assert!(!confirmed(&[pair("confirm", "")]));
        assert!(!confirmed(&[pair("reason", "yes")]));
    }
}
