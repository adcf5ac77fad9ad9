//! Access requests: validation of the public form, the operator's review, approval (the
//! customer linked or created, its first admin invited) and rejection (the reason e-mailed).

use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    auth::{self, LinkPurpose},
    error::AppResult,
    mail,
    paging::{self, DEFAULT_LIMIT},
};
use cs_domain::{CustomerNumber, Email, Language, Phone, Role, UserStatus, Username, VatNumber};
use cs_store::{
    Conn, StoreError,
    repo::{access_requests as repo, customers, users},
};
use serde_json::json;
use std::{collections::BTreeMap, fmt, str::FromStr};
use time::OffsetDateTime;

/// Stable names of the audited actions of this module.
pub mod action {
    pub const SUBMITTED: &str = "access_request.submitted";
    pub const APPROVED: &str = "access_request.approved";
    pub const REJECTED: &str = "access_request.rejected";
}

/// Longest accepted values, in characters.
pub mod max {
    pub const COMPANY_NAME: usize = 200;
    pub const STREET: usize = 200;
    pub const POSTCODE: usize = 16;
    pub const CITY: usize = 100;
    pub const CONTACT_NAME: usize = 200;
    pub const WEBPASS: usize = 100;
    pub const MESSAGE: usize = 2000;
    pub const REASON: usize = 2000;
}

/// The country assumed when none is given: the service is Belgian.
pub const DEFAULT_COUNTRY: &str = "BE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Pending, Status::Approved, Status::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }
}

impl FromStr for Status {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "status_unknown",
                    "status must be pending, approved or rejected",
                )
            })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The form as typed: every field a string, absent ones empty.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub company_name: String,
    pub vat_number: String,
    pub customer_number: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub language: String,
    pub username: String,
    pub webpass: String,
    pub message: String,
}

/// A request that passed every check of its fields (not yet the username's availability).
#[derive(Debug, Clone)]
struct Valid {
    company_name: String,
    vat_number: VatNumber,
    customer_number: Option<CustomerNumber>,
    street: String,
    postcode: String,
    city: String,
    country: String,
    contact_name: String,
    email: Email,
    phone: Phone,
    language: Language,
    username: Username,
    webpass: Option<String>,
    message: String,
}

/// One access request as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub id: i64,
    pub status: Status,
    pub company_name: String,
    pub vat_number: String,
    pub customer_number: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
    pub username: String,
    /// Shown to operators on a single request only, never in lists.
    pub webpass: Option<String>,
    /// Whether the sender gave a webpass (lists say so without showing it).
    pub webpass_given: bool,
    pub message: String,
    pub reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    /// Username of the operator who decided.
    pub decided_by: Option<String>,
    /// After approval: the customer linked or created (number and name) and its first admin.
    pub customer: Option<(String, String)>,
    pub user_id: Option<i64>,
    /// Other pending requests for the same company (same VAT or customer number).
    pub duplicates: Vec<i64>,
}

/// A request with what the operator needs to decide on it.
#[derive(Debug, Clone)]
pub struct Detail {
    pub request: AccessRequest,
    /// The customer the request's number names, if it exists (approval links it).
    pub existing_customer: Option<CustomerSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
}

/// What an approval did.
#[derive(Debug, Clone)]
pub struct Approval {
    pub request: AccessRequest,
    pub customer_number: String,
    pub customer_created: bool,
    pub user_id: i64,
}

/// A page of the operator's list.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<AccessRequest>,
    /// Id to continue after (excluded), when there is more.
    pub next: Option<i64>,
}

/// Filters of the operator's list, parsed once for the page and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<Status>,
    pub before: Option<i64>,
    pub limit: i64,
}

