//! The public access-request form (`/access-request`, then `/access-request/sent`) and the
//! operator's queue of requests (`/operator/access-requests`, one request, approve, reject).

use super::{Chrome, PageForm, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    params::path_id,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    AppError, FieldError,
    access_requests::{self as uc, AccessRequest, Filter, Status, max},
};
use cs_domain::Language;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/access-request", Policy::Public, form_page)
        .post("/access-request", Policy::Public, form_submit)
        .get("/access-request/sent", Policy::Public, sent_page)
        .get("/operator/access-requests", Policy::Operator, queue)
        .get("/operator/access-requests/{id}", Policy::Operator, detail)
        .post(
            "/operator/access-requests/{id}/approve",
            Policy::Operator,
            approve,
        )
        .post(
            "/operator/access-requests/{id}/reject",
            Policy::Operator,
            reject,
        )
}

/// The translated message of a field problem: `access-request-error-<code>`, else the
/// use case's own (English) message.
fn field_message(chrome: &Chrome, e: &FieldError) -> String {
    error_text(chrome.lang, "access-request-error-", &e.code, &e.message)
}

fn error_for(chrome: &Chrome, errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field.as_deref() == Some(field))
        .map(|e| field_message(chrome, e))
}

// ---------------------------------------------------------------------------------------
// The public form

/// How a field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Email,
    Tel,
    Select,
    TextArea,
}

/// One field of a form, with what was typed and its problem.
struct FieldView {
    name: &'static str,
    label: String,
    kind: Kind,
    value: String,
    required: bool,
    autocomplete: &'static str,
    maxlength: usize,
    hint: Option<String>,
    error: Option<String>,
    /// For a select: (value, label, selected).
    options: Vec<(String, String, bool)>,
}

impl FieldView {
    fn is(&self, kind: &str) -> bool {
        matches!(
            (kind, self.kind),
            ("text", Kind::Text | Kind::Email | Kind::Tel)
                | ("select", Kind::Select)
                | ("textarea", Kind::TextArea)
        )
    }

    fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Tel => "tel",
            _ => "text",
        }
    }

    /// `aria-describedby`: the hint and the error, when there are.
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

struct Section {
    legend: String,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "access_request_form.html")]
