//! Every feed's spec held against the database, on SQLite and on PostgreSQL: the staging table
//! the store creates for it has exactly `line` and the spec's columns, in the spec's order, and
//! every one of those columns exists in the table the feed is published to.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use cs_app::imports::FeedSpec;
use cs_store::{Store, scratch::ScratchPg, staging::Staging};

async fn specs_match_the_declared_tables(store: &Store) {
    store.migrate().await.expect("migrate");
    for spec in FeedSpec::ALL {
        let mut staging = Staging::open(store, spec.table).await.expect("staging");
        let (staged, target) = staging.declared_columns().await.expect("columns");
        let mut want = vec!["line".to_owned()];
        want.extend(spec.table.columns.iter().map(|c| c.name.to_owned()));
        assert_eq!(staged, want, "{}: the staging table", spec.kind);
        for c in spec.table.columns {
            assert!(
                target.iter().any(|t| t == c.name),
                "{}: {} is not a column of {} ({target:?})",
                spec.kind,
                c.name,
                spec.table.target
            );
        }
        assert_eq!(
            target.iter().any(|t| t == "created_at"),
            spec.table.created_at,
            "{}: created_at",
            spec.kind
        );
    }
}

#[tokio::test]
async fn specs_match_the_declared_tables_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("specs.db").display()
    );
    let store = Store::connect(&url).await.unwrap();
    specs_match_the_declared_tables(&store).await;
    store.close().await;
}

#[tokio::test]
async fn specs_match_the_declared_tables_on_postgres() {
    let Some(db) =
        ScratchPg::for_test("specs_match_the_declared_tables_on_postgres", "cs_app").await
    else {
        return;
    };
    let store = Store::connect(db.url()).await.unwrap();
    specs_match_the_declared_tables(&store).await;
    store.close().await;
    db.drop_now().await;
}