impl Filter {
    /// From query parameters: `status` (empty: all), `cursor` (from `next_cursor`), `limit`
    /// (1 or more; above 500 is served as 500).
    pub fn parse(
        status: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> AppResult<Self> {
        let mut errors = Vec::new();
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<Status>() {
                Ok(s) => Some(s),
                Err(e) => {
                    errors.extend(e.details().iter().cloned());
                    None
                }
            },
        };
        let before = paging::id_cursor(cursor, &mut errors);
        let limit = paging::limit(limit, &mut errors);
        if errors.is_empty() {
            Ok(Self {
                status,
                before,
                limit,
            })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            status: None,
            before: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// Collects the problems of every field, so the form shows them all at once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::field(field, code, message));
    }

    /// A one-line text: trimmed, without control characters, at most `max` characters;
    /// `None` when empty (the caller decides whether that is allowed).
    fn line(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().any(char::is_control) {
            self.add(
                field,
                "control_character",
                format!("{field} may not contain line breaks or control characters"),
            );
            return None;
        }
        let length = v.chars().count();
        if length > max {
            self.add(
                field,
                "too_long",
                format!("{field} has {length} characters: at most {max} are allowed"),
            );
            return None;
        }
        Some(v.to_owned())
    }

    /// A value parsed by its domain type, or the type's error on `field`; its error for an
    /// empty value (`vat_empty`, `email_empty`, …) is reported as `required`, like an empty
    /// line.
    fn parsed<T, E: fmt::Display>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
        code: impl Fn(&E) -> &'static str,
    ) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                let code = code(&e);
                let code = if code.ends_with("_empty") {
                    "required"
                } else {
                    code
                };
                self.add(field, code, e.to_string());
                None
            }
        }
    }

    fn required_line(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = self.line(field, value, max);
        if v.is_none() && value.trim().is_empty() {
            self.add(field, "required", format!("{field} is required"));
        }
        v.unwrap_or_default()
    }
}

/// Free text over several lines (a message, a reason): trimmed, line ends normalised, tabs
/// allowed, no other control characters.
fn text(problems: &mut Problems, field: &str, value: &str, max: usize) -> String {
    let v = value.replace("\r\n", "\n").replace('\r', "\n");
    let v = v.trim();
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        problems.add(
            field,
            "control_character",
            format!("{field} may not contain control characters"),
        );
        return String::new();
    }
    let length = v.chars().count();
    if length > max {
        problems.add(
            field,
            "too_long",
            format!("{field} has {length} characters: at most {max} are allowed"),
        );
        return String::new();
    }
    v.to_owned()
}

/// Checks every field of the form; all problems at once.
fn validate(input: &Input, fallback_language: Language) -> Result<Valid, Vec<FieldError>> {
    let mut p = Problems::default();
    let company_name = p.required_line("company_name", &input.company_name, max::COMPANY_NAME);
    let vat_number = p.parsed("vat_number", VatNumber::parse(&input.vat_number), |e| {
        e.code()
    });
    let customer_number = if input.customer_number.trim().is_empty() {
        None
    } else {
        match CustomerNumber::parse(&input.customer_number) {
            Ok(n) => Some(n),
            Err(e) => {
                p.add("customer_number", e.code(), e.to_string());
                None
            }
        }
    };
    let street = p.required_line("street", &input.street, max::STREET);
    let postcode = p.required_line("postcode", &input.postcode, max::POSTCODE);
    let city = p.required_line("city", &input.city, max::CITY);
    let country = {
        let c = input.country.trim().to_ascii_uppercase();
        if c.is_empty() {
            DEFAULT_COUNTRY.to_owned()
        } else if cs_domain::country::is_assigned(&c) {
            c
        } else {
            p.add(
                "country",
                "country_unknown",
                "country must be a two-letter ISO 3166 code such as BE",
            );
            String::new()
        }
    };
    let contact_name = p.required_line("contact_name", &input.contact_name, max::CONTACT_NAME);
    let email = p.parsed("email", Email::parse(&input.email), |e| e.code());
    let phone = p.parsed("phone", Phone::parse(&input.phone), |e| e.code());
    let language = if input.language.trim().is_empty() {
        Some(fallback_language)
    } else {
        match input.language.parse::<Language>() {
            Ok(l) => Some(l),
            Err(e) => {
                p.add("language", "language_unknown", e.to_string());
                None
            }
        }
    };
    let username = p.parsed("username", Username::parse(&input.username), |e| e.code());
    let webpass = p.line("webpass", &input.webpass, max::WEBPASS);
    let message = text(&mut p, "message", &input.message, max::MESSAGE);
    match (vat_number, email, phone, language, username) {
        (Some(vat_number), Some(email), Some(phone), Some(language), Some(username))
            if p.0.is_empty() =>
        {
            Ok(Valid {
                company_name,
                vat_number,
                customer_number,
                street,
                postcode,
                city,
                country,
                contact_name,
                email,
                phone,
                language,
                username,
                webpass,
                message,
            })
        }
        _ => Err(p.0),
    }
}

