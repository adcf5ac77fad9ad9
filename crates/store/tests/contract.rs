//! The store's contract: what every backend must do, run against a fresh, migrated SQLite file
//! and a fresh PostgreSQL database. A query that behaves differently on one backend fails here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]
#![allow(
    clippy::too_many_lines,
    clippy::cognitive_complexity,
    clippy::cast_possible_truncation,
    reason = "a test reads top to bottom as one scenario, on small data"
)]

mod common;

use common::{T0, add_customer, add_product, add_user, new_customer, new_product, new_user};
use cs_store::{
    Backend, Store, StoreError,
    repo::{
        audit::{self, NewAuditEvent},
        auth::{self, NewSession},
        catalogue::{self, ProductRow},
        customers::{self, CustomerRow},
        dashboard::{self, MONTHS, Scope, Totals},
        import_runs::{self, NewImportRun},
        jobs, meta,
        operations::{self, NewRegisteredItem, NewTransaction},
        registered_items::{self as items, CostCentreScope, ItemFilter},
        security,
        users::{self, NewUser, UserFilter},
    },
};
use futures::TryStreamExt;
use std::{
    collections::HashSet,
    hash::{DefaultHasher, Hash, Hasher},
    sync::{Arc, Mutex},
};
use time::{
    Duration, OffsetDateTime, UtcOffset,
    macros::{date, datetime},
};

/// Generates `sqlite_<name>` and `postgres_<name>` tests running the contract `<name>` on a
/// fresh, migrated database of each backend. The names are spelled out (no `paste`), and
/// checked at compile time against the contract's name.
macro_rules! contract {
    ($($name:ident => $sqlite:ident, $postgres:ident;)+) => {$(
        const _: () = assert!(
            common::same_name(stringify!($sqlite), concat!("sqlite_", stringify!($name)))
                && common::same_name(stringify!($postgres), concat!("postgres_", stringify!($name))),
            "contract! test names must be sqlite_<name> and postgres_<name>"
        );

        #[tokio::test]
        async fn $sqlite() {
            common::on_sqlite($name).await;
        }

        #[tokio::test]
        async fn $postgres() {
            common::on_postgres(stringify!($postgres), $name).await;
        }
    )+};
}

contract! {
    migrations_apply_and_are_idempotent => sqlite_migrations_apply_and_are_idempotent, postgres_migrations_apply_and_are_idempotent;
    meta_is_empty_until_something_is_stored => sqlite_meta_is_empty_until_something_is_stored, postgres_meta_is_empty_until_something_is_stored;
    customers_round_trip => sqlite_customers_round_trip, postgres_customers_round_trip;
    customer_number_is_unique => sqlite_customer_number_is_unique, postgres_customer_number_is_unique;
    cost_centres_belong_to_a_customer => sqlite_cost_centres_belong_to_a_customer, postgres_cost_centres_belong_to_a_customer;
    collection_points_belong_to_a_customer => sqlite_collection_points_belong_to_a_customer, postgres_collection_points_belong_to_a_customer;
    products_round_trip => sqlite_products_round_trip, postgres_products_round_trip;
    users_round_trip_with_unique_username_key => sqlite_users_round_trip_with_unique_username_key, postgres_users_round_trip_with_unique_username_key;
    operators_have_no_customer => sqlite_operators_have_no_customer, postgres_operators_have_no_customer;
    set_password_activates_an_invited_user => sqlite_set_password_activates_an_invited_user, postgres_set_password_activates_an_invited_user;
    cost_centre_codes_follow_limits => sqlite_cost_centre_codes_follow_limits, postgres_cost_centre_codes_follow_limits;
    sessions_lifecycle => sqlite_sessions_lifecycle, postgres_sessions_lifecycle;
    sessions_of_a_user_end_but_the_kept_one => sqlite_sessions_of_a_user_end_but_the_kept_one, postgres_sessions_of_a_user_end_but_the_kept_one;
    expired_sessions_are_purged => sqlite_expired_sessions_are_purged, postgres_expired_sessions_are_purged;
    api_tokens_expire_and_are_revoked => sqlite_api_tokens_expire_and_are_revoked, postgres_api_tokens_expire_and_are_revoked;
    a_token_principal_carries_its_user_and_customer => sqlite_a_token_principal_carries_its_user_and_customer, postgres_a_token_principal_carries_its_user_and_customer;
    one_time_tokens_are_single_use => sqlite_one_time_tokens_are_single_use, postgres_one_time_tokens_are_single_use;
    one_time_tokens_expire => sqlite_one_time_tokens_expire, postgres_one_time_tokens_expire;
    one_time_tokens_are_voided_per_user => sqlite_one_time_tokens_are_voided_per_user, postgres_one_time_tokens_are_voided_per_user;
    concurrent_consumes_have_one_winner => sqlite_concurrent_consumes_have_one_winner, postgres_concurrent_consumes_have_one_winner;
    audit_appends_chain => sqlite_audit_appends_chain, postgres_audit_appends_chain;
    audit_rolled_back_append_leaves_the_chain_intact => sqlite_audit_rolled_back_append_leaves_the_chain_intact, postgres_audit_rolled_back_append_leaves_the_chain_intact;
    audit_concurrent_appends_never_fork => sqlite_audit_concurrent_appends_never_fork, postgres_audit_concurrent_appends_never_fork;
    operations_totals_are_exact => sqlite_operations_totals_are_exact, postgres_operations_totals_are_exact;
    operations_reject_duplicates => sqlite_operations_reject_duplicates, postgres_operations_reject_duplicates;
    transactions_commit_or_leave_nothing => sqlite_transactions_commit_or_leave_nothing, postgres_transactions_commit_or_leave_nothing;
    whole_second_instants_round_trip => sqlite_whole_second_instants_round_trip, postgres_whole_second_instants_round_trip;
    instants_compare_alike_whatever_offset_or_precision => sqlite_instants_compare_alike_whatever_offset_or_precision, postgres_instants_compare_alike_whatever_offset_or_precision;
    users_are_listed_per_customer_with_search_status_and_paging => sqlite_users_are_listed_per_customer_with_search_status_and_paging, postgres_users_are_listed_per_customer_with_search_status_and_paging;
    admin_count_status_and_limits_updates => sqlite_admin_count_status_and_limits_updates, postgres_admin_count_status_and_limits_updates;
    jobs_are_claimed_once_retried_and_given_up => sqlite_jobs_are_claimed_once_retried_and_given_up, postgres_jobs_are_claimed_once_retried_and_given_up;
    registered_items_are_filtered_within_their_customer => sqlite_registered_items_are_filtered_within_their_customer, postgres_registered_items_are_filtered_within_their_customer;
    registered_items_page_and_export_without_gaps => sqlite_registered_items_page_and_export_without_gaps, postgres_registered_items_page_and_export_without_gaps;
    dashboard_months_sum_per_month_tenant_and_cost_centre => sqlite_dashboard_months_sum_per_month_tenant_and_cost_centre, postgres_dashboard_months_sum_per_month_tenant_and_cost_centre;
    dashboard_compares_this_month_with_last_by_product_and_destination => sqlite_dashboard_compares_this_month_with_last_by_product_and_destination, postgres_dashboard_compares_this_month_with_last_by_product_and_destination;
    import_runs_latest_per_kind => sqlite_import_runs_latest_per_kind, postgres_import_runs_latest_per_kind;
}

#[test]
fn both_backends_carry_the_same_migrations() {
    let sqlite = Store::migration_versions(Backend::Sqlite);
    let postgres = Store::migration_versions(Backend::Postgres);
    assert!(!sqlite.is_empty(), "no migrations embedded");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must have the same versions and descriptions"
    );
}

// ---------------------------------------------------------------------------------------------
// Schema

const TABLES: [&str; 14] = [
    "customers",
    "cost_centres",
    "collection_points",
    "products",
    "users",
    "user_cost_centres",
    "sessions",
    "api_tokens",
    "one_time_tokens",
    "transactions",
    "registered_items",
    "access_requests",
    "audit_events",
    "jobs",
];

async fn migrations_apply_and_are_idempotent(store: Store) {
    // The harness migrated once already; a second and third run must be no-ops.
    store.migrate().await.expect("second migrate");
    store.migrate().await.expect("third migrate");

    let mut c = store.acquire().await.unwrap();
    let applied: Vec<(i64, String, bool)> = cs_store::on_conn!(&mut c.conn(), |x| {
        sqlx::query_as(
            "SELECT version, description, success FROM _sqlx_migrations ORDER BY version",
        )
        .fetch_all(x)
        .await
    })
    .unwrap();
    let expected: Vec<(i64, String, bool)> = Store::migration_versions(store.backend())
        .into_iter()
        .map(|(v, d)| (v, d, true))
        .collect();
    assert_eq!(applied, expected, "each migration applied exactly once");

    for table in TABLES {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let n: i64 = cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar(sql)
            .fetch_one(x)
            .await)
        .unwrap_or_else(|e| panic!("table {table}: {e}"));
        assert_eq!(n, 0, "table {table} starts empty");
    }

    // The seeded head of the audit chain is there once, not once per migrate.
    let head: Vec<(i64, String)> = cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_as(
        "SELECT seq, hash FROM audit_head"
    )
    .fetch_all(x)
    .await)
    .unwrap();
    assert_eq!(head, vec![(0, "0".repeat(64))]);
    store.ping().await.expect("ping");
}

async fn meta_is_empty_until_something_is_stored(store: Store) {
    let mut c = store.acquire().await.unwrap();
    assert!(meta::is_empty(&mut c.conn()).await.unwrap());

    // A rolled-back write does not count.
    let mut tx = store.begin().await.unwrap();
    catalogue::insert(&mut tx.conn(), &new_product("P01"))
        .await
        .unwrap();
    drop(tx);
    assert!(meta::is_empty(&mut c.conn()).await.unwrap());

    catalogue::insert(&mut c.conn(), &new_product("P01"))
        .await
        .unwrap();
    assert!(!meta::is_empty(&mut c.conn()).await.unwrap());
}

// ---------------------------------------------------------------------------------------------
// Customers, cost centres, collection points, products

async fn customers_round_trip(store: Store) {
    let created_at = datetime!(2026-03-29 01:30:00 UTC);
    let mut c = store.acquire().await.unwrap();
    let id = customers::insert(&mut c.conn(), &new_customer("8800001", created_at))
        .await
        .unwrap();

    let expected = CustomerRow {
        id,
        customer_number: "8800001".into(),
        name: "Alpha Printing SA".into(),
        vat_number: "BE0428759497".into(),
        language: "fr".into(),
        street: "Rue de la Loi 16".into(),
        postcode: "1000".into(),
        city: "Bruxelles".into(),
        country: "BE".into(),
        status: "active".into(),
        collection_days: "mon,thu".into(),
        options: String::new(),
        receipt_retention_days: None,
        created_at,
    };
    let by_number = customers::by_number(&mut c.conn(), "8800001")
        .await
        .unwrap()
        .expect("found by number");
    assert_eq!(by_number, expected);
    assert_eq!(by_number.created_at, created_at);
    let by_id = customers::by_id(&mut c.conn(), id)
        .await
        .unwrap()
        .expect("found by id");
    assert_eq!(by_id, expected);
    // The store's read (below sqlx on a SQLite file) finds the same row.
    let found = customers::find_by_number(&store, "8800001").await.unwrap();
    assert_eq!(found, Some(expected));

    assert_eq!(
        customers::by_number(&mut c.conn(), "8800002")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        customers::find_by_number(&store, "8800002").await.unwrap(),
        None
    );
    assert_eq!(customers::by_id(&mut c.conn(), id + 1).await.unwrap(), None);
}

