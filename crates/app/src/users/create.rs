//! Creating a customer's user: every field checked at once, the user stored `invited` with
//! its modules and cost-centre limits, and its invitation link e-mailed in the same transaction.

use super::{
    ManagedUser, NewUserInput, action, cost_centres_of, load, parse_email, parse_full_name,
    parse_language, parse_modules, parse_role, parse_username, resolve_cost_centres,
    stored_modules, user_of, username_taken,
};
use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    auth::{self, LinkPurpose},
    context::Tenant,
    error::AppResult,
};
use cs_domain::{Email, Language, Modules, Role, UserId, UserStatus, Username};
use cs_store::{
    Conn, StoreError,
    repo::{customers, user_admin, users},
};
use serde_json::json;
use time::OffsetDateTime;

/// A new user's fields once checked; the language is the customer's when none was chosen.
struct Checked {
    username: Username,
    full_name: String,
    email: Email,
    language: Option<Language>,
    role: Role,
    modules: Modules,
}

/// Checks the fields that need no database; every problem goes to `errors`.
fn check_fields(input: &NewUserInput, errors: &mut Vec<FieldError>) -> Option<Checked> {
    let username = parse_username(&input.username)
        .map_err(|e| errors.push(e))
        .ok();
    let full_name = parse_full_name(&input.full_name)
        .map_err(|e| errors.push(e))
        .ok();
    let email = parse_email(&input.email).map_err(|e| errors.push(e)).ok();
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => parse_language(l).map_err(|e| errors.push(e)).ok(),
    };
    let role = match input.role.as_deref().map(str::trim) {
        None | Some("") => Some(Role::User),
        Some(r) => parse_role(r).map_err(|e| errors.push(e)).ok(),
    };
    let modules = parse_modules(&input.modules)
        .map_err(|e| errors.push(e))
        .ok();
    Some(Checked {
        username: username?,
        full_name: full_name?,
        email: email?,
        language,
        role: role?,
        modules: modules?,
    })
}

/// Creates a user of the tenant in state `invited` and e-mails it an invitation link
/// (single use, valid 72 hours). Every field is checked before anything is written.
pub async fn create(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    customer_number: Option<&str>,
    input: &NewUserInput,
) -> AppResult<ManagedUser> {
    let tenant = actor.tenant(app, customer_number).await?;
    let mut errors = Vec::new();
    let checked = check_fields(input, &mut errors);

    let now = app.now();
    let mut tx = app.store.begin().await?;
    user_admin::lock_customer(&mut tx.conn(), tenant.customer_id.get()).await?;
    let customer = customers::by_id(&mut tx.conn(), tenant.customer_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let available = cost_centres_of(&mut tx.conn(), tenant).await?;
    let cost_centre_ids = resolve_cost_centres(&input.cost_centres, &available)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(checked), Some(cost_centre_ids), true) =
        (checked, cost_centre_ids, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let language = checked
        .language
        .unwrap_or_else(|| customer.language.parse().unwrap_or_default());
    // An admin is never limited.
    let cost_centre_ids = if checked.role == Role::Admin {
        Vec::new()
    } else {
        cost_centre_ids
    };
    let id = insert(&mut tx.conn(), tenant, &checked, language, now).await?;
    users::replace_cost_centres(&mut tx.conn(), id, &cost_centre_ids).await?;
    let row = user_of(&mut tx.conn(), tenant, UserId::new(id)).await?;
    auth::send_link(app, &mut tx.conn(), &row, LinkPurpose::Invitation, false).await?;
    let user = load(&mut tx.conn(), tenant, UserId::new(id)).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor_for(actor, Some(tenant.customer_id)),
        meta,
        action::USER_CREATED,
        ("user", &id.to_string()),
        json!({
            "username": user.username,
            "role": user.role.as_str(),
            "modules": user.granted.to_list(),
            "cost_centres": user.cost_centres,
        }),
    )
    .await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(user)
}

/// Stores the new user, unless its username is taken (also by a request in between).
async fn insert(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    c: &Checked,
    language: Language,
    now: OffsetDateTime,
) -> AppResult<i64> {
    let key = c.username.normalized();
    if users::by_username_key(conn, &key).await?.is_some() {
        return Err(username_taken(c.username.as_str()));
    }
    let new = users::NewUser {
        customer_id: Some(tenant.customer_id.get()),
        username: c.username.as_str(),
        username_key: &key,
        full_name: &c.full_name,
        email: c.email.as_str(),
        language: language.code(),
        role: c.role.as_str(),
        modules: &stored_modules(c.role, c.modules).to_list(),
        status: UserStatus::Invited.as_str(),
        password_hash: None,
        created_at: now,
    };
    users::insert(conn, &new).await.map_err(|e| match e {
        // Another request took the name between the check and the insert.
        StoreError::Conflict(_) => username_taken(c.username.as_str()),
        other => other.into(),
    })
}