fn username_taken(username: &str) -> FieldError {
    FieldError::field(
        "username",
        "username_taken",
        format!("the username {username} is already taken: please choose another"),
    )
}

/// Submits the public form (`language` falls back to the visitor's when not chosen). Nothing
/// is stored unless every field is valid and the username is free; the contact then gets
/// an e-mail confirming receipt, in the request's language.
/// At most this many access requests from one address within [`SUBMISSION_WINDOW`]: each one
/// sends an e-mail to an address the visitor chose. High enough for a proxy shared by many.
pub const SUBMISSION_LIMIT: i64 = 100;
pub const SUBMISSION_WINDOW: time::Duration = time::Duration::hours(1);

pub async fn submit(
    app: &App,
    meta: &RequestMeta,
    input: &Input,
    fallback_language: Language,
) -> AppResult<AccessRequest> {
    let v = validate(input, fallback_language).map_err(AppError::Validation)?;
    let now = app.now();
    let key = v.username.normalized();
    let mut tx = app.store.begin().await?;
    // Each request e-mails the address it names: bound what one address can send.
    let recent = cs_store::repo::audit::count_from_address(
        &mut tx.conn(),
        action::SUBMITTED,
        &meta.ip,
        now - SUBMISSION_WINDOW,
    )
    .await?;
    if recent >= SUBMISSION_LIMIT {
        return Err(AppError::Throttled {
            code: crate::ErrorCode::TooManyAttempts,
        });
    }
    if users::by_username_key(&mut tx.conn(), &key)
        .await?
        .is_some()
        || repo::username_pending(&mut tx.conn(), &key).await?
    {
        return Err(AppError::Validation(vec![username_taken(
            v.username.as_str(),
        )]));
    }
    let id = repo::insert(
        &mut tx.conn(),
        &repo::NewAccessRequest {
            company_name: &v.company_name,
            vat_number: v.vat_number.as_str(),
            customer_number: v.customer_number.as_ref().map(CustomerNumber::as_str),
            street: &v.street,
            postcode: &v.postcode,
            city: &v.city,
            country: &v.country,
            contact_name: &v.contact_name,
            email: v.email.as_str(),
            phone: v.phone.as_str(),
            language: v.language.code(),
            username: v.username.as_str(),
            webpass: v.webpass.as_deref(),
            message: &v.message,
            created_at: now,
        },
    )
    .await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::system("anonymous"),
        meta,
        action::SUBMITTED,
        ("access_request", &id.to_string()),
        json!({
            "company_name": v.company_name,
            "vat_number": v.vat_number.as_str(),
            "customer_number": v.customer_number.as_ref().map(CustomerNumber::as_str),
            "username": v.username.as_str(),
        }),
    )
    .await?;
    let email = mail::Email::compose(
        v.email.as_str(),
        &v.contact_name,
        v.language,
        "mail-access-request-received",
        &[
            ("company", &v.company_name),
            ("username", v.username.as_str()),
        ],
        None,
    );
    mail::enqueue(app, &mut tx.conn(), now, &email).await?;
    let row = repo::by_id(&mut tx.conn(), id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("access request {id} vanished")))?;
    tx.commit().await?;
    app.wake_jobs();
    let mut request = from_row(row)?;
    request.webpass = None;
    Ok(request)
}

fn from_row(r: repo::AccessRequestRow) -> AppResult<AccessRequest> {
    let corrupt = |what: &str| AppError::Internal(format!("access request {}: bad {what}", r.id));
    let status: Status = r.status.parse().map_err(|_| corrupt("status"))?;
    let language: Language = r.language.parse().map_err(|_| corrupt("language"))?;
    Ok(AccessRequest {
        id: r.id,
        status,
        company_name: r.company_name,
        vat_number: r.vat_number,
        customer_number: r.customer_number,
        street: r.street,
        postcode: r.postcode,
        city: r.city,
        country: r.country,
        contact_name: r.contact_name,
        email: r.email,
        phone: r.phone,
        language,
        username: r.username,
        webpass_given: r.webpass.is_some(),
        webpass: r.webpass,
        message: r.message,
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
        decided_by: r.decided_by_username,
        customer: r.linked_customer_number.zip(r.linked_customer_name),
        user_id: r.user_id,
        duplicates: Vec::new(),
    })
}

