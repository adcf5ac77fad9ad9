//! An operator's decision on a pending access request: approval (the customer linked or
//! created, its first admin invited) or rejection (the reason e-mailed), each in one transaction.

use super::{AccessRequest, Approval, Status, action, detail_on, form, from_row, repo};
use crate::{
    Actor, App, AppError, RequestMeta,
    audit::{self, Who},
    auth::{self, LinkPurpose},
    error::AppResult,
    mail,
};
use cs_domain::{CustomerId, CustomerNumber, Role, UserId, UserStatus, Username};
use cs_store::{
    StoreError,
    repo::{customers, users},
};
use serde_json::json;

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

/// The request `id`, still pending (on the decision's transaction).
async fn pending(conn: &mut cs_store::Conn<'_>, id: i64) -> AppResult<AccessRequest> {
    let row = repo::by_id(conn, id).await?.ok_or(AppError::NotFound)?;
    let request = from_row(row)?;
    if request.status != Status::Pending {
        return Err(already_decided(id, request.status));
    }
    Ok(request)
}

/// The customer number an approval links: the operator's, else the request's; when neither
/// names one, the portal assigns a provisional number from its own range (see
/// docs/DECISIONS.md), so an approval never stalls.
async fn customer_number_for(
    conn: &mut cs_store::Conn<'_>,
    request: &AccessRequest,
    given: Option<&str>,
) -> AppResult<CustomerNumber> {
    let given = given
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(request.customer_number.as_deref());
    match given {
        None => CustomerNumber::parse(&customers::next_provisional_number(conn).await?)
            .map_err(|e| AppError::internal(format!("provisional customer number: {e}"))),
        Some(n) => CustomerNumber::parse(n)
            .map_err(|e| AppError::invalid("customer_number", e.code(), e.to_string())),
    }
}

fn username_taken_since(username: &Username) -> AppError {
    AppError::Conflict {
        code: crate::ErrorCode::UsernameTaken,
        message: format!(
            "the username {} was taken since the request was made: reject it and ask for another",
            username.as_str()
        ),
    }
}

/// The customer `number` names, or a new one made from the request; its id, and whether it
/// was created.
async fn link_or_create_customer(
    conn: &mut cs_store::Conn<'_>,
    request: &AccessRequest,
    number: &CustomerNumber,
    now: time::OffsetDateTime,
) -> AppResult<(CustomerId, bool)> {
    if let Some(c) = customers::by_number(conn, number.as_str()).await? {
        return Ok((CustomerId::new(c.id), false));
    }
    let new = customers::NewCustomer {
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
    };
    let id = customers::insert(conn, &new).await.map_err(|e| {
        conflict_on(
            e,
            crate::ErrorCode::CustomerNumberTaken,
            format!("customer {number} was created meanwhile: try again"),
        )
    })?;
    Ok((CustomerId::new(id), true))
}

/// The customer's first administrator, `invited`, with the requested username; its one-time
/// link (72 h) goes out by e-mail with the transaction.
async fn invite_admin(
    app: &App,
    conn: &mut cs_store::Conn<'_>,
    request: &AccessRequest,
    username: &Username,
    customer_id: CustomerId,
    now: time::OffsetDateTime,
) -> AppResult<UserId> {
    let new = users::NewUser {
        customer_id: Some(customer_id.get()),
        username: username.as_str(),
        username_key: &username.normalized(),
        full_name: &request.contact_name,
        email: &request.email,
        language: request.language.code(),
        role: Role::Admin.as_str(),
        modules: "",
        status: UserStatus::Invited.as_str(),
        password_hash: None,
        created_at: now,
    };
    let user_id = users::insert(conn, &new).await.map_err(|e| {
        if e.is_conflict() {
            username_taken_since(username)
        } else {
            e.into()
        }
    })?;
    let user = users::by_id(conn, user_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("user {user_id} vanished")))?;
    auth::send_link(app, conn, &user, LinkPurpose::Invitation, false).await?;
    Ok(UserId::new(user_id))
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
    let request = pending(&mut tx.conn(), id).await?;
    let number = customer_number_for(&mut tx.conn(), &request, customer_number).await?;
    let username = Username::parse(&request.username)
        .map_err(|_| AppError::internal(format!("access request {id}: bad username")))?;
    if users::by_username_key(&mut tx.conn(), &username.normalized())
        .await?
        .is_some()
    {
        return Err(username_taken_since(&username));
    }
    if !repo::mark_approved(&mut tx.conn(), id, actor.user_id.get(), now).await? {
        return Err(already_decided(id, Status::Approved));
    }
    let (customer_id, customer_created) =
        link_or_create_customer(&mut tx.conn(), &request, &number, now).await?;
    let user_id = invite_admin(app, &mut tx.conn(), &request, &username, customer_id, now).await?;
    repo::set_outcome(&mut tx.conn(), id, customer_id.get(), user_id.get()).await?;
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
    let reason = form::reason(reason)?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let request = pending(&mut tx.conn(), id).await?;
    if !repo::mark_rejected(&mut tx.conn(), id, actor.user_id.get(), now, &reason).await? {
        return Err(already_decided(id, Status::Rejected));
    }
    let email = mail::Email::compose(
        &request.email,
        &request.contact_name,
        request.language,
        "mail-access-request-rejected",
        &[("company", &request.company_name), ("reason", &reason)],
        None,
        &app.settings.service_centre,
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
    use cs_domain::Language;

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
                &cs_domain::ServiceCentre::demo(),
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
                &cs_domain::ServiceCentre::demo(),
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
