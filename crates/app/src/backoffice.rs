//! The operator's back office: customers (search, detail, suspension), the Service Centre's
//! password reset, and the audit search (operators over everything, a customer's admins over
//! their own customer's events only).

use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    auth::{self, LinkPurpose},
    error::AppResult,
    paging,
};
use cs_domain::{CustomerId, CustomerNumber, Modules, Role, UserId, UserStatus, Username};
use cs_store::repo::{
    backoffice::{self as repo, AuditScope},
    customers::{self, CustomerRow},
    users::{self, UserFilter, UserRow},
};
use serde_json::json;
use time::OffsetDateTime;

/// Stable names of the events recorded here.
pub mod action {
    pub const CUSTOMER_SUSPENDED: &str = "customer.suspended";
    pub const CUSTOMER_REACTIVATED: &str = "customer.reactivated";
    pub const PASSWORD_RESET_REQUESTED: &str = "password.reset_requested";
}

/// Receipts stay downloadable this long unless the customer's contract says otherwise.
pub const DEFAULT_RECEIPT_RETENTION_DAYS: i64 = 365;
/// A suspension's reason is a note, not a letter.
pub const MAX_REASON_CHARS: usize = 500;
/// The customer page lists this many users; the users page has them all.
pub const DETAIL_USERS: i64 = 200;

/// One page of a keyset-paged list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Give it back as `cursor` for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A customer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerStatus {
    Active,
    Suspended,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "active",
            CustomerStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(CustomerStatus::Active),
            "suspended" => Some(CustomerStatus::Suspended),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- customers

/// The filters of the customer list, as typed.
#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    /// Customer number (from its start), name (anywhere, any case) or VAT number.
    pub search: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// One line of the customer list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
    pub language: String,
    pub status: String,
    pub users: i64,
}

/// Searches customers (operators only), in customer-number order.
pub async fn search_customers(
    app: &App,
    actor: &Actor,
    q: &CustomerQuery,
) -> AppResult<Page<CustomerSummary>> {
    actor.require_operator()?;
    let mut errors = Vec::new();
    let status = non_empty(&q.status);
    if let Some(s) = status
        && CustomerStatus::parse(s).is_none()
    {
        errors.push(FieldError::field(
            "status",
            "invalid_status",
            "status must be active or suspended",
        ));
    }
    let cursor = non_empty(&q.cursor);
    if let Some(c) = cursor
        && CustomerNumber::parse(c).is_err()
    {
        errors.push(paging::invalid_cursor());
    }
    let limit = paging::limit(q.limit.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let search = non_empty(&q.search).map(|s| s.chars().take(100).collect::<String>());
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::search_customers(
        &mut conn.conn(),
        &repo::CustomerFilter {
            search: search.as_deref(),
            status,
            after_number: cursor,
            limit: limit + 1,
        },
    )
    .await?;
    let more = paging::cut(&mut rows, limit);
    let next_cursor = more
        .then(|| rows.last().map(|r| r.customer_number.clone()))
        .flatten();
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| CustomerSummary {
                customer_number: r.customer_number,
                name: r.name,
                vat_number: r.vat_number,
                language: r.language,
                status: r.status,
                users: r.users,
            })
            .collect(),
        next_cursor,
    })
}

/// A customer's contract as the back office shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// Day codes (`mon` … `sun`).
    pub collection_days: Vec<String>,
    pub options: Vec<String>,
    /// The period in force: the contract's, else [`DEFAULT_RECEIPT_RETENTION_DAYS`].
    pub receipt_retention_days: i64,
    /// True when the contract sets no period of its own.
    pub receipt_retention_default: bool,
}

/// A user of a customer, for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerUser {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub language: String,
    pub role: String,
    /// Effective modules (an admin has them all).
    pub modules: Vec<String>,
    pub cost_centres: Vec<String>,
    pub status: String,
    pub last_login_at: Option<OffsetDateTime>,
    /// Set only while the account is locked.
    pub locked_until: Option<OffsetDateTime>,
    /// The user signs in with a second factor.
    pub two_factor: bool,
}

/// A customer as the back office shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
    pub language: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    /// `active` or `suspended`.
    pub status: String,
}

impl From<CustomerRow> for Customer {
    fn from(c: CustomerRow) -> Self {
        Customer {
            customer_number: c.customer_number,
            name: c.name,
            vat_number: c.vat_number,
            language: c.language,
            street: c.street,
            postcode: c.postcode,
            city: c.city,
            country: c.country,
            status: c.status,
        }
    }
}

/// One of a customer's cost centres.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCentre {
    pub code: String,
    pub name: String,
}

/// One of a customer's collection points, with its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionPoint {
    pub code: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// Everything the customer page shows.