/// Fills in `duplicates` for a set of requests with one query.
async fn with_duplicates(
    conn: &mut Conn<'_>,
    mut items: Vec<AccessRequest>,
) -> AppResult<Vec<AccessRequest>> {
    let (Some(from), Some(to)) = (
        items.iter().map(|r| r.id).min(),
        items.iter().map(|r| r.id).max(),
    ) else {
        return Ok(items);
    };
    let mut by_id: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, other) in repo::pending_duplicates(conn, from, to).await? {
        by_id.entry(id).or_default().push(other);
    }
    for item in &mut items {
        item.duplicates = by_id.remove(&item.id).unwrap_or_default();
    }
    Ok(items)
}

/// The operator's queue, newest first.
pub async fn list(app: &App, actor: &Actor, filter: Filter) -> AppResult<Page> {
    actor.require_operator()?;
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::list(
        &mut conn.conn(),
        filter.status.map(Status::as_str),
        filter.before,
        filter.limit + 1,
    )
    .await?;
    let more = paging::cut(&mut rows, filter.limit);
    let mut items = rows
        .into_iter()
        .map(from_row)
        .collect::<AppResult<Vec<_>>>()?;
    // Lists never carry the webpass, even to operators: it is shown on one request only.
    for item in &mut items {
        item.webpass = None;
    }
    let items = with_duplicates(&mut conn.conn(), items).await?;
    let next = if more {
        items.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Page { items, next })
}

fn summary(c: customers::CustomerRow) -> CustomerSummary {
    CustomerSummary {
        customer_number: c.customer_number,
        name: c.name,
        vat_number: c.vat_number,
    }
}

async fn detail_on(conn: &mut Conn<'_>, id: i64) -> AppResult<Detail> {
    let row = repo::by_id(conn, id).await?.ok_or(AppError::NotFound)?;
    let request = from_row(row)?;
    let existing_customer = match &request.customer_number {
        Some(n) => customers::by_number(conn, n).await?.map(summary),
        None => None,
    };
    let mut items = with_duplicates(conn, vec![request]).await?;
    let request = items
        .pop()
        .ok_or_else(|| AppError::Internal("access request lost".into()))?;
    Ok(Detail {
        request,
        existing_customer,
    })
}

/// One request, with its webpass, the customer its number names and its duplicates.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Detail> {
    actor.require_operator()?;
    let mut conn = app.store.acquire().await?;
    detail_on(&mut conn.conn(), id).await
}

fn already_decided(id: i64, status: Status) -> AppError {
    AppError::Conflict {
        code: crate::ErrorCode::AlreadyDecided,
        message: format!("access request {id} was already {status}"),
    }
}

fn conflict_on(e: StoreError, code: crate::ErrorCode, message: String) -> AppError {
    if e.is_conflict() {
        AppError::Conflict { code, message }
    } else {
        e.into()
    }
}

