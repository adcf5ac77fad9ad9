//! The pure rules of user management, without I/O: parsing what a form or the API sends,
//! the last-admin rule and when a change asks for the actor's password again.

use super::*;

/// Checks the parameters of a user list.
pub fn parse_list_query(q: &ListQuery) -> Result<ListFilter, Vec<FieldError>> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut errors = Vec::new();
    let search = given(&q.search);
    if let Some(s) = &search
        && s.chars().count() > SEARCH_MAX_CHARS
    {
        errors.push(FieldError::field(
            "search",
            "search_too_long",
            format!("search text is limited to {SEARCH_MAX_CHARS} characters"),
        ));
    }
    let status = match given(&q.status) {
        None => None,
        Some(s) => match s.parse::<UserStatus>() {
            Ok(st) => Some(st),
            Err(e) => {
                errors.push(FieldError::field("status", e.code(), e.to_string()));
                None
            }
        },
    };
    let after_id = paging::id_cursor(q.cursor.as_deref(), &mut errors);
    let limit = paging::limit(q.limit.as_deref(), &mut errors);
    if errors.is_empty() {
        Ok(ListFilter {
            search,
            status,
            after_id,
            limit,
        })
    } else {
        Err(errors)
    }
}

/// A full name: trimmed, 1 to 200 characters, no control characters.
pub fn parse_full_name(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let field = |code: &str, msg: String| FieldError::field("full_name", code, msg);
    if s.is_empty() {
        return Err(field("full_name_empty", "full name is empty".into()));
    }
    let length = s.chars().count();
    if length > FULL_NAME_MAX_CHARS {
        return Err(field(
            "full_name_too_long",
            format!("full name has {length} characters: at most {FULL_NAME_MAX_CHARS} are allowed"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(field(
            "full_name_invalid_character",
            "full name may not contain control characters".into(),
        ));
    }
    Ok(s.to_owned())
}

pub fn parse_username(s: &str) -> Result<Username, FieldError> {
    Username::parse(s).map_err(|e| FieldError::field("username", e.code(), e.to_string()))
}

pub fn parse_email(s: &str) -> Result<Email, FieldError> {
    Email::parse(s).map_err(|e| FieldError::field("email", e.code(), e.to_string()))
}

pub fn parse_language(s: &str) -> Result<Language, FieldError> {
    s.parse::<Language>()
        .map_err(|e| FieldError::field("language", "language_unknown", e.to_string()))
}

/// A customer's user is an `admin` or a `user`; never an operator.
pub fn parse_role(s: &str) -> Result<Role, FieldError> {
    match s.trim() {
        "admin" => Ok(Role::Admin),
        "user" => Ok(Role::User),
        other => Err(FieldError::field(
            "role",
            "role_invalid",
            format!(
                "unknown role {:?}: expected admin or user",
                other.chars().take(20).collect::<String>()
            ),
        )),
    }
}

/// Module names that can be granted: the five of [`Module::GRANTABLE`], never `users`.
pub fn parse_modules(names: &[String]) -> Result<Modules, FieldError> {
    let mut set = Modules::empty();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match name.parse::<Module>() {
            Ok(m) if Module::GRANTABLE.contains(&m) => set.insert(m),
            Ok(m) => {
                return Err(FieldError::field(
                    "modules",
                    "module_not_grantable",
                    format!("{m} cannot be granted: it comes with the role admin"),
                ));
            }
            Err(_) => {
                return Err(FieldError::field(
                    "modules",
                    "module_unknown",
                    format!(
                        "unknown module {:?}: expected transactions, invoices, receipts, reports or requests",
                        name.chars().take(30).collect::<String>()
                    ),
                ));
            }
        }
    }
    Ok(set)
}

/// A status an administrator may set: `active` or `disabled` (`invited` is where a new user
/// starts, not something to go back to).
pub fn parse_status_change(s: &str) -> Result<UserStatus, FieldError> {
    match s.trim().parse::<UserStatus>() {
        Ok(UserStatus::Invited) => Err(FieldError::field(
            "status",
            "status_not_allowed",
            "status can be set to active or disabled only",
        )),
        Ok(st) => Ok(st),
        Err(e) => Err(FieldError::field("status", e.code(), e.to_string())),
    }
}

/// The ids of the cost centres named by `codes` among the customer's own (`(id, code)`);
/// duplicates count once, any unknown code refuses the whole list.
pub fn resolve_cost_centres(
    codes: &[String],
    available: &[(i64, String)],
) -> Result<Vec<i64>, FieldError> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match available.iter().find(|(_, c)| c == code) {
            Some((id, _)) if !ids.contains(id) => ids.push(*id),
            Some(_) => {}
            None => unknown.push(code.chars().take(30).collect::<String>()),
        }
    }
    if unknown.is_empty() {
        ids.sort_unstable();
        Ok(ids)
    } else {
        Err(FieldError::field(
            "cost_centres",
            "cost_centre_unknown",
            format!("not a cost centre of this customer: {}", unknown.join(", ")),
        ))
    }
}

/// What is stored as granted: nothing for an admin (it has everything), else the grant.
pub fn stored_modules(role: Role, granted: Modules) -> Modules {
    match role {
        Role::Admin | Role::Operator => Modules::empty(),
        Role::User => granted,
    }
}

/// The status stored when an administrator asks for `requested`: a user enabled before it
/// ever set a password is `invited` again (its invitation link still sets it).
pub fn status_on_request(requested: UserStatus, has_password: bool) -> UserStatus {
    match requested {
        UserStatus::Active if !has_password => UserStatus::Invited,
        other => other,
    }
}

/// The last-admin rule: a customer keeps at least one active admin. `active_admins` counts
/// them before the change (the user itself included when it is one).
pub fn check_last_admin(
    before: (Role, UserStatus),
    after: (Role, UserStatus),
    active_admins: i64,
) -> AppResult<()> {
    let is_active_admin =
        |(role, status): (Role, UserStatus)| role == Role::Admin && status == UserStatus::Active;
    if is_active_admin(before) && !is_active_admin(after) && active_admins <= 1 {
        return Err(last_admin_error(after.1 == UserStatus::Disabled));
    }
    Ok(())
}

fn last_admin_error(disabling: bool) -> AppError {
    let what = if disabling { "disabled" } else { "demoted" };
    AppError::Conflict {
        code: crate::ErrorCode::LastAdmin,
        message: format!(
            "this user is the customer's last active administrator and cannot be {what}: make another user an administrator first"
        ),
    }
}
