//! The demo portal: a realistic, deterministic data set (customers, sites, a year of
//! franking and registered mail, an operator and users) loaded into an empty database.
//!
//! The data set is `data`, the year of mail `mail`, the accounts and imports features'
//! examples `accounts`; everything is written in one transaction.

mod accounts;
mod data;
mod mail;

use crate::{App, AppError, RequestMeta, audit, error::AppResult, passwords};
use cs_domain::{CustomerId, CustomerNumber, Language, Role, UserStatus, VatNumber};
use cs_store::{
    Conn,
    repo::{catalogue, customers, meta, users},
};
use data::{CUSTOMERS, DemoCustomer, PRODUCTS};
use mail::{Mail, Site};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// A login printed by `serve --demo` and `collectstamp demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub customer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        logins: Vec<DemoLogin>,
        transactions: u64,
        registered_items: u64,
    },
    /// The database already had data: nothing was touched.
    NotEmpty,
}

fn password_of(username: &str) -> String {
    format!("{username}-demo-2026")
}

/// Loads the demo into an empty database; on a non-empty one changes nothing.
pub async fn load(app: &App) -> AppResult<DemoOutcome> {
    let mut tx = app.store.begin().await?;
    if !meta::is_empty(&mut tx.conn()).await? {
        return Ok(DemoOutcome::NotEmpty);
    }
    let now = app.now();
    let today = now.date();
    let cost = app.settings.password_cost;
    let mut logins = Vec::new();
    let mut mail = Mail::new(0x00C0_11EC_7574_A3B0);
    let mut product_ids = Vec::new();
    for p in PRODUCTS {
        let new = catalogue::NewProduct {
            code: p.code,
            kind: p.kind,
            vat_rate: p.vat,
            names: p.names,
        };
        product_ids.push(catalogue::insert(&mut tx.conn(), &new).await?);
    }
    let operator_id = operator(&mut tx.conn(), now, cost, &mut logins).await?;
    let year = (today - Duration::days(365), today);
    let mut customer_ids = Vec::new();
    for dc in CUSTOMERS {
        let (customer_id, cost_centres, points) =
            customer(&mut tx.conn(), dc, now, cost, &mut logins).await?;
        customer_ids.push(customer_id);
        let site = Site {
            customer_id: CustomerId::new(customer_id),
            cost_centres: &cost_centres,
            points: &points,
            products: &product_ids,
        };
        mail.year(&mut tx.conn(), dc, &site, year).await?;
    }
    accounts::accounts(&mut tx.conn(), now, cost, operator_id, &customer_ids).await?;
    accounts::import_history(&mut tx.conn(), now, operator_id).await?;
    let (transactions, registered) = (mail.transactions, mail.registered);
    audit::record(
        &mut tx.conn(),
        now,
        &audit::Who::system("demo"),
        &RequestMeta::cli(),
        audit::action::DEMO_LOADED,
        ("database", ""),
        json!({ "transactions": transactions, "registered_items": registered }),
    )
    .await?;
    tx.commit().await?;
    Ok(DemoOutcome::Loaded {
        logins,
        transactions,
        registered_items: registered,
    })
}

/// The Service Centre's operator, whose login is printed; its id.
async fn operator(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    cost: passwords::Cost,
    logins: &mut Vec<DemoLogin>,
) -> AppResult<i64> {
    let operator = "operator";
    let password = password_of(operator);
    let hash = passwords::hash(cost, password.clone()).await?;
    let new = users::NewUser {
        customer_id: None,
        username: operator,
        username_key: operator,
        full_name: "Nadia Lemaire",
        email: "service.centre@collectstamp.example",
        language: Language::En.code(),
        role: Role::Operator.as_str(),
        modules: "",
        status: UserStatus::Active.as_str(),
        password_hash: Some(&hash),
        created_at: now,
    };
    let id = users::insert(conn, &new).await?;
    logins.push(DemoLogin {
        username: operator.into(),
        password,
        role: Role::Operator,
        customer: None,
    });
    Ok(id)
}

/// A demo customer with its cost centres, collection points, administrator and user (whose
/// logins are printed); its id and the ids of its cost centres and collection points.
async fn customer(
    conn: &mut Conn<'_>,
    dc: &DemoCustomer,
    now: OffsetDateTime,
    cost: passwords::Cost,
    logins: &mut Vec<DemoLogin>,
) -> AppResult<(i64, Vec<i64>, Vec<i64>)> {
    let number = CustomerNumber::parse(dc.number).map_err(|e| AppError::internal(e.to_string()))?;
    let vat = VatNumber::parse(dc.vat).map_err(|e| AppError::internal(e.to_string()))?;
    let new = customers::NewCustomer {
        customer_number: number.as_str(),
        name: dc.name,
        vat_number: vat.as_str(),
        language: dc.language.code(),
        street: dc.address.0,
        postcode: dc.address.1,
        city: dc.address.2,
        country: "BE",
        collection_days: dc.collection_days,
        created_at: now,
    };
    let customer_id = customers::insert(conn, &new).await?;
    let mut cc_ids = Vec::new();
    for (code, name) in dc.cost_centres {
        cc_ids.push(customers::insert_cost_centre(conn, customer_id, code, name).await?);
    }
    let mut cp_ids = Vec::new();
    for (code, name, street, postcode, city) in dc.points {
        let address = (*street, *postcode, *city);
        cp_ids.push(
            customers::insert_collection_point(conn, customer_id, code, name, address).await?,
        );
    }
    let domain = dc.admin.0.split('.').next().unwrap_or("demo");
    for ((username, full_name), role, modules) in [
        (dc.admin, Role::Admin, ""),
        (
            dc.user,
            Role::User,
            "transactions,invoices,receipts,reports",
        ),
    ] {
        let password = password_of(username);
        let hash = passwords::hash(cost, password.clone()).await?;
        let email = format!("{}@{domain}.example", username.replace('.', "-"));
        let new = users::NewUser {
            customer_id: Some(customer_id),
            username,
            username_key: username,
            full_name,
            email: &email,
            language: dc.language.code(),
            role: role.as_str(),
            modules,
            status: UserStatus::Active.as_str(),
            password_hash: Some(&hash),
            created_at: now,
        };
        let uid = users::insert(conn, &new).await?;
        if role == Role::User
            && let Some(first) = cc_ids.first()
        {
            users::limit_to_cost_centre(conn, uid, *first).await?;
        }
        logins.push(DemoLogin {
            username: username.into(),
            password,
            role,
            customer: Some(dc.number.into()),
        });
    }
    Ok((customer_id, cc_ids, cp_ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cs_domain::UnitPriceMillis;

    #[test]
    fn demo_passwords_meet_the_policy() {
        for c in CUSTOMERS {
            for u in [c.admin.0, c.user.0] {
                assert!(cs_domain::Password::parse(&password_of(u)).is_ok());
            }
        }
        assert!(cs_domain::Password::parse(&password_of("operator")).is_ok());
    }

    #[test]
    fn demo_reference_data_parses() {
        for c in CUSTOMERS {
            assert!(CustomerNumber::parse(c.number).is_ok());
            assert!(VatNumber::parse(c.vat).is_ok());
        }
        for p in PRODUCTS {
            assert!(UnitPriceMillis::parse_decimal(p.price).is_ok());
        }
    }
}
