//! User management by a customer's administrators (`/api/v1/users`): thin handlers over
//! `cs_app::users`. Operators name the customer with the query parameter `customer_number`.

use super::{ApiJson, ErrorBody, types::UserBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    params::{path_id, query_value},
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::{Path, RawQuery, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use cs_app::users::{self, ListQuery, ManagedUser, NewUserInput, UserChanges};
use cs_domain::UserId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/users", Policy::Users, list)
        .post("/api/v1/users", Policy::Users, create)
        .get("/api/v1/users/{id}", Policy::Users, get)
        .patch("/api/v1/users/{id}", Policy::Users, update)
        .post(
            "/api/v1/users/{id}/password-reset",
            Policy::Users,
            password_reset,
        )
}

pub(super) fn body(u: ManagedUser) -> UserBody {
    UserBody {
        id: u.id.get(),
        username: u.username,
        full_name: u.full_name,
        email: u.email,
        language: u.language.code().to_owned(),
        role: u.role.as_str().to_owned(),
        modules: u.modules.iter().map(|m| m.as_str().to_owned()).collect(),
        cost_centres: u.cost_centres,
        status: u.status.as_str().to_owned(),
    }
}

/// For operators: the customer whose users are meant (required for them, ignored for a
/// customer's administrators).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerParam {
    /// The customer's number (PRS); operators only.
    pub customer_number: Option<String>,
}

impl CustomerParam {
    fn read(raw: &Option<String>) -> Self {
        Self {
            customer_number: query_value(raw, "customer_number"),
        }
    }
}

/// Filters and paging of the user list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of the username, full name or e-mail address (case-insensitive).
    pub search: Option<String>,
    /// `invited`, `active` or `disabled`.
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
    /// The customer's number (PRS); operators only.
    pub customer_number: Option<String>,
}

impl ListParams {
    fn read(raw: &Option<String>) -> Self {
        Self {
            search: query_value(raw, "search"),
            status: query_value(raw, "status"),
            cursor: query_value(raw, "cursor"),
            limit: query_value(raw, "limit"),
            customer_number: query_value(raw, "customer_number"),
        }
    }
}

