//! The export's stream reads exactly what the pages read, on both backends: on a SQLite file
//! it goes below sqlx (`sqlite_read`), so this holds the two readers to the same rows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test: a failed unwrap is the test failing; the data is small"
)]

#[allow(dead_code, reason = "the shared fixtures; this file uses some of them")]
mod common;

use common::{add_customer, add_product, add_user};
use cs_store::{
    Backend, Store,
    repo::{
        customers,
        operations::{self, NewTransaction},
        transactions::{self, After, Filter, Order, TransactionRow},
        users,
    },
};
use time::{Date, Duration, macros::date};

/// More rows than one hand-over batch (1,024), over two months, two cost centres, two
/// products and rows without a cost centre; amounts repeat so that ties are broken by id.
const ROWS: i64 = 2_600;

async fn seed(store: &Store) -> (i64, i64) {
    let p1 = add_product(store, "P01").await;
    let p2 = add_product(store, "P02").await;
    let customer = add_customer(store, "8800001").await;
    let other = add_customer(store, "8800002").await;
    let mut c = store.acquire().await.unwrap();
    let point = customers::insert_collection_point(
        &mut c.conn(),
        customer,
        "CP1",
        "Siège",
        ("Rue 1", "1000", "Bruxelles"),
    )
    .await
    .unwrap();
    let other_point = customers::insert_collection_point(
        &mut c.conn(),
        other,
        "CP1",
        "Elsewhere",
        ("Rue 2", "1000", "Bruxelles"),
    )
    .await
    .unwrap();
    let cc1 = customers::insert_cost_centre(&mut c.conn(), customer, "CC1", "Finance")
        .await
        .unwrap();
    let cc2 = customers::insert_cost_centre(&mut c.conn(), customer, "CC2", "Ventes")
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    for i in 0..ROWS {
        let id = format!("T-{i:05}");
        let row = NewTransaction {
            transaction_id: &id,
            customer_id: customer,
            date: date!(2026 - 10 - 01) + Duration::days(i % 61),
            collection_point_id: point,
            cost_centre_id: match i % 3 {
                0 => Some(cc1),
                1 => Some(cc2),
                _ => None,
            },
            product_id: if i % 4 == 0 { p2 } else { p1 },
            format: (i % 5 != 0).then_some("C5"),
            weight_class: Some("0-50g"),
            destination: Some(if i % 7 == 0 { "EU" } else { "BE" }),
            quantity: 1 + i % 9,
            unit_price_millis: 1_250,
            amount_cents: (i % 97) * 13,
        };
        operations::insert_transaction(&mut tx.conn(), &row)
            .await
            .unwrap();
    }
    // Another customer's rows never show.
    let foreign = NewTransaction {
        transaction_id: "X-1",
        customer_id: other,
        date: date!(2026 - 10 - 15),
        collection_point_id: other_point,
        cost_centre_id: None,
        product_id: p1,
        format: None,
        weight_class: None,
        destination: None,
        quantity: 1,
        unit_price_millis: 0,
        amount_cents: 0,
    };
    operations::insert_transaction(&mut tx.conn(), &foreign)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let limited = add_user(store, Some(customer), "limited").await;
    users::limit_to_cost_centre(&mut c.conn(), limited, cc2)
        .await
        .unwrap();
    (customer, limited)
}

fn filter(customer_id: i64, from: Date, to: Date) -> Filter<'static> {
    Filter {
        customer_id,
        from,
        to,
        product: None,
        collection_point: None,
        cost_centre: None,
        destination: None,
        limited_to_user: None,
    }
}

async fn streamed(store: &Store, f: &Filter<'_>, order: Order) -> Vec<TransactionRow> {
    let mut c = store.acquire().await.unwrap();
    let mut out = Vec::new();
    transactions::for_each(&mut c.conn(), f, order, |row| {
        out.push(row);
        async { true }
    })
    .await
    .unwrap();
    out
}

async fn paged(store: &Store, f: &Filter<'_>, order: Order) -> Vec<TransactionRow> {
    let mut c = store.acquire().await.unwrap();
    let mut out: Vec<TransactionRow> = Vec::new();
    let mut after = After::start(order, f);
    loop {
        let page = transactions::page(&mut c.conn(), f, order, after, 500)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = After {
            date: last.date,
            amount_cents: last.amount_cents,
            id: last.id,
        };
        out.extend(page);
    }
    out
}

