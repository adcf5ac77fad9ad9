//! User management pages of a customer's administrators (and of operators, for the customer
//! named by `?customer_number=`, which every link and form of these pages keeps): the list,
//! the new-user form, the edit form and the disable, enable and password-reset buttons.

use super::{Chrome, PageForm, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    params::{path_id, query_value},
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    Actor, AppError, ErrorCode, FieldError,
    users::{self, CustomerContext, ListQuery, ManagedUser, NewUserInput, UserChanges},
};
use cs_domain::{Language, Module, Role, UserId, UserStatus};

pub fn routes(r: Routes) -> Routes {
    r.get("/users", Policy::Users, list_page)
        .get("/users/new", Policy::Users, new_page)
        .post("/users", Policy::Users, create_submit)
        .get("/users/{id}", Policy::Users, edit_page)
        .post("/users/{id}", Policy::Users, edit_submit)
        .post("/users/{id}/disable", Policy::Users, disable)
        .post("/users/{id}/enable", Policy::Users, enable)
        .post("/users/{id}/password-reset", Policy::Users, password_reset)
}

// ---------------------------------------------------------------------------------------
// Small helpers: links that keep the customer, the machine-readable time.

/// `path` with the non-empty parameters as a query string.
fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// The customer a request names: only operators name one, so only theirs is kept in links.
fn named_customer(actor: &Actor, raw: &Option<String>) -> String {
    if actor.is_operator() {
        query_value(raw, "customer_number").unwrap_or_default()
    } else {
        String::new()
    }
}

fn cn_arg(cn: &str) -> Option<&str> {
    (!cn.is_empty()).then_some(cn)
}

/// An instant for `<time>`: its machine form and its words.
fn when(chrome: &Chrome, t: time::OffsetDateTime) -> (String, String) {
    (local_time::machine(t), local_time::minute(chrome.lang, t))
}

/// An error's message in the page's language (`users-error-<code>`), else the use case's own.
fn message(chrome: &Chrome, code: &str, fallback: &str) -> String {
    error_text(chrome.lang, "users-error-", code, fallback)
}

// ---------------------------------------------------------------------------------------
// The customer chooser: an operator who named no customer (or a malformed number).

#[derive(Template)]
#[template(path = "users_customer.html")]
struct CustomerChooser {
    chrome: Chrome,
    value: String,
    error: Option<String>,
}

