//! User management by a customer's administrators (SPEC §1, §3 journey 2): list, create with
//! an invitation, edit, disable and re-enable, password reset, under the last-admin rule.
//! Operators do the same for the customer they name (`customer_number`).
//!
//! Where the specification is silent:
//! - An administrator has every module and sees every cost centre: modules and cost-centre
//!   limits are stored empty for admins (an admin could lift its own limits anyway). Modules
//!   and cost centres sent together with the role `admin` are still checked, then not stored.
//! - Re-enabling a user who never set a password makes it `invited` again, not `active`.
//! - A password reset of an invited user sends a fresh invitation (valid 72 h) rather than a
//!   reset link (1 h): it is how an administrator re-sends a lost or expired invitation.
//! - A disabled user gets no link (409 `user_disabled`): enable it first. Disabling also voids
//!   the user's outstanding one-time links, besides ending its sessions and tokens.
//! - Changes are recorded against the customer whose user changed, also when an operator
//!   makes them, so that the customer's administrators see them in their activity log.

use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    auth::{self, LinkPurpose},
    context::Tenant,
    error::AppResult,
    paging,
};
use cs_domain::{Email, Language, Module, Modules, Role, UserId, UserStatus, Username};
use cs_store::{
    Conn,
    repo::{customers, user_admin, users},
};
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Stable names of the audited actions of user management.
pub mod action {
    pub const USER_CREATED: &str = "user.created";
    pub const USER_UPDATED: &str = "user.updated";
    pub const USER_DISABLED: &str = "user.disabled";
    pub const USER_ENABLED: &str = "user.enabled";
    pub const PASSWORD_RESET_REQUESTED: &str = "password.reset_requested";
}

const FULL_NAME_MAX_CHARS: usize = 200;
const SEARCH_MAX_CHARS: usize = 100;

/// A user of a customer, as its administrators manage it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedUser {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub language: Language,
    pub role: Role,
    /// As stored: what was granted (always empty for an admin).
    pub granted: Modules,
    /// What the user can use: an admin everything (and `users`), a user what was granted.
    pub modules: Modules,
    /// Codes of the cost centres the user is limited to; empty means no limit.
    pub cost_centres: Vec<String>,
    pub status: UserStatus,
    pub last_login_at: Option<OffsetDateTime>,
}

/// One page of a user list; `next_cursor` is set when more users follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    pub items: Vec<ManagedUser>,
    pub next_cursor: Option<String>,
}

/// A list request as received (query parameters); empty values mean "not given".
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// A list request once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    pub search: Option<String>,
    pub status: Option<UserStatus>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// A new user as typed: every field is checked by [`create`], all at once.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// Empty: the customer's language.
    pub language: Option<String>,
    /// Empty: `user`.
    pub role: Option<String>,
    pub modules: Vec<String>,
    pub cost_centres: Vec<String>,
}

/// Changes to a user; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub role: Option<String>,
    pub modules: Option<Vec<String>>,
    pub cost_centres: Option<Vec<String>>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// The actor's own password, needed for a sensitive change ([`needs_reauthentication`]).
    pub current_password: Option<String>,
}

/// The customer whose users are managed, with what its forms offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerContext {
    pub customer_number: String,
    pub name: String,
    pub language: Language,
    /// `(code, name)`, by code.
    pub cost_centres: Vec<(String, String)>,
}

mod create;
mod rules;
mod update;

pub use create::create;
pub use rules::*;
pub use update::{needs_reauthentication, update};

// ---------------------------------------------------------------------------------------
// Use cases.

/// The parsed value, or `None` with the error noted.
fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn corrupt(id: i64, what: &str) -> AppError {
    AppError::internal(format!("user {id}: bad stored {what}"))
}

fn managed(row: users::UserRow, cost_centres: Vec<String>) -> AppResult<ManagedUser> {
    let role: Role = row.role.parse().map_err(|_| corrupt(row.id, "role"))?;
    let granted = Modules::parse_list(&row.modules).map_err(|_| corrupt(row.id, "modules"))?;
    let language: Language = row
        .language
        .parse()
        .map_err(|_| corrupt(row.id, "language"))?;
    let status: UserStatus = row.status.parse().map_err(|_| corrupt(row.id, "status"))?;
    Ok(ManagedUser {
        id: UserId::new(row.id),
        username: row.username,
        full_name: row.full_name,
        email: row.email,
        language,
        role,
        granted,
        modules: Modules::effective(role, granted),
        cost_centres,
        status,
        last_login_at: row.last_login_at,
    })
}

/// The user `id` if it belongs to the tenant; another customer's user, an operator and an
/// unknown id all answer 404 alike.
async fn user_of(conn: &mut Conn<'_>, tenant: Tenant, id: UserId) -> AppResult<users::UserRow> {
    users::by_id(conn, id.get())
        .await?
        .filter(|u| u.customer_id == Some(tenant.customer_id.get()))
        .ok_or(AppError::NotFound)
}

async fn load(conn: &mut Conn<'_>, tenant: Tenant, id: UserId) -> AppResult<ManagedUser> {
    let row = user_of(conn, tenant, id).await?;
    let codes = users::cost_centre_codes(conn, row.id).await?;
    managed(row, codes)
}