async fn the_stream_reads_what_the_pages_read(store: Store) {
    let (customer, limited) = seed(&store).await;
    let whole = filter(customer, date!(2026 - 10 - 01), date!(2026 - 11 - 30));
    let narrowed = [
        whole,
        filter(customer, date!(2026 - 10 - 10), date!(2026 - 10 - 20)),
        Filter {
            product: Some("P02"),
            destination: Some("EU"),
            ..whole
        },
        Filter {
            cost_centre: Some("CC1"),
            collection_point: Some("CP1"),
            ..whole
        },
        Filter {
            limited_to_user: Some(limited),
            ..whole
        },
        Filter {
            product: Some("NOPE"),
            ..whole
        },
    ];
    for f in &narrowed {
        for order in [
            Order::DateAsc,
            Order::DateDesc,
            Order::AmountAsc,
            Order::AmountDesc,
        ] {
            let s = streamed(&store, f, order).await;
            let p = paged(&store, f, order).await;
            assert_eq!(s.len(), p.len(), "{f:?} {order:?}");
            assert!(s == p, "{f:?} {order:?}: the rows differ");
        }
    }
    let all = streamed(&store, &whole, Order::DateAsc).await;
    assert_eq!(all.len(), ROWS as usize, "every row, across batches");
    assert!(all.iter().all(|r| !r.transaction_id.starts_with('X')));
    let limited_rows = streamed(&store, &narrowed[4], Order::DateAsc).await;
    assert!(!limited_rows.is_empty());
    assert!(
        limited_rows
            .iter()
            .all(|r| r.cost_centre.as_deref() == Some("CC2"))
    );

    // Stopping early stops the reader: no error, and exactly the rows asked for.
    let mut c = store.acquire().await.unwrap();
    let mut seen = 0;
    transactions::for_each(&mut c.conn(), &whole, Order::DateAsc, |_| {
        seen += 1;
        let more = seen < 1_500;
        async move { more }
    })
    .await
    .unwrap();
    assert_eq!(seen, 1_500);
}

#[tokio::test]
async fn sqlite_the_stream_reads_what_the_pages_read() {
    common::on_sqlite(the_stream_reads_what_the_pages_read).await;
}

#[tokio::test]
async fn postgres_the_stream_reads_what_the_pages_read() {
    common::on_postgres(
        "postgres_the_stream_reads_what_the_pages_read",
        the_stream_reads_what_the_pages_read,
    )
    .await;
}

/// The page and totals a list shows: on a SQLite file read below sqlx (`page_with_totals`),
/// the same rows and figures as [`transactions::page`] and [`transactions::totals`] through a
/// pooled connection, for every order, from the start and from the middle.
async fn the_direct_page_reads_what_the_pooled_page_reads(store: Store) {
    assert_eq!(
        store.reads_directly(),
        store.backend() == Backend::Sqlite,
        "a SQLite file is read directly"
    );
    let (customer, limited) = seed(&store).await;
    let whole = filter(customer, date!(2026 - 10 - 01), date!(2026 - 11 - 30));
    // A month is read on the caller's thread, a longer range off it: both are covered.
    let october = filter(customer, date!(2026 - 10 - 01), date!(2026 - 10 - 31));
    let filters = [
        whole,
        october,
        Filter {
            product: Some("P02"),
            cost_centre: Some("CC1"),
            ..october
        },
        Filter {
            limited_to_user: Some(limited),
            ..whole
        },
        Filter {
            product: Some("NOPE"),
            ..whole
        },
    ];
    let mut c = store.acquire().await.unwrap();
    for f in &filters {
        for order in [
            Order::DateAsc,
            Order::DateDesc,
            Order::AmountAsc,
            Order::AmountDesc,
        ] {
            let first = transactions::page(&mut c.conn(), f, order, After::start(order, f), 120)
                .await
                .unwrap();
            let middle = first.last().map_or(After::start(order, f), |r| After {
                date: r.date,
                amount_cents: r.amount_cents,
                id: r.id,
            });
            for (after, limit) in [(After::start(order, f), 51), (middle, 51), (middle, 1)] {
                let pooled = transactions::page(&mut c.conn(), f, order, after, limit)
                    .await
                    .unwrap();
                let totals = transactions::totals(&mut c.conn(), f).await.unwrap();
                let (rows, direct_totals) =
                    transactions::page_with_totals(&store, f, order, after, limit)
                        .await
                        .unwrap();
                assert!(rows == pooled, "{f:?} {order:?} {after:?}: the rows differ");
                assert_eq!(direct_totals, totals, "{f:?}: the totals differ");
            }
        }
    }
    let (rows, totals) = transactions::page_with_totals(
        &store,
        &whole,
        Order::DateAsc,
        After::start(Order::DateAsc, &whole),
        51,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 51);
    let quantity: i64 = totals.iter().map(|t| t.quantity).sum();
    assert_eq!(quantity, (0..ROWS).map(|i| 1 + i % 9).sum::<i64>());
}

#[tokio::test]
async fn sqlite_the_direct_page_reads_what_the_pooled_page_reads() {
    common::on_sqlite(the_direct_page_reads_what_the_pooled_page_reads).await;
}

/// On the server's multi-threaded runtime the direct read runs on the request's own thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_direct_page_reads_alike_on_a_multi_threaded_runtime() {
    common::on_sqlite(the_direct_page_reads_what_the_pooled_page_reads).await;
}

#[tokio::test]
async fn postgres_the_direct_page_reads_what_the_pooled_page_reads() {
    common::on_postgres(
        "postgres_the_direct_page_reads_what_the_pooled_page_reads",
        the_direct_page_reads_what_the_pooled_page_reads,
    )
    .await;
}