/// Approves a pending request in one transaction: the customer named by `customer_number`
/// (the operator's, else the request's) is linked, or created from the request when it
/// does not exist; its first `admin` is created `invited` with the requested username and
/// gets a one-time link (72 h) by e-mail.
pub async fn approve(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    customer_number: Option<&str>,
) -> AppResult<Approval> {
    actor.require_operator()?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = repo::by_id(&mut tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let request = from_row(row)?;
    if request.status != Status::Pending {
        return Err(already_decided(id, request.status));
    }
    let given = customer_number
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(request.customer_number.as_deref());
    let number = match given {
        // Neither the request nor the operator names one: the portal assigns a provisional
        // number from its own range (see docs/DECISIONS.md), so an approval never stalls.
        None => CustomerNumber::parse(
            &cs_store::repo::customers::next_provisional_number(&mut tx.conn()).await?,
        )
        .map_err(|e| AppError::Internal(format!("provisional customer number: {e}")))?,
        Some(n) => CustomerNumber::parse(n)
            .map_err(|e| AppError::invalid("customer_number", e.code(), e.to_string()))?,
    };
    let username = Username::parse(&request.username)
        .map_err(|_| AppError::Internal(format!("access request {id}: bad username")))?;
    let key = username.normalized();
    let taken = || AppError::Conflict {
        code: crate::ErrorCode::UsernameTaken,
        message: format!(
            "the username {} was taken since the request was made: reject it and ask for another",
            username.as_str()
        ),
    };
    if users::by_username_key(&mut tx.conn(), &key)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    if !repo::mark_approved(&mut tx.conn(), id, actor.user_id, now).await? {
        return Err(already_decided(id, Status::Approved));
    }
    let (customer_id, customer_created) =
        match customers::by_number(&mut tx.conn(), number.as_str()).await? {
            Some(c) => (c.id, false),
            None => {
                let id = customers::insert(
                    &mut tx.conn(),
                    &customers::NewCustomer {
                        customer_number: number.as_str(),
                        name: &request.company_name,
                        vat_number: &request.vat_number,
                        language: request.language.code(),
                        street: &request.street,
                        postcode: &request.postcode,
                        city: &request.city,
                        country: &request.country,
                        collection_days: "",
                        created_at: now,
                    },
                )
                .await
                .map_err(|e| {
                    conflict_on(
                        e,
                        crate::ErrorCode::CustomerNumberTaken,
                        format!("customer {number} was created meanwhile: try again"),
                    )
                })?;
                (id, true)
            }
        };
    let user_id = users::insert(
        &mut tx.conn(),
        &users::NewUser {
            customer_id: Some(customer_id),
            username: username.as_str(),
            username_key: &key,
            full_name: &request.contact_name,
            email: &request.email,
            language: request.language.code(),
            role: Role::Admin.as_str(),
            modules: "",
            status: UserStatus::Invited.as_str(),
            password_hash: None,
            created_at: now,
        },
    )
    .await
    .map_err(|e| if e.is_conflict() { taken() } else { e.into() })?;
    let user = users::by_id(&mut tx.conn(), user_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("user {user_id} vanished")))?;
    auth::send_link(app, &mut tx.conn(), &user, LinkPurpose::Invitation, false).await?;
    repo::set_outcome(&mut tx.conn(), id, customer_id, user_id).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::APPROVED,
        ("access_request", &id.to_string()),
        json!({
            "customer_number": number.as_str(),
            "customer_created": customer_created,
            "user_id": user_id,
            "username": username.as_str(),
        }),
    )
    .await?;
    let detail = detail_on(&mut tx.conn(), id).await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(Approval {
        request: detail.request,
        customer_number: number.as_str().to_owned(),
        customer_created,
        user_id,
    })
}

