//! What the accounts and imports features show in the demo: users in every status, a
//! personal API token, access requests to decide, and a history of feed imports.

use super::mail::day_code;
use crate::{AppError, error::AppResult, passwords};
use cs_domain::UserStatus;
use cs_store::{
    Conn,
    repo::{access_requests as requests, auth as tokens, import_runs, users},
};
use import_runs::NewImportRun;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// What the accounts features show in the demo: users in every status, a second admin,
/// access requests waiting (one a likely duplicate, one for an existing customer) and one
/// rejected, a personal API token, recent sign-in times.
pub(super) async fn accounts(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    cost: passwords::Cost,
    operator_id: i64,
    customer_ids: &[i64],
) -> AppResult<()> {
    let (vandamme, leuven) = match customer_ids {
        [v, l, ..] => (*v, *l),
        _ => return Err(AppError::internal("demo customers missing")),
    };
    extra_users(conn, now, cost, vandamme, leuven).await?;
    personal_token(conn, now).await?;
    access_requests(conn, now, operator_id).await
}

/// An invited, a disabled and a second active admin, besides the printed logins.
async fn extra_users(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    cost: passwords::Cost,
    vandamme: i64,
    leuven: i64,
) -> AppResult<()> {
    let extra = [
        (
            vandamme,
            "vandamme.new",
            "Julie Lambert",
            "user",
            "transactions,receipts",
            UserStatus::Invited,
            "fr",
        ),
        (
            vandamme,
            "vandamme.former",
            "Marc Renard",
            "user",
            "transactions",
            UserStatus::Disabled,
            "fr",
        ),
        (
            leuven,
            "leuven.admin2",
            "Pieter Claes",
            "admin",
            "",
            UserStatus::Active,
            "nl",
        ),
    ];
    // Not printed as logins: a random password nobody knows (the invited one has none).
    let unknown = passwords::hash(cost, crate::secrets::new_token()?).await?;
    for (customer, username, name, role, modules, status, language) in extra {
        let email = format!(
            "{}@{}.example",
            username.replace('.', "-"),
            username.split('.').next().unwrap_or("demo")
        );
        let id = users::insert(
            conn,
            &users::NewUser {
                customer_id: Some(customer),
                username,
                username_key: username,
                full_name: name,
                email: &email,
                language,
                role,
                modules,
                status: status.as_str(),
                password_hash: (status != UserStatus::Invited).then_some(unknown.as_str()),
                created_at: now - Duration::days(40),
            },
        )
        .await?;
        if status == UserStatus::Active {
            users::record_login(conn, id, now - Duration::days(2)).await?;
        }
    }
    Ok(())
}

/// A named API token of the Van Damme administrator (its secret was never shown to anyone).
async fn personal_token(conn: &mut Conn<'_>, now: OffsetDateTime) -> AppResult<()> {
    if let Some(admin) = users::by_username_key(conn, "vandamme.admin").await? {
        let hash = crate::secrets::token_hash(&crate::secrets::new_token()?);
        tokens::insert_api_token(
            conn,
            admin.id,
            "Export comptable",
            "personal",
            &hash,
            now - Duration::days(10),
            now + Duration::days(80),
        )
        .await?;
        users::record_login(conn, admin.id, now - Duration::days(1)).await?;
    }
    Ok(())
}

/// The requests waiting: company, VAT, customer number, street, postcode, city, contact,
/// e-mail, phone, language, username, message.
type Waiting = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const WAITING: [Waiting; 3] = [
    (
        "Brasserie De Koninck NV",
        "BE0403170701",
        None,
        "Mechelsesteenweg 291",
        "2018",
        "Antwerpen",
        "Els De Koninck",
        "els@dekoninck.example",
        "+32 3 218 40 48",
        "nl",
        "dekoninck.admin",
        "Wij willen onze aangetekende zendingen online opvolgen.",
    ),
    (
        "De Koninck Brouwerij",
        "BE0403170701",
        None,
        "Mechelsesteenweg 291",
        "2018",
        "Antwerpen",
        "Tom Peeters",
        "tom@dekoninck.example",
        "03 218 40 49",
        "nl",
        "dekoninck.tom",
        "",
    ),
    (
        "Imprimerie Van Damme & Fils SA",
        "BE0428759497",
        Some("8800123"),
        "Chaussée de Mons 214",
        "1070",
        "Anderlecht",
        "Claire Van Damme",
        "claire@vandamme.example",
        "+32 2 520 11 22",
        "fr",
        "vandamme.compta",
        "Accès pour la comptabilité, s’il vous plaît.",
    ),
];