struct FormPage {
    chrome: Chrome,
    sections: Vec<Section>,
    /// (field, label, message) of every problem, for the summary at the top.
    summary: Vec<(String, String, String)>,
    /// A problem not tied to one field.
    general: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RequestForm {
    company_name: String,
    vat_number: String,
    customer_number: String,
    street: String,
    postcode: String,
    city: String,
    country: String,
    contact_name: String,
    email: String,
    phone: String,
    language: String,
    username: String,
    webpass: String,
    message: String,
}

impl RequestForm {
    fn input(&self) -> uc::Input {
        uc::Input {
            company_name: self.company_name.clone(),
            vat_number: self.vat_number.clone(),
            customer_number: self.customer_number.clone(),
            street: self.street.clone(),
            postcode: self.postcode.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
            contact_name: self.contact_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            language: self.language.clone(),
            username: self.username.clone(),
            webpass: self.webpass.clone(),
            message: self.message.clone(),
        }
    }
}

/// How one field of the form is drawn: name, kind, required, `autocomplete`, `maxlength`,
/// and whether it has a hint (`access-request-hint-<name>`).
struct Spec(&'static str, Kind, bool, &'static str, usize, bool);

/// The form's three sections, by legend key, each with its fields in order.
const SECTIONS: [(&str, &[Spec]); 3] = [
    (
        "access-request-section-company",
        &[
            Spec(
                "company_name",
                Kind::Text,
                true,
                "organization",
                max::COMPANY_NAME,
                false,
            ),
            Spec("vat_number", Kind::Text, true, "off", 20, true),
            Spec("customer_number", Kind::Text, false, "off", 10, true),
            Spec(
                "street",
                Kind::Text,
                true,
                "street-address",
                max::STREET,
                false,
            ),
            Spec(
                "postcode",
                Kind::Text,
                true,
                "postal-code",
                max::POSTCODE,
                false,
            ),
            Spec("city", Kind::Text, true, "address-level2", max::CITY, false),
            Spec("country", Kind::Text, true, "country", 2, true),
        ],
    ),
    (
        "access-request-section-contact",
        &[
            Spec(
                "contact_name",
                Kind::Text,
                true,
                "name",
                max::CONTACT_NAME,
                false,
            ),
            Spec("email", Kind::Email, true, "email", 254, false),
            Spec("phone", Kind::Tel, true, "tel", 40, true),
            Spec("language", Kind::Select, true, "", 2, true),
        ],
    ),
    (
        "access-request-section-access",
        &[
            Spec("username", Kind::Text, true, "username", 64, true),
            Spec("webpass", Kind::Text, false, "off", max::WEBPASS, true),
            Spec("message", Kind::TextArea, false, "off", max::MESSAGE, false),
        ],
    ),
];

impl RequestForm {
    /// What was typed in the field `name`, as the form shows it again (the language as a
    /// known code, the country defaulted).
    fn shown(&self, name: &str, lang: Language) -> String {
        let typed: &str = match name {
            "company_name" => &self.company_name,
            "vat_number" => &self.vat_number,
            "customer_number" => &self.customer_number,
            "street" => &self.street,
            "postcode" => &self.postcode,
            "city" => &self.city,
            "country" if self.country.trim().is_empty() => uc::DEFAULT_COUNTRY,
            "country" => &self.country,
            "contact_name" => &self.contact_name,
            "email" => &self.email,
            "phone" => &self.phone,
            "language" => self.language.parse::<Language>().unwrap_or(lang).code(),
            "username" => &self.username,
            "webpass" => &self.webpass,
            "message" => &self.message,
            _ => "",
        };
        typed.to_owned()
    }
}

fn field_view(chrome: &Chrome, f: &RequestForm, errors: &[FieldError], spec: &Spec) -> FieldView {
    let Spec(name, kind, required, autocomplete, maxlength, hint) = *spec;
    let key = name.replace('_', "-");
    let value = f.shown(name, chrome.lang);
    let options = if kind == Kind::Select {
        Language::ALL
            .iter()
            .map(|l| {
                (
                    l.code().to_owned(),
                    l.endonym().to_owned(),
                    l.code() == value,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    FieldView {
        name,
        label: chrome.t(&format!("access-request-field-{key}")),
        kind,
        value,
        required,
        autocomplete,
        maxlength,
        hint: hint.then(|| chrome.t(&format!("access-request-hint-{key}"))),
        error: error_for(chrome, errors, name),
        options,
    }
}

fn form_page_for(chrome: Chrome, f: &RequestForm, errors: &[FieldError]) -> FormPage {
    let sections: Vec<Section> = SECTIONS
        .iter()
        .map(|(legend, specs)| Section {
            legend: chrome.t(legend),
            fields: specs
                .iter()
                .map(|spec| field_view(&chrome, f, errors, spec))
                .collect(),
        })
        .collect();
    let summary = sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .filter_map(|fv| {
            fv.error
                .as_ref()
                .map(|e| (fv.name.to_owned(), fv.label.clone(), e.clone()))
        })
        .collect();
    let general = errors
        .iter()
        .find(|e| e.field.is_none())
        .map(|e| field_message(&chrome, e));
    FormPage {
        chrome,
        sections,
        summary,
        general,
    }
}

async fn form_page(ctx: RequestCtx) -> Response {
    let chrome = Chrome::new(&ctx, "/access-request");
    render(&form_page_for(chrome, &RequestForm::default(), &[]))
}

async fn form_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<RequestForm>,
) -> Result<Response, WebError> {
    match uc::submit(&s.app, &ctx.meta, &f.input(), ctx.lang).await {
        // Post/redirect/get: reloading the confirmation sends nothing twice.
        Ok(_) => Ok(Redirect::to("/access-request/sent").into_response()),
        Err(AppError::Validation(errors)) => {
            let chrome = Chrome::new(&ctx, "/access-request");
            let mut r = render(&form_page_for(chrome, &f, &errors));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "access_request_sent.html")]
struct SentPage {
    chrome: Chrome,
}

async fn sent_page(ctx: RequestCtx) -> Response {
    render(&SentPage {
        chrome: Chrome::new(&ctx, "/access-request/sent"),
    })
}

// ---------------------------------------------------------------------------------------
// The operator's queue

const QUEUE: &str = "/operator/access-requests";

struct Row {
    id: i64,
    received: String,
    company_name: String,
    vat_number: String,
    customer_number: String,
    contact: String,
    username: String,
    status: String,
    duplicate: bool,
}

#[derive(Template)]
#[template(path = "operator_access_requests.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<Row>,
    /// (value, label, selected) of the status filter.
    statuses: Vec<(String, String, bool)>,
    next: Option<String>,
    first: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    status: Option<String>,
    cursor: Option<String>,
}

fn status_label(chrome: &Chrome, s: Status) -> String {
    chrome.t(&format!("access-request-status-{}", s.as_str()))
}

async fn queue(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    // The queue opens on what waits for a decision; `all` shows every request.
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => "pending",
        Some(s) => s,
    };
    let wanted = (status != "all").then_some(status);
    let filter = Filter::parse(wanted, q.cursor.as_deref(), None)?;
    let page = uc::list(&s.app, actor, filter).await?;
    let chrome = Chrome::new(&ctx, QUEUE);
    let rows = page
        .items
        .iter()
        .map(|r| Row {
            id: r.id,
            received: local_time::minute(chrome.lang, r.created_at),
            company_name: r.company_name.clone(),
            vat_number: r.vat_number.clone(),
            customer_number: r.customer_number.clone().unwrap_or_default(),
            contact: format!("{} <{}>", r.contact_name, r.email),
            username: r.username.clone(),
            status: status_label(&chrome, r.status),
            duplicate: !r.duplicates.is_empty(),
        })
        .collect();
    let mut statuses: Vec<(String, String, bool)> = Status::ALL
        .iter()
        .map(|st| {
            (
                st.as_str().to_owned(),
                status_label(&chrome, *st),
                st.as_str() == status,
            )
        })
        .collect();
    statuses.push((
        "all".to_owned(),
        chrome.t("access-request-filter-all"),
        status == "all",
    ));
    // Valid by now: Filter::parse refused anything else.
    let status_param = status;
    Ok(render(&QueuePage {
        chrome,
        rows,
        statuses,
        next: page
            .next
            .map(|id| format!("{QUEUE}?status={status_param}&cursor={id}")),
        first: filter
            .before
            .map(|_| format!("{QUEUE}?status={status_param}")),
    }))
}

/// One field of the request shown to the operator.
struct Shown {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "operator_access_request.html")]
struct DetailPage {
    chrome: Chrome,
    id: i64,
    status: String,
    pending: bool,
    received: String,
    fields: Vec<Shown>,
    message: String,
    duplicates: Vec<i64>,
    /// What approval will do with the customer, or did.
    customer_note: Option<String>,
    vat_mismatch: bool,
    decided: Option<String>,
    reason: Option<String>,
    notice: Option<String>,
    /// A conflict (already decided, username taken) shown at the top.
    problem: Option<String>,
    approve_number: String,
    approve_number_required: bool,
    approve_error: Option<String>,
    reject_error: Option<String>,
    username: String,
}

/// What the operator typed in the decision forms, and what went wrong.
#[derive(Default)]
struct Decision {
    approve_number: Option<String>,
    errors: Vec<FieldError>,
    problem: Option<String>,
    notice: Option<String>,
}

/// The request's fields as the operator reads them, in the form's order.
fn shown_fields(chrome: &Chrome, r: &AccessRequest) -> Vec<Shown> {
    let none = chrome.t("access-request-not-given");
    let or_none = |v: Option<&String>| v.cloned().unwrap_or_else(|| none.clone());
    [
        ("company-name", r.company_name.clone()),
        ("vat-number", r.vat_number.clone()),
        ("customer-number", or_none(r.customer_number.as_ref())),
        ("street", r.street.clone()),
        ("postcode", r.postcode.clone()),
        ("city", r.city.clone()),
        ("country", r.country.clone()),
        ("contact-name", r.contact_name.clone()),
        ("email", r.email.clone()),
        ("phone", r.phone.clone()),
        ("language", r.language.endonym().to_owned()),
        ("username", r.username.clone()),
        ("webpass", or_none(r.webpass.as_ref())),
    ]
    .into_iter()
    .map(|(key, value)| Shown {
        label: chrome.t(&format!("access-request-field-{key}")),
        value,
    })
    .collect()
}

fn detail_page(chrome: Chrome, d: &uc::Detail, decision: Decision) -> DetailPage {
    let r: &AccessRequest = &d.request;
    let fields = shown_fields(&chrome, r);
    let pending = r.status == Status::Pending;
    let customer_note = match (&r.customer, &d.existing_customer, &r.customer_number) {
        (Some((number, name)), _, _) => Some(cs_app::i18n::t_args(
            chrome.lang,
            "access-request-linked-customer",
            &[("number", number), ("name", name)],
        )),
        (None, Some(c), _) if pending => Some(cs_app::i18n::t_args(
            chrome.lang,
            "access-request-existing-customer",
            &[
                ("number", &c.customer_number),
                ("name", &c.name),
                ("vat", &c.vat_number),
            ],
        )),
        (None, None, Some(n)) if pending => Some(cs_app::i18n::t_args(
            chrome.lang,
            "access-request-new-customer",
            &[("number", n)],
        )),
        (None, None, None) if pending => Some(chrome.t("access-request-no-number")),
        _ => None,
    };
    let vat_mismatch = pending
        && d.existing_customer
            .as_ref()
            .is_some_and(|c| c.vat_number != r.vat_number);
    let decided = r.decided_at.map(|at| {
        cs_app::i18n::t_args(
            chrome.lang,
            "access-request-decided",
            &[
                ("at", &local_time::minute(chrome.lang, at)),
                ("by", r.decided_by.as_deref().unwrap_or("")),
            ],
        )
    });
    DetailPage {
        id: r.id,
        status: status_label(&chrome, r.status),
        pending,
        received: local_time::minute(chrome.lang, r.created_at),
        fields,
        message: r.message.clone(),
        duplicates: r.duplicates.clone(),
        customer_note,
        vat_mismatch,
        decided,
        reason: r.reason.clone(),
        notice: decision.notice,
        problem: decision.problem,
        approve_number: decision
            .approve_number
            .or_else(|| r.customer_number.clone())
            .unwrap_or_default(),
        approve_number_required: r.customer_number.is_none(),
        approve_error: error_for(&chrome, &decision.errors, "customer_number"),
        reject_error: error_for(&chrome, &decision.errors, "reason"),
        username: r.username.clone(),
        chrome,
    }
}

#[derive(Debug, Default, Deserialize)]
struct DetailQuery {
    done: Option<String>,
}

async fn detail(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, WebError> {
    let d = uc::get(&s.app, ctx.actor()?, path_id(&id)?).await?;
    let chrome = Chrome::new(&ctx, QUEUE);
    let notice = match q.done.as_deref() {
        Some("approved") => Some(chrome.t("access-request-done-approved")),
        Some("rejected") => Some(chrome.t("access-request-done-rejected")),
        _ => None,
    };
    Ok(render(&detail_page(
        chrome,
        &d,
        Decision {
            notice,
            ..Decision::default()
        },
    )))
}

/// Shows the request again with what went wrong with a decision: a field problem (422)
/// beside its field, a conflict (409) at the top; anything else is an error page.
async fn decision_failed(
    s: &AppState,
    ctx: &RequestCtx,
    id: i64,
    err: AppError,
    mut decision: Decision,
) -> Result<Response, WebError> {
    let status = match &err {
        AppError::Validation(errors) => {
            decision.errors = errors.clone();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict { code, .. } => {
            let chrome = Chrome::new(ctx, QUEUE);
            decision.problem = Some(error_text(
                chrome.lang,
                "access-request-error-",
                code.as_str(),
                &err.to_string(),
            ));
            StatusCode::CONFLICT
        }
        _ => return Err(err.into()),
    };
    let d = uc::get(&s.app, ctx.actor()?, id).await?;
    let mut r = render(&detail_page(Chrome::new(ctx, QUEUE), &d, decision));
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApproveForm {
    customer_number: String,
}

async fn approve(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ApproveForm>,
) -> Result<Response, WebError> {
    let id = path_id(&id)?;
    let number = Some(f.customer_number.as_str()).filter(|n| !n.trim().is_empty());
    match uc::approve(&s.app, ctx.actor()?, &ctx.meta, id, number).await {
        Ok(_) => Ok(Redirect::to(&format!("{QUEUE}/{id}?done=approved")).into_response()),
        Err(e) => {
            let decision = Decision {
                approve_number: Some(f.customer_number),
                ..Decision::default()
            };
            decision_failed(&s, &ctx, id, e, decision).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RejectForm {
    reason: String,
    /// `yes` from the confirmation page; without it the request is only asked again.
    confirm: String,
}

async fn reject(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<RejectForm>,
) -> Result<Response, WebError> {
    if f.confirm != super::confirm::YES {
        return super::confirm::reject_page(&s, &ctx, &id, f.reason, None).await;
    }
    let raw_id = id;
    let id = path_id(&raw_id)?;
    match uc::reject(&s.app, ctx.actor()?, &ctx.meta, id, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("{QUEUE}/{id}?done=rejected")).into_response()),
        Err(AppError::Validation(errors)) => {
            let lang = ctx.lang;
            let error =
                super::confirm::field_error(lang, "access-request-error-", &errors, "reason");
            super::confirm::reject_page(&s, &ctx, &raw_id, f.reason, error).await
        }
        Err(e) => decision_failed(&s, &ctx, id, e, Decision::default()).await,
    }
}