/// An operator's missing or malformed `customer_number` asks for it (422) instead of a bare
/// error page; every other error goes the usual way.
pub(super) fn chooser_or(
    ctx: &RequestCtx,
    raw: &Option<String>,
    err: AppError,
) -> Result<Response, WebError> {
    let AppError::Validation(details) = &err else {
        return Err(WebError(err));
    };
    let Some(d) = details
        .iter()
        .find(|d| d.field.as_deref() == Some("customer_number"))
    else {
        return Err(WebError(err));
    };
    let chrome = Chrome::new(ctx, "/users");
    let given = query_value(raw, "customer_number").unwrap_or_default();
    let error = Some(message(&chrome, &d.code, &d.message));
    let mut r = render(&CustomerChooser {
        chrome,
        value: given,
        error,
    });
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

// ---------------------------------------------------------------------------------------
// The list.

struct Row {
    href: String,
    username: String,
    full_name: String,
    email: String,
    role: String,
    modules: String,
    cost_centres: String,
    status: String,
    last_login: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    chrome: Chrome,
    customer: String,
    operator: bool,
    cn: String,
    search: String,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    new_href: String,
    next_href: Option<String>,
    first_href: Option<String>,
}

fn modules_text(chrome: &Chrome, u: &ManagedUser) -> String {
    if u.role == Role::Admin {
        return chrome.t("users-all-modules");
    }
    let names: Vec<String> = u
        .modules
        .iter()
        .map(|m| chrome.t(&format!("module-{}", m.as_str())))
        .collect();
    if names.is_empty() {
        chrome.t("users-no-modules")
    } else {
        names.join(", ")
    }
}

fn row(chrome: &Chrome, cn: &str, u: ManagedUser) -> Row {
    Row {
        href: href(&format!("/users/{}", u.id), &[("customer_number", cn)]),
        role: chrome.t(&format!("role-{}", u.role.as_str())),
        modules: modules_text(chrome, &u),
        cost_centres: if u.cost_centres.is_empty() {
            chrome.t("users-all-cost-centres")
        } else {
            u.cost_centres.join(", ")
        },
        status: chrome.t(&format!("users-status-{}", u.status.as_str())),
        last_login: u.last_login_at.map(|t| when(chrome, t)),
        username: u.username,
        full_name: u.full_name,
        email: u.email,
    }
}

async fn list_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    let customer = match users::customer_context(&s.app, actor, cn_arg(&cn)).await {
        Ok(c) => c,
        Err(e) => return chooser_or(&ctx, &raw, e),
    };
    let search = query_value(&raw, "search").unwrap_or_default();
    let status = query_value(&raw, "status").unwrap_or_default();
    let cursor = query_value(&raw, "cursor").unwrap_or_default();
    let q = ListQuery {
        search: Some(search.clone()),
        status: Some(status.clone()),
        cursor: Some(cursor.clone()),
        limit: None,
    };
    let page = users::list(&s.app, actor, cn_arg(&cn), &q).await?;
    let chrome = Chrome::new(&ctx, "/users");
    let mut statuses = vec![Choice {
        value: String::new(),
        label: chrome.t("users-status-any"),
        on: status.is_empty(),
    }];
    statuses.extend(UserStatus::ALL.iter().map(|st| Choice {
        value: st.as_str().to_owned(),
        label: chrome.t(&format!("users-status-{}", st.as_str())),
        on: status == st.as_str(),
    }));
    let filters = [
        ("customer_number", cn.as_str()),
        ("search", search.as_str()),
        ("status", status.as_str()),
    ];
    let next_href = page.next_cursor.as_deref().map(|c| {
        let mut p = filters.to_vec();
        p.push(("cursor", c));
        href("/users", &p)
    });
    let first_href = (!cursor.is_empty()).then(|| href("/users", &filters));
    let rows = page
        .items
        .into_iter()
        .map(|u| row(&chrome, &cn, u))
        .collect();
    Ok(render(&ListPage {
        customer: format!("{} ({})", customer.name, customer.customer_number),
        operator: actor.is_operator(),
        new_href: href("/users/new", &[("customer_number", &cn)]),
        cn,
        search,
        statuses,
        rows,
        next_href,
        first_href,
        chrome,
    }))
}

// ---------------------------------------------------------------------------------------
// The new-user and edit forms.

/// One option of a select, radio group or checkbox group.
struct Choice {
    value: String,
    label: String,
    on: bool,
}

/// What the form holds: as stored, or as typed when it comes back with errors.
#[derive(Debug, Clone, Default)]
struct Typed {
    username: String,
    full_name: String,
    email: String,
    language: String,
    role: String,
    modules: Vec<String>,
    cost_centres: Vec<String>,
}

impl Typed {
    fn from_form(pairs: Vec<(String, String)>) -> Self {
        let mut t = Typed::default();
        for (k, v) in pairs {
            match k.as_str() {
                "username" => t.username = v,
                "full_name" => t.full_name = v,
                "email" => t.email = v,
                "language" => t.language = v,
                "role" => t.role = v,
                "modules" => t.modules.push(v),
                "cost_centres" => t.cost_centres.push(v),
                _ => {}
            }
        }
        t
    }

    fn of(u: &ManagedUser) -> Self {
        Typed {
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            email: u.email.clone(),
            language: u.language.code().to_owned(),
            role: u.role.as_str().to_owned(),
            modules: u.granted.iter().map(|m| m.as_str().to_owned()).collect(),
            cost_centres: u.cost_centres.clone(),
        }
    }

    fn blank(customer: &CustomerContext) -> Self {
        Typed {
            language: customer.language.code().to_owned(),
            role: Role::User.as_str().to_owned(),
            ..Typed::default()
        }
    }
}

/// The parts of the edit page about the account's state, with its action buttons.
struct Account {
    status: UserStatus,
    status_label: String,
    last_login: Option<(String, String)>,
    /// The confirmation page of disabling and the operator's `customer_number` (a GET form
    /// carries it in a field).
    disable_page: (String, String),
    enable_action: String,
    reset_action: String,
}