/// Three requests waiting (two from one company) and one rejected.
async fn access_requests(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    operator_id: i64,
) -> AppResult<()> {
    for (i, r) in WAITING.iter().enumerate() {
        requests::insert(
            conn,
            &requests::NewAccessRequest {
                company_name: r.0,
                vat_number: r.1,
                customer_number: r.2,
                street: r.3,
                postcode: r.4,
                city: r.5,
                country: "BE",
                contact_name: r.6,
                email: r.7,
                phone: r.8,
                language: r.9,
                username: r.10,
                webpass: None,
                message: r.11,
                created_at: now - Duration::hours(30 - 6 * i64::try_from(i).unwrap_or(0)),
            },
        )
        .await?;
    }
    let rejected = requests::insert(
        conn,
        &requests::NewAccessRequest {
            company_name: "Test Company BVBA",
            vat_number: "BE0835221171",
            customer_number: None,
            street: "Kerkstraat 1",
            postcode: "9000",
            city: "Gent",
            country: "BE",
            contact_name: "Test Test",
            email: "test@testcompany.example",
            phone: "+32 9 000 00 00",
            language: "en",
            username: "testcompany",
            webpass: None,
            message: "test",
            created_at: now - Duration::days(6),
        },
    )
    .await?;
    requests::mark_rejected(
        conn,
        rejected,
        operator_id,
        now - Duration::days(5),
        "The VAT number belongs to another company already served by the portal.",
    )
    .await?;
    Ok(())
}

/// The feeds as the Service Centre would have run them, for the home page's "latest imports":
/// the reference data once, a year ago; this morning's transactions file after a first
/// refused attempt; registered items yesterday, and this morning's file refused.
pub(super) async fn import_history(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    operator_id: i64,
) -> AppResult<()> {
    let year_ago = now - Duration::days(366);
    let refused = r#"[{"line":17,"column":"unit_price","message":"price uses a comma: write the decimals after a dot, e.g. 0.985"},{"line":23,"column":"destination","message":"unknown destination \"BEL\": expected BE, EU or WORLD"}]"#;
    let refused_items = r#"[{"line":4,"column":"barcode","message":"check digit is wrong"},{"line":9,"column":"product_code","message":"product PRIOR-BE is not of kind registered"}]"#;
    let runs = [
        ("customers", year_ago, "imported", 3, "[]"),
        ("cost-centres", year_ago, "imported", 7, "[]"),
        ("collection-points", year_ago, "imported", 4, "[]"),
        ("products", year_ago, "imported", 9, "[]"),
        (
            "transactions",
            now - Duration::hours(5),
            "rejected",
            40,
            refused,
        ),
        (
            "transactions",
            now - Duration::hours(4),
            "imported",
            40,
            "[]",
        ),
        (
            "registered-items",
            now - Duration::hours(27),
            "imported",
            9,
            "[]",
        ),
        (
            "registered-items",
            now - Duration::hours(3),
            "rejected",
            11,
            refused_items,
        ),
    ];
    for (kind, finished_at, outcome, rows, errors) in runs {
        let file_name = format!("{kind}-{}.csv", day_code(finished_at.date()));
        let imported = outcome == "imported";
        import_runs::insert(
            conn,
            &NewImportRun {
                kind,
                file_name: &file_name,
                sha256: &hex::encode(Sha256::digest(file_name.as_bytes())),
                actor: "operator",
                actor_user_id: Some(operator_id),
                started_at: finished_at - Duration::seconds(2),
                finished_at,
                outcome,
                rows_read: rows,
                inserted: if imported { rows } else { 0 },
                already_present: 0,
                updated: 0,
                error_count: if imported { 0 } else { 2 },
                lock_millis: imported.then_some(35),
                errors,
            },
        )
        .await?;
    }
    Ok(())
}