async fn customer_number_is_unique(store: Store) {
    let first = add_customer(&store, "8800001").await;
    let mut c = store.acquire().await.unwrap();
    let mut twin = new_customer("8800001", T0);
    twin.name = "Impostor BV";
    let err = customers::insert(&mut c.conn(), &twin).await.unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");
    assert!(matches!(err, StoreError::Conflict(_)));

    let kept = customers::by_number(&mut c.conn(), "8800001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.id, kept.name.as_str()), (first, "Alpha Printing SA"));
    // The connection stays usable after the refused write.
    add_customer(&store, "8800002").await;
}

async fn cost_centres_belong_to_a_customer(store: Store) {
    let a = add_customer(&store, "8800001").await;
    let b = add_customer(&store, "8800002").await;
    let mut c = store.acquire().await.unwrap();
    let mut ids = Vec::new();
    for (code, name) in [("CC3", "Logistics"), ("CC1", "Finance"), ("CC2", "Sales")] {
        ids.push(
            customers::insert_cost_centre(&mut c.conn(), a, code, name)
                .await
                .unwrap(),
        );
    }
    // Another customer may use the same code.
    let b_cc1 = customers::insert_cost_centre(&mut c.conn(), b, "CC1", "Direction")
        .await
        .unwrap();

    let listed = customers::cost_centres(&mut c.conn(), a).await.unwrap();
    let listed: Vec<(i64, i64, &str, &str)> = listed
        .iter()
        .map(|r| (r.id, r.customer_id, r.code.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (ids[1], a, "CC1", "Finance"),
            (ids[2], a, "CC2", "Sales"),
            (ids[0], a, "CC3", "Logistics"),
        ]
    );
    let of_b = customers::cost_centres(&mut c.conn(), b).await.unwrap();
    assert_eq!(of_b.len(), 1);
    assert_eq!((of_b[0].id, of_b[0].code.as_str()), (b_cc1, "CC1"));

    let err = customers::insert_cost_centre(&mut c.conn(), a, "CC2", "Again")
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");
    assert_eq!(
        customers::cost_centres(&mut c.conn(), a)
            .await
            .unwrap()
            .len(),
        3
    );

    // Foreign keys are enforced (SQLite needs them switched on per connection).
    let err = customers::insert_cost_centre(&mut c.conn(), b + 1000, "CC1", "Nobody")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Database(_)),
        "expected a foreign key violation, got {err:?}"
    );
}

async fn collection_points_belong_to_a_customer(store: Store) {
    let a = add_customer(&store, "8800001").await;
    let b = add_customer(&store, "8800002").await;
    let mut c = store.acquire().await.unwrap();
    let address = ("Rue Neuve 1", "1000", "Bruxelles");
    let p2 = customers::insert_collection_point(&mut c.conn(), a, "CP2", "Warehouse", address)
        .await
        .unwrap();
    let p1 = customers::insert_collection_point(
        &mut c.conn(),
        a,
        "CP1",
        "Head office",
        ("Meir 2", "2000", "Antwerpen"),
    )
    .await
    .unwrap();
    customers::insert_collection_point(&mut c.conn(), b, "CP1", "Elsewhere", address)
        .await
        .unwrap();

    let listed = customers::collection_points(&mut c.conn(), a)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[0],
        customers::CollectionPointRow {
            id: p1,
            customer_id: a,
            code: "CP1".into(),
            name: "Head office".into(),
            street: "Meir 2".into(),
            postcode: "2000".into(),
            city: "Antwerpen".into(),
        }
    );
    assert_eq!((listed[1].id, listed[1].code.as_str()), (p2, "CP2"));
    assert!(listed.iter().all(|p| p.customer_id == a));

    let err = customers::insert_collection_point(&mut c.conn(), a, "CP1", "Twin", address)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");
    assert_eq!(
        customers::collection_points(&mut c.conn(), b)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn products_round_trip(store: Store) {
    let mut c = store.acquire().await.unwrap();
    let registered = catalogue::NewProduct {
        code: "R01",
        kind: "registered",
        vat_rate: 0,
        names: ["Recommandé", "Aangetekend", "Einschreiben", "Registered"],
    };
    let r01 = catalogue::insert(&mut c.conn(), &registered).await.unwrap();
    let p01 = catalogue::insert(&mut c.conn(), &new_product("P01"))
        .await
        .unwrap();

    let all = catalogue::all(&mut c.conn()).await.unwrap();
    assert_eq!(
        all,
        vec![
            ProductRow {
                id: p01,
                code: "P01".into(),
                kind: "postage".into(),
                vat_rate: 21,
                name_fr: "Lettre prior".into(),
                name_nl: "Prior brief".into(),
                name_de: "Prior-Brief".into(),
                name_en: "Priority letter".into(),
            },
            ProductRow {
                id: r01,
                code: "R01".into(),
                kind: "registered".into(),
                vat_rate: 0,
                name_fr: "Recommandé".into(),
                name_nl: "Aangetekend".into(),
                name_de: "Einschreiben".into(),
                name_en: "Registered".into(),
            },
        ]
    );

    let err = catalogue::insert(&mut c.conn(), &new_product("P01"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");

    let unknown_kind = catalogue::NewProduct {
        kind: "pigeon",
        ..new_product("X01")
    };
    let err = catalogue::insert(&mut c.conn(), &unknown_kind)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Database(_)),
        "a CHECK violation is not a conflict: {err:?}"
    );
    assert_eq!(catalogue::all(&mut c.conn()).await.unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Users

async fn users_round_trip_with_unique_username_key(store: Store) {
    let customer = add_customer(&store, "8800001").await;
    let mut c = store.acquire().await.unwrap();
    let jan = NewUser {
        username: "Jan.Peeters",
        username_key: "jan.peeters",
        ..new_user(Some(customer), "", "admin", "active")
    };
    let id = users::insert(&mut c.conn(), &jan).await.unwrap();

    let row = users::by_id(&mut c.conn(), id).await.unwrap().unwrap();
    assert_eq!(
        row,
        users::UserRow {
            id,
            customer_id: Some(customer),
            username: "Jan.Peeters".into(),
            full_name: "Jan Peeters".into(),
            email: "jan.peeters@example.com".into(),
            language: "nl".into(),
            role: "admin".into(),
            modules: "transactions,invoices".into(),
            status: "active".into(),
            password_hash: Some("$argon2id$v=19$fixture".into()),
            created_at: T0,
            last_login_at: None,
            locked_until: None,
            totp_enabled_at: None,
        }
    );
    assert_eq!(
        users::by_username_key(&mut c.conn(), "jan.peeters")
            .await
            .unwrap(),
        Some(row.clone())
    );
    // Lookups are by the key; lower-casing is the caller's job.
    assert_eq!(
        users::by_username_key(&mut c.conn(), "Jan.Peeters")
            .await
            .unwrap(),
        None
    );

    let shouting = NewUser {
        username: "JAN.PEETERS",
        username_key: "jan.peeters",
        ..new_user(None, "", "operator", "active")
    };
    let err = users::insert(&mut c.conn(), &shouting).await.unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");

    users::set_language(&mut c.conn(), id, "de").await.unwrap();
    let login = datetime!(2026-11-27 08:15:00 UTC);
    users::record_login(&mut c.conn(), id, login).await.unwrap();
    let row = users::by_id(&mut c.conn(), id).await.unwrap().unwrap();
    assert_eq!(
        (row.language.as_str(), row.last_login_at),
        ("de", Some(login))
    );
    assert_eq!(users::by_id(&mut c.conn(), id + 1).await.unwrap(), None);
}

async fn operators_have_no_customer(store: Store) {
    let customer = add_customer(&store, "8800001").await;
    let mut c = store.acquire().await.unwrap();

    let err = users::insert(
        &mut c.conn(),
        &new_user(Some(customer), "op.wrong", "operator", "active"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Database(_)),
        "an operator with a customer must be refused by the CHECK: {err:?}"
    );
    let err = users::insert(&mut c.conn(), &new_user(None, "orphan", "user", "active"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Database(_)),
        "a customer's user without a customer must be refused: {err:?}"
    );
    assert_eq!(
        users::by_username_key(&mut c.conn(), "op.wrong")
            .await
            .unwrap(),
        None
    );

    let op = users::insert(
        &mut c.conn(),
        &new_user(None, "op.one", "operator", "active"),
    )
    .await
    .unwrap();
    assert_eq!(
        users::by_id(&mut c.conn(), op)
            .await
            .unwrap()
            .unwrap()
            .customer_id,
        None
    );
}

async fn password_changed_at(store: &Store, user_id: i64) -> Option<OffsetDateTime> {
    let mut c = store.acquire().await.unwrap();
    cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar(
        "SELECT password_changed_at FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_one(x)
    .await)
    .unwrap()
}

async fn set_password_activates_an_invited_user(store: Store) {
    let customer = add_customer(&store, "8800001").await;
    let mut c = store.acquire().await.unwrap();
    let invited = users::insert(
        &mut c.conn(),
        &new_user(Some(customer), "a.invited", "user", "invited"),
    )
    .await
    .unwrap();
    let disabled = users::insert(
        &mut c.conn(),
        &new_user(Some(customer), "a.disabled", "user", "disabled"),
    )
    .await
    .unwrap();

    let row = users::by_id(&mut c.conn(), invited).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.password_hash), ("invited", None));
    assert_eq!(password_changed_at(&store, invited).await, None);
    // A user created with a hash changed its password when it was created.
    assert_eq!(password_changed_at(&store, disabled).await, Some(T0));

    let at = datetime!(2026-11-26 10:05:00 UTC);
    users::set_password(&mut c.conn(), invited, "$argon2id$new", at)
        .await
        .unwrap();
    let row = users::by_id(&mut c.conn(), invited).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.password_hash.as_deref()),
        ("active", Some("$argon2id$new"))
    );
    assert_eq!(password_changed_at(&store, invited).await, Some(at));

    // Only an invitation is turned into an active account.
    users::set_password(&mut c.conn(), disabled, "$argon2id$other", at)
        .await
        .unwrap();
    let row = users::by_id(&mut c.conn(), disabled)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.password_hash.as_deref()),
        ("disabled", Some("$argon2id$other"))
    );
}

