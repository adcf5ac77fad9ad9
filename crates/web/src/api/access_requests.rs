//! Access requests: the public form's API (`POST /api/v1/access-requests`) and the
//! operator's queue (list, one request, approve, reject).

use super::{ApiJson, ApiQuery, ErrorBody, OptionalJson, types::CustomerBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    params::path_id,
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use cs_app::access_requests::{self as uc, AccessRequest, Filter};
use cs_domain::UserId;
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.public_api_post("/api/v1/access-requests", submit)
        .get("/api/v1/operator/access-requests", Policy::Operator, list)
        .get(
            "/api/v1/operator/access-requests/{id}",
            Policy::Operator,
            get,
        )
        .post(
            "/api/v1/operator/access-requests/{id}/approve",
            Policy::Operator,
            approve,
        )
        .post(
            "/api/v1/operator/access-requests/{id}/reject",
            Policy::Operator,
            reject,
        )
}

/// Accepts a JSON string or number (a customer number or phone typed as a number), or null.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(serde_json::Number),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|r| match r {
        Raw::S(s) => s,
        Raw::N(n) => n.to_string(),
    }))
}

/// The public form. Every field is a string; missing ones count as empty, so each problem
/// is reported on its field (422) rather than as malformed JSON.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AccessRequestSubmission {
    /// Required, at most 200 characters.
    pub company_name: Option<String>,
    /// Required: Belgian numbers are checked (BE + 10 digits, mod-97 check digits); other EU
    /// numbers are taken as given after their prefix.
    pub vat_number: Option<String>,
    /// The operator's customer number (PRS, 1-10 digits) if the company already has one.
    #[serde(deserialize_with = "string_or_number")]
    #[schema(value_type = Option<String>)]
    pub customer_number: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166 two-letter code; `BE` when absent.
    pub country: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    /// Digits, optionally a leading `+`; spaces, dots, slashes and dashes are ignored; 8-15 digits.
    #[serde(deserialize_with = "string_or_number")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<String>,
    /// `fr`, `nl`, `de` or `en`; the caller's language when absent.
    pub language: Option<String>,
    /// The first administrator's username: free, 3-64 letters, digits and `. _ - @`.
    pub username: Option<String>,
    /// An existing operator web login, if any (at most 100 characters).
    pub webpass: Option<String>,
    /// At most 2,000 characters.
    pub message: Option<String>,
}

impl AccessRequestSubmission {
    fn into_input(self) -> uc::Input {
        let s = |v: Option<String>| v.unwrap_or_default();
        uc::Input {
            company_name: s(self.company_name),
            vat_number: s(self.vat_number),
            customer_number: s(self.customer_number),
            street: s(self.street),
            postcode: s(self.postcode),
            city: s(self.city),
            country: s(self.country),
            contact_name: s(self.contact_name),
            email: s(self.email),
            phone: s(self.phone),
            language: s(self.language),
            username: s(self.username),
            webpass: s(self.webpass),
            message: s(self.message),
        }
    }
}

/// An access request as its sender may see it (never the webpass).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedBody {
    pub id: i64,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub company_name: String,
    /// Normalised: `BE0428759497`.
    pub vat_number: String,
    pub customer_number: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub contact_name: String,
    pub email: String,
    /// Normalised: `+3221234567` (international) or `021234567` (national).
    pub phone: String,
    pub language: String,
    pub username: String,
    pub message: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl SubmittedBody {
    fn of(r: &AccessRequest) -> Self {
        Self {
            id: r.id,
            status: r.status.as_str().to_owned(),
            company_name: r.company_name.clone(),
            vat_number: r.vat_number.clone(),
            customer_number: r.customer_number.clone(),
            street: r.street.clone(),
            postcode: r.postcode.clone(),
            city: r.city.clone(),
            country: r.country.clone(),
            contact_name: r.contact_name.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            language: r.language.code().to_owned(),
            username: r.username.clone(),
            message: r.message.clone(),
            created_at: r.created_at,
        }
    }
}

/// An access request as the operator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestBody {
    #[serde(flatten)]
    pub request: SubmittedBody,
    /// Whether the sender gave a webpass (shown on a single request only, never in lists).
    pub webpass_given: bool,
    /// The webpass itself: only on `GET /api/v1/operator/access-requests/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webpass: Option<String>,
    /// Why the request was rejected.
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<OffsetDateTime>,
    /// Username of the operator who decided.
    pub decided_by: Option<String>,
    /// After approval: the customer linked or created.
    pub customer: Option<CustomerBody>,
    /// After approval: the id of the customer's first administrator.
    pub user_id: Option<i64>,
    /// Ids of the other pending requests for the same company (same VAT number or customer
    /// number): a possible duplicate to look at before deciding.
    pub duplicates: Vec<i64>,
}