/// Rejects a pending request; the contact gets the reason by e-mail, in the request's language.
pub async fn reject(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    reason: &str,
) -> AppResult<AccessRequest> {
    actor.require_operator()?;
    let mut p = Problems::default();
    let reason = text(&mut p, "reason", reason, max::REASON);
    if p.0.is_empty() && reason.is_empty() {
        p.add("reason", "required", "say why the request is rejected");
    }
    if !p.0.is_empty() {
        return Err(AppError::Validation(p.0));
    }
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = repo::by_id(&mut tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let request = from_row(row)?;
    if request.status != Status::Pending {
        return Err(already_decided(id, request.status));
    }
    if !repo::mark_rejected(&mut tx.conn(), id, actor.user_id, now, &reason).await? {
        return Err(already_decided(id, Status::Rejected));
    }
    let email = mail::Email::compose(
        &request.email,
        &request.contact_name,
        request.language,
        "mail-access-request-rejected",
        &[("company", &request.company_name), ("reason", &reason)],
        None,
    );
    mail::enqueue(app, &mut tx.conn(), now, &email).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::REJECTED,
        ("access_request", &id.to_string()),
        json!({ "reason": reason }),
    )
    .await?;
    let detail = detail_on(&mut tx.conn(), id).await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(detail.request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::MAX_LIMIT;

    fn good() -> Input {
        Input {
            company_name: "Imprimerie Test SA".into(),
            vat_number: "BE 0428.759.497".into(),
            customer_number: String::new(),
            street: "Rue de la Loi 16".into(),
            postcode: "1000".into(),
            city: "Bruxelles".into(),
            country: String::new(),
            contact_name: "Anne Test".into(),
            email: "anne@test.example".into(),
            phone: "+32 2 123 45 67".into(),
            language: "fr".into(),
            username: "anne.test".into(),
            webpass: String::new(),
            message: String::new(),
        }
    }

    fn fields(input: &Input) -> Vec<(String, String)> {
        validate(input, Language::En)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field.unwrap_or_default(), e.code))
            .collect()
    }

    #[test]
    fn a_good_request_is_normalised() {
        let v = validate(&good(), Language::En).unwrap();
        assert_eq!(v.vat_number.as_str(), "BE0428759497");
        assert_eq!(v.phone.as_str(), "+3221234567");
        assert_eq!(v.country, "BE");
        assert_eq!(v.language, Language::Fr);
        assert_eq!(v.customer_number, None);
        assert_eq!(v.webpass, None);
        let mut no_lang = good();
        no_lang.language = " ".into();
        no_lang.country = "lu".into();
        let v = validate(&no_lang, Language::Nl).unwrap();
        assert_eq!((v.language, v.country.as_str()), (Language::Nl, "LU"));
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = Input {
            vat_number: "BE0428759498".into(),
            customer_number: "88A".into(),
            country: "XX".into(),
            email: "anne.test.example".into(),
            phone: "12".into(),
            language: "es".into(),
            username: "a b".into(),
            webpass: "x".repeat(101),
            message: "m".repeat(2001),
            ..Input::default()
        };
        let got = fields(&input);
        let expected = [
            ("company_name", "required"),
            ("vat_number", "vat_checksum"),
            ("customer_number", "customer_number_not_digits"),
            ("street", "required"),
            ("postcode", "required"),
            ("city", "required"),
            ("country", "country_unknown"),
            ("contact_name", "required"),
            ("email", "email_missing_at"),
            ("phone", "phone_too_short"),
            ("language", "language_unknown"),
            ("username", "username_invalid_character"),
            ("webpass", "too_long"),
            ("message", "too_long"),
        ];
        assert_eq!(
            got,
            expected
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn empty_required_fields_say_required_and_lines_refuse_control_characters() {
        let mut input = good();
        input.vat_number = "  ".into();
        input.email = String::new();
        input.phone = String::new();
        input.username = String::new();
        input.company_name = "Evil\r\nBcc: x@y.example".into();
        let got = fields(&input);
        assert!(got.contains(&("vat_number".into(), "required".into())));
        assert!(got.contains(&("email".into(), "required".into())));
        assert!(got.contains(&("phone".into(), "required".into())));
        assert!(got.contains(&("username".into(), "required".into())));
        assert!(got.contains(&("company_name".into(), "control_character".into())));
        let mut ok = good();
        ok.message = "line one\r\nline two\twith a tab".into();
        assert_eq!(
            validate(&ok, Language::En).unwrap().message,
            "line one\nline two\twith a tab"
        );
        ok.message = "bell\u{7}".into();
        assert_eq!(
            fields(&ok),
            vec![("message".to_owned(), "control_character".to_owned())]
        );
    }

    #[test]
    fn list_filters_parse_or_name_their_field() {
        assert_eq!(Filter::parse(None, None, None).unwrap(), Filter::default());
        assert!(Filter::parse(None, None, Some("9999")).is_err());
        let f = Filter::parse(Some("pending"), Some("42"), Some("500")).unwrap();
        assert_eq!(
            (f.status, f.before, f.limit),
            (Some(Status::Pending), Some(42), MAX_LIMIT)
        );
        let e = Filter::parse(Some("done"), Some("abc"), Some("0")).unwrap_err();
        let fields: Vec<_> = e
            .details()
            .iter()
            .map(|d| d.field.clone().unwrap_or_default())
            .collect();
        assert_eq!(fields, ["status", "cursor", "limit"]);
    }

    #[test]
    fn both_e_mails_read_well_in_every_language() {
        for lang in Language::ALL {
            let received = mail::Email::compose(
                "a@example.com",
                "Anne",
                lang,
                "mail-access-request-received",
                &[("company", "Dupont SA"), ("username", "dupont.admin")],
                None,
            );
            assert!(!received.subject.starts_with("mail-"), "{lang}");
            assert!(received.text.contains("Dupont SA"), "{lang}");
            assert!(received.text.contains("dupont.admin"), "{lang}");
            let rejected = mail::Email::compose(
                "a@example.com",
                "Anne",
                lang,
                "mail-access-request-rejected",
                &[("company", "Dupont SA"), ("reason", "No contract yet.")],
                None,
            );
            assert!(!rejected.subject.starts_with("mail-"), "{lang}");
            assert!(
                rejected.text.lines().any(|l| l == "No contract yet."),
                "{lang}: the reason on its own line: {}",
                rejected.text
            );
            assert!(!rejected.text.contains('{'), "{lang}: an unknown argument");
        }
    }
}