async fn cost_centre_codes_follow_limits(store: Store) {
    let customer = add_customer(&store, "8800001").await;
    let limited = add_user(&store, Some(customer), "a.limited").await;
    let free = add_user(&store, Some(customer), "a.free").await;
    let mut c = store.acquire().await.unwrap();
    let cc1 = customers::insert_cost_centre(&mut c.conn(), customer, "CC1", "Finance")
        .await
        .unwrap();
    let cc2 = customers::insert_cost_centre(&mut c.conn(), customer, "CC2", "Sales")
        .await
        .unwrap();
    customers::insert_cost_centre(&mut c.conn(), customer, "CC3", "Logistics")
        .await
        .unwrap();

    assert!(
        users::cost_centre_codes(&mut c.conn(), limited)
            .await
            .unwrap()
            .is_empty()
    );
    users::limit_to_cost_centre(&mut c.conn(), limited, cc2)
        .await
        .unwrap();
    users::limit_to_cost_centre(&mut c.conn(), limited, cc1)
        .await
        .unwrap();
    // Limiting twice to the same centre is a no-op, not a conflict.
    users::limit_to_cost_centre(&mut c.conn(), limited, cc2)
        .await
        .unwrap();

    assert_eq!(
        users::cost_centre_codes(&mut c.conn(), limited)
            .await
            .unwrap(),
        vec!["CC1".to_owned(), "CC2".to_owned()]
    );
    assert!(
        users::cost_centre_codes(&mut c.conn(), free)
            .await
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Sessions and tokens

fn new_session(id_hash: &str, user_id: i64, created_at: OffsetDateTime) -> NewSession<'_> {
    NewSession {
        id_hash,
        user_id,
        csrf_token: "csrf-token",
        created_at,
        expires_at: created_at + Duration::hours(12),
        ip: "192.0.2.1",
        user_agent: "contract-test",
    }
}

async fn sessions_lifecycle(store: Store) {
    let user = add_user(&store, None, "op.one").await;
    let mut c = store.acquire().await.unwrap();
    auth::insert_session(&mut c.conn(), &new_session("s1", user, T0))
        .await
        .unwrap();

    let expected = auth::SessionRow {
        id_hash: "s1".into(),
        user_id: user,
        csrf_token: "csrf-token".into(),
        created_at: T0,
        last_seen_at: T0,
        expires_at: T0 + Duration::hours(12),
    };
    assert_eq!(
        auth::session(&mut c.conn(), "s1").await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(auth::session(&mut c.conn(), "s2").await.unwrap(), None);

    let err = auth::insert_session(&mut c.conn(), &new_session("s1", user, T0))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");

    let later = T0 + Duration::minutes(7);
    auth::touch_session(&mut c.conn(), "s1", later)
        .await
        .unwrap();
    assert_eq!(
        auth::session(&mut c.conn(), "s1").await.unwrap(),
        Some(auth::SessionRow {
            last_seen_at: later,
            ..expected
        })
    );

    auth::delete_session(&mut c.conn(), "s1").await.unwrap();
    assert_eq!(auth::session(&mut c.conn(), "s1").await.unwrap(), None);
}

async fn sessions_of_a_user_end_but_the_kept_one(store: Store) {
    let alice = add_user(&store, None, "op.alice").await;
    let bob = add_user(&store, None, "op.bob").await;
    let mut c = store.acquire().await.unwrap();
    for (hash, user) in [("a1", alice), ("a2", alice), ("a3", alice), ("b1", bob)] {
        auth::insert_session(&mut c.conn(), &new_session(hash, user, T0))
            .await
            .unwrap();
    }

    let ended = auth::delete_sessions_of_user(&mut c.conn(), alice, Some("a2"))
        .await
        .unwrap();
    assert_eq!(ended, 2);
    for (hash, alive) in [("a1", false), ("a2", true), ("a3", false), ("b1", true)] {
        assert_eq!(
            auth::session(&mut c.conn(), hash).await.unwrap().is_some(),
            alive,
            "session {hash}"
        );
    }

    let ended = auth::delete_sessions_of_user(&mut c.conn(), alice, None)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert_eq!(auth::session(&mut c.conn(), "a2").await.unwrap(), None);
    assert!(auth::session(&mut c.conn(), "b1").await.unwrap().is_some());
}

async fn expired_sessions_are_purged(store: Store) {
    let user = add_user(&store, None, "op.one").await;
    let mut c = store.acquire().await.unwrap();
    let now = T0 + Duration::hours(10);
    let idle_before = now - Duration::hours(2);
    // Idle too long.
    auth::insert_session(&mut c.conn(), &new_session("idle", user, T0))
        .await
        .unwrap();
    // Seen recently but past its absolute expiry (exactly now).
    let old = new_session("expired", user, T0 - Duration::hours(2));
    auth::insert_session(&mut c.conn(), &old).await.unwrap();
    auth::touch_session(&mut c.conn(), "expired", now)
        .await
        .unwrap();
    // Seen exactly at the idle limit, not expired: stays.
    auth::insert_session(&mut c.conn(), &new_session("fresh", user, T0))
        .await
        .unwrap();
    auth::touch_session(&mut c.conn(), "fresh", idle_before)
        .await
        .unwrap();

    let purged = auth::delete_expired_sessions(&mut c.conn(), idle_before, now)
        .await
        .unwrap();
    assert_eq!(purged, 2);
    assert_eq!(auth::session(&mut c.conn(), "idle").await.unwrap(), None);
    assert_eq!(auth::session(&mut c.conn(), "expired").await.unwrap(), None);
    assert!(
        auth::session(&mut c.conn(), "fresh")
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_token_principal_carries_its_user_and_customer(store: Store) {
    let customer = add_customer(&store, "7700001").await;
    let clerk = add_user(&store, Some(customer), "clerk").await;
    let operator = add_user(&store, None, "op.alice").await;
    let mut c = store.acquire().await.unwrap();
    let expires = T0 + Duration::days(30);
    for (user, hash) in [(clerk, "h-clerk"), (operator, "h-op")] {
        auth::insert_api_token(&mut c.conn(), user, "t", "personal", hash, T0, expires)
            .await
            .unwrap();
    }
    security::set_customer_requires_totp(&mut c.conn(), customer, true)
        .await
        .unwrap();

    let p = auth::live_api_token_principal(&mut c.conn(), "h-clerk", T0)
        .await
        .unwrap()
        .expect("a live token");
    let user = users::by_id(&mut c.conn(), clerk).await.unwrap().unwrap();
    assert_eq!(p.user, user, "the same user row as users::by_id");
    assert_eq!(p.token_last_used_at, None);
    assert_eq!(p.customer_number.as_deref(), Some("7700001"));
    assert_eq!(p.customer_status.as_deref(), Some("active"));
    assert_eq!(p.customer_require_totp, Some(true));
    assert!(p.customer_name.is_some());

    let p = auth::live_api_token_principal(&mut c.conn(), "h-op", T0)
        .await
        .unwrap()
        .expect("a live token");
    assert_eq!(p.user.id, operator);
    assert_eq!(
        (
            p.customer_number,
            p.customer_status,
            p.customer_require_totp
        ),
        (None, None, None),
        "an operator has no customer"
    );
    for (hash, at) in [("h-op", expires), ("h-unknown", T0)] {
        assert!(
            auth::live_api_token_principal(&mut c.conn(), hash, at)
                .await
                .unwrap()
                .is_none(),
            "{hash} at {at}"
        );
    }
    // The store's read (below sqlx on a SQLite file) answers as the connection's, at every
    // instant around the expiry and once the token's use is recorded.
    auth::touch_api_token(&mut c.conn(), p.token_id, T0, Duration::minutes(1))
        .await
        .unwrap();
    for hash in ["h-clerk", "h-op", "h-unknown"] {
        for at in [
            T0,
            expires - Duration::seconds(1),
            expires,
            expires + Duration::seconds(1),
        ] {
            let pooled = auth::live_api_token_principal(&mut c.conn(), hash, at)
                .await
                .unwrap();
            let read = auth::token_principal(&store, hash, at).await.unwrap();
            assert_eq!(read, pooled, "{hash} at {at}");
            assert_eq!(
                read.is_some(),
                hash != "h-unknown" && at < expires,
                "{hash} at {at}"
            );
        }
    }
    let touched = auth::token_principal(&store, "h-op", T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(touched.token_last_used_at, Some(T0));
    auth::revoke_api_tokens_of_user(&mut c.conn(), clerk, T0)
        .await
        .unwrap();
    assert!(
        auth::token_principal(&store, "h-clerk", T0)
            .await
            .unwrap()
            .is_none(),
        "revoked, read by the store"
    );
    assert!(
        auth::live_api_token_principal(&mut c.conn(), "h-clerk", T0)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );
}

async fn api_tokens_expire_and_are_revoked(store: Store) {
    let alice = add_user(&store, None, "op.alice").await;
    let bob = add_user(&store, None, "op.bob").await;
    let mut c = store.acquire().await.unwrap();
    let expires = T0 + Duration::days(30);
    let login = auth::insert_api_token(
        &mut c.conn(),
        alice,
        "login",
        "login",
        "h-login",
        T0,
        expires,
    )
    .await
    .unwrap();
    auth::insert_api_token(&mut c.conn(), alice, "CI", "personal", "h-ci", T0, expires)
        .await
        .unwrap();
    auth::insert_api_token(&mut c.conn(), bob, "bob", "personal", "h-bob", T0, expires)
        .await
        .unwrap();

    let err = auth::insert_api_token(&mut c.conn(), bob, "dup", "personal", "h-ci", T0, expires)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "token hashes are unique: {err:?}");

    let live = auth::live_api_token(&mut c.conn(), "h-login", T0)
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(auth::ApiTokenRow {
            id: login,
            user_id: alice,
            name: "login".into(),
            kind: "login".into(),
            created_at: T0,
            expires_at: expires,
            last_used_at: None,
        })
    );
    let last_second = expires - Duration::seconds(1);
    assert!(
        auth::live_api_token(&mut c.conn(), "h-login", last_second)
            .await
            .unwrap()
            .is_some()
    );
    for at in [expires, expires + Duration::seconds(1)] {
        assert_eq!(
            auth::live_api_token(&mut c.conn(), "h-login", at)
                .await
                .unwrap(),
            None,
            "expired at {at}"
        );
    }
    assert_eq!(
        auth::live_api_token(&mut c.conn(), "h-unknown", T0)
            .await
            .unwrap(),
        None
    );

    let revoked_at = T0 + Duration::hours(1);
    assert_eq!(
        auth::revoke_api_tokens_of_user(&mut c.conn(), alice, revoked_at)
            .await
            .unwrap(),
        2
    );
    for hash in ["h-login", "h-ci"] {
        assert_eq!(
            auth::live_api_token(&mut c.conn(), hash, revoked_at)
                .await
                .unwrap(),
            None,
            "{hash} is revoked"
        );
    }
    assert!(
        auth::live_api_token(&mut c.conn(), "h-bob", revoked_at)
            .await
            .unwrap()
            .is_some()
    );
    // Already revoked tokens are not revoked again.
    assert_eq!(
        auth::revoke_api_tokens_of_user(&mut c.conn(), alice, revoked_at)
            .await
            .unwrap(),
        0
    );
}

async fn one_time_tokens_are_single_use(store: Store) {
    let user = add_user(&store, None, "op.one").await;
    let mut c = store.acquire().await.unwrap();
    let expires = T0 + Duration::days(7);
    auth::insert_one_time_token(&mut c.conn(), "ott", user, "invitation", T0, expires)
        .await
        .unwrap();
    let expected = auth::OneTimeTokenRow {
        user_id: user,
        purpose: "invitation".into(),
        expires_at: expires,
    };

    // Looking does not consume.
    for _ in 0..2 {
        assert_eq!(
            auth::usable_one_time_token(&mut c.conn(), "ott", T0)
                .await
                .unwrap(),
            Some(expected.clone())
        );
    }
    let at = T0 + Duration::hours(1);
    assert_eq!(
        auth::consume_one_time_token(&mut c.conn(), "ott", at)
            .await
            .unwrap(),
        Some(expected)
    );
    assert_eq!(
        auth::consume_one_time_token(&mut c.conn(), "ott", at)
            .await
            .unwrap(),
        None,
        "a second consume must fail"
    );
    assert_eq!(
        auth::usable_one_time_token(&mut c.conn(), "ott", at)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        auth::consume_one_time_token(&mut c.conn(), "unknown", at)
            .await
            .unwrap(),
        None
    );

    let err = auth::insert_one_time_token(&mut c.conn(), "ott", user, "reset", T0, expires)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "token hashes are unique: {err:?}");
}

async fn one_time_tokens_expire(store: Store) {
    let user = add_user(&store, None, "op.one").await;
    let mut c = store.acquire().await.unwrap();
    let expires = T0 + Duration::hours(1);
    auth::insert_one_time_token(&mut c.conn(), "late", user, "reset", T0, expires)
        .await
        .unwrap();
    auth::insert_one_time_token(&mut c.conn(), "just", user, "reset", T0, expires)
        .await
        .unwrap();

    for at in [expires, expires + Duration::days(1)] {
        assert_eq!(
            auth::usable_one_time_token(&mut c.conn(), "late", at)
                .await
                .unwrap(),
            None,
            "usable at {at}"
        );
        assert_eq!(
            auth::consume_one_time_token(&mut c.conn(), "late", at)
                .await
                .unwrap(),
            None,
            "consumed at {at}"
        );
    }
    let last_second = expires - Duration::seconds(1);
    assert!(
        auth::consume_one_time_token(&mut c.conn(), "just", last_second)
            .await
            .unwrap()
            .is_some()
    );
    // Used or expired, a token still names its user's language (the link's page says so in it).
    for hash in ["late", "just"] {
        assert_eq!(
            auth::one_time_token_language(&mut c.conn(), hash)
                .await
                .unwrap()
                .as_deref(),
            Some("nl"),
            "{hash}"
        );
    }
    assert_eq!(
        auth::one_time_token_language(&mut c.conn(), "unknown")
            .await
            .unwrap(),
        None
    );
}

async fn one_time_tokens_are_voided_per_user(store: Store) {
    let alice = add_user(&store, None, "op.alice").await;
    let bob = add_user(&store, None, "op.bob").await;
    let mut c = store.acquire().await.unwrap();
    let expires = T0 + Duration::days(7);
    for (hash, user, purpose) in [
        ("a-invite", alice, "invitation"),
        ("a-reset", alice, "reset"),
        ("b-reset", bob, "reset"),
    ] {
        auth::insert_one_time_token(&mut c.conn(), hash, user, purpose, T0, expires)
            .await
            .unwrap();
    }

    let at = T0 + Duration::minutes(5);
    auth::void_one_time_tokens_of_user(&mut c.conn(), alice, at)
        .await
        .unwrap();
    for hash in ["a-invite", "a-reset"] {
        assert_eq!(
            auth::usable_one_time_token(&mut c.conn(), hash, at)
                .await
                .unwrap(),
            None,
            "{hash} is void"
        );
        assert_eq!(
            auth::consume_one_time_token(&mut c.conn(), hash, at)
                .await
                .unwrap(),
            None,
            "{hash} is void"
        );
    }
    assert_eq!(
        auth::consume_one_time_token(&mut c.conn(), "b-reset", at)
            .await
            .unwrap()
            .map(|t| t.user_id),
        Some(bob)
    );
}

async fn concurrent_consumes_have_one_winner(store: Store) {
    let user = add_user(&store, None, "op.one").await;
    let expires = T0 + Duration::days(1);
    {
        let mut c = store.acquire().await.unwrap();
        auth::insert_one_time_token(&mut c.conn(), "race", user, "reset", T0, expires)
            .await
            .unwrap();
    }
    let consume = || {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let won = auth::consume_one_time_token(&mut tx.conn(), "race", T0)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            won.is_some()
        }
    };
    let attempts: Vec<_> = (0..4).map(|_| tokio::spawn(consume())).collect();
    let mut winners = 0;
    for attempt in attempts {
        if attempt.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1, "exactly one concurrent consume wins");
}

// ---------------------------------------------------------------------------------------------
// Audit trail

/// A stand-in for the real SHA-256 link: deterministic and dependent on both inputs.
fn link(prev: &str, seq: i64) -> String {
    let mut h = DefaultHasher::new();
    (prev, seq).hash(&mut h);
    format!("{seq}:{:016x}", h.finish())
}

fn event(at: OffsetDateTime, action: &str) -> NewAuditEvent<'_> {
    NewAuditEvent {
        at,
        actor_user_id: Some(7),
        actor: "op.one",
        customer_id: Some(42),
        action,
        object_type: "user",
        object_id: "13",
        ip: "192.0.2.1",
        request_id: "req-1",
        details: r#"{"k":"v"}"#,
    }
}

