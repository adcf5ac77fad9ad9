//! Access requests: the operator's review (the queue, one request with what deciding needs);
//! the public form is `form`, approval and rejection are `decision`.

mod decision;
mod form;

pub use decision::{approve, reject};
pub use form::{DEFAULT_COUNTRY, Input, SUBMISSION_LIMIT, SUBMISSION_WINDOW, max, submit};

use crate::{
    Actor, App, AppError,
    error::AppResult,
    paging::{self, DEFAULT_LIMIT},
};
use cs_domain::{Language, UserId};
use cs_store::{
    Conn,
    repo::{access_requests as repo, customers},
};
use std::{collections::BTreeMap, fmt, str::FromStr};
use time::OffsetDateTime;

/// Stable names of the audited actions of this module.
pub mod action {
    pub const SUBMITTED: &str = "access_request.submitted";
    pub const APPROVED: &str = "access_request.approved";
    pub const REJECTED: &str = "access_request.rejected";
}

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
    pub user_id: Option<UserId>,
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
    pub user_id: UserId,
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

fn from_row(r: repo::AccessRequestRow) -> AppResult<AccessRequest> {
    let corrupt = |what: &str| AppError::internal(format!("access request {}: bad {what}", r.id));
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
        user_id: r.user_id.map(UserId::new),
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
        .ok_or_else(|| AppError::internal("access request lost"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::MAX_LIMIT;

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
}