#[derive(Template)]
#[template(path = "users_form.html")]
struct FormPage {
    chrome: Chrome,
    customer: String,
    heading: String,
    action: String,
    back_href: String,
    /// `None` on the new-user form.
    account: Option<Account>,
    typed: Typed,
    languages: Vec<Choice>,
    roles: Vec<Choice>,
    modules: Vec<Choice>,
    cost_centres: Vec<Choice>,
    /// `(field, message)`, translated.
    errors: Vec<(String, String)>,
    alert: Option<String>,
    notice: Option<String>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

struct FormState {
    typed: Typed,
    errors: Vec<FieldError>,
    alert: Option<String>,
    notice: Option<String>,
}

impl FormState {
    fn showing(typed: Typed) -> Self {
        Self {
            typed,
            errors: Vec::new(),
            alert: None,
            notice: None,
        }
    }
}

fn form_page(
    ctx: &RequestCtx,
    cn: &str,
    customer: &CustomerContext,
    user: Option<&ManagedUser>,
    state: FormState,
) -> FormPage {
    let chrome = Chrome::new(ctx, "/users");
    let t = state.typed;
    let keep = [("customer_number", cn)];
    let (heading, action, account) = match user {
        None => (chrome.t("users-new-title"), href("/users", &keep), None),
        Some(u) => {
            let base = format!("/users/{}", u.id);
            (
                format!("{} {}", chrome.t("users-edit-title"), u.username),
                href(&base, &keep),
                Some(Account {
                    status: u.status,
                    status_label: chrome.t(&format!("users-status-{}", u.status.as_str())),
                    last_login: u.last_login_at.map(|t| when(&chrome, t)),
                    disable_page: (format!("{base}/disable"), cn.to_owned()),
                    enable_action: href(&format!("{base}/enable"), &keep),
                    reset_action: href(&format!("{base}/password-reset"), &keep),
                }),
            )
        }
    };
    let languages = Language::ALL
        .iter()
        .map(|l| Choice {
            value: l.code().to_owned(),
            label: l.endonym().to_owned(),
            on: t.language == l.code(),
        })
        .collect();
    let roles = [Role::User, Role::Admin]
        .iter()
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: chrome.t(&format!("role-{}", r.as_str())),
            on: t.role == r.as_str(),
        })
        .collect();
    let modules = Module::GRANTABLE
        .iter()
        .map(|m| Choice {
            value: m.as_str().to_owned(),
            label: chrome.t(&format!("module-{}", m.as_str())),
            on: t.modules.iter().any(|x| x == m.as_str()),
        })
        .collect();
    let cost_centres = customer
        .cost_centres
        .iter()
        .map(|(code, name)| Choice {
            value: code.clone(),
            label: format!("{code} – {name}"),
            on: t.cost_centres.contains(code),
        })
        .collect();
    let errors = state
        .errors
        .iter()
        .map(|e| {
            (
                e.field.clone().unwrap_or_default(),
                message(&chrome, &e.code, &e.message),
            )
        })
        .collect();
    FormPage {
        customer: format!("{} ({})", customer.name, customer.customer_number),
        heading,
        action,
        back_href: href("/users", &keep),
        account,
        typed: t,
        languages,
        roles,
        modules,
        cost_centres,
        errors,
        alert: state.alert,
        notice: state.notice,
        chrome,
    }
}

fn with_status(page: &FormPage, status: StatusCode) -> Response {
    let mut r = render(page);
    *r.status_mut() = status;
    r
}

async fn new_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    let customer = match users::customer_context(&s.app, actor, cn_arg(&cn)).await {
        Ok(c) => c,
        Err(e) => return chooser_or(&ctx, &raw, e),
    };
    let state = FormState::showing(Typed::blank(&customer));
    Ok(render(&form_page(&ctx, &cn, &customer, None, state)))
}

