//! The contract harness: a fresh, migrated database per test on SQLite (a file in a temporary
//! directory) or PostgreSQL (a new database, dropped afterwards), plus small fixture builders.

use cs_store::scratch::ScratchPg;
use cs_store::{
    Store,
    repo::{
        catalogue::{self, NewProduct},
        customers::{self, NewCustomer},
        users::{self, NewUser},
    },
};
use std::future::Future;
use time::{OffsetDateTime, macros::datetime};

/// The instant every contract starts from (no wall clock in tests).
pub const T0: OffsetDateTime = datetime!(2026-11-26 10:00:00 UTC);

/// True when both names are equal: lets the `contract!` macro check its test names at compile time.
pub const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Runs `contract` on a fresh, migrated SQLite file that lives as long as the test.
pub async fn on_sqlite<F, Fut>(contract: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("store.db").display()
    );
    run(&url, contract).await;
    drop(dir);
}

/// Connects to `url`, migrates, runs the contract and closes the pool.
async fn run<F, Fut>(url: &str, contract: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let store = Store::connect(url)
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrate the test database");
    contract(store.clone()).await;
    store.close().await;
}

/// Runs `contract` on a fresh, migrated PostgreSQL database created for this test alone and
/// dropped afterwards (also when the contract fails: the guard drops it while unwinding).
/// Outside CI an unreachable server skips the test loudly; in CI (`CI=true`) the PostgreSQL
/// suite is mandatory and the test fails.
pub async fn on_postgres<F, Fut>(test: &str, contract: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = ScratchPg::for_test(test, "cs_store").await else {
        return;
    };
    run(db.url(), contract).await;
    db.drop_now().await;
}

pub fn new_customer(number: &str, created_at: OffsetDateTime) -> NewCustomer<'_> {
    NewCustomer {
        customer_number: number,
        name: "Alpha Printing SA",
        vat_number: "BE0428759497",
        language: "fr",
        street: "Rue de la Loi 16",
        postcode: "1000",
        city: "Bruxelles",
        country: "BE",
        collection_days: "mon,thu",
        created_at,
    }
}

pub async fn add_customer(store: &Store, number: &str) -> i64 {
    let mut c = store.acquire().await.expect("connection");
    customers::insert(&mut c.conn(), &new_customer(number, T0))
        .await
        .expect("insert customer")
}

/// A user whose username is already lower-case (so it is its own key).
pub fn new_user<'a>(
    customer_id: Option<i64>,
    username: &'a str,
    role: &'a str,
    status: &'a str,
) -> NewUser<'a> {
    NewUser {
        customer_id,
        username,
        username_key: username,
        full_name: "Jan Peeters",
        email: "jan.peeters@example.com",
        language: "nl",
        role,
        modules: "transactions,invoices",
        status,
        password_hash: (status != "invited").then_some("$argon2id$v=19$fixture"),
        created_at: T0,
    }
}

pub async fn add_user(store: &Store, customer_id: Option<i64>, username: &str) -> i64 {
    let role = if customer_id.is_some() {
        "user"
    } else {
        "operator"
    };
    let mut c = store.acquire().await.expect("connection");
    users::insert(
        &mut c.conn(),
        &new_user(customer_id, username, role, "active"),
    )
    .await
    .expect("insert user")
}

pub fn new_product(code: &str) -> NewProduct<'_> {
    NewProduct {
        code,
        kind: "postage",
        vat_rate: 21,
        names: [
            "Lettre prior",
            "Prior brief",
            "Prior-Brief",
            "Priority letter",
        ],
    }
}

pub async fn add_product(store: &Store, code: &str) -> i64 {
    let mut c = store.acquire().await.expect("connection");
    catalogue::insert(&mut c.conn(), &new_product(code))
        .await
        .expect("insert product")
}