/// One page of users, in id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The users of the customer, filtered and paged.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams),
    responses((status = 200, body = UserList),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer_number", body = ErrorBody),
        (status = 422, description = "a parameter is not valid, or an operator named no customer", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Json<UserList>, WebError> {
    let p = ListParams::read(&raw);
    let q = ListQuery {
        search: p.search,
        status: p.status,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = users::list(&s.app, ctx.actor()?, p.customer_number.as_deref(), &q).await?;
    Ok(Json(UserList {
        items: page.items.into_iter().map(body).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A new user of the customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    // Missing fields are reported with the others (422, one detail per field), not as bad JSON.
    #[serde(default)]
    #[schema(required = true)]
    pub username: String,
    #[serde(default)]
    #[schema(required = true)]
    pub full_name: String,
    #[serde(default)]
    #[schema(required = true)]
    pub email: String,
    /// `fr`, `nl`, `de` or `en`; default: the customer's language.
    #[serde(default)]
    pub language: Option<String>,
    /// `admin` or `user` (default).
    #[serde(default)]
    pub role: Option<String>,
    /// Granted modules: `transactions`, `invoices`, `receipts`, `reports`, `requests`.
    /// An admin has all of them whatever is sent.
    #[serde(default)]
    pub modules: Option<Vec<String>>,
    /// Codes of the customer's cost centres the user is limited to; empty: no limit.
    #[serde(default)]
    pub cost_centres: Option<Vec<String>>,
}

/// Creates a user in state `invited` and e-mails it an invitation link (single use, valid 72 hours).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", params(CustomerParam),
    request_body = CreateUserRequest,
    responses((status = 201, body = UserBody),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`username_taken`", body = ErrorBody),
        (status = 422, description = "details name each invalid field", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<Response, WebError> {
    let input = NewUserInput {
        username: req.username,
        full_name: req.full_name,
        email: req.email,
        language: req.language,
        role: req.role,
        modules: req.modules.unwrap_or_default(),
        cost_centres: req.cost_centres.unwrap_or_default(),
    };
    let cn = CustomerParam::read(&raw).customer_number;
    let user = users::create(&s.app, ctx.actor()?, &ctx.meta, cn.as_deref(), &input).await?;
    let location = format!("/api/v1/users/{}", user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body(user)),
    )
        .into_response())
}

/// One user of the customer.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "The user's id"), CustomerParam),
    responses((status = 200, body = UserBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown, or another customer's user", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<UserBody>, WebError> {
    let id = UserId::new(path_id(&id)?);
    let cn = CustomerParam::read(&raw).customer_number;
    let user = users::get(&s.app, ctx.actor()?, cn.as_deref(), id).await?;
    Ok(Json(body(user)))
}

/// Changes to a user: every field is optional, absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    pub full_name: Option<String>,
    pub email: Option<String>,
    /// `fr`, `nl`, `de` or `en`.
    pub language: Option<String>,
    /// `admin` or `user`.
    pub role: Option<String>,
    /// Replaces the granted modules.
    pub modules: Option<Vec<String>>,
    /// Replaces the cost-centre limits (`[]`: no limit).
    pub cost_centres: Option<Vec<String>>,
    /// `active` or `disabled`. Disabling ends the user's sessions and tokens at once;
    /// enabling a user who never set a password keeps it `invited`.
    pub status: Option<String>,
    /// The caller's own password: required to make someone an `admin` or to change another
    /// user's e-mail (else 403 `reauthentication_required`).
    pub current_password: Option<String>,
}

/// Changes a user. The customer's last active admin can be neither demoted nor disabled.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "The user's id"), CustomerParam),
    request_body = UpdateUserRequest,
    responses((status = 200, body = UserBody),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "no right, or `reauthentication_required`: promoting an admin or changing another user's e-mail needs `current_password`", body = ErrorBody),
        (status = 404, description = "unknown, or another customer's user", body = ErrorBody),
        (status = 409, description = "`last_admin`: the customer's last active admin", body = ErrorBody),
        (status = 422, description = "details name each invalid field", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    req: Result<ApiJson<UpdateUserRequest>, WebError>,
) -> Result<Json<UserBody>, WebError> {
    let id = UserId::new(path_id(&id)?);
    let cn = CustomerParam::read(&raw).customer_number;
    let actor = ctx.actor()?;
    let req = match req {
        Ok(ApiJson(req)) => req,
        Err(bad_body) => {
            // Another customer's id is 404 whatever the body, exactly like an unknown id.
            users::get(&s.app, actor, cn.as_deref(), id).await?;
            return Err(bad_body);
        }
    };
    let changes = UserChanges {
        full_name: req.full_name,
        email: req.email,
        language: req.language,
        role: req.role,
        modules: req.modules,
        cost_centres: req.cost_centres,
        status: req.status,
        current_password: req.current_password,
    };
    let user = users::update(&s.app, actor, &ctx.meta, cn.as_deref(), id, &changes).await?;
    Ok(Json(body(user)))
}

/// E-mails the user a one-time link to choose a new password (valid 1 hour) and ends its
/// sessions and tokens at once. An invited user gets a new invitation (72 hours) instead.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "users",
    params(("id" = i64, Path, description = "The user's id"), CustomerParam),
    responses((status = 202, description = "the link is on its way"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown, or another customer's user", body = ErrorBody),
        (status = 409, description = "`user_disabled`: enable the user first", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn password_reset(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let id = UserId::new(path_id(&id)?);
    let cn = CustomerParam::read(&raw).customer_number;
    users::request_password_reset(&s.app, ctx.actor()?, &ctx.meta, cn.as_deref(), id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}
