//! Sessions and credentials once a sign-in is complete: browser sessions (idle 30 min, absolute
//! 12 h), bearer tokens, the actor behind them, one-time links and the operator bootstrap.
//!
//! The sign-in flow that leads here (password, then a second factor) is `crate::signin`'s: it
//! calls [`open_session`] or [`open_login_token`] at its end. This module never calls it back.

use crate::{
    Actor, App, AppError, AuthMethod, CustomerRef, RequestMeta,
    audit::{self, Who, action},
    error::AppResult,
    passwords, secrets,
};
use cs_domain::{
    CustomerId, Email, Language, Modules, Password, Role, UserId, UserStatus, Username,
};
use cs_store::{
    Conn,
    repo::{auth as repo, customers, security, users},
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// A session ends after 30 minutes without a request (ASVS 4.0.3 V3.3.2, L2).
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// …and 12 hours after sign-in whatever happens.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// Bearer tokens from `POST /api/v1/auth/token` live as long as a session can.
pub const LOGIN_TOKEN_LIFETIME: Duration = Duration::hours(12);
/// Invitations (new users, new operators) are valid 72 hours.
pub const INVITATION_LIFETIME: Duration = Duration::hours(72);
/// Self-service and Service Centre resets are valid 1 hour.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// `last_seen_at` is written at most this often, to keep reads cheap.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A session just opened: the cookie value is given out once and never stored.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// Records a sign-in, successful (`reason`: the method) or not (`reason`: why).
pub(crate) async fn audit_login(
    conn: &mut Conn<'_>,
    at: OffsetDateTime,
    meta: &RequestMeta,
    u: &users::UserRow,
    ok: bool,
    reason: &str,
) -> AppResult<()> {
    let who = Who::user(u);
    let (act, details) = if ok {
        (action::LOGIN_OK, json!({ "method": reason }))
    } else {
        (action::LOGIN_FAILED, json!({ "reason": reason }))
    };
    audit::record(
        conn,
        at,
        &who,
        meta,
        act,
        ("user", &u.id.to_string()),
        details,
    )
    .await?;
    Ok(())
}

/// Opens a session (a new id every time, so a session id known before sign-in is worth nothing
/// after it) for a user whose sign-in is complete, on the caller's transaction:
/// records the login, and the account's earlier failures stop counting against it.
pub(crate) async fn open_session(
    app: &App,
    conn: &mut Conn<'_>,
    meta: &RequestMeta,
    user: users::UserRow,
    method: &str,
) -> AppResult<OpenedSession> {
    let token = secrets::new_token()?;
    let csrf_token = secrets::new_token()?;
    let now = app.now();
    let id_hash = secrets::token_hash(&token);
    repo::insert_session(
        conn,
        &repo::NewSession {
            id_hash: &id_hash,
            user_id: user.id,
            csrf_token: &csrf_token,
            created_at: now,
            expires_at: now + SESSION_ABSOLUTE,
            ip: &meta.ip,
            user_agent: &meta.user_agent,
        },
    )
    .await?;
    users::record_login(conn, user.id, now).await?;
    security::detach_failures_of_user(conn, user.id).await?;
    audit_login(conn, now, meta, &user, true, method).await?;
    let actor = load_actor(
        conn,
        user,
        AuthMethod::Session {
            id_hash,
            csrf_token: csrf_token.clone(),
        },
    )
    .await?
    .ok_or(AppError::InvalidCredentials)?;
    Ok(OpenedSession {
        token,
        csrf_token,
        actor,
    })
}

/// The actor behind a session cookie, if the session is alive; refreshes its idle timer.
pub async fn session_actor(app: &App, token: &str) -> AppResult<Option<Actor>> {
    let now = app.now();
    let id_hash = secrets::token_hash(token);
    let mut conn = app.store.acquire().await?;
    let Some(s) = repo::session(&mut conn.conn(), &id_hash).await? else {
        return Ok(None);
    };
    if s.expires_at <= now || s.last_seen_at + SESSION_IDLE <= now {
        repo::delete_session(&mut conn.conn(), &id_hash).await?;
        return Ok(None);
    }
    let Some(user) = users::by_id(&mut conn.conn(), s.user_id).await? else {
        return Ok(None);
    };
    let actor = load_actor(
        &mut conn.conn(),
        user,
        AuthMethod::Session {
            id_hash: id_hash.clone(),
            csrf_token: s.csrf_token,
        },
    )
    .await?;
    if actor.is_some() && now - s.last_seen_at >= TOUCH_EVERY {
        repo::touch_session(&mut conn.conn(), &id_hash, now).await?;
    }
    Ok(actor)
}

/// Ends the actor's current session (server-side: the cookie is worthless afterwards).
pub async fn sign_out(app: &App, meta: &RequestMeta, actor: &Actor) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    match &actor.auth {
        AuthMethod::Session { id_hash, .. } => {
            repo::delete_session(&mut tx.conn(), id_hash).await?
        }
        AuthMethod::Bearer { .. } => {}
    }
    audit::record(
        &mut tx.conn(),
        app.now(),
        &Who::actor(actor),
        meta,
        action::LOGOUT,
        ("user", &actor.user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a bearer token (valid [`LOGIN_TOKEN_LIFETIME`]) for a user whose sign-in is
/// complete, on the caller's transaction: records the login, and the account's earlier
/// failures stop counting against it. The token is given out once and never stored.
pub(crate) async fn open_login_token(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    meta: &RequestMeta,
    user: &users::UserRow,
    method: &str,
) -> AppResult<(String, OffsetDateTime)> {
    let token = secrets::new_token()?;
    let expires = now + LOGIN_TOKEN_LIFETIME;
    let id = repo::insert_api_token(
        conn,
        user.id,
        "sign-in",
        "login",
        &secrets::token_hash(&token),
        now,
        expires,
    )
    .await?;
    users::record_login(conn, user.id, now).await?;
    security::detach_failures_of_user(conn, user.id).await?;
    audit_login(conn, now, meta, user, true, method).await?;
    audit::record(
        conn,
        now,
        &Who::user(user),
        meta,
        action::TOKEN_ISSUED,
        ("api_token", &id.to_string()),
        json!({"kind": "login"}),
    )
    .await?;
    Ok((token, expires))
}

/// The actor behind a bearer token, if the token is live. The token, its user and the user's
/// customer are read in one statement: this runs before every API request.
pub async fn bearer_actor(app: &App, token: &str) -> AppResult<Option<Actor>> {
    let now = app.now();
    let Some(p) = repo::token_principal(&app.store, &secrets::token_hash(token), now).await? else {
        return Ok(None);
    };
    let customer = match (p.user.customer_id, p.customer_number, p.customer_name) {
        (Some(id), Some(number), Some(name)) => Some(CustomerFacts {
            id: CustomerId::new(id),
            number,
            name,
            suspended: p.customer_status.as_deref() == Some("suspended"),
            require_totp: p.customer_require_totp.unwrap_or(false),
        }),
        _ => None,
    };
    let due = p
        .token_last_used_at
        .is_none_or(|used| used <= now - TOUCH_EVERY);
    // An operator's request whose token was touched less than a minute ago needs nothing more
    // from the database: no connection is taken.
    let mut conn = if customer.is_some() || due {
        Some(app.store.acquire().await?)
    } else {
        None
    };
    let cost_centres = match conn.as_mut() {
        Some(c) => cost_centres_of(&mut c.conn(), &p.user, customer.as_ref()).await?,
        None => Vec::new(),
    };
    let auth = AuthMethod::Bearer {
        token_id: p.token_id,
    };
    let actor = actor_of(p.user, customer, cost_centres, auth)?;
    if let Some(c) = conn.as_mut()
        && actor.is_some()
        && due
    {
        // Shown on the account page; written at most once a minute per token. The check
        // above spares the other requests a write statement (on SQLite, the write lock);
        // the UPDATE's own condition keeps parallel requests to one write.
        repo::touch_api_token(&mut c.conn(), p.token_id, now, TOUCH_EVERY).await?;
    }
    Ok(actor)
}

/// The cost centres an active customer's user is limited to (an operator has none: no query).
async fn cost_centres_of(
    conn: &mut Conn<'_>,
    user: &users::UserRow,
    customer: Option<&CustomerFacts>,
) -> AppResult<Vec<String>> {
    if customer.is_none() || user.status != UserStatus::Active.as_str() {
        return Ok(Vec::new());
    }
    Ok(users::cost_centre_codes(conn, user.id).await?)
}

/// What an actor needs of its user's customer.
struct CustomerFacts {
    id: CustomerId,
    number: String,
    name: String,
    suspended: bool,
    require_totp: bool,
}

/// Builds the actor of an active user, reading its customer first; `None` when the user may
/// not act (invited, disabled, or its customer suspended).
async fn load_actor(
    conn: &mut Conn<'_>,
    user: users::UserRow,
    auth: AuthMethod,
) -> AppResult<Option<Actor>> {
    let customer = match user.customer_id {
        Some(id) => {
            let c = customers::by_id(conn, id)
                .await?
                .ok_or_else(|| AppError::internal(format!("user {}: bad customer", user.id)))?;
            // Read only when it matters: a user with a second factor owes none.
            let require_totp = user.totp_enabled_at.is_none()
                && security::customer_requires_totp(conn, id).await?;
            Some(CustomerFacts {
                id: CustomerId::new(c.id),
                suspended: c.status == "suspended",
                number: c.customer_number,
                name: c.name,
                require_totp,
            })
        }
        None => None,
    };
    let cost_centres = cost_centres_of(conn, &user, customer.as_ref()).await?;
    actor_of(user, customer, cost_centres, auth)
}

/// The actor of `user`, its customer and cost centres (read by the caller): rights worked
/// out, the second factor it still owes; `None` when it may not act.
fn actor_of(
    user: users::UserRow,
    customer: Option<CustomerFacts>,
    cost_centres: Vec<String>,
    auth: AuthMethod,
) -> AppResult<Option<Actor>> {
    if user.status != UserStatus::Active.as_str() {
        return Ok(None);
    }
    let corrupt = |what: &str| AppError::internal(format!("user {}: bad {what}", user.id));
    let role: Role = user.role.parse().map_err(|_| corrupt("role"))?;
    let granted = Modules::parse_list(&user.modules).map_err(|_| corrupt("modules"))?;
    let language: Language = user.language.parse().map_err(|_| corrupt("language"))?;
    if user.customer_id.is_some() != customer.is_some() {
        return Err(corrupt("customer"));
    }
    if customer.as_ref().is_some_and(|c| c.suspended) {
        return Ok(None);
    }
    let totp_enrolment_required =
        user.totp_enabled_at.is_none() && customer.as_ref().is_some_and(|c| c.require_totp);
    Ok(Some(Actor {
        user_id: UserId::new(user.id),
        username: user.username,
        full_name: user.full_name,
        email: user.email,
        language,
        role,
        granted,
        modules: Modules::effective(role, granted),
        customer: customer.map(|c| CustomerRef {
            id: CustomerId::new(c.id.get()),
            number: c.number,
            name: c.name,
            suspended: false,
        }),
        cost_centres,
        auth,
        totp_enrolment_required,
    }))
}

/// Whether a one-time link can still be used (to show the form or a clear "expired" page).
pub async fn link_is_usable(app: &App, token: &str) -> AppResult<bool> {
    let mut conn = app.store.acquire().await?;
    Ok(
        repo::usable_one_time_token(&mut conn.conn(), &secrets::token_hash(token), app.now())
            .await?
            .is_some(),
    )
}

/// The language of the user a one-time link belongs to, whether or not the link still
/// works (`None` for a token nobody was given): its page speaks the e-mail's language.
pub async fn link_language(app: &App, token: &str) -> AppResult<Option<Language>> {
    let mut conn = app.store.acquire().await?;
    let language =
        repo::one_time_token_language(&mut conn.conn(), &secrets::token_hash(token)).await?;
    Ok(language.and_then(|l| l.parse().ok()))
}

/// Sets a password through a one-time link: the link is consumed, an invited user becomes
/// active, and every session and token of the user ends.
pub async fn set_password_with_link(
    app: &App,
    meta: &RequestMeta,
    token: &str,
    password: &str,
) -> AppResult<()> {
    let password = Password::parse(password)
        .map_err(|e| AppError::invalid("password", e.code(), e.to_string()))?;
    let hash = passwords::hash(app.settings.password_cost, password.expose().to_owned()).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let link = repo::consume_one_time_token(&mut tx.conn(), &secrets::token_hash(token), now)
        .await?
        .ok_or(AppError::InvalidLink)?;
    let user = users::by_id(&mut tx.conn(), link.user_id)
        .await?
        .ok_or(AppError::InvalidLink)?;
    if user.status == UserStatus::Disabled.as_str() {
        return Err(AppError::InvalidLink);
    }
    users::set_password(&mut tx.conn(), user.id, &hash, now).await?;
    repo::void_one_time_tokens_of_user(&mut tx.conn(), user.id, now).await?;
    repo::delete_sessions_of_user(&mut tx.conn(), user.id, None).await?;
    repo::revoke_api_tokens_of_user(&mut tx.conn(), user.id, now).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::user(&user),
        meta,
        action::PASSWORD_SET,
        ("user", &user.id.to_string()),
        json!({ "via": link.purpose }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a one-time link for `user_id` on `conn` and returns its URL.
pub async fn new_link(
    app: &App,
    conn: &mut Conn<'_>,
    user_id: UserId,
    purpose: &str,
    lifetime: Duration,
) -> AppResult<String> {
    let token = secrets::new_token()?;
    let now = app.now();
    repo::insert_one_time_token(
        conn,
        &secrets::token_hash(&token),
        user_id.get(),
        purpose,
        now,
        now + lifetime,
    )
    .await?;
    // Relative to PUBLIC_URL, path included (a portal served under /portal/ keeps it).
    let base = app.settings.public_url.as_str().trim_end_matches('/');
    let mut url = url::Url::parse(&format!("{base}/password/set"))
        .map_err(|e| AppError::internal(format!("public url: {e}")))?;
    url.query_pairs_mut().append_pair("token", &token);
    Ok(url.to_string())
}

/// Bootstraps an operator account (`collectstamp operator create`): the account is
/// `invited` and the returned one-time link (valid 72 h) sets its password.
pub async fn create_operator(
    app: &App,
    meta: &RequestMeta,
    username: &str,
    email: &str,
    full_name: Option<&str>,
) -> AppResult<String> {
    let username = Username::parse(username)
        .map_err(|e| AppError::invalid("username", e.code(), e.to_string()))?;
    let email =
        Email::parse(email).map_err(|e| AppError::invalid("email", e.code(), e.to_string()))?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let key = username.normalized();
    if users::by_username_key(&mut tx.conn(), &key)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict {
            code: crate::ErrorCode::UsernameTaken,
            message: format!("the username {} is already taken", username.as_str()),
        });
    }
    let id = users::insert(
        &mut tx.conn(),
        &users::NewUser {
            customer_id: None,
            username: username.as_str(),
            username_key: &key,
            full_name: full_name.unwrap_or(username.as_str()),
            email: email.as_str(),
            language: Language::En.code(),
            role: Role::Operator.as_str(),
            modules: "",
            status: UserStatus::Invited.as_str(),
            password_hash: None,
            created_at: now,
        },
    )
    .await?;
    let link = new_link(
        app,
        &mut tx.conn(),
        UserId::new(id),
        "invitation",
        INVITATION_LIFETIME,
    )
    .await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::system("cli"),
        meta,
        action::OPERATOR_CREATED,
        ("user", &id.to_string()),
        json!({ "username": username.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(link)
}

/// Deletes sessions past their idle or absolute limit; run by the hourly housekeeping job,
/// with `signin::purge_stale_attempts`.
pub async fn purge_expired_sessions(app: &App) -> AppResult<u64> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    Ok(repo::delete_expired_sessions(&mut conn.conn(), now - SESSION_IDLE, now).await?)
}

/// Remembers the language a signed-in user picked.
pub async fn set_language(app: &App, actor: &Actor, language: Language) -> AppResult<()> {
    let mut conn = app.store.acquire().await?;
    users::set_language(&mut conn.conn(), actor.user_id.get(), language.code()).await?;
    Ok(())
}

/// Why a one-time link is sent; decides its lifetime and its e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new account: valid 72 hours.
    Invitation,
    /// A password reset (self-service, by an administrator or by the Service Centre): 1 hour.
    Reset,
}

impl LinkPurpose {
    fn stored(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::Invitation => INVITATION_LIFETIME,
            LinkPurpose::Reset => RESET_LIFETIME,
        }
    }
}

/// Sends `user` a one-time link by e-mail, in the user's language, inside the caller's
/// transaction (`conn`): a new link voids the older ones. With `end_sessions` (a reset
/// triggered by an administrator or the Service Centre) the user's sessions and tokens end
/// at once; a self-service request does not, or anyone could sign anyone out.
/// The caller records the audit event (it knows who asked) and calls `app.wake_jobs()` after commit.
pub async fn send_link(
    app: &App,
    conn: &mut Conn<'_>,
    user: &users::UserRow,
    purpose: LinkPurpose,
    end_sessions: bool,
) -> AppResult<()> {
    let now = app.now();
    repo::void_one_time_tokens_of_user(conn, user.id, now).await?;
    let link = new_link(
        app,
        conn,
        UserId::new(user.id),
        purpose.stored(),
        purpose.lifetime(),
    )
    .await?;
    if end_sessions {
        repo::delete_sessions_of_user(conn, user.id, None).await?;
        repo::revoke_api_tokens_of_user(conn, user.id, now).await?;
    }
    let language: Language = user.language.parse().unwrap_or_default();
    let key = match purpose {
        LinkPurpose::Invitation => "mail-invitation",
        LinkPurpose::Reset => "mail-reset",
    };
    let email = crate::mail::Email::compose(
        &user.email,
        &user.full_name,
        language,
        key,
        &[("username", &user.username)],
        Some(&link),
        &app.settings.service_centre,
    );
    crate::mail::enqueue(app, conn, now, &email).await?;
    Ok(())
}