async fn create_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    let customer = match users::customer_context(&s.app, actor, cn_arg(&cn)).await {
        Ok(c) => c,
        Err(e) => return chooser_or(&ctx, &raw, e),
    };
    let typed = Typed::from_form(pairs);
    let input = NewUserInput {
        username: typed.username.clone(),
        full_name: typed.full_name.clone(),
        email: typed.email.clone(),
        language: Some(typed.language.clone()),
        role: Some(typed.role.clone()),
        modules: typed.modules.clone(),
        cost_centres: typed.cost_centres.clone(),
    };
    let (errors, status) = match users::create(&s.app, actor, &ctx.meta, cn_arg(&cn), &input).await
    {
        Ok(u) => {
            let to = href(
                &format!("/users/{}", u.id),
                &[("done", "created"), ("customer_number", &cn)],
            );
            return Ok(Redirect::to(&to).into_response());
        }
        Err(AppError::Validation(d)) => (d, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict { code, message }) if code == ErrorCode::UsernameTaken => (
            vec![FieldError::field("username", code.as_str(), message)],
            StatusCode::CONFLICT,
        ),
        Err(e) => return Err(WebError(e)),
    };
    let state = FormState {
        errors,
        ..FormState::showing(typed)
    };
    Ok(with_status(
        &form_page(&ctx, &cn, &customer, None, state),
        status,
    ))
}

/// The notice after a change, from the `done` parameter of the redirect.
fn done_notice(chrome: &Chrome, done: Option<&str>, u: &ManagedUser) -> Option<String> {
    let key = match done? {
        "created" => "users-done-created",
        "saved" => "users-done-saved",
        "disabled" => "users-done-disabled",
        "enabled" => "users-done-enabled",
        "reset" => "users-done-reset",
        "invited" => "users-done-invited",
        _ => return None,
    };
    Some(cs_app::i18n::t_args(
        chrome.lang,
        key,
        &[("email", &u.email), ("username", &u.username)],
    ))
}

async fn edit_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let id = UserId::new(path_id(&id)?);
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    let user = match users::get(&s.app, actor, cn_arg(&cn), id).await {
        Ok(u) => u,
        Err(e) => return chooser_or(&ctx, &raw, e),
    };
    let customer = users::customer_context(&s.app, actor, cn_arg(&cn)).await?;
    let chrome = Chrome::new(&ctx, "/users");
    let done = query_value(&raw, "done");
    let state = FormState {
        notice: done_notice(&chrome, done.as_deref(), &user),
        ..FormState::showing(Typed::of(&user))
    };
    Ok(render(&form_page(&ctx, &cn, &customer, Some(&user), state)))
}

/// The edit page again, after a refused change: `typed` as it was sent (or as stored), with
/// the field errors or the refusal (`alert`) shown.
async fn edit_again(
    s: &AppState,
    ctx: &RequestCtx,
    cn: &str,
    id: UserId,
    typed: Option<Typed>,
    err: AppError,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let (errors, alert, status) = match err {
        AppError::Validation(d) => (d, None, StatusCode::UNPROCESSABLE_ENTITY),
        e @ AppError::ReauthenticationRequired { .. } => (
            vec![FieldError::field(
                "current_password",
                e.code().as_str(),
                error_text(ctx.lang, "error-", e.code().as_str(), &e.to_string()),
            )],
            None,
            StatusCode::FORBIDDEN,
        ),
        AppError::Conflict { code, message: m } => {
            let chrome = Chrome::new(ctx, "/users");
            (
                Vec::new(),
                Some(message(&chrome, code.as_str(), &m)),
                StatusCode::CONFLICT,
            )
        }
        e => return Err(WebError(e)),
    };
    let user = users::get(&s.app, actor, cn_arg(cn), id).await?;
    let customer = users::customer_context(&s.app, actor, cn_arg(cn)).await?;
    let state = FormState {
        typed: typed.unwrap_or_else(|| Typed::of(&user)),
        errors,
        alert,
        notice: None,
    };
    Ok(with_status(
        &form_page(ctx, cn, &customer, Some(&user), state),
        status,
    ))
}

