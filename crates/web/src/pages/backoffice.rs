//! The operator's back-office pages: the customer list and a customer's page (contract, cost
//! centres, collection points, users, suspension, the Service Centre's reset) and the audit
//! search, also as a customer administrator's own `/audit`. Times are shown in Brussels time.

use super::{Chrome, PageForm, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    AppError, FieldError,
    backoffice::{self, AuditEvent, AuditQuery, AuditView, CustomerDetail, CustomerQuery, UserRef},
    i18n,
};
use cs_domain::Language;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/operator/customers", Policy::Operator, customers_page)
        .get(
            "/operator/customers/{number}",
            Policy::Operator,
            customer_page,
        )
        .post(
            "/operator/customers/{number}/suspend",
            Policy::Operator,
            suspend,
        )
        .post(
            "/operator/customers/{number}/reactivate",
            Policy::Operator,
            reactivate,
        )
        .post(
            "/operator/customers/{number}/users/{id}/password-reset",
            Policy::Operator,
            reset_password,
        )
        .get("/operator/audit", Policy::Operator, operator_audit_page)
        .get("/audit", Policy::Users, customer_audit_page)
}

// ---------------------------------------------------------------- shared helpers

/// Field errors of a form, translated, each shown beside its field.
#[derive(Debug, Default)]
struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    fn from_details(lang: Language, details: &[FieldError]) -> Self {
        Self(
            details
                .iter()
                .map(|d| {
                    let text = error_text(lang, "bo-error-", &d.code, &d.message);
                    (d.field.clone().unwrap_or_default(), text)
                })
                .collect(),
        )
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Errors of parameters the form has no field for (a stale cursor, a bad limit).
    fn others(&self, fields: &[&str]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(f, _)| !fields.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// A link to the same list with the given parameters (empty ones left out).
fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.trim().is_empty()) {
        q.append_pair(k, v.trim());
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------- customer list

#[derive(Debug, Default, Deserialize)]
struct CustomersParams {
    #[serde(default)]
    search: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

struct CustomerLine {
    number: String,
    href: String,
    name: String,
    vat_number: String,
    language: String,
    suspended: bool,
    status: String,
    users: i64,
}

#[derive(Template)]
#[template(path = "operator_customers.html")]
struct CustomersPage {
    chrome: Chrome,
    search: String,
    errors: FormErrors,
    other_errors: Vec<String>,
    lines: Vec<CustomerLine>,
    next_href: Option<String>,
    /// `(value, label, selected)` of the status filter.
    statuses: Vec<(&'static str, String, bool)>,
    /// The search box of the operator pages (`/operator/search`), empty here.
    search_q: String,
    search_error: Option<String>,
}

async fn customers_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    q: Result<Query<CustomersParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let p = q.map(|Query(q)| q).unwrap_or_default();
    let chrome = Chrome::new(&ctx, "/operator/customers");
    let result = backoffice::search_customers(
        &s.app,
        actor,
        &CustomerQuery {
            search: opt(&p.search),
            status: opt(&p.status),
            cursor: opt(&p.cursor),
            limit: None,
        },
    )
    .await;
    let (page, errors) = match result {
        Ok(page) => (Some(page), FormErrors::default()),
        Err(AppError::Validation(d)) => (None, FormErrors::from_details(chrome.lang, &d)),
        Err(e) => return Err(e.into()),
    };
    let lines = page
        .as_ref()
        .map(|page| {
            page.items
                .iter()
                .map(|c| CustomerLine {
                    href: format!("/operator/customers/{}", c.customer_number),
                    number: c.customer_number.clone(),
                    name: c.name.clone(),
                    vat_number: c.vat_number.clone(),
                    language: c.language.clone(),
                    suspended: c.status == "suspended",
                    status: chrome.t(&format!("bo-customer-status-{}", c.status)),
                    users: c.users,
                })
                .collect()
        })
        .unwrap_or_default();
    let next_href = page.and_then(|p| p.next_cursor).map(|c| {
        href(
            "/operator/customers",
            &[("search", &p.search), ("status", &p.status), ("cursor", &c)],
        )
    });
    let statuses = ["active", "suspended"]
        .into_iter()
        .map(|v| {
            (
                v,
                chrome.t(&format!("bo-customer-status-{v}")),
                p.status == v,
            )
        })
        .collect();
    let failed = !errors.is_empty();
    let page = CustomersPage {
        other_errors: errors
            .others(&["search", "status"])
            .into_iter()
            .map(str::to_owned)
            .collect(),
        errors,
        search: p.search,
        lines,
        next_href,
        statuses,
        search_q: String::new(),
        search_error: None,
        chrome,
    };
    let r = render(&page);
    Ok(if failed {
        with_status(r, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        r
    })
}

// ---------------------------------------------------------------- one customer

#[derive(Debug, Default, Deserialize)]
struct CustomerParams {
    #[serde(default)]
    done: String,
    #[serde(default)]
    user: String,
}

struct UserLine {
    id: i64,
    username: String,
    full_name: String,
    email: String,
    role: String,
    status: String,
    disabled: bool,
    last_login: Option<String>,
    locked_until: Option<String>,
    two_factor: bool,
}

#[derive(Template)]
#[template(path = "operator_customer.html")]
struct CustomerPage {
    chrome: Chrome,
    number: String,
    name: String,
    vat_number: String,
    language: String,
    street: String,
    postcode: String,
    city: String,
    country: String,
    suspended: bool,
    status: String,
    collection_days: Vec<String>,
    options: Vec<String>,
    retention: String,
    cost_centres: Vec<(String, String)>,
    collection_points: Vec<(String, String, String)>,
    users: Vec<UserLine>,
    more_users: bool,
    users_href: String,
    /// `(label, href)` of the customer's data on the customer routes.
    data_links: Vec<(String, String)>,
    notice: Option<String>,
    reason: String,
    reason_error: Option<String>,
}

/// The customer's data on the customer routes, which take an operator's `customer_number`.
fn data_links(chrome: &Chrome, number: &str) -> Vec<(String, String)> {
    [
        ("bo-link-transactions", "/transactions"),
        ("bo-link-registered-items", "/registered-items"),
        ("bo-link-users", "/users"),
        ("bo-link-activity", "/operator/audit"),
    ]
    .into_iter()
    .map(|(key, path)| (chrome.t(key), href(path, &[("customer_number", number)])))
    .collect()
}

fn customer_view(
    chrome: Chrome,
    d: CustomerDetail,
    notice: Option<String>,
    reason: String,
    reason_error: Option<String>,
) -> CustomerPage {
    let c = d.customer;
    let day = |code: &String| {
        let key = format!("bo-day-{code}");
        let t = chrome.t(&key);
        if t == key { code.clone() } else { t }
    };
    let retention = if d.contract.receipt_retention_default {
        i18n::t_args(
            chrome.lang,
            "bo-retention-default",
            &[("days", &d.contract.receipt_retention_days.to_string())],
        )
    } else {
        i18n::t_args(
            chrome.lang,
            "bo-retention-days",
            &[("days", &d.contract.receipt_retention_days.to_string())],
        )
    };
    CustomerPage {
        users_href: href("/users", &[("customer_number", &c.customer_number)]),
        data_links: data_links(&chrome, &c.customer_number),
        number: c.customer_number,
        name: c.name,
        vat_number: c.vat_number,
        language: c.language,
        street: c.street,
        postcode: c.postcode,
        city: c.city,
        country: c.country,
        suspended: c.status == "suspended",
        status: chrome.t(&format!("bo-customer-status-{}", c.status)),
        collection_days: d.contract.collection_days.iter().map(day).collect(),
        options: d.contract.options,
        retention,
        cost_centres: d
            .cost_centres
            .into_iter()
            .map(|cc| (cc.code, cc.name))
            .collect(),
        collection_points: d
            .collection_points
            .into_iter()
            .map(|p| {
                (
                    p.code,
                    p.name,
                    format!("{}, {} {}", p.street, p.postcode, p.city),
                )
            })
            .collect(),
        users: d
            .users
            .into_iter()
            .map(|u| UserLine {
                role: chrome.t(&format!("role-{}", u.role)),
                status: chrome.t(&format!("bo-user-status-{}", u.status)),
                disabled: u.status == "disabled",
                last_login: u.last_login_at.map(|t| local_time::second(chrome.lang, t)),
                locked_until: u.locked_until.map(|t| local_time::second(chrome.lang, t)),
                two_factor: u.two_factor,
                id: u.id.get(),
                username: u.username,
                full_name: u.full_name,
                email: u.email,
            })
            .collect(),
        more_users: d.more_users,
        notice,
        reason,
        reason_error,
        chrome,
    }
}

async fn customer_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
    q: Result<Query<CustomerParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let p = q.map(|Query(q)| q).unwrap_or_default();
    let d = backoffice::customer_detail(&s.app, actor, &number).await?;
    let chrome = Chrome::new(&ctx, "/operator/customers");
    let notice = match p.done.as_str() {
        "suspended" => Some(chrome.t("bo-suspended-done")),
        "reactivated" => Some(chrome.t("bo-reactivated-done")),
        "reset" => d
            .users
            .iter()
            .find(|u| u.id.to_string() == p.user)
            .map(|u| i18n::t_args(chrome.lang, "bo-reset-done", &[("username", &u.username)])),
        _ => None,
    };
    Ok(render(&customer_view(
        chrome,
        d,
        notice,
        String::new(),
        None,
    )))
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    #[serde(default)]
    reason: String,
    /// `yes` from the confirmation page; a suspension without it is only asked again.
    #[serde(default)]
    confirm: String,
}

async fn change_status(
    s: &AppState,
    ctx: &RequestCtx,
    number: &str,
    suspend: bool,
    f: StatusForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let done = if suspend { "suspended" } else { "reactivated" };
    match backoffice::set_customer_suspended(
        &s.app,
        actor,
        &ctx.meta,
        number,
        suspend,
        Some(&f.reason),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/operator/customers/{}?done={done}",
            number.trim()
        ))
        .into_response()),
        Err(AppError::Validation(details)) if suspend => {
            let chrome = Chrome::new(ctx, "/operator/customers");
            let error = super::confirm::field_error(chrome.lang, "bo-error-", &details, "reason");
            super::confirm::suspend_page(s, ctx, number, f.reason, error).await
        }
        Err(AppError::Validation(details)) => {
            let d = backoffice::customer_detail(&s.app, actor, number).await?;
            let chrome = Chrome::new(ctx, "/operator/customers");
            let errors = FormErrors::from_details(chrome.lang, &details);
            let reason_error = errors.get("reason").map(str::to_owned);
            let page = customer_view(chrome, d, None, f.reason, reason_error);
            Ok(with_status(render(&page), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

async fn suspend(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
    PageForm(f): PageForm<StatusForm>,
) -> Result<Response, WebError> {
    if f.confirm != super::confirm::YES {
        return super::confirm::suspend_page(&s, &ctx, &number, f.reason, None).await;
    }
    change_status(&s, &ctx, &number, true, f).await
}

async fn reactivate(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
    PageForm(f): PageForm<StatusForm>,
) -> Result<Response, WebError> {
    change_status(&s, &ctx, &number, false, f).await
}

async fn reset_password(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let id = crate::params::path_id(&id)?;
    backoffice::service_centre_reset(&s.app, actor, &ctx.meta, &number, UserRef::Id(id)).await?;
    Ok(Redirect::to(&format!(
        "/operator/customers/{}?done=reset&user={id}",
        number.trim()
    ))
    .into_response())
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Default, Deserialize)]
struct AuditParams {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    customer_number: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    cursor: String,
}

struct AuditLine {
    at: String,
    actor: String,
    customer_number: String,
    /// What happened, in the reader's words; the stable code beside it for a search.
    action: String,
    action_code: String,
    object: String,
    ip: String,
    request_id: String,
    /// The event's details as `key: value` lines.
    details: Vec<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    /// The back office (with the customer filter and column) or a customer's own trail.
    operator: bool,
    action_path: &'static str,
    from: String,
    to: String,
    customer_number: String,
    actor: String,
    action: String,
    errors: FormErrors,
    other_errors: Vec<String>,
    lines: Vec<AuditLine>,
    next_href: Option<String>,
}

/// The audit search the form asks for (the customer only on the operator's view).
async fn search(
    s: &AppState,
    actor: &cs_app::Actor,
    view: AuditView,
    p: &AuditParams,
) -> Result<backoffice::Page<AuditEvent>, AppError> {
    let (from, until) = cs_app::calendar::day_bounds(Some(&p.from), Some(&p.to))?;
    let operator = view == AuditView::Operator;
    backoffice::search_audit(
        &s.app,
        actor,
        view,
        &AuditQuery {
            customer_number: if operator {
                opt(&p.customer_number)
            } else {
                None
            },
            from,
            until,
            actor: opt(&p.actor),
            action: opt(&p.action),
            cursor: opt(&p.cursor),
            limit: None,
        },
    )
    .await
}

/// One event as a line of the table, in the reader's language (the API keeps the codes).
fn audit_line(lang: Language, e: &AuditEvent) -> AuditLine {
    AuditLine {
        at: local_time::second(lang, e.at),
        actor: e.actor.clone(),
        customer_number: e.customer_number.clone().unwrap_or_default(),
        action: super::audit_words::action(lang, &e.action),
        action_code: e.action.clone(),
        object: super::audit_words::object(lang, &e.object_type, &e.object_id),
        ip: e.ip.clone(),
        request_id: e.request_id.clone(),
        details: super::audit_words::details(&e.details),
    }
}

fn audit_lines(lang: Language, events: &[AuditEvent]) -> Vec<AuditLine> {
    events.iter().map(|e| audit_line(lang, e)).collect()
}

async fn audit_page(
    s: &AppState,
    ctx: &RequestCtx,
    view: AuditView,
    p: AuditParams,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let operator = view == AuditView::Operator;
    let path = if operator {
        "/operator/audit"
    } else {
        "/audit"
    };
    let chrome = Chrome::new(ctx, path);
    let result = search(s, actor, view, &p).await;
    let (page, errors, status) = match result {
        Ok(page) => (Some(page), FormErrors::default(), StatusCode::OK),
        Err(AppError::Validation(d)) => (
            None,
            FormErrors::from_details(chrome.lang, &d),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // An unknown customer number typed in the filter: said beside the field.
        Err(AppError::NotFound) if operator => (
            None,
            FormErrors(vec![(
                "customer_number".into(),
                chrome.t("bo-error-unknown-customer"),
            )]),
            StatusCode::NOT_FOUND,
        ),
        Err(e) => return Err(e.into()),
    };
    let lines = page
        .as_ref()
        .map(|page| audit_lines(chrome.lang, &page.items))
        .unwrap_or_default();
    let next_href = page.and_then(|page| page.next_cursor).map(|c| {
        let customer = if operator {
            p.customer_number.as_str()
        } else {
            ""
        };
        href(
            path,
            &[
                ("from", &p.from),
                ("to", &p.to),
                ("customer_number", customer),
                ("actor", &p.actor),
                ("action", &p.action),
                ("cursor", &c),
            ],
        )
    });
    let page = AuditPage {
        other_errors: errors
            .others(&["from", "to", "customer_number", "actor", "action"])
            .into_iter()
            .map(str::to_owned)
            .collect(),
        errors,
        operator,
        action_path: path,
        from: p.from,
        to: p.to,
        customer_number: p.customer_number,
        actor: p.actor,
        action: p.action,
        lines,
        next_href,
        chrome,
    };
    Ok(with_status(render(&page), status))
}

async fn operator_audit_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    q: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let p = q.map(|Query(q)| q).unwrap_or_default();
    audit_page(&s, &ctx, AuditView::Operator, p).await
}

/// A customer administrator's own trail; operators have theirs in the back office.
async fn customer_audit_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    q: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let p = q.map(|Query(q)| q).unwrap_or_default();
    if ctx.actor()?.is_operator() {
        let to = href(
            "/operator/audit",
            &[
                ("from", &p.from),
                ("to", &p.to),
                ("customer_number", &p.customer_number),
                ("actor", &p.actor),
                ("action", &p.action),
            ],
        );
        return Ok(Redirect::to(&to).into_response());
    }
    audit_page(&s, &ctx, AuditView::Customer, p).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_only_the_filters_given() {
        assert_eq!(
            href(
                "/operator/audit",
                &[("actor", "a b"), ("action", " "), ("cursor", "9")]
            ),
            "/operator/audit?actor=a+b&cursor=9"
        );
        assert_eq!(href("/audit", &[("from", "")]), "/audit");
    }
}
