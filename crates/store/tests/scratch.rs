//! The scratch-database guard keeps its promise: whichever way a test ends (its own drop, a
//! plain scope end, a panic), the PostgreSQL database it made is gone afterwards.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failed unwrap is the test failing"
)]

use cs_store::scratch::{DEFAULT_TEST_ADMIN_URL, ScratchPg};
use sqlx::{Connection, PgConnection};

async fn exists(name: &str) -> bool {
    let admin = std::env::var("COLLECTSTAMP_TEST_PG_URL")
        .unwrap_or_else(|_| DEFAULT_TEST_ADMIN_URL.to_owned());
    let mut c = PgConnection::connect(&admin)
        .await
        .expect("admin connection");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(&mut c)
        .await
        .expect("count");
    n == 1
}

#[tokio::test]
async fn scratch_databases_are_dropped_however_the_test_ends() {
    let test = "scratch_databases_are_dropped_however_the_test_ends";
    let Some(explicit) = ScratchPg::for_test(test, "cs_scratch").await else {
        return;
    };
    let name = explicit.name().to_owned();
    assert!(exists(&name).await, "created");
    explicit.drop_now().await;
    assert!(!exists(&name).await, "dropped by drop_now");

    let scoped = ScratchPg::for_test(test, "cs_scratch")
        .await
        .expect("second");
    let name = scoped.name().to_owned();
    drop(scoped);
    assert!(!exists(&name).await, "dropped by Drop");

    let held = ScratchPg::for_test(test, "cs_scratch")
        .await
        .expect("third");
    let name = held.name().to_owned();
    let outcome = std::thread::spawn(move || {
        let _held = held;
        panic!("a failing test (expected in this test's output)");
    })
    .join();
    assert!(outcome.is_err(), "the thread panicked");
    assert!(!exists(&name).await, "dropped while unwinding");
}

#[tokio::test]
async fn a_prefix_that_could_splice_sql_is_refused() {
    let err = ScratchPg::create(DEFAULT_TEST_ADMIN_URL, "x; DROP DATABASE test")
        .await
        .expect_err("refused before connecting");
    assert!(err.to_string().contains("prefix"), "{err}");
}