impl AccessRequestBody {
    fn of(r: AccessRequest) -> Self {
        Self {
            request: SubmittedBody::of(&r),
            webpass_given: r.webpass_given,
            webpass: r.webpass,
            reason: r.reason,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            customer: r.customer.map(|(customer_number, name)| CustomerBody {
                customer_number,
                name,
            }),
            user_id: r.user_id.map(UserId::get),
            duplicates: r.duplicates,
        }
    }
}

/// Sends an access request (public: no sign-in, no CSRF token). The contact gets an e-mail
/// confirming receipt; the Service Centre reviews the request.
#[utoipa::path(post, path = "/api/v1/access-requests", tag = "access-requests",
    request_body = AccessRequestSubmission,
    responses((status = 201, description = "stored, pending review", body = SubmittedBody),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 422, description = "one detail per invalid field", body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiJson(body): ApiJson<AccessRequestSubmission>,
) -> Result<Response, WebError> {
    let created = uc::submit(&s.app, &ctx.meta, &body.into_input(), ctx.lang).await?;
    Ok((StatusCode::CREATED, Json(SubmittedBody::of(&created))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `pending`, `approved` or `rejected`; all when absent.
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size: 50 when absent, at most 500.
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestList {
    pub items: Vec<AccessRequestBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Access requests, newest first.
#[utoipa::path(get, path = "/api/v1/operator/access-requests", tag = "operator", params(ListParams),
    responses((status = 200, body = AccessRequestList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<AccessRequestList>, WebError> {
    let filter = Filter::parse(q.status.as_deref(), q.cursor.as_deref(), q.limit.as_deref())?;
    let page = uc::list(&s.app, ctx.actor()?, filter).await?;
    let items = page.items.into_iter().map(AccessRequestBody::of).collect();
    Ok(Json(AccessRequestList {
        items,
        next_cursor: page.next.map(|id| id.to_string()),
    }))
}

/// One access request, with its webpass.
#[utoipa::path(get, path = "/api/v1/operator/access-requests/{id}", tag = "operator",
    params(("id" = i64, Path, description = "the request's id")),
    responses((status = 200, body = AccessRequestBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Json<AccessRequestBody>, WebError> {
    let d = uc::get(&s.app, ctx.actor()?, path_id(&id)?).await?;
    Ok(Json(AccessRequestBody::of(d.request)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ApproveRequest {
    /// The customer to link, or to create from the request when it does not exist. Required
    /// when the request names none; when given, it takes precedence over the request's.
    #[serde(deserialize_with = "string_or_number")]
    #[schema(value_type = Option<String>)]
    pub customer_number: Option<String>,
}

/// Approves a pending request: links or creates the customer, creates its first `admin`
/// (`invited`) and e-mails the one-time link (valid 72 h). The body may be left out when
/// the request names its customer number.
#[utoipa::path(post, path = "/api/v1/operator/access-requests/{id}/approve", tag = "operator",
    params(("id" = i64, Path, description = "the request's id")),
    request_body(content = ApproveRequest, description = "optional"),
    responses((status = 200, body = AccessRequestBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`already_decided`, `username_taken`", body = ErrorBody),
        (status = 422, description = "customer_number missing or invalid", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn approve(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    OptionalJson(req): OptionalJson<ApproveRequest>,
) -> Result<Json<AccessRequestBody>, WebError> {
    let id = path_id(&id)?;
    let approval = uc::approve(
        &s.app,
        ctx.actor()?,
        &ctx.meta,
        id,
        req.customer_number.as_deref(),
    )
    .await?;
    let mut r = approval.request;
    r.webpass = None;
    Ok(Json(AccessRequestBody::of(r)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RejectRequest {
    /// Why: sent to the contact by e-mail. Required, at most 2,000 characters.
    pub reason: Option<String>,
}

/// Rejects a pending request; the contact gets the reason by e-mail.
#[utoipa::path(post, path = "/api/v1/operator/access-requests/{id}/reject", tag = "operator",
    params(("id" = i64, Path, description = "the request's id")),
    request_body = RejectRequest,
    responses((status = 200, body = AccessRequestBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`already_decided`", body = ErrorBody),
        (status = 422, description = "reason missing", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn reject(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    OptionalJson(req): OptionalJson<RejectRequest>,
) -> Result<Json<AccessRequestBody>, WebError> {
    let id = path_id(&id)?;
    let mut r = uc::reject(
        &s.app,
        ctx.actor()?,
        &ctx.meta,
        id,
        req.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    r.webpass = None;
    Ok(Json(AccessRequestBody::of(r)))
}
