//! Changing a customer's user: profile, role and modules, cost-centre limits and status, under
//! the last-admin rule, with the actor's password asked again for a sensitive change.

use super::{
    ManagedUser, UserChanges, action, check_last_admin, cost_centres_of, keep, load, managed,
    parse_email, parse_full_name, parse_language, parse_modules, parse_role, parse_status_change,
    resolve_cost_centres, status_on_request, stored_modules, user_of,
};
use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    error::AppResult,
    lockout,
};
use cs_domain::{Email, Language, Modules, Role, UserId, UserStatus};
use cs_store::{
    Conn,
    repo::{auth as auth_repo, user_admin, users},
};
use serde_json::json;
use time::OffsetDateTime;

/// Whether a change of a user is sensitive enough to ask the actor's password again (ASVS
/// row 14): making someone an administrator, or changing the e-mail of another user (where
/// its password links go).
pub fn needs_reauthentication(
    actor_is_target: bool,
    role: (Role, Role),
    email: (&str, &str),
) -> bool {
    let promotes = role.0 != Role::Admin && role.1 == Role::Admin;
    let redirects_mail = !actor_is_target && !email.0.eq_ignore_ascii_case(email.1);
    promotes || redirects_mail
}

/// The fields a change gives, once checked; `None` leaves a field as it is.
struct Given {
    full_name: Option<String>,
    email: Option<Email>,
    language: Option<Language>,
    role: Option<Role>,
    modules: Option<Modules>,
    status: Option<UserStatus>,
}

impl Given {
    /// Checks every field given; each problem goes to `errors` (and its field reads as not
    /// given, which only matters once `errors` is empty).
    fn check(changes: &UserChanges, errors: &mut Vec<FieldError>) -> Self {
        let e = errors;
        Given {
            full_name: changes
                .full_name
                .as_deref()
                .and_then(|s| keep(e, parse_full_name(s))),
            email: changes
                .email
                .as_deref()
                .and_then(|s| keep(e, parse_email(s))),
            language: changes
                .language
                .as_deref()
                .and_then(|s| keep(e, parse_language(s))),
            role: changes.role.as_deref().and_then(|s| keep(e, parse_role(s))),
            modules: changes
                .modules
                .as_deref()
                .and_then(|m| keep(e, parse_modules(m))),
            status: changes
                .status
                .as_deref()
                .and_then(|s| keep(e, parse_status_change(s))),
        }
    }
}

/// The user as the change leaves it.
struct After {
    full_name: String,
    email: String,
    language: Language,
    role: Role,
    granted: Modules,
    status: UserStatus,
}

impl After {
    fn of(given: Given, before: &ManagedUser, has_password: bool) -> Self {
        let role = given.role.unwrap_or(before.role);
        After {
            full_name: given.full_name.unwrap_or_else(|| before.full_name.clone()),
            email: given
                .email
                .map_or_else(|| before.email.clone(), |e| e.as_str().to_owned()),
            language: given.language.unwrap_or(before.language),
            granted: stored_modules(role, given.modules.unwrap_or(before.granted)),
            role,
            status: given
                .status
                .map_or(before.status, |s| status_on_request(s, has_password)),
        }
    }
}

/// The actor's own password, when the change gives one: checked before the transaction (its
/// hash is slow, and it writes the attempt in a transaction of its own). A wrong one refuses
/// the change at once.
async fn reauthenticate(
    app: &App,
    meta: &RequestMeta,
    actor: &Actor,
    password: Option<&str>,
) -> AppResult<bool> {
    match password {
        Some(p) if !p.is_empty() => {
            if lockout::confirm_own_password(app, meta, actor, p).await? {
                Ok(true)
            } else {
                Err(AppError::ReauthenticationRequired { wrong: true })
            }
        }
        _ => Ok(false),
    }
}