/// Appends in its own transaction; returns the id and the (prev, seq) the chain saw.
async fn append(store: &Store, ev: &NewAuditEvent<'_>) -> (i64, (String, i64)) {
    let seen = Arc::new(Mutex::new(None));
    let mut tx = store.begin().await.unwrap();
    let id = audit::append(&mut tx.conn(), ev, |prev, seq| {
        *seen.lock().unwrap() = Some((prev.to_owned(), seq));
        link(prev, seq)
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let seen = seen.lock().unwrap().take().expect("chain was called");
    (id, seen)
}

async fn audit_appends_chain(store: Store) {
    let genesis = "0".repeat(64);
    let times = [
        T0,
        T0 + Duration::seconds(1),
        datetime!(2027-01-01 00:00:00 UTC),
    ];
    let actions = ["sign_in", "password_change", "sign_in"];
    let mut ids = Vec::new();
    let mut head = genesis.clone();
    for (i, (at, action)) in times.iter().zip(actions).enumerate() {
        let seq = i as i64 + 1;
        let (id, seen) = append(&store, &event(*at, action)).await;
        assert_eq!(
            seen,
            (head.clone(), seq),
            "append {i} sees the chain's head"
        );
        head = link(&head, seq);
        ids.push(id);
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");

    let mut c = store.acquire().await.unwrap();
    let rows = audit::after(&mut c.conn(), 0, 100).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    let mut prev = genesis.clone();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.prev_hash, prev, "row {i} links to its predecessor");
        assert_eq!(row.hash, link(&prev, i as i64 + 1), "row {i} hash");
        assert_eq!(row.at, times[i]);
        assert_eq!(row.action, actions[i]);
        prev = row.hash.clone();
    }
    assert_eq!(
        rows[0],
        audit::AuditEventRow {
            id: ids[0],
            at: T0,
            actor_user_id: Some(7),
            actor: "op.one".into(),
            customer_id: Some(42),
            action: "sign_in".into(),
            object_type: "user".into(),
            object_id: "13".into(),
            ip: "192.0.2.1".into(),
            request_id: "req-1".into(),
            details: r#"{"k":"v"}"#.into(),
            prev_hash: genesis,
            hash: link(&"0".repeat(64), 1),
        }
    );

    let tail = audit::after(&mut c.conn(), ids[0], 100).await.unwrap();
    assert_eq!(tail, rows[1..].to_vec());
    let page = audit::after(&mut c.conn(), 0, 2).await.unwrap();
    assert_eq!(page, rows[..2].to_vec());
    assert!(
        audit::after(&mut c.conn(), ids[2], 100)
            .await
            .unwrap()
            .is_empty()
    );

    let sign_ins = audit::latest_of_action(&mut c.conn(), "sign_in", 10)
        .await
        .unwrap();
    assert_eq!(
        sign_ins,
        vec![rows[2].clone(), rows[0].clone()],
        "newest first"
    );
    let newest = audit::latest_of_action(&mut c.conn(), "sign_in", 1)
        .await
        .unwrap();
    assert_eq!(newest, vec![rows[2].clone()]);
    assert!(
        audit::latest_of_action(&mut c.conn(), "export", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn audit_rolled_back_append_leaves_the_chain_intact(store: Store) {
    let genesis = "0".repeat(64);
    let (first, _) = append(&store, &event(T0, "sign_in")).await;

    let mut tx = store.begin().await.unwrap();
    audit::append(&mut tx.conn(), &event(T0, "abandoned"), link)
        .await
        .unwrap();
    drop(tx);

    let (second, (prev, seq)) = append(&store, &event(T0, "sign_out")).await;
    assert_eq!((prev.as_str(), seq), (link(&genesis, 1).as_str(), 2));

    let mut c = store.acquire().await.unwrap();
    let rows = audit::after(&mut c.conn(), 0, 100).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id, r.action.as_str()))
            .collect::<Vec<_>>(),
        vec![(first, "sign_in"), (second, "sign_out")]
    );
    assert_eq!(rows[1].prev_hash, rows[0].hash);
}

async fn audit_concurrent_appends_never_fork(store: Store) {
    const WRITERS: usize = 6;
    let writers: Vec<_> = (0..WRITERS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let at = T0 + Duration::seconds(i as i64);
                append(&store, &event(at, "concurrent")).await
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }

    let mut c = store.acquire().await.unwrap();
    let rows = audit::after(&mut c.conn(), 0, 100).await.unwrap();
    assert_eq!(rows.len(), WRITERS);
    let mut prev = "0".repeat(64);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.prev_hash, prev, "row {i} forks the chain");
        assert_eq!(row.hash, link(&prev, i as i64 + 1));
        prev = row.hash.clone();
    }
    let distinct: HashSet<&str> = rows.iter().map(|r| r.prev_hash.as_str()).collect();
    assert_eq!(distinct.len(), WRITERS);
}

// ---------------------------------------------------------------------------------------------
// Operations

struct Site {
    customer: i64,
    point: i64,
    centre: i64,
    product: i64,
}

async fn site(store: &Store, number: &str, product: i64) -> Site {
    let customer = add_customer(store, number).await;
    let mut c = store.acquire().await.unwrap();
    let point = customers::insert_collection_point(
        &mut c.conn(),
        customer,
        "CP1",
        "Head office",
        ("Rue 1", "1000", "Bruxelles"),
    )
    .await
    .unwrap();
    let centre = customers::insert_cost_centre(&mut c.conn(), customer, "CC1", "Finance")
        .await
        .unwrap();
    Site {
        customer,
        point,
        centre,
        product,
    }
}

fn transaction<'a>(s: &Site, transaction_id: &'a str, amount_cents: i64) -> NewTransaction<'a> {
    NewTransaction {
        transaction_id,
        customer_id: s.customer,
        date: date!(2026 - 11 - 02),
        collection_point_id: s.point,
        cost_centre_id: Some(s.centre),
        product_id: s.product,
        format: Some("C5"),
        weight_class: Some("0-50g"),
        destination: Some("BE"),
        quantity: 1,
        unit_price_millis: amount_cents * 10,
        amount_cents,
    }
}

fn registered_item<'a>(s: &Site, barcode: &'a str) -> NewRegisteredItem<'a> {
    NewRegisteredItem {
        barcode,
        customer_id: s.customer,
        deposit_date: date!(2026 - 11 - 02),
        collection_point_id: s.point,
        cost_centre_id: None,
        product_id: s.product,
        acknowledgement: true,
        recipient_name: "Marie Dubois",
        recipient_street: "Rue Haute 5",
        recipient_postcode: "4000",
        recipient_city: "Liège",
        recipient_country: "BE",
    }
}

async fn operations_totals_are_exact(store: Store) {
    let product = add_product(&store, "P01").await;
    let a = site(&store, "8800001", product).await;
    let b = site(&store, "8800002", product).await;
    let big = site(&store, "8800003", product).await;
    let mut c = store.acquire().await.unwrap();

    for (id, cents) in [("T-1", 1234), ("T-2", 99), ("T-3", 1)] {
        operations::insert_transaction(&mut c.conn(), &transaction(&a, id, cents))
            .await
            .unwrap();
    }
    let no_centre = NewTransaction {
        cost_centre_id: None,
        format: None,
        weight_class: None,
        destination: None,
        ..transaction(&a, "T-4", 0)
    };
    operations::insert_transaction(&mut c.conn(), &no_centre)
        .await
        .unwrap();
    // Sums beyond 32 bits stay exact (money is BIGINT cents on both backends).
    for (id, cents) in [("T-5", 2_147_483_647), ("T-6", 3_000_000_000)] {
        operations::insert_transaction(&mut c.conn(), &transaction(&big, id, cents))
            .await
            .unwrap();
    }

    assert_eq!(
        operations::transaction_totals(&mut c.conn(), a.customer)
            .await
            .unwrap(),
        (4, 1334)
    );
    assert_eq!(
        operations::transaction_totals(&mut c.conn(), b.customer)
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        operations::transaction_totals(&mut c.conn(), big.customer)
            .await
            .unwrap(),
        (2, 5_147_483_647)
    );

    for barcode in ["RR000000001BE", "RR000000002BE"] {
        operations::insert_registered_item(&mut c.conn(), &registered_item(&a, barcode))
            .await
            .unwrap();
    }
    let without_ack = NewRegisteredItem {
        acknowledgement: false,
        cost_centre_id: Some(b.centre),
        ..registered_item(&b, "RR000000003BE")
    };
    operations::insert_registered_item(&mut c.conn(), &without_ack)
        .await
        .unwrap();
    assert_eq!(
        operations::registered_item_count(&mut c.conn(), a.customer)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        operations::registered_item_count(&mut c.conn(), b.customer)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        operations::registered_item_count(&mut c.conn(), big.customer)
            .await
            .unwrap(),
        0
    );
}