async fn edit_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    form: Result<PageForm<Vec<(String, String)>>, WebError>,
) -> Result<Response, WebError> {
    let id = UserId::new(path_id(&id)?);
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    let pairs = match form {
        Ok(PageForm(pairs)) => pairs,
        Err(bad_form) => {
            // Another customer's id is 404 whatever the body, exactly like an unknown id.
            if let Err(e) = users::get(&s.app, actor, cn_arg(&cn), id).await {
                return chooser_or(&ctx, &raw, e);
            }
            return Err(bad_form);
        }
    };
    let current_password = pairs
        .iter()
        .find(|(k, _)| k == "current_password")
        .map(|(_, v)| v.clone());
    let typed = Typed::from_form(pairs);
    let changes = UserChanges {
        full_name: Some(typed.full_name.clone()),
        email: Some(typed.email.clone()),
        language: Some(typed.language.clone()),
        role: Some(typed.role.clone()),
        modules: Some(typed.modules.clone()),
        cost_centres: Some(typed.cost_centres.clone()),
        status: None,
        current_password: current_password.filter(|p| !p.is_empty()),
    };
    match users::update(&s.app, actor, &ctx.meta, cn_arg(&cn), id, &changes).await {
        Ok(_) => {
            let to = href(
                &format!("/users/{id}"),
                &[("done", "saved"), ("customer_number", &cn)],
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(
            e @ (AppError::Validation(_)
            | AppError::Conflict { .. }
            | AppError::ReauthenticationRequired { .. }),
        ) => edit_again(&s, &ctx, &cn, id, Some(typed), e).await,
        Err(e) => chooser_or(&ctx, &raw, e),
    }
}

/// The disable and enable buttons.
async fn set_status(
    s: AppState,
    ctx: RequestCtx,
    id: String,
    raw: Option<String>,
    to: UserStatus,
) -> Result<Response, WebError> {
    let id = UserId::new(path_id(&id)?);
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    let changes = UserChanges {
        status: Some(to.as_str().to_owned()),
        ..UserChanges::default()
    };
    match users::update(&s.app, actor, &ctx.meta, cn_arg(&cn), id, &changes).await {
        Ok(_) => {
            let done = if to == UserStatus::Disabled {
                "disabled"
            } else {
                "enabled"
            };
            let to = href(
                &format!("/users/{id}"),
                &[("done", done), ("customer_number", &cn)],
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ AppError::Conflict { .. }) => edit_again(&s, &ctx, &cn, id, None, e).await,
        Err(e) => chooser_or(&ctx, &raw, e),
    }
}

/// Acts only when sent from its confirmation page; otherwise shows that page.
async fn disable(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    form: Result<PageForm<Vec<(String, String)>>, WebError>,
) -> Result<Response, WebError> {
    if !form.is_ok_and(|PageForm(pairs)| super::confirm::confirmed(&pairs)) {
        return super::confirm::disable_page(&s, &ctx, &id, &raw).await;
    }
    set_status(s, ctx, id, raw, UserStatus::Disabled).await
}

async fn enable(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    set_status(s, ctx, id, raw, UserStatus::Active).await
}

async fn password_reset(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let id = UserId::new(path_id(&id)?);
    let actor = ctx.actor()?;
    let cn = named_customer(actor, &raw);
    match users::request_password_reset(&s.app, actor, &ctx.meta, cn_arg(&cn), id).await {
        Ok(u) => {
            let done = if u.status == UserStatus::Invited {
                "invited"
            } else {
                "reset"
            };
            let to = href(
                &format!("/users/{id}"),
                &[("done", done), ("customer_number", &cn)],
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ AppError::Conflict { .. }) => edit_again(&s, &ctx, &cn, id, None, e).await,
        Err(e) => chooser_or(&ctx, &raw, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_only_what_is_set() {
        assert_eq!(href("/users", &[("customer_number", "")]), "/users");
        assert_eq!(
            href(
                "/users",
                &[("customer_number", "8800001"), ("search", "a b&c")]
            ),
            "/users?customer_number=8800001&search=a+b%26c"
        );
    }

    #[test]
    fn form_fields_repeat_for_checkboxes() {
        let t = Typed::from_form(vec![
            ("_csrf".into(), "x".into()),
            ("full_name".into(), "Anne".into()),
            ("modules".into(), "invoices".into()),
            ("modules".into(), "reports".into()),
            ("cost_centres".into(), "CA1".into()),
        ]);
        assert_eq!(t.full_name, "Anne");
        assert_eq!(t.modules, ["invoices", "reports"]);
        assert_eq!(t.cost_centres, ["CA1"]);
        assert!(t.username.is_empty());
    }
}