/// Changes a user of the tenant. Disabling ends its sessions, tokens and links at once; the
/// last active admin can be neither demoted nor disabled (409 `last_admin`), a sensitive
/// change needs `current_password` (403 `reauthentication_required`), and a refused change
/// changes nothing.
pub async fn update(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    customer_number: Option<&str>,
    id: UserId,
    changes: &UserChanges,
) -> AppResult<ManagedUser> {
    let tenant = actor.tenant(app, customer_number).await?;
    let mut errors = Vec::new();
    let given = Given::check(changes, &mut errors);
    let reauthenticated =
        reauthenticate(app, meta, actor, changes.current_password.as_deref()).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    user_admin::lock_customer(&mut tx.conn(), tenant.customer_id.get()).await?;
    // Unknown or foreign ids answer 404 before anything about the body is said.
    let row = user_of(&mut tx.conn(), tenant, id).await?;
    let cost_centre_ids = match &changes.cost_centres {
        Some(codes) => {
            let available = cost_centres_of(&mut tx.conn(), tenant).await?;
            keep(&mut errors, resolve_cost_centres(codes, &available))
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let has_password = row.password_hash.is_some();
    let codes = users::cost_centre_codes(&mut tx.conn(), id.get()).await?;
    let before = managed(row, codes)?;
    let after = After::of(given, &before, has_password);
    if before.role == Role::Admin && before.status == UserStatus::Active {
        let admins = users::count_active_admins(&mut tx.conn(), tenant.customer_id.get()).await?;
        check_last_admin(
            (before.role, before.status),
            (after.role, after.status),
            admins,
        )?;
    }
    let sensitive = needs_reauthentication(
        id == actor.user_id,
        (before.role, after.role),
        (&before.email, &after.email),
    );
    if sensitive && !reauthenticated {
        return Err(AppError::ReauthenticationRequired { wrong: false });
    }
    let changed = write_changes(&mut tx.conn(), id, &before, &after, cost_centre_ids).await?;
    let who = Who::actor_for(actor, Some(tenant.customer_id));
    let subject = id.to_string();
    if !changed.is_empty() {
        let details = json!({ "fields": changed });
        let object = ("user", subject.as_str());
        audit::record(
            &mut tx.conn(),
            now,
            &who,
            meta,
            action::USER_UPDATED,
            object,
            details,
        )
        .await?;
    }
    if after.status != before.status {
        let event = set_status(&mut tx.conn(), id, after.status, now).await?;
        let details = json!({ "from": before.status.as_str(), "to": after.status.as_str() });
        audit::record(
            &mut tx.conn(),
            now,
            &who,
            meta,
            event,
            ("user", &subject),
            details,
        )
        .await?;
    }
    let user = load(&mut tx.conn(), tenant, id).await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(user)
}

/// Writes the profile, the role and modules, and the cost-centre limits where they change;
/// the names of the fields that did.
async fn write_changes(
    conn: &mut Conn<'_>,
    id: UserId,
    before: &ManagedUser,
    after: &After,
    cost_centre_ids: Option<Vec<i64>>,
) -> AppResult<Vec<&'static str>> {
    let mut changed = Vec::new();
    if after.full_name != before.full_name {
        changed.push("full_name");
    }
    if after.email != before.email {
        changed.push("email");
    }
    if after.language != before.language {
        changed.push("language");
    }
    if !changed.is_empty() {
        let language = after.language.code();
        users::update_profile(conn, id.get(), &after.full_name, &after.email, language).await?;
    }
    if after.role != before.role || after.granted != before.granted {
        if after.role != before.role {
            changed.push("role");
        }
        if after.granted != before.granted {
            changed.push("modules");
        }
        let modules = after.granted.to_list();
        users::set_role_and_modules(conn, id.get(), after.role.as_str(), &modules).await?;
    }
    // An admin is never limited; a user keeps its limits unless new ones are given.
    let limits = match (after.role, cost_centre_ids) {
        (Role::Admin, _) => Some(Vec::new()),
        (_, ids) => ids,
    };
    if let Some(ids) = limits {
        users::replace_cost_centres(conn, id.get(), &ids).await?;
        if users::cost_centre_codes(conn, id.get()).await? != before.cost_centres {
            changed.push("cost_centres");
        }
    }
    Ok(changed)
}

/// Sets the user's status; disabling ends its sessions, tokens and one-time links at once.
/// The event to record.
async fn set_status(
    conn: &mut Conn<'_>,
    id: UserId,
    status: UserStatus,
    now: OffsetDateTime,
) -> AppResult<&'static str> {
    users::set_status(conn, id.get(), status.as_str(), now).await?;
    if status != UserStatus::Disabled {
        return Ok(action::USER_ENABLED);
    }
    auth_repo::delete_sessions_of_user(conn, id.get(), None).await?;
    auth_repo::revoke_api_tokens_of_user(conn, id.get(), now).await?;
    auth_repo::void_one_time_tokens_of_user(conn, id.get(), now).await?;
    Ok(action::USER_DISABLED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promoting_an_admin_or_redirecting_anothers_mail_asks_the_password_again() {
        let same = (Role::User, Role::User);
        let mail = ("a@x.be", "a@x.be");
        assert!(needs_reauthentication(
            false,
            (Role::User, Role::Admin),
            mail
        ));
        assert!(needs_reauthentication(
            true,
            (Role::User, Role::Admin),
            mail
        ));
        assert!(needs_reauthentication(false, same, ("a@x.be", "b@x.be")));
        assert!(
            !needs_reauthentication(true, same, ("a@x.be", "b@x.be")),
            "one's own"
        );
        assert!(
            !needs_reauthentication(false, same, ("a@x.be", "A@X.BE")),
            "same address"
        );
        assert!(!needs_reauthentication(
            false,
            (Role::Admin, Role::Admin),
            mail
        ));
        assert!(!needs_reauthentication(
            false,
            (Role::Admin, Role::User),
            mail
        ));
        assert!(!needs_reauthentication(false, same, mail));
    }
}