async fn operations_reject_duplicates(store: Store) {
    let product = add_product(&store, "P01").await;
    let a = site(&store, "8800001", product).await;
    let b = site(&store, "8800002", product).await;
    let mut c = store.acquire().await.unwrap();
    operations::insert_transaction(&mut c.conn(), &transaction(&a, "T-1", 500))
        .await
        .unwrap();
    // Transaction ids are unique across customers.
    let err = operations::insert_transaction(&mut c.conn(), &transaction(&b, "T-1", 700))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");

    operations::insert_registered_item(&mut c.conn(), &registered_item(&a, "RR1BE"))
        .await
        .unwrap();
    let err = operations::insert_registered_item(&mut c.conn(), &registered_item(&b, "RR1BE"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "expected a conflict, got {err:?}");

    assert_eq!(
        operations::transaction_totals(&mut c.conn(), a.customer)
            .await
            .unwrap(),
        (1, 500)
    );
    assert_eq!(
        operations::transaction_totals(&mut c.conn(), b.customer)
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        operations::registered_item_count(&mut c.conn(), b.customer)
            .await
            .unwrap(),
        0
    );
}

// ---------------------------------------------------------------------------------------------
// Transactions and time

async fn transactions_commit_or_leave_nothing(store: Store) {
    {
        let mut tx = store.begin().await.unwrap();
        let id = customers::insert(&mut tx.conn(), &new_customer("8800001", T0))
            .await
            .unwrap();
        customers::insert_cost_centre(&mut tx.conn(), id, "CC1", "Finance")
            .await
            .unwrap();
        // Visible inside its own transaction...
        assert!(
            customers::by_number(&mut tx.conn(), "8800001")
                .await
                .unwrap()
                .is_some()
        );
        // ...and gone when dropped without commit.
    }
    let mut c = store.acquire().await.unwrap();
    assert_eq!(
        customers::by_number(&mut c.conn(), "8800001")
            .await
            .unwrap(),
        None
    );
    assert!(meta::is_empty(&mut c.conn()).await.unwrap());
    drop(c);

    let mut tx = store.begin().await.unwrap();
    let id = customers::insert(&mut tx.conn(), &new_customer("8800001", T0))
        .await
        .unwrap();
    customers::insert_cost_centre(&mut tx.conn(), id, "CC1", "Finance")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut c = store.acquire().await.unwrap();
    let kept = customers::by_number(&mut c.conn(), "8800001")
        .await
        .unwrap()
        .expect("committed customer persists");
    assert_eq!(kept.id, id);
    assert_eq!(
        customers::cost_centres(&mut c.conn(), id)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn whole_second_instants_round_trip(store: Store) {
    let instants = [
        datetime!(1999-12-31 23:59:59 UTC),
        datetime!(2024-02-29 12:00:00 UTC),
        datetime!(2026-03-29 00:59:59 UTC), // the second before Brussels moves to summer time
        datetime!(2026-10-25 01:00:00 UTC),
        datetime!(2038-01-19 03:14:08 UTC), // past the 32-bit epoch
        datetime!(2099-12-31 23:59:59 UTC),
    ];
    let mut c = store.acquire().await.unwrap();
    for (i, at) in instants.into_iter().enumerate() {
        let number = format!("88{i:05}");
        let customer = customers::insert(&mut c.conn(), &new_customer(&number, at))
            .await
            .unwrap();
        let row = customers::by_id(&mut c.conn(), customer)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.created_at, at, "customer created_at");
        assert_eq!(row.created_at.offset(), UtcOffset::UTC, "read back in UTC");

        let username = format!("user.{i}");
        let user = users::insert(
            &mut c.conn(),
            &NewUser {
                created_at: at,
                ..new_user(Some(customer), &username, "user", "active")
            },
        )
        .await
        .unwrap();
        users::record_login(&mut c.conn(), user, at).await.unwrap();
        let row = users::by_id(&mut c.conn(), user).await.unwrap().unwrap();
        assert_eq!((row.created_at, row.last_login_at), (at, Some(at)));

        let hash = format!("session-{i}");
        auth::insert_session(&mut c.conn(), &new_session(&hash, user, at))
            .await
            .unwrap();
        let s = auth::session(&mut c.conn(), &hash).await.unwrap().unwrap();
        assert_eq!(
            (s.created_at, s.last_seen_at, s.expires_at),
            (at, at, at + Duration::hours(12))
        );
    }
}

/// SQLite compares instants as text: the store normalises every instant to UTC whole
/// seconds, so an offset or a fraction of a second never changes an answer.
async fn instants_compare_alike_whatever_offset_or_precision(store: Store) {
    let alice = add_user(&store, None, "op.alice").await;
    let mut c = store.acquire().await.unwrap();
    let expires = T0 + Duration::hours(1);
    auth::insert_api_token(&mut c.conn(), alice, "t", "login", "h-t", T0, expires)
        .await
        .unwrap();
    let plus_one = time::UtcOffset::from_hms(1, 0, 0).unwrap();
    let minus_five = time::UtcOffset::from_hms(-5, 0, 0).unwrap();
    let before = (expires - Duration::minutes(30)).to_offset(plus_one);
    assert!(
        auth::live_api_token(&mut c.conn(), "h-t", before)
            .await
            .unwrap()
            .is_some(),
        "30 minutes before expiry, written as +01:00"
    );
    let after = (expires + Duration::minutes(30)).to_offset(minus_five);
    assert!(
        auth::live_api_token(&mut c.conn(), "h-t", after)
            .await
            .unwrap()
            .is_none(),
        "30 minutes after expiry, written as -05:00"
    );
    let half_past = expires + Duration::milliseconds(500);
    assert!(
        auth::live_api_token(&mut c.conn(), "h-t", half_past)
            .await
            .unwrap()
            .is_none(),
        "half a second after expiry"
    );
    let row = auth::live_api_token(&mut c.conn(), "h-t", T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.expires_at.offset(), time::UtcOffset::UTC);
}

async fn users_are_listed_per_customer_with_search_status_and_paging(store: Store) {
    let a = add_customer(&store, "8800001").await;
    let b = add_customer(&store, "8800002").await;
    let mut c = store.acquire().await.unwrap();
    let mut ids = Vec::new();
    for (customer, name, status) in [
        (a, "ann.smith", "active"),
        (a, "bob_jones", "disabled"),
        (a, "carl%x", "invited"),
        (b, "ann.other", "active"),
    ] {
        ids.push(
            users::insert(
                &mut c.conn(),
                &new_user(Some(customer), name, "user", status),
            )
            .await
            .unwrap(),
        );
    }
    add_user(&store, None, "op.one").await;
    let all = |f: UserFilter<'static>| f;
    let names =
        |rows: Vec<users::UserRow>| rows.into_iter().map(|r| r.username).collect::<Vec<_>>();
    let list = users::list(
        &mut c.conn(),
        Some(a),
        &all(UserFilter {
            limit: 10,
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    assert_eq!(
        names(list),
        ["ann.smith", "bob_jones", "carl%x"],
        "customer A only, id order"
    );
    let ann = users::list(
        &mut c.conn(),
        Some(a),
        &UserFilter {
            search: Some("ANN"),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(names(ann), ["ann.smith"], "case-insensitive, tenant-bound");
    let pct = users::list(
        &mut c.conn(),
        Some(a),
        &UserFilter {
            search: Some("%"),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        names(pct),
        ["carl%x"],
        "LIKE wildcards in a search are literal"
    );
    let under = users::list(
        &mut c.conn(),
        Some(a),
        &UserFilter {
            search: Some("_"),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(names(under), ["bob_jones"]);
    let disabled = users::list(
        &mut c.conn(),
        Some(a),
        &UserFilter {
            status: Some("disabled"),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(names(disabled), ["bob_jones"]);
    let page1 = users::list(
        &mut c.conn(),
        Some(a),
        &UserFilter {
            limit: 2,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let after = page1.last().unwrap().id;
    let page2 = users::list(
        &mut c.conn(),
        Some(a),
        &UserFilter {
            limit: 2,
            after_id: Some(after),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (names(page1), names(page2)),
        (
            vec!["ann.smith".to_owned(), "bob_jones".to_owned()],
            vec!["carl%x".to_owned()]
        )
    );
    let operators = users::list(
        &mut c.conn(),
        None,
        &UserFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(names(operators), ["op.one"], "None lists the operators");
}

async fn admin_count_status_and_limits_updates(store: Store) {
    let a = add_customer(&store, "8800001").await;
    let mut c = store.acquire().await.unwrap();
    let one = users::insert(
        &mut c.conn(),
        &new_user(Some(a), "a.one", "admin", "active"),
    )
    .await
    .unwrap();
    let two = users::insert(
        &mut c.conn(),
        &new_user(Some(a), "a.two", "admin", "invited"),
    )
    .await
    .unwrap();
    assert_eq!(
        users::count_active_admins(&mut c.conn(), a).await.unwrap(),
        1,
        "invited admins do not count"
    );
    users::set_status(&mut c.conn(), one, "disabled", T0)
        .await
        .unwrap();
    assert_eq!(
        users::count_active_admins(&mut c.conn(), a).await.unwrap(),
        0
    );
    users::set_status(&mut c.conn(), one, "active", T0)
        .await
        .unwrap();
    users::set_role_and_modules(&mut c.conn(), two, "user", "transactions,receipts")
        .await
        .unwrap();
    let row = users::by_id(&mut c.conn(), two).await.unwrap().unwrap();
    assert_eq!(
        (row.role.as_str(), row.modules.as_str()),
        ("user", "transactions,receipts")
    );
    users::update_profile(&mut c.conn(), two, "Zoë Janssens", "zoe@example.com", "fr")
        .await
        .unwrap();
    let row = users::by_id(&mut c.conn(), two).await.unwrap().unwrap();
    assert_eq!(
        (
            row.full_name.as_str(),
            row.email.as_str(),
            row.language.as_str()
        ),
        ("Zoë Janssens", "zoe@example.com", "fr")
    );
    let cc1 = customers::insert_cost_centre(&mut c.conn(), a, "CC1", "One")
        .await
        .unwrap();
    let cc2 = customers::insert_cost_centre(&mut c.conn(), a, "CC2", "Two")
        .await
        .unwrap();
    users::replace_cost_centres(&mut c.conn(), two, &[cc1, cc2])
        .await
        .unwrap();
    users::replace_cost_centres(&mut c.conn(), two, &[cc2])
        .await
        .unwrap();
    assert_eq!(
        users::cost_centre_codes(&mut c.conn(), two).await.unwrap(),
        ["CC2"]
    );
    let until = T0 + Duration::minutes(15);
    users::set_locked_until(&mut c.conn(), two, Some(until))
        .await
        .unwrap();
    assert_eq!(
        users::by_id(&mut c.conn(), two)
            .await
            .unwrap()
            .unwrap()
            .locked_until,
        Some(until)
    );
    users::set_locked_until(&mut c.conn(), two, None)
        .await
        .unwrap();
    assert_eq!(
        users::by_id(&mut c.conn(), two)
            .await
            .unwrap()
            .unwrap()
            .locked_until,
        None
    );
}

async fn jobs_are_claimed_once_retried_and_given_up(store: Store) {
    let mut c = store.acquire().await.unwrap();
    let first = jobs::enqueue(&mut c.conn(), "send_email", "{\"n\":1}", T0)
        .await
        .unwrap();
    let later = jobs::enqueue(
        &mut c.conn(),
        "send_email",
        "{\"n\":2}",
        T0 + Duration::hours(1),
    )
    .await
    .unwrap();
    let lease = T0 + Duration::minutes(5);
    let claimed = jobs::claim_due(&mut c.conn(), T0, lease, 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|j| j.id).collect::<Vec<_>>(),
        [first],
        "only what is due"
    );
    assert_eq!(
        (claimed[0].attempts, claimed[0].payload.as_str()),
        (1, "{\"n\":1}")
    );
    assert!(
        jobs::claim_due(&mut c.conn(), T0, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased: not claimed twice"
    );
    // A lease that runs out (the instance died) lets another instance take the job over.
    let again = jobs::claim_due(
        &mut c.conn(),
        lease + Duration::seconds(1),
        lease + Duration::minutes(6),
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
        [(first, 2)]
    );
    jobs::fail(
        &mut c.conn(),
        first,
        "SMTP: refused",
        lease,
        Some(T0 + Duration::minutes(30)),
    )
    .await
    .unwrap();
    assert!(
        jobs::claim_due(&mut c.conn(), T0 + Duration::minutes(29), lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "not before its retry time"
    );
    let retried = jobs::claim_due(
        &mut c.conn(),
        T0 + Duration::minutes(30),
        T0 + Duration::minutes(35),
        10,
    )
    .await
    .unwrap();
    assert_eq!(retried.len(), 1);
    jobs::fail(&mut c.conn(), first, "SMTP: refused", T0, None)
        .await
        .unwrap();
    let due = jobs::claim_due(
        &mut c.conn(),
        T0 + Duration::hours(2),
        T0 + Duration::hours(3),
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        due.iter().map(|j| j.id).collect::<Vec<_>>(),
        [later],
        "a failed job is given up"
    );
    jobs::complete(&mut c.conn(), later, T0 + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(jobs::counts(&mut c.conn()).await.unwrap(), (0, 0, 1));
}

// ---------------------------------------------------------------------------------------------
// Registered items: search, count, paging and export

/// Customer A with two collection points, two cost centres and five items; customer B with
/// one item whose recipient matches A's searches. Returns A's ids and the barcodes in the
/// list's order (newest deposit first, then newest id).
struct ItemSite {
    customer: i64,
    points: [i64; 2],
    centres: [i64; 2],
    other_customer: i64,
    other_barcode: &'static str,
    ordered: Vec<&'static str>,
}

const N1: &str = "010000000000000000000000000001";
const N2: &str = "010000000000000000000000000002";
const N3: &str = "010000000000000000000000000003";
const N4: &str = "010000000000000000000000000004";
const S1: &str = "RR473124829BE";
const NB: &str = "010000000000000000000000000099";

async fn item_site(store: &Store) -> ItemSite {
    let product = add_product(store, "R01").await;
    let a = site(store, "8800001", product).await;
    let b = site(store, "8800002", product).await;
    let mut c = store.acquire().await.unwrap();
    let point2 = customers::insert_collection_point(
        &mut c.conn(),
        a.customer,
        "CP2",
        "Depot",
        ("Rue 2", "4000", "Liège"),
    )
    .await
    .unwrap();
    let centre2 = customers::insert_cost_centre(&mut c.conn(), a.customer, "CC2", "Sales")
        .await
        .unwrap();
    let rows = [
        (
            N1,
            date!(2026 - 11 - 02),
            a.point,
            Some(a.centre),
            true,
            "Marie Dubois",
        ),
        (
            N2,
            date!(2026 - 11 - 02),
            a.point,
            Some(centre2),
            false,
            "Jan Peeters",
        ),
        (
            N3,
            date!(2026 - 11 - 10),
            point2,
            None,
            true,
            "50% Korting BV",
        ),
        (
            S1,
            date!(2026 - 10 - 30),
            a.point,
            Some(a.centre),
            false,
            "DUBOIS & Fils",
        ),
        (
            N4,
            date!(2026 - 11 - 10),
            a.point,
            Some(a.centre),
            false,
            "x_y",
        ),
    ];
    for (barcode, day, point, centre, ack, name) in rows {
        operations::insert_registered_item(
            &mut c.conn(),
            &NewRegisteredItem {
                deposit_date: day,
                collection_point_id: point,
                cost_centre_id: centre,
                acknowledgement: ack,
                recipient_name: name,
                ..registered_item(&a, barcode)
            },
        )
        .await
        .unwrap();
    }
    operations::insert_registered_item(&mut c.conn(), &registered_item(&b, NB))
        .await
        .unwrap();
    ItemSite {
        customer: a.customer,
        points: [a.point, point2],
        centres: [a.centre, centre2],
        other_customer: b.customer,
        other_barcode: NB,
        ordered: vec![N4, N3, N2, N1, S1],
    }
}

fn all_of(customer_id: i64) -> ItemFilter {
    ItemFilter {
        customer_id,
        scope: CostCentreScope::All,
        barcode: None,
        from: None,
        to: None,
        recipient: None,
        collection_point_id: None,
        cost_centre_id: None,
        acknowledgement: None,
    }
}

/// Barcodes found by `f`, in order, checked against the count of the same filter.
async fn found(store: &Store, f: &ItemFilter) -> Vec<String> {
    let mut c = store.acquire().await.unwrap();
    let rows = items::list(&mut c.conn(), f, None, 500).await.unwrap();
    let n = items::count(&mut c.conn(), f).await.unwrap();
    assert_eq!(n, rows.len() as i64, "count of {f:?}");
    rows.into_iter().map(|r| r.barcode).collect()
}

async fn registered_items_are_filtered_within_their_customer(store: Store) {
    let s = item_site(&store).await;
    let base = all_of(s.customer);
    assert_eq!(found(&store, &base).await, s.ordered);

    // The row carries codes, not ids, and what was stored.
    let mut c = store.acquire().await.unwrap();
    let first = items::list(
        &mut c.conn(),
        &ItemFilter {
            barcode: Some(N1.into()),
            ..base.clone()
        },
        None,
        10,
    )
    .await
    .unwrap();
    drop(c);
    assert_eq!(first.len(), 1);
    let r = &first[0];
    assert_eq!(
        (
            r.barcode.as_str(),
            r.deposit_date,
            r.collection_point.as_str(),
            r.cost_centre.as_deref(),
            r.product_code.as_str(),
            r.acknowledgement,
            r.recipient_name.as_deref(),
            r.recipient_city.as_deref(),
        ),
        (
            N1,
            date!(2026 - 11 - 02),
            "CP1",
            Some("CC1"),
            "R01",
            true,
            Some("Marie Dubois"),
            Some("Liège"),
        )
    );

    // Another customer's barcode finds nothing, exactly like an unknown one.
    let other = ItemFilter {
        barcode: Some(s.other_barcode.into()),
        ..base.clone()
    };
    assert!(found(&store, &other).await.is_empty());
    assert_eq!(
        found(
            &store,
            &ItemFilter {
                barcode: Some(s.other_barcode.into()),
                ..all_of(s.other_customer)
            }
        )
        .await,
        [NB]
    );

    let cases: Vec<(ItemFilter, Vec<&str>)> = vec![
        (
            ItemFilter {
                from: Some(date!(2026 - 11 - 01)),
                to: Some(date!(2026 - 11 - 30)),
                ..base.clone()
            },
            vec![N4, N3, N2, N1],
        ),
        // Both ends are inclusive.
        (
            ItemFilter {
                from: Some(date!(2026 - 10 - 30)),
                to: Some(date!(2026 - 11 - 02)),
                ..base.clone()
            },
            vec![N2, N1, S1],
        ),
        (
            ItemFilter {
                to: Some(date!(2026 - 10 - 31)),
                ..base.clone()
            },
            vec![S1],
        ),
        // Any case, anywhere in the name; customer B's "Marie Dubois" stays out.
        (
            ItemFilter {
                recipient: Some("dUbOiS".into()),
                ..base.clone()
            },
            vec![N1, S1],
        ),
        // `%` and `_` are literal characters, not wildcards.
        (
            ItemFilter {
                recipient: Some("%".into()),
                ..base.clone()
            },
            vec![N3],
        ),
        (
            ItemFilter {
                recipient: Some("_".into()),
                ..base.clone()
            },
            vec![N4],
        ),
        (
            ItemFilter {
                collection_point_id: Some(s.points[1]),
                ..base.clone()
            },
            vec![N3],
        ),
        (
            ItemFilter {
                cost_centre_id: Some(s.centres[0]),
                ..base.clone()
            },
            vec![N4, N1, S1],
        ),
        (
            ItemFilter {
                acknowledgement: Some(true),
                ..base.clone()
            },
            vec![N3, N1],
        ),
        (
            ItemFilter {
                acknowledgement: Some(false),
                cost_centre_id: Some(s.centres[0]),
                ..base.clone()
            },
            vec![N4, S1],
        ),
        // A barcode with a date range that excludes it finds nothing.
        (
            ItemFilter {
                barcode: Some(S1.into()),
                from: Some(date!(2026 - 11 - 01)),
                ..base.clone()
            },
            vec![],
        ),
    ];
    for (f, expected) in cases {
        assert_eq!(found(&store, &f).await, expected, "{f:?}");
    }

    // A user limited to CC1 sees CC1's items only: not CC2's, not those without a cost centre.
    let limited = add_user(&store, Some(s.customer), "a.limited").await;
    let mut c = store.acquire().await.unwrap();
    users::limit_to_cost_centre(&mut c.conn(), limited, s.centres[0])
        .await
        .unwrap();
    drop(c);
    let scoped = ItemFilter {
        scope: CostCentreScope::LimitsOf(limited),
        ..base.clone()
    };
    assert_eq!(found(&store, &scoped).await, [N4, N1, S1]);
    assert!(
        found(
            &store,
            &ItemFilter {
                barcode: Some(N2.into()),
                ..scoped.clone()
            }
        )
        .await
        .is_empty()
    );
}

async fn registered_items_page_and_export_without_gaps(store: Store) {
    let s = item_site(&store).await;
    let base = all_of(s.customer);
    // Pages of two, each starting after the last row of the one before.
    let mut c = store.acquire().await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let rows = items::list(&mut c.conn(), &base, after, 2).await.unwrap();
        pages += 1;
        let Some(last) = rows.last() else { break };
        after = Some(last.after());
        let short = rows.len() < 2;
        seen.extend(rows.into_iter().map(|r| r.barcode));
        if short {
            break;
        }
    }
    drop(c);
    assert_eq!(seen, s.ordered, "no duplicate and no gap across pages");
    assert_eq!(pages, 3);

    // The export reads the same filter in chunks: whatever the chunk, the same rows in the
    // same order (one row per chunk, a chunk that divides the count exactly, one big chunk).
    for chunk in [1, 2, 5, 1000] {
        let rows: Vec<String> = items::export(store.clone(), base.clone(), chunk)
            .map_ok(|r| r.barcode)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows, s.ordered, "chunk {chunk}");
    }
    let filtered: Vec<String> = items::export(
        store.clone(),
        ItemFilter {
            recipient: Some("dubois".into()),
            ..base.clone()
        },
        1,
    )
    .map_ok(|r| r.barcode)
    .try_collect()
    .await
    .unwrap();
    assert_eq!(filtered, [N1, S1]);
    let none: Vec<String> = items::export(
        store.clone(),
        ItemFilter {
            barcode: Some(s.other_barcode.into()),
            ..base
        },
        10,
    )
    .map_ok(|r| r.barcode)
    .try_collect()
    .await
    .unwrap();
    assert!(none.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Home page figures

/// The first days of the months December 2025 … November 2026, then 1 December 2026.
fn chart_bounds() -> [time::Date; MONTHS + 1] {
    let mut d = date!(2025 - 12 - 01);
    std::array::from_fn(|_| {
        let this = d;
        d = (d + Duration::days(31)).replace_day(1).unwrap();
        this
    })
}

/// Inserts `(date, cost centre, quantity, amount)` lines for a site, ids prefixed by `prefix`.
async fn lines(
    store: &Store,
    s: &Site,
    prefix: &str,
    rows: &[(time::Date, Option<i64>, i64, i64)],
) {
    let mut c = store.acquire().await.unwrap();
    for (i, (date, centre, quantity, amount)) in rows.iter().enumerate() {
        let id = format!("{prefix}-{i}");
        let t = NewTransaction {
            date: *date,
            cost_centre_id: *centre,
            quantity: *quantity,
            ..transaction(s, &id, *amount)
        };
        operations::insert_transaction(&mut c.conn(), &t)
            .await
            .unwrap();
    }
}

fn totals(quantity: i64, amount_cents: i64) -> Totals {
    Totals {
        quantity,
        amount_cents,
    }
}

async fn dashboard_months_sum_per_month_tenant_and_cost_centre(store: Store) {
    let product = add_product(&store, "P01").await;
    let a = site(&store, "8800001", product).await;
    let b = site(&store, "8800002", product).await;
    let other_centre = {
        let mut c = store.acquire().await.unwrap();
        customers::insert_cost_centre(&mut c.conn(), a.customer, "CC2", "Sales")
            .await
            .unwrap()
    };
    let cc1 = Some(a.centre);
    let cc2 = Some(other_centre);
    let rows = [
        // Before the first month and on the day after the last: outside.
        (date!(2025 - 11 - 30), cc1, 1000, 100_000),
        (date!(2026 - 12 - 01), cc1, 1000, 100_000),
        // First month, on its first day; a big amount beyond 32 bits.
        (date!(2025 - 12 - 01), cc1, 2, 3_000_000_000),
        (date!(2025 - 12 - 31), cc2, 3, 30),
        // A leap-free February, on its last day.
        (date!(2026 - 02 - 28), None, 5, 500),
        (date!(2026 - 10 - 31), cc2, 7, 700),
        (date!(2026 - 11 - 01), cc1, 11, 1100),
        (date!(2026 - 11 - 30), None, 13, 1300),
    ];
    lines(&store, &a, "A", &rows).await;
    lines(&store, &b, "B", &[(date!(2026 - 11 - 02), None, 17, 1700)]).await;
    let limited = add_user(&store, Some(a.customer), "a.limited").await;
    let mut c = store.acquire().await.unwrap();
    users::limit_to_cost_centre(&mut c.conn(), limited, a.centre)
        .await
        .unwrap();
    let bounds = chart_bounds();
    assert_eq!(bounds[0], date!(2025 - 12 - 01));
    assert_eq!(bounds[MONTHS], date!(2026 - 12 - 01));

    let all = dashboard::monthly_totals(
        &mut c.conn(),
        Scope {
            customer_id: a.customer,
            limited_to_user: None,
        },
        &bounds,
    )
    .await
    .unwrap();
    let mut expected = [Totals::default(); MONTHS];
    expected[0] = totals(5, 3_000_000_030);
    expected[2] = totals(5, 500);
    expected[10] = totals(7, 700);
    expected[11] = totals(24, 2400);
    assert_eq!(all, expected, "every month of customer A, zero where empty");

    // The limited user: cost centre CC1 only, never the rows without a cost centre.
    let mine = dashboard::monthly_totals(
        &mut c.conn(),
        Scope {
            customer_id: a.customer,
            limited_to_user: Some(limited),
        },
        &bounds,
    )
    .await
    .unwrap();
    let mut expected = [Totals::default(); MONTHS];
    expected[0] = totals(2, 3_000_000_000);
    expected[11] = totals(11, 1100);
    assert_eq!(mine, expected);

    // Customer B sees its own line only, even named with A's limited user.
    for limited_to_user in [None, Some(limited)] {
        let theirs = dashboard::monthly_totals(
            &mut c.conn(),
            Scope {
                customer_id: b.customer,
                limited_to_user,
            },
            &bounds,
        )
        .await
        .unwrap();
        let expected_b = if limited_to_user.is_none() {
            totals(17, 1700)
        } else {
            Totals::default()
        };
        assert_eq!(theirs[11], expected_b);
        assert_eq!(theirs[..11], [Totals::default(); 11]);
    }
}

async fn dashboard_compares_this_month_with_last_by_product_and_destination(store: Store) {
    let p1 = add_product(&store, "P01").await;
    let p2 = add_product(&store, "P02").await;
    let a = site(&store, "8800001", p1).await;
    let b = site(&store, "8800002", p1).await;
    let limited = add_user(&store, Some(a.customer), "a.limited").await;
    let mut c = store.acquire().await.unwrap();
    users::limit_to_cost_centre(&mut c.conn(), limited, a.centre)
        .await
        .unwrap();
    let line =
        |id: &'static str, date, product, destination, centre, quantity, amount| NewTransaction {
            date,
            product_id: product,
            destination,
            cost_centre_id: centre,
            quantity,
            ..transaction(&a, id, amount)
        };
    let cc = Some(a.centre);
    let rows = [
        line("T-1", date!(2026 - 10 - 01), p1, Some("BE"), cc, 1, 100),
        line("T-2", date!(2026 - 10 - 31), p1, Some("EU"), cc, 2, 200),
        line("T-3", date!(2026 - 11 - 01), p1, Some("BE"), cc, 4, 400),
        line(
            "T-4",
            date!(2026 - 11 - 30),
            p2,
            Some("WORLD"),
            None,
            8,
            800,
        ),
        line("T-5", date!(2026 - 11 - 15), p2, None, cc, 16, 1600),
        // Outside both months.
        line("T-6", date!(2026 - 09 - 30), p1, Some("BE"), cc, 32, 3200),
        line("T-7", date!(2026 - 12 - 01), p1, Some("BE"), cc, 64, 6400),
    ];
    for r in &rows {
        operations::insert_transaction(&mut c.conn(), r)
            .await
            .unwrap();
    }
    operations::insert_transaction(&mut c.conn(), &transaction(&b, "B-1", 999))
        .await
        .unwrap();
    let months = dashboard::Compared {
        last: date!(2026 - 10 - 01)..date!(2026 - 11 - 01),
        this: date!(2026 - 11 - 01)..date!(2026 - 12 - 01),
    };
    let all = Scope {
        customer_id: a.customer,
        limited_to_user: None,
    };
    let by_product = dashboard::change_by_product(&mut c.conn(), all, &months)
        .await
        .unwrap();
    let got: Vec<_> = by_product
        .iter()
        .map(|r| (r.key.code.as_str(), r.this, r.last))
        .collect();
    assert_eq!(
        got,
        [
            ("P01", totals(4, 400), totals(3, 300)),
            ("P02", totals(24, 2400), totals(0, 0)),
        ]
    );
    assert_eq!(by_product[0].key.name_en, "Priority letter");
    assert_eq!(by_product[0].key.name_nl, "Prior brief");

    let by_destination = dashboard::change_by_destination(&mut c.conn(), all, &months)
        .await
        .unwrap();
    let got: Vec<_> = by_destination
        .iter()
        .map(|r| (r.key.as_deref(), r.this, r.last))
        .collect();
    assert_eq!(
        got,
        [
            (Some("BE"), totals(4, 400), totals(1, 100)),
            (Some("EU"), totals(0, 0), totals(2, 200)),
            (Some("WORLD"), totals(8, 800), totals(0, 0)),
            (None, totals(16, 1600), totals(0, 0)),
        ],
        "destinations in order, services (no destination) last"
    );

    // Limited to CC1: the WORLD line (no cost centre) is not theirs.
    let mine = Scope {
        customer_id: a.customer,
        limited_to_user: Some(limited),
    };
    let by_destination = dashboard::change_by_destination(&mut c.conn(), mine, &months)
        .await
        .unwrap();
    assert!(
        by_destination
            .iter()
            .all(|r| r.key.as_deref() != Some("WORLD"))
    );
    let by_product = dashboard::change_by_product(&mut c.conn(), mine, &months)
        .await
        .unwrap();
    assert_eq!(by_product[1].this, totals(16, 1600));

    // Customer B's line (2 November) is its own.
    let theirs = Scope {
        customer_id: b.customer,
        limited_to_user: None,
    };
    let by_product = dashboard::change_by_product(&mut c.conn(), theirs, &months)
        .await
        .unwrap();
    assert_eq!(by_product.len(), 1);
    assert_eq!(by_product[0].this, totals(1, 999));
    assert_eq!(by_product[0].last, totals(0, 0));

    // How recent the data is: the latest day of the scope's rows.
    assert_eq!(
        dashboard::latest_transaction_day(&mut c.conn(), all)
            .await
            .unwrap(),
        Some(date!(2026 - 12 - 01))
    );
    assert_eq!(
        dashboard::latest_registered_item_day(&mut c.conn(), all)
            .await
            .unwrap(),
        None
    );

    // Like with like: 1–15 November against 1–15 October leaves out 31 October and 30 November
    // (periods with a gap between them).
    let halves = dashboard::Compared {
        last: date!(2026 - 10 - 01)..date!(2026 - 10 - 16),
        this: date!(2026 - 11 - 01)..date!(2026 - 11 - 16),
    };
    let by_destination = dashboard::change_by_destination(&mut c.conn(), all, &halves)
        .await
        .unwrap();
    let got: Vec<_> = by_destination
        .iter()
        .map(|r| (r.key.as_deref(), r.this, r.last))
        .collect();
    assert_eq!(
        got,
        [
            (Some("BE"), totals(4, 400), totals(1, 100)),
            (None, totals(16, 1600), totals(0, 0)),
        ]
    );
}

fn run<'a>(kind: &'a str, finished_at: OffsetDateTime, outcome: &'a str) -> NewImportRun<'a> {
    NewImportRun {
        kind,
        file_name: "feed.csv",
        sha256: "00",
        actor: "cli",
        actor_user_id: None,
        started_at: finished_at - Duration::seconds(30),
        finished_at,
        outcome,
        rows_read: 10,
        inserted: if outcome == "imported" { 8 } else { 0 },
        already_present: if outcome == "imported" { 2 } else { 0 },
        updated: 0,
        error_count: if outcome == "imported" { 0 } else { 3 },
        lock_millis: Some(12),
        errors: "[]",
    }
}

async fn import_runs_latest_per_kind(store: Store) {
    let mut c = store.acquire().await.unwrap();
    assert!(
        import_runs::latest_per_kind(&mut c.conn(), false)
            .await
            .unwrap()
            .is_empty()
    );
    let plus_two = UtcOffset::from_hms(2, 0, 0).unwrap();
    let runs = [
        run("transactions", T0 - Duration::days(2), "imported"),
        // Written with another offset and a fraction: still the newest successful one.
        run(
            "transactions",
            (T0 - Duration::days(1) + Duration::milliseconds(400)).to_offset(plus_two),
            "imported",
        ),
        run("transactions", T0 - Duration::hours(1), "rejected"),
        run("products", T0 - Duration::days(3), "imported"),
        // Two runs finishing in the same second: the later id wins.
        run("registered-items", T0 - Duration::hours(5), "rejected"),
        run("registered-items", T0 - Duration::hours(5), "imported"),
    ];
    let mut ids = Vec::new();
    for r in &runs {
        ids.push(import_runs::insert(&mut c.conn(), r).await.unwrap());
    }
    let latest = import_runs::latest_per_kind(&mut c.conn(), false)
        .await
        .unwrap();
    let got: Vec<_> = latest
        .iter()
        .map(|r| (r.kind.as_str(), r.id, r.finished_at, r.outcome.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("products", ids[3], T0 - Duration::days(3), "imported"),
            (
                "registered-items",
                ids[5],
                T0 - Duration::hours(5),
                "imported"
            ),
            ("transactions", ids[2], T0 - Duration::hours(1), "rejected"),
        ]
    );
    assert_eq!(
        (
            latest[2].rows_read,
            latest[2].inserted,
            latest[2].error_count
        ),
        (10, 0, 3)
    );

    let successful = import_runs::latest_per_kind(&mut c.conn(), true)
        .await
        .unwrap();
    let got: Vec<_> = successful
        .iter()
        .map(|r| (r.kind.as_str(), r.id, r.finished_at))
        .collect();
    assert_eq!(
        got,
        [
            ("products", ids[3], T0 - Duration::days(3)),
            ("registered-items", ids[5], T0 - Duration::hours(5)),
            ("transactions", ids[1], T0 - Duration::days(1)),
        ]
    );
    assert_eq!(
        (
            successful[2].rows_read,
            successful[2].inserted,
            successful[2].already_present
        ),
        (10, 8, 2)
    );
}

// ---------------------------------------------------------------------------------------------
// Stored documents

mod documents {
    use super::common::{self, T0, add_customer};
    use cs_store::{
        Store,
        repo::documents::{self, DocumentRow, NewDocument},
    };
    use time::{Duration, macros::datetime};

    contract! {
        documents_are_recorded_once_with_their_hash_size_and_owner => sqlite_documents_are_recorded_once_with_their_hash_size_and_owner, postgres_documents_are_recorded_once_with_their_hash_size_and_owner;
        documents_recorded_in_a_rolled_back_transaction_are_not_there => sqlite_documents_recorded_in_a_rolled_back_transaction_are_not_there, postgres_documents_recorded_in_a_rolled_back_transaction_are_not_there;
    }

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn receipt<'a>(key: &'a str, customer_id: Option<i64>) -> NewDocument<'a> {
        NewDocument {
            kind: "receipt",
            object_key: key,
            sha256: SHA,
            size_bytes: 4,
            customer_id,
            created_at: T0,
        }
    }

    async fn documents_are_recorded_once_with_their_hash_size_and_owner(store: Store) {
        let alpha = add_customer(&store, "8800001").await;
        let mut c = store.acquire().await.unwrap();
        let key = "receipts/2026-11/R-0001.pdf";
        assert_eq!(documents::by_key(&mut c.conn(), key).await.unwrap(), None);

        let at = datetime!(2026-03-29 03:30:00.75 +02:00);
        let id = documents::insert(
            &mut c.conn(),
            &NewDocument {
                created_at: at,
                ..receipt(key, Some(alpha))
            },
        )
        .await
        .unwrap();
        let own = documents::insert(&mut c.conn(), &receipt("reports/2026-11.pdf", None))
            .await
            .unwrap();
        assert_ne!(id, own);
        assert_eq!(
            documents::by_key(&mut c.conn(), key).await.unwrap(),
            Some(DocumentRow {
                id,
                kind: "receipt".into(),
                object_key: key.into(),
                sha256: SHA.into(),
                size_bytes: 4,
                customer_id: Some(alpha),
                created_at: datetime!(2026-03-29 01:30:00 UTC),
            })
        );
        let row = documents::by_key(&mut c.conn(), "reports/2026-11.pdf")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.customer_id, None, "the Service Centre's own");

        // A key is written once: the same key again is a conflict, for any owner.
        let again = documents::insert(&mut c.conn(), &receipt(key, None)).await;
        assert!(again.unwrap_err().is_conflict());
        // A hash that is not 64 hex characters, a negative size or an unknown customer is
        // refused, and not as a conflict.
        for bad in [
            NewDocument {
                sha256: "abc",
                ..receipt("bad/1.pdf", None)
            },
            NewDocument {
                size_bytes: -1,
                ..receipt("bad/2.pdf", None)
            },
            NewDocument {
                created_at: T0 + Duration::days(1),
                ..receipt("bad/3.pdf", Some(alpha + 1000))
            },
        ] {
            let e = documents::insert(&mut c.conn(), &bad).await.unwrap_err();
            assert!(!e.is_conflict(), "{}: {e}", bad.object_key);
        }

        assert!(documents::delete(&mut c.conn(), id).await.unwrap());
        assert!(!documents::delete(&mut c.conn(), id).await.unwrap());
        assert_eq!(documents::by_key(&mut c.conn(), key).await.unwrap(), None);
        // Forgotten, the key may be recorded again.
        documents::insert(&mut c.conn(), &receipt(key, Some(alpha)))
            .await
            .unwrap();
    }

    async fn documents_recorded_in_a_rolled_back_transaction_are_not_there(store: Store) {
        let key = "invoices/2026-11/F-1.pdf";
        let mut tx = store.begin().await.unwrap();
        documents::insert(&mut tx.conn(), &receipt(key, None))
            .await
            .unwrap();
        assert!(
            documents::by_key(&mut tx.conn(), key)
                .await
                .unwrap()
                .is_some(),
            "seen inside its transaction"
        );
        drop(tx);
        let mut c = store.acquire().await.unwrap();
        assert_eq!(documents::by_key(&mut c.conn(), key).await.unwrap(), None);
        let n: i64 = cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar(
            "SELECT COUNT(*) FROM documents"
        )
        .fetch_one(x)
        .await)
        .unwrap();
        assert_eq!(n, 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Jobs as a registry: unique keys, dead letters, the operator's list and retry, purging

mod jobs_registry {
    use super::*;
    use cs_store::repo::jobs::NewJob;

    contract! {
        unique_keys_admit_one_job_even_under_parallel_enqueues => sqlite_unique_keys_admit_one_job_even_under_parallel_enqueues, postgres_unique_keys_admit_one_job_even_under_parallel_enqueues;
        a_rolled_back_enqueue_leaves_its_key_free => sqlite_a_rolled_back_enqueue_leaves_its_key_free, postgres_a_rolled_back_enqueue_leaves_its_key_free;
        given_up_jobs_are_listed_newest_first_and_retried => sqlite_given_up_jobs_are_listed_newest_first_and_retried, postgres_given_up_jobs_are_listed_newest_first_and_retried;
        done_jobs_are_purged_by_age_keyed_ones_later => sqlite_done_jobs_are_purged_by_age_keyed_ones_later, postgres_done_jobs_are_purged_by_age_keyed_ones_later;
    }

    fn job<'a>(key: Option<&'a str>, at: OffsetDateTime) -> NewJob<'a> {
        NewJob {
            kind: "housekeeping",
            payload: "{}",
            run_at: at,
            created_at: at,
            unique_key: key,
        }
    }

    /// 20 enqueues of one key at the same moment, each in its own transaction: one row.
    async fn unique_keys_admit_one_job_even_under_parallel_enqueues(store: Store) {
        let attempts = (0..20).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let id = jobs::insert(&mut tx.conn(), &job(Some("retention:2026-12-03"), T0))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                id
            })
        });
        let mut ids = Vec::new();
        for a in futures::future::join_all(attempts).await {
            ids.push(a.unwrap());
        }
        let stored: Vec<i64> = ids.iter().flatten().copied().collect();
        assert_eq!(stored.len(), 1, "exactly one enqueue stored it: {ids:?}");
        let mut c = store.acquire().await.unwrap();
        let rows: i64 = cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE unique_key = 'retention:2026-12-03'"
        )
        .fetch_one(x)
        .await)
        .unwrap();
        assert_eq!(rows, 1);
        // Jobs without a key are never refused; another key is another job.
        for _ in 0..2 {
            assert!(
                jobs::insert(&mut c.conn(), &job(None, T0))
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        assert!(
            jobs::insert(&mut c.conn(), &job(Some("retention:2026-12-04"), T0))
                .await
                .unwrap()
                .is_some()
        );
        // The key holds after the job is done, so a slot runs once.
        jobs::complete(&mut c.conn(), stored[0], T0).await.unwrap();
        assert_eq!(
            jobs::insert(&mut c.conn(), &job(Some("retention:2026-12-03"), T0))
                .await
                .unwrap(),
            None
        );
    }

    async fn a_rolled_back_enqueue_leaves_its_key_free(store: Store) {
        let mut tx = store.begin().await.unwrap();
        assert!(
            jobs::insert(&mut tx.conn(), &job(Some("close:2026-11"), T0))
                .await
                .unwrap()
                .is_some()
        );
        drop(tx);
        let mut c = store.acquire().await.unwrap();
        assert!(
            jobs::insert(&mut c.conn(), &job(Some("close:2026-11"), T0))
                .await
                .unwrap()
                .is_some(),
            "the action that caused it rolled back: the key was never taken"
        );
    }

    async fn given_up_jobs_are_listed_newest_first_and_retried(store: Store) {
        let mut c = store.acquire().await.unwrap();
        let mut ids = Vec::new();
        for key in [Some("housekeeping:2026-11-26:11"), None, None] {
            ids.push(
                jobs::insert(&mut c.conn(), &job(key, T0))
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        let claimed = jobs::claim_due(&mut c.conn(), T0, T0 + Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 3);
        let failed_at = T0 + Duration::minutes(1);
        jobs::fail(&mut c.conn(), ids[0], "SMTP: refused", failed_at, None)
            .await
            .unwrap();
        jobs::fail(&mut c.conn(), ids[1], &"x".repeat(5000), failed_at, None)
            .await
            .unwrap();
        jobs::fail(
            &mut c.conn(),
            ids[2],
            "later",
            failed_at,
            Some(T0 + Duration::hours(1)),
        )
        .await
        .unwrap();

        let failed = jobs::list(&mut c.conn(), "failed", None, 10).await.unwrap();
        assert_eq!(
            failed.iter().map(|j| j.id).collect::<Vec<_>>(),
            [ids[1], ids[0]]
        );
        let first = &failed[1];
        assert_eq!(first.kind, "housekeeping");
        assert_eq!(
            first.unique_key.as_deref(),
            Some("housekeeping:2026-11-26:11")
        );
        assert_eq!(first.status, "failed");
        assert_eq!(first.attempts, 1);
        assert_eq!(first.last_error.as_deref(), Some("SMTP: refused"));
        assert_eq!(first.failed_at, Some(failed_at));
        assert_eq!(first.created_at, T0);
        assert_eq!(
            failed[0].last_error.as_ref().map(|e| e.chars().count()),
            Some(2000),
            "a long error is cut"
        );
        let page = jobs::list(&mut c.conn(), "failed", Some(ids[1]), 10)
            .await
            .unwrap();
        assert_eq!(page.iter().map(|j| j.id).collect::<Vec<_>>(), [ids[0]]);
        let queued = jobs::list(&mut c.conn(), "queued", None, 10).await.unwrap();
        assert_eq!(queued.iter().map(|j| j.id).collect::<Vec<_>>(), [ids[2]]);
        assert_eq!(queued[0].failed_at, None);
        assert_eq!(jobs::counts(&mut c.conn()).await.unwrap(), (1, 0, 2));

        // Retry: queued, due at once, tries from zero; only a failed job, only once.
        let at = T0 + Duration::hours(3);
        assert!(jobs::retry_failed(&mut c.conn(), ids[0], at).await.unwrap());
        assert!(!jobs::retry_failed(&mut c.conn(), ids[0], at).await.unwrap());
        assert!(
            !jobs::retry_failed(&mut c.conn(), ids[2], at).await.unwrap(),
            "not failed"
        );
        assert!(
            !jobs::retry_failed(&mut c.conn(), 999_999, at)
                .await
                .unwrap()
        );
        let retried = jobs::by_id(&mut c.conn(), ids[0]).await.unwrap().unwrap();
        assert_eq!(
            (
                retried.status.as_str(),
                retried.attempts,
                retried.run_at,
                retried.failed_at
            ),
            ("queued", 0, at, None)
        );
        assert_eq!(
            retried.last_error.as_deref(),
            Some("SMTP: refused"),
            "kept until it succeeds"
        );
        assert!(jobs::by_id(&mut c.conn(), 999_999).await.unwrap().is_none());
        let due = jobs::claim_due(&mut c.conn(), at, at + Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(
            due.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
            [(ids[0], 1), (ids[2], 2)]
        );
    }

    async fn done_jobs_are_purged_by_age_keyed_ones_later(store: Store) {
        let mut c = store.acquire().await.unwrap();
        let old = T0 - Duration::days(40);
        let plain_old = jobs::insert(&mut c.conn(), &job(None, old))
            .await
            .unwrap()
            .unwrap();
        let keyed_old = jobs::insert(&mut c.conn(), &job(Some("housekeeping:old"), old))
            .await
            .unwrap()
            .unwrap();
        let plain_new = jobs::insert(&mut c.conn(), &job(None, T0))
            .await
            .unwrap()
            .unwrap();
        let failed_old = jobs::insert(&mut c.conn(), &job(None, old))
            .await
            .unwrap()
            .unwrap();
        jobs::claim_due(&mut c.conn(), T0, T0 + Duration::minutes(5), 10)
            .await
            .unwrap();
        for id in [plain_old, keyed_old] {
            jobs::complete(&mut c.conn(), id, old).await.unwrap();
        }
        jobs::complete(&mut c.conn(), plain_new, T0).await.unwrap();
        jobs::fail(&mut c.conn(), failed_old, "x", old, None)
            .await
            .unwrap();

        let purged = jobs::purge_done(
            &mut c.conn(),
            T0 - Duration::days(30),
            T0 - Duration::days(400),
        )
        .await
        .unwrap();
        assert_eq!(purged, 1);
        assert!(
            jobs::by_id(&mut c.conn(), plain_old)
                .await
                .unwrap()
                .is_none()
        );
        for id in [keyed_old, plain_new, failed_old] {
            assert!(
                jobs::by_id(&mut c.conn(), id).await.unwrap().is_some(),
                "{id} kept"
            );
        }
        let purged = jobs::purge_done(
            &mut c.conn(),
            T0 + Duration::seconds(1),
            T0 - Duration::days(39),
        )
        .await
        .unwrap();
        assert_eq!(
            purged, 2,
            "the keyed one past its longer time, and the new plain one"
        );
        assert!(
            jobs::by_id(&mut c.conn(), failed_old)
                .await
                .unwrap()
                .is_some(),
            "a dead letter stays for the operator"
        );
    }
}