#[derive(Debug, Clone)]
pub struct CustomerDetail {
    pub customer: Customer,
    pub contract: Contract,
    pub cost_centres: Vec<CostCentre>,
    pub collection_points: Vec<CollectionPoint>,
    /// The first [`DETAIL_USERS`] users, in creation order.
    pub users: Vec<CustomerUser>,
    /// True when the customer has more users than listed.
    pub more_users: bool,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Finds a customer by the number an operator typed; malformed or unknown both answer 404.
async fn customer_by_number(conn: &mut cs_store::Conn<'_>, number: &str) -> AppResult<CustomerRow> {
    let number = CustomerNumber::parse(number).map_err(|_| AppError::NotFound)?;
    customers::by_number(conn, number.as_str())
        .await?
        .ok_or(AppError::NotFound)
}

/// A customer with its contract, cost centres, collection points and users (operators only).
pub async fn customer_detail(app: &App, actor: &Actor, number: &str) -> AppResult<CustomerDetail> {
    actor.require_operator()?;
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let customer = customer_by_number(&mut conn.conn(), number).await?;
    let cost_centres = customers::cost_centres(&mut conn.conn(), customer.id)
        .await?
        .into_iter()
        .map(|c| CostCentre {
            code: c.code,
            name: c.name,
        })
        .collect();
    let collection_points = customers::collection_points(&mut conn.conn(), customer.id)
        .await?
        .into_iter()
        .map(|p| CollectionPoint {
            code: p.code,
            name: p.name,
            street: p.street,
            postcode: p.postcode,
            city: p.city,
        })
        .collect();
    let (users, more_users) =
        customer_users(&mut conn.conn(), CustomerId::new(customer.id), now).await?;
    Ok(CustomerDetail {
        contract: contract_of(&customer),
        customer: customer.into(),
        cost_centres,
        collection_points,
        users,
        more_users,
    })
}

/// The first [`DETAIL_USERS`] users of a customer, and whether it has more.
async fn customer_users(
    conn: &mut cs_store::Conn<'_>,
    customer_id: CustomerId,
    now: OffsetDateTime,
) -> AppResult<(Vec<CustomerUser>, bool)> {
    let filter = UserFilter {
        limit: DETAIL_USERS + 1,
        ..UserFilter::default()
    };
    let mut rows = users::list(conn, Some(customer_id.get()), &filter).await?;
    let shown = usize::try_from(DETAIL_USERS).unwrap_or(usize::MAX);
    let more_users = rows.len() > shown;
    rows.truncate(shown);
    let mut list = Vec::with_capacity(rows.len());
    for u in rows {
        let cost_centres = users::cost_centre_codes(conn, u.id).await?;
        list.push(customer_user(u, cost_centres, now));
    }
    Ok((list, more_users))
}

fn contract_of(customer: &CustomerRow) -> Contract {
    Contract {
        collection_days: split_list(&customer.collection_days),
        options: split_list(&customer.options),
        receipt_retention_days: customer
            .receipt_retention_days
            .unwrap_or(DEFAULT_RECEIPT_RETENTION_DAYS),
        receipt_retention_default: customer.receipt_retention_days.is_none(),
    }
}

fn customer_user(u: UserRow, cost_centres: Vec<String>, now: OffsetDateTime) -> CustomerUser {
    let modules = match (u.role.parse::<Role>(), Modules::parse_list(&u.modules)) {
        (Ok(role), Ok(granted)) => Modules::effective(role, granted)
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    CustomerUser {
        id: UserId::new(u.id),
        username: u.username,
        full_name: u.full_name,
        email: u.email,
        language: u.language,
        role: u.role,
        modules,
        cost_centres,
        status: u.status,
        last_login_at: u.last_login_at,
        locked_until: u.locked_until.filter(|t| *t > now),
        two_factor: u.totp_enabled_at.is_some(),
    }
}

/// Suspends (`suspend`) or reactivates a customer (operators only). Suspension ends every
/// session and token of its users at once; from then on they cannot sign in and are told
/// why. Returns false, with nothing changed or recorded, when the customer already had
/// that status (a repeated click is not an error).
pub async fn set_customer_suspended(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    number: &str,
    suspend: bool,
    reason: Option<&str>,
) -> AppResult<bool> {
    actor.require_operator()?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(AppError::invalid(
            "reason",
            "reason_too_long",
            format!("the reason may have at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let customer = customer_by_number(&mut tx.conn(), number).await?;
    let status = if suspend {
        CustomerStatus::Suspended
    } else {
        CustomerStatus::Active
    };
    if !repo::set_customer_status(&mut tx.conn(), customer.id, status.as_str()).await? {
        return Ok(false);
    }
    let (act, details) = if suspend {
        let ended = repo::end_access_of_customer(&mut tx.conn(), customer.id, now).await?;
        (
            action::CUSTOMER_SUSPENDED,
            json!({
                "reason": reason,
                "sessions_ended": ended.sessions,
                "tokens_revoked": ended.tokens,
            }),
        )
    } else {
        (action::CUSTOMER_REACTIVATED, json!({ "reason": reason }))
    };
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor_for(actor, Some(CustomerId::new(customer.id))),
        meta,
        act,
        ("customer", &customer.customer_number),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------- Service Centre reset

/// Which user of the customer the Service Centre resets.
#[derive(Debug, Clone, Copy)]
pub enum UserRef<'a> {
    /// As the caller on the phone spells it.
    Username(&'a str),
    /// From the customer page.
    Id(i64),
}

/// The Service Centre's password reset (operators only): the user, found by customer number
/// and username (or id) — a user of another customer is 404 like an unknown one — gets a
/// one-time link (1 hour, single use) in its language, and all its sessions and tokens end
/// at once. Returns the user's username.
pub async fn service_centre_reset(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    customer_number: &str,
    user: UserRef<'_>,
) -> AppResult<String> {
    actor.require_operator()?;
    let mut errors = Vec::new();
    if customer_number.trim().is_empty() {
        errors.push(FieldError::field(
            "customer_number",
            "required",
            "the customer number is required",
        ));
    } else if let Err(e) = CustomerNumber::parse(customer_number) {
        errors.push(FieldError::field(
            "customer_number",
            e.code(),
            e.to_string(),
        ));
    }
    if let UserRef::Username(u) = user
        && u.trim().is_empty()
    {
        errors.push(FieldError::field(
            "username",
            "required",
            "the username is required",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut tx = app.store.begin().await?;
    let customer = customer_by_number(&mut tx.conn(), customer_number).await?;
    let found = match user {
        // A name that cannot be a username is no user of this customer either.
        UserRef::Username(u) => match Username::parse(u) {
            Ok(u) => users::by_username_key(&mut tx.conn(), &u.normalized()).await?,
            Err(_) => None,
        },
        UserRef::Id(id) => users::by_id(&mut tx.conn(), id).await?,
    };
    let user = found
        .filter(|u| u.customer_id == Some(customer.id))
        .ok_or(AppError::NotFound)?;
    if user.status == UserStatus::Disabled.as_str() {
        return Err(AppError::Conflict {
            code: crate::ErrorCode::UserDisabled,
            message: "this user is disabled: an administrator of the customer must enable it first"
                .into(),
        });
    }
    auth::send_link(app, &mut tx.conn(), &user, LinkPurpose::Reset, true).await?;
    audit::record(
        &mut tx.conn(),
        app.now(),
        &Who::actor_for(actor, Some(CustomerId::new(customer.id))),
        meta,
        action::PASSWORD_RESET_REQUESTED,
        ("user", &user.id.to_string()),
        json!({ "via": "service_centre", "username": user.username }),
    )
    .await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(user.username)
}

// ---------------------------------------------------------------- audit search

/// Whose trail a search reads: decided by the route, never by the caller's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditView {
    /// The back office (operators): every event, optionally one customer's.
    Operator,
    /// A customer's own trail (`/audit`): its admins see their customer's events only;
    /// operators must name the customer.
    Customer,
}

/// The filters of an audit search. Dates are already turned into instants by the edge
/// (days are Brussels days).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub customer_number: Option<String>,
    /// Events at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Events before this instant.
    pub until: Option<OffsetDateTime>,
    pub actor: Option<String>,
    /// An action (`login.failed`), or a prefix ending in `*` (`login.*`).
    pub action: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// One event as the search shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub customer_number: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub ip: String,
    pub request_id: String,
    pub details: serde_json::Value,
}

/// Searches the audit trail, newest first.
pub async fn search_audit(
    app: &App,
    actor: &Actor,
    view: AuditView,
    q: &AuditQuery,
) -> AppResult<Page<AuditEvent>> {
    let allowed = match view {
        AuditView::Operator => actor.is_operator(),
        AuditView::Customer => actor.is_operator() || actor.can(cs_domain::Module::Users),
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let cursor = paging::id_cursor(q.cursor.as_deref(), &mut errors);
    let limit = paging::limit(q.limit.as_deref(), &mut errors);
    if let (Some(from), Some(until)) = (q.from, q.until)
        && from >= until
    {
        errors.push(FieldError::field(
            "to",
            "range_reversed",
            "the end date is before the start date",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let scope = match (view, non_empty(&q.customer_number)) {
        (AuditView::Operator, None) => AuditScope::All,
        // A customer's user always gets its own customer here, whatever it typed.
        (_, number) => AuditScope::Customer(actor.tenant(app, number).await?.customer_id.get()),
    };
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::search_audit(
        &mut conn.conn(),
        &repo::AuditFilter {
            scope,
            from: q.from,
            until: q.until,
            actor: non_empty(&q.actor),
            action: non_empty(&q.action),
            before_id: cursor,
            limit: limit + 1,
        },
    )
    .await?;
    let more = paging::cut(&mut rows, limit);
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| AuditEvent {
                details: serde_json::from_str(&r.details)
                    .unwrap_or(serde_json::Value::String(r.details)),
                id: r.id,
                at: r.at,
                actor: r.actor,
                customer_number: r.customer_number,
                action: r.action,
                object_type: r.object_type,
                object_id: r.object_id,
                ip: r.ip,
                request_id: r.request_id,
            })
            .collect(),
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_lists_ignore_blanks() {
        assert_eq!(split_list("mon, wed,,fri "), ["mon", "wed", "fri"]);
        assert!(split_list("").is_empty());
    }

    #[test]
    fn customer_status_round_trips() {
        for s in [CustomerStatus::Active, CustomerStatus::Suspended] {
            assert_eq!(CustomerStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CustomerStatus::parse("closed"), None);
    }
}