async fn cost_centres_of(conn: &mut Conn<'_>, tenant: Tenant) -> AppResult<Vec<(i64, String)>> {
    Ok(customers::cost_centres(conn, tenant.customer_id.get())
        .await?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect())
}

fn username_taken(username: &str) -> AppError {
    AppError::Conflict {
        code: crate::ErrorCode::UsernameTaken,
        message: format!("the username {username} is already taken"),
    }
}

/// The customer being managed and the choices its forms offer.
pub async fn customer_context(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
) -> AppResult<CustomerContext> {
    let tenant = actor.tenant(app, customer_number).await?;
    let mut conn = app.store.acquire().await?;
    let c = customers::by_id(&mut conn.conn(), tenant.customer_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let cost_centres = customers::cost_centres(&mut conn.conn(), tenant.customer_id.get())
        .await?
        .into_iter()
        .map(|cc| (cc.code, cc.name))
        .collect();
    Ok(CustomerContext {
        customer_number: c.customer_number,
        name: c.name,
        language: c.language.parse().unwrap_or_default(),
        cost_centres,
    })
}

/// The tenant's users in id order, filtered and paged (keyset on id).
pub async fn list(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    query: &ListQuery,
) -> AppResult<UserPage> {
    let tenant = actor.tenant(app, customer_number).await?;
    let f = parse_list_query(query).map_err(AppError::Validation)?;
    let mut conn = app.store.acquire().await?;
    let mut rows = users::list(
        &mut conn.conn(),
        Some(tenant.customer_id.get()),
        &users::UserFilter {
            search: f.search.as_deref(),
            status: f.status.map(UserStatus::as_str),
            after_id: f.after_id,
            limit: f.limit + 1,
        },
    )
    .await?;
    let more = paging::cut(&mut rows, f.limit);
    let mut codes: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        for (user_id, code) in user_admin::cost_centre_codes_in_range(
            &mut conn.conn(),
            tenant.customer_id.get(),
            first.id,
            last.id,
        )
        .await?
        {
            codes.entry(user_id).or_default().push(code);
        }
    }
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    let items = rows
        .into_iter()
        .map(|r| {
            let cc = codes.remove(&r.id).unwrap_or_default();
            managed(r, cc)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(UserPage { items, next_cursor })
}

/// One user of the tenant.
pub async fn get(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    id: UserId,
) -> AppResult<ManagedUser> {
    let tenant = actor.tenant(app, customer_number).await?;
    let mut conn = app.store.acquire().await?;
    load(&mut conn.conn(), tenant, id).await
}

/// E-mails the user a one-time link to choose a new password (valid 1 hour) and ends its
/// sessions and tokens at once; an invited user gets a fresh invitation (72 hours) instead.
pub async fn request_password_reset(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    customer_number: Option<&str>,
    id: UserId,
) -> AppResult<ManagedUser> {
    let tenant = actor.tenant(app, customer_number).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let row = user_of(&mut tx.conn(), tenant, id).await?;
    let purpose = match row.status.parse::<UserStatus>() {
        Ok(UserStatus::Active) => LinkPurpose::Reset,
        Ok(UserStatus::Invited) => LinkPurpose::Invitation,
        Ok(UserStatus::Disabled) => {
            return Err(AppError::Conflict {
                code: crate::ErrorCode::UserDisabled,
                message: "this user is disabled: enable it before sending it a link".into(),
            });
        }
        Err(_) => return Err(corrupt(id.get(), "status")),
    };
    let reset = purpose == LinkPurpose::Reset;
    auth::send_link(app, &mut tx.conn(), &row, purpose, reset).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor_for(actor, Some(tenant.customer_id)),
        meta,
        action::PASSWORD_RESET_REQUESTED,
        ("user", &id.to_string()),
        json!({ "link": if reset { "reset" } else { "invitation" } }),
    )
    .await?;
    let user = load(&mut tx.conn(), tenant, id).await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::DEFAULT_LIMIT;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn last_active_admin_can_be_neither_demoted_nor_disabled() {
        let admin = (Role::Admin, UserStatus::Active);
        for after in [
            (Role::User, UserStatus::Active),
            (Role::Admin, UserStatus::Disabled),
            (Role::User, UserStatus::Disabled),
        ] {
            let e = check_last_admin(admin, after, 1).unwrap_err();
            assert_eq!(e.code(), "last_admin");
            assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
            assert!(e.to_string().contains("last active administrator"), "{e}");
            assert!(
                check_last_admin(admin, after, 2).is_ok(),
                "another admin remains"
            );
        }
        assert!(check_last_admin(admin, admin, 1).is_ok(), "no change");
        // Invited or disabled admins are not the ones keeping the customer managed.
        let invited = (Role::Admin, UserStatus::Invited);
        assert!(check_last_admin(invited, (Role::User, UserStatus::Invited), 0).is_ok());
        let user = (Role::User, UserStatus::Active);
        assert!(check_last_admin(user, (Role::User, UserStatus::Disabled), 1).is_ok());
        assert!(
            check_last_admin(admin, (Role::Admin, UserStatus::Disabled), 1)
                .unwrap_err()
                .to_string()
                .contains("disabled")
        );
    }

    #[test]
    fn re_enabling_keeps_an_invited_user_invited() {
        assert_eq!(
            status_on_request(UserStatus::Active, false),
            UserStatus::Invited
        );
        assert_eq!(
            status_on_request(UserStatus::Active, true),
            UserStatus::Active
        );
        assert_eq!(
            status_on_request(UserStatus::Disabled, false),
            UserStatus::Disabled
        );
    }

    #[test]
    fn admins_store_no_modules() {
        let granted = Modules::parse_list("invoices,reports").unwrap();
        assert_eq!(stored_modules(Role::Admin, granted), Modules::empty());
        assert_eq!(stored_modules(Role::User, granted), granted);
    }

    #[test]
    fn only_the_five_grantable_modules_are_accepted() {
        let m = parse_modules(&strings(&["reports", " invoices ", "", "reports"])).unwrap();
        assert_eq!(m.to_list(), "invoices,reports");
        assert_eq!(
            parse_modules(&strings(&["users"])).unwrap_err().code,
            "module_not_grantable"
        );
        let e = parse_modules(&strings(&["invoices", "admin"])).unwrap_err();
        assert_eq!(e.code, "module_unknown");
        assert_eq!(e.field.as_deref(), Some("modules"));
        assert_eq!(parse_modules(&[]).unwrap(), Modules::empty());
    }

    #[test]
    fn roles_of_a_customer_are_admin_or_user() {
        assert_eq!(parse_role("admin").unwrap(), Role::Admin);
        assert_eq!(parse_role(" user ").unwrap(), Role::User);
        for bad in ["operator", "Admin", "", "root"] {
            let e = parse_role(bad).unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.code.as_str()),
                (Some("role"), "role_invalid")
            );
        }
    }

    #[test]
    fn status_changes_are_active_or_disabled() {
        assert_eq!(
            parse_status_change("disabled").unwrap(),
            UserStatus::Disabled
        );
        assert_eq!(parse_status_change("active").unwrap(), UserStatus::Active);
        assert_eq!(
            parse_status_change("invited").unwrap_err().code,
            "status_not_allowed"
        );
        assert_eq!(
            parse_status_change("gone").unwrap_err().code,
            "user_status_unknown"
        );
    }

    #[test]
    fn cost_centres_must_be_the_customers_own() {
        let own = vec![(7, "CA1".to_owned()), (3, "CA2".to_owned())];
        assert_eq!(
            resolve_cost_centres(&strings(&["CA1", "CA2", "CA1", " "]), &own).unwrap(),
            vec![3, 7]
        );
        assert_eq!(resolve_cost_centres(&[], &own).unwrap(), Vec::<i64>::new());
        let e = resolve_cost_centres(&strings(&["CA1", "CB1", "ca2"]), &own).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cost_centres"));
        assert_eq!(e.code, "cost_centre_unknown");
        assert!(e.message.contains("CB1, ca2"), "{}", e.message);
    }

    #[test]
    fn full_names_are_trimmed_and_bounded() {
        assert_eq!(parse_full_name("  Anne Dupont ").unwrap(), "Anne Dupont");
        assert_eq!(parse_full_name(" ").unwrap_err().code, "full_name_empty");
        assert!(parse_full_name(&"é".repeat(200)).is_ok());
        assert_eq!(
            parse_full_name(&"é".repeat(201)).unwrap_err().code,
            "full_name_too_long"
        );
        assert_eq!(
            parse_full_name("Anne\u{0}Dupont").unwrap_err().code,
            "full_name_invalid_character"
        );
    }

    #[test]
    fn list_parameters_are_checked() {
        let q = |search: &str, status: &str, cursor: &str, limit: &str| ListQuery {
            search: Some(search.into()),
            status: Some(status.into()),
            cursor: Some(cursor.into()),
            limit: Some(limit.into()),
        };
        assert_eq!(
            parse_list_query(&ListQuery::default()).unwrap(),
            ListFilter {
                search: None,
                status: None,
                after_id: None,
                limit: DEFAULT_LIMIT
            }
        );
        assert_eq!(
            parse_list_query(&q(" jan ", "disabled", "42", "500")).unwrap(),
            ListFilter {
                search: Some("jan".into()),
                status: Some(UserStatus::Disabled),
                after_id: Some(42),
                limit: 500
            }
        );
        assert_eq!(
            parse_list_query(&q("", "", "", "")).unwrap().limit,
            DEFAULT_LIMIT
        );
        let errors = parse_list_query(&q(&"x".repeat(101), "gone", "abc", "0")).unwrap_err();
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, ["search", "status", "cursor", "limit"]);
        for bad in ["0", "-1", "ten"] {
            assert!(parse_list_query(&q("", "", "", bad)).is_err(), "{bad}");
        }
        assert!(parse_list_query(&q("", "", "0", "")).is_err());
        // Above 500 the limit is refused, as by every other list (SPEC §6).
        assert!(parse_list_query(&q("", "", "", "501")).is_err());
    }
}
