//! Transactions, end to end: the list with its default month, ranges, filters, sorts and
//! keyset paging; totals of the whole filter; CSV and XLSX exports of exactly that filter;
//! cost-centre limits; tenant isolation; the page in French. Every expected row and sum is
//! computed here from the seeded data, independently of the portal.

use crate::harness::{self, Api, TestApp, Transaction, error_details, error_fields};
use reqwest::{StatusCode, header};
use serde_json::Value;
use std::collections::BTreeMap;
use time::{Date, Duration, macros::date};

crate::on_both!(
    the_default_is_the_current_month_with_totals_of_the_whole_filter,
    ranges_and_filters_pick_exactly_their_rows,
    every_sort_pages_without_gap_or_duplicate,
    exports_hold_exactly_the_filter_and_agree_with_the_totals,
    cost_centre_limited_users_see_only_their_rows,
    customers_never_see_each_others_rows,
    users_without_the_module_are_refused,
    the_page_keeps_the_filter_shows_totals_and_errors_in_french,
    unknown_codes_are_refused_naming_the_field_on_the_list_the_export_and_the_page,
    a_cursor_replayed_with_another_filter_sort_or_customer_is_refused,
);

const FIELDS: [&str; 11] = [
    "transaction_id",
    "date",
    "collection_point",
    "cost_centre",
    "product_code",
    "format",
    "weight_class",
    "destination",
    "quantity",
    "unit_price_millis",
    "amount_cents",
];

/// A seeded transaction as the test knows it.
#[derive(Debug, Clone)]
struct Seed {
    /// Insertion order (the row id's order): the tie-breaker of every sort.
    n: i64,
    id: String,
    date: Date,
    collection_point: &'static str,
    cost_centre: Option<&'static str>,
    product: &'static str,
    format: Option<&'static str>,
    weight_class: Option<String>,
    destination: Option<&'static str>,
    quantity: i64,
    unit_price_millis: i64,
    amount_cents: i64,
}

struct Data {
    /// Customer A's rows, in the order they were stored (id order).
    a: Vec<Seed>,
    b: Vec<Seed>,
}

/// (code, kind, destination, format, unit price in thousandths)
type Product = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    i64,
);
const PRODUCTS: [Product; 4] = [
    ("PRIOR-BE", "postage", Some("BE"), Some("small"), 1_450),
    ("NONPRIOR-EU", "postage", Some("EU"), Some("large"), 2_985),
    (
        "REG-WORLD",
        "registered",
        Some("WORLD"),
        Some("small"),
        8_125,
    ),
    ("SVC-COLLECT", "service", None, None, 15_000),
];

/// Seeds products, collection points, a cost centre for B and a few hundred transactions
/// through the store's own functions, in one transaction.
async fn seed(t: &TestApp) -> Data {
    let (a, b) = (t.fx.customer_a, t.fx.customer_b);
    let mut db = harness::Seed::new(t);
    for (code, kind, ..) in PRODUCTS {
        db = db.product(code, kind, if kind == "service" { 21 } else { 0 });
    }
    for (customer, code) in [(a, "HQ"), (a, "DEPOT"), (b, "HQ"), (b, "B-MAIN")] {
        db = db.collection_point(customer, code);
    }
    // B has a cost centre with the same code as one of A's: codes are per customer.
    db = db.cost_centre(b, "CA1", "B finance");

    let mut data = Data {
        a: Vec::new(),
        b: Vec::new(),
    };
    let mut stored = Vec::new();
    let start = date!(2026 - 10 - 20);
    for i in 0..330_i64 {
        let for_b = i % 11 == 10;
        let customer = if for_b { b } else { a };
        let (code, _, destination, format, price) = PRODUCTS[(i % 4) as usize];
        let quantity = 1 + (i * 37) % 23;
        let date = start + Duration::days((i * 7) % 45);
        let (collection_point, cost_centre) = if for_b {
            (
                if i % 2 == 0 { "HQ" } else { "B-MAIN" },
                (i % 3 == 0).then_some("CA1"),
            )
        } else {
            (
                if i % 2 == 0 { "HQ" } else { "DEPOT" },
                [Some("CA1"), Some("CA2"), None][(i % 3) as usize],
            )
        };
        // Text that a spreadsheet would run as a formula, in text cells only.
        let id = match i {
            4 => "=HYPERLINK(\"http://x\")".to_owned(),
            _ => format!("{}-{i:04}", if for_b { "B" } else { "A" }),
        };
        let weight_class = match (i, format) {
            (8, _) => Some("+1kg".to_owned()),
            (_, Some(_)) => Some(format!("{}-{}g", i % 3 * 50, i % 3 * 50 + 50)),
            (_, None) => None,
        };
        let seed = Seed {
            n: i,
            id,
            date,
            collection_point,
            cost_centre,
            product: code,
            format,
            weight_class,
            destination,
            quantity,
            unit_price_millis: price,
            // quantity × price, half-up to the cent.
            amount_cents: (quantity * price + 5) / 10,
        };
        stored.push(Transaction {
            centre: seed.cost_centre.map(str::to_owned),
            format: seed.format.map(str::to_owned),
            weight_class: seed.weight_class.clone(),
            destination: seed.destination.map(str::to_owned),
            amount_cents: seed.amount_cents,
            ..Transaction::new(
                customer,
                &seed.id,
                seed.date,
                collection_point,
                code,
                (seed.quantity, seed.unit_price_millis),
            )
        });
        if for_b {
            data.b.push(seed);
        } else {
            data.a.push(seed);
        }
    }
    db.transactions(stored).insert().await;
    data
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["transaction_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of `path` (which has its `?`), with `limit`: (ids in order, totals of the
/// first page, pages read). Checks that every page repeats the same totals.
async fn all_pages(api: &Api, path: &str, limit: usize) -> (Vec<String>, Value, usize) {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    let mut totals = Value::Null;
    let mut pages = 0;
    loop {
        let mut url = format!("{path}&limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let v = api.get_json(&url).await;
        pages += 1;
        let page = ids(&v["items"]);
        assert!(page.len() <= limit);
        if pages == 1 {
            totals = v["totals"].clone();
        } else {
            assert_eq!(
                v["totals"], totals,
                "totals are of the whole filter, not the page"
            );
        }
        out.extend(page);
        match v["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(
                    v["items"].as_array().unwrap().len(),
                    limit,
                    "a full page before more"
                );
                cursor = Some(c.to_owned());
            }
            None => break,
        }
        assert!(pages < 1000, "paging does not end");
    }
    (out, totals, pages)
}

/// The totals the API must give for `rows`, computed here.
fn expected_totals(rows: &[&Seed]) -> Value {
    let mut by: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in rows {
        let e = by.entry(r.product).or_default();
        e.0 += r.quantity;
        e.1 += r.amount_cents;
    }
    serde_json::json!({
        "quantity": rows.iter().map(|r| r.quantity).sum::<i64>(),
        "amount_cents": rows.iter().map(|r| r.amount_cents).sum::<i64>(),
        "by_product": by.iter().map(|(code, (q, a))| serde_json::json!({
            "product_code": code, "quantity": q, "amount_cents": a
        })).collect::<Vec<_>>(),
    })
}

fn in_range(s: &Seed, from: Date, to: Date) -> bool {
    s.date >= from && s.date <= to
}

/// The ids of `rows` in the default order: by date, then as stored.
fn id_list(rows: &[&Seed]) -> Vec<String> {
    let mut sorted = rows.to_vec();
    sorted.sort_by_key(|s| (s.date, s.n));
    sorted.iter().map(|r| r.id.clone()).collect()
}

const NOV_1: Date = date!(2026 - 11 - 01);
const NOV_30: Date = date!(2026 - 11 - 30);

async fn the_default_is_the_current_month_with_totals_of_the_whole_filter(t: &TestApp) {
    let data = seed(t).await;
    let api = t.api_as("a.admin").await;
    let v = api.get_json("/api/v1/transactions").await;
    let november: Vec<&Seed> = data
        .a
        .iter()
        .filter(|s| in_range(s, NOV_1, NOV_30))
        .collect();
    assert!(
        november.len() > 100,
        "the fixture spreads over several months"
    );
    assert!(november.len() < data.a.len());
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 50, "default limit");
    assert!(v["next_cursor"].is_string());
    assert_eq!(
        ids(&v["items"]),
        id_list(&november)[..50],
        "oldest first, then id order"
    );
    assert_eq!(v["totals"], expected_totals(&november));
    // The item has exactly the contract's fields; codes, not ids; nulls for empty values.
    let first = items[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    let mut want = FIELDS.to_vec();
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    let service = items
        .iter()
        .find(|i| i["product_code"] == "SVC-COLLECT")
        .unwrap();
    assert!(service["format"].is_null() && service["destination"].is_null());
    assert!(service["weight_class"].is_null());
    let no_cc = items.iter().find(|i| i["cost_centre"].is_null());
    assert!(no_cc.is_some(), "rows without a cost centre have null");
    let seeded = november
        .iter()
        .find(|s| s.id == first["transaction_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(first["date"], seeded.date.to_string());
    assert_eq!(first["collection_point"], seeded.collection_point);
    assert_eq!(first["unit_price_millis"], seeded.unit_price_millis);
    assert_eq!(first["amount_cents"], seeded.amount_cents);
    assert_eq!(first["quantity"], seeded.quantity);

    // The month follows the clock, in Brussels time: 23:30 UTC on 30 November is already
    // 1 December there.
    t.clock.set(time::macros::datetime!(2026-11-30 23:30 UTC));
    let api = t.api_as("a.admin").await;
    let (_, v) = api
        .get("/api/v1/transactions?limit=500")
        .await
        .status_json();
    let december: Vec<&Seed> = data
        .a
        .iter()
        .filter(|s| in_range(s, date!(2026 - 12 - 01), date!(2026 - 12 - 31)))
        .collect();
    assert!(!december.is_empty());
    assert_eq!(ids(&v["items"]), id_list(&december));
    assert_eq!(v["totals"], expected_totals(&december));
}

async fn ranges_and_filters_pick_exactly_their_rows(t: &TestApp) {
    let data = seed(t).await;
    let api = t.api_as("a.admin").await;
    let from = date!(2026 - 10 - 25);
    let to = date!(2026 - 11 - 05);
    type Pick = Box<dyn Fn(&Seed) -> bool>;
    let cases: Vec<(String, Pick)> = vec![
        (
            format!("from={from}&to={to}"),
            Box::new(move |s: &Seed| in_range(s, from, to)),
        ),
        (
            "from=2026-11-20".to_owned(),
            Box::new(|s: &Seed| in_range(s, date!(2026 - 11 - 20), NOV_30)),
        ),
        (
            "to=2026-10-31".to_owned(),
            Box::new(|s: &Seed| in_range(s, date!(2026 - 10 - 01), date!(2026 - 10 - 31))),
        ),
        (
            "product=NONPRIOR-EU".to_owned(),
            Box::new(|s: &Seed| in_range(s, NOV_1, NOV_30) && s.product == "NONPRIOR-EU"),
        ),
        (
            "collection_point=DEPOT".to_owned(),
            Box::new(|s: &Seed| in_range(s, NOV_1, NOV_30) && s.collection_point == "DEPOT"),
        ),
        (
            "cost_centre=CA2".to_owned(),
            Box::new(|s: &Seed| in_range(s, NOV_1, NOV_30) && s.cost_centre == Some("CA2")),
        ),
        (
            "destination=WORLD".to_owned(),
            Box::new(|s: &Seed| in_range(s, NOV_1, NOV_30) && s.destination == Some("WORLD")),
        ),
        (
            format!(
                "from={from}&to=2026-12-31&product=PRIOR-BE&collection_point=HQ&cost_centre=CA1&destination=BE"
            ),
            Box::new(move |s: &Seed| {
                in_range(s, from, date!(2026 - 12 - 31))
                    && s.product == "PRIOR-BE"
                    && s.collection_point == "HQ"
                    && s.cost_centre == Some("CA1")
            }),
        ),
        // A product code nobody has matches no row (the catalogue is every customer's).
        ("product=NOPE".to_owned(), Box::new(|_: &Seed| false)),
    ];
    for (query, pick) in cases {
        let want: Vec<&Seed> = data.a.iter().filter(|s| pick(s)).collect();
        let (got, totals, _) = all_pages(&api, &format!("/api/v1/transactions?{query}"), 500).await;
        assert_eq!(got, id_list(&want), "{query}");
        assert_eq!(totals, expected_totals(&want), "{query}");
    }

    // Malformed values: 422 naming the field.
    for (query, field, code) in [
        ("from=2026-13-01", "from", "invalid_date"),
        ("to=yesterday", "to", "invalid_date"),
        ("from=2026-11-10&to=2026-11-09", "to", "range_reversed"),
        ("from=2025-01-01&to=2026-01-02", "to", "range_too_long"),
        ("destination=MARS", "destination", "invalid_destination"),
        ("sort=price", "sort", "invalid_sort"),
        ("limit=0", "limit", "invalid_limit"),
        ("limit=501", "limit", "invalid_limit"),
        // Another customer's collection point, a cost centre nobody has: 422 on the field.
        (
            "collection_point=B-MAIN",
            "collection_point",
            "unknown_collection_point",
        ),
        ("cost_centre=NOPE", "cost_centre", "unknown_cost_centre"),
    ] {
        let (status, v) = api
            .get(&format!("/api/v1/transactions?{query}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {v}");
        // A request-level code shared by every detail is also the top-level code.
        let top = if ["invalid_date", "invalid_limit"].contains(&code) {
            code
        } else {
            "validation_failed"
        };
        assert_eq!(v["error"]["code"], top, "{query}: {v}");
        assert_eq!(v["error"]["details"][0]["field"], field, "{query}: {v}");
        assert_eq!(v["error"]["details"][0]["code"], code, "{query}: {v}");
    }
    // A whole leap year is allowed.
    let status = api
        .get("/api/v1/transactions?from=2028-01-01&to=2028-12-31")
        .await
        .status;
    assert_eq!(status, StatusCode::OK);
}

async fn every_sort_pages_without_gap_or_duplicate(t: &TestApp) {
    let data = seed(t).await;
    let api = t.api_as("a.admin").await;
    let (from, to) = (date!(2026 - 10 - 01), date!(2026 - 12 - 31));
    let rows: Vec<(usize, &Seed)> = data
        .a
        .iter()
        .enumerate()
        .filter(|(_, s)| in_range(s, from, to))
        .collect();
    assert_eq!(rows.len(), data.a.len());
    // Ties on the sort key are part of the fixture: paging must still be exact.
    let amounts: std::collections::BTreeSet<i64> =
        rows.iter().map(|(_, s)| s.amount_cents).collect();
    assert!(amounts.len() < rows.len(), "some amounts repeat");
    for sort in ["date", "-date", "amount", "-amount"] {
        let mut want = rows.clone();
        match sort {
            "date" => want.sort_by_key(|(i, s)| (s.date, *i)),
            "-date" => want.sort_by_key(|(i, s)| std::cmp::Reverse((s.date, *i))),
            "amount" => want.sort_by_key(|(i, s)| (s.amount_cents, *i)),
            _ => want.sort_by_key(|(i, s)| std::cmp::Reverse((s.amount_cents, *i))),
        }
        let want: Vec<String> = want.iter().map(|(_, s)| s.id.clone()).collect();
        let path = format!("/api/v1/transactions?from={from}&to={to}&sort={sort}");
        let (got, totals, pages) = all_pages(&api, &path, 17).await;
        assert!(pages > 5, "{sort}: several pages");
        assert_eq!(got.len(), want.len(), "{sort}: no gap, no duplicate");
        assert_eq!(got, want, "{sort}");
        let all: Vec<&Seed> = rows.iter().map(|(_, s)| *s).collect();
        assert_eq!(totals, expected_totals(&all), "{sort}");
    }

    // A cursor belongs to its filter and sort.
    let base = format!("/api/v1/transactions?from={from}&to={to}&limit=10");
    let (_, v) = api.get(&base).await.status_json();
    let cursor = v["next_cursor"].as_str().unwrap().to_owned();
    let status = api.get(&format!("{base}&cursor={cursor}")).await.status;
    assert_eq!(status, StatusCode::OK);
    for other in [
        format!("{base}&sort=-date&cursor={cursor}"),
        format!("{base}&product=PRIOR-BE&cursor={cursor}"),
        format!("/api/v1/transactions?limit=10&cursor={cursor}"),
        format!("{base}&cursor=not-a-cursor"),
    ] {
        let (status, v) = api.get(&other).await.status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{other}");
        assert_eq!(
            v["error"]["details"][0]["code"], "invalid_cursor",
            "{other}"
        );
        assert_eq!(v["error"]["details"][0]["field"], "cursor");
    }
}

/// (header, rows) of a CSV body.
fn parse_csv(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// (header, rows) of an XLSX body, read back with calamine.
fn parse_xlsx(body: &[u8]) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).unwrap();
    let range = wb.worksheet_range("Transactions").unwrap();
    let mut rows = range.rows();
    let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    (header, rows.map(<[calamine::Data]>::to_vec).collect())
}

async fn exports_hold_exactly_the_filter_and_agree_with_the_totals(t: &TestApp) {
    let data = seed(t).await;
    let api = t.api_as("a.admin").await;
    let filter = "from=2026-10-01&to=2026-12-31&sort=-amount&destination=BE";
    let want: Vec<&Seed> = {
        let mut w: Vec<(usize, &Seed)> = data
            .a
            .iter()
            .enumerate()
            .filter(|(_, s)| s.destination == Some("BE"))
            .collect();
        w.sort_by_key(|(i, s)| std::cmp::Reverse((s.amount_cents, *i)));
        w.into_iter().map(|(_, s)| s).collect()
    };
    let (_, list) = api
        .get(&format!("/api/v1/transactions?{filter}"))
        .await
        .status_json();
    let api_total = list["totals"]["amount_cents"].as_i64().unwrap();
    assert_eq!(api_total, want.iter().map(|s| s.amount_cents).sum::<i64>());

    // CSV: the header, every row of the filter in its order, sums equal to the API's.
    let r = api
        .get(&format!(
            "/api/v1/transactions/export?format=csv&{filter}&limit=3"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"transactions-2026-10-01-2026-12-31.csv\""
    );
    let body = r.text;
    assert!(body.starts_with(&format!("{}\n", FIELDS.join(","))));
    let (head, rows) = parse_csv(&body);
    assert_eq!(head, FIELDS);
    assert_eq!(rows.len(), want.len(), "all pages, whatever limit says");
    let csv_ids: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    let want_ids: Vec<String> = want
        .iter()
        .map(|s| {
            if s.id.starts_with('=') {
                format!("'{}", s.id)
            } else {
                s.id.clone()
            }
        })
        .collect();
    assert_eq!(csv_ids, want_ids);
    let csv_sum: i64 = rows.iter().map(|r| r[10].parse::<i64>().unwrap()).sum();
    assert_eq!(csv_sum, api_total);
    let csv_qty: i64 = rows.iter().map(|r| r[8].parse::<i64>().unwrap()).sum();
    assert_eq!(csv_qty, list["totals"]["quantity"].as_i64().unwrap());
    // Neutralised: the formula-like id and weight class; untouched: numbers and dates.
    assert!(
        body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{}",
        &body[..400]
    );
    let plus = rows.iter().find(|r| r[6].contains("1kg")).unwrap();
    assert_eq!(plus[6], "'+1kg");
    for r in &rows {
        assert!(r[8].parse::<i64>().is_ok() && r[9].parse::<i64>().is_ok());
        assert_eq!(r[1].len(), 10, "date as YYYY-MM-DD");
        assert!(!r[1].starts_with('\''));
    }
    let services =
        "/api/v1/transactions/export?format=csv&from=2026-11-01&to=2026-11-30&product=SVC-COLLECT";
    let body = api.get(services).await.text;
    let (_, rows) = parse_csv(&body);
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r[5].is_empty() && r[7].is_empty()),
        "nulls are empty"
    );

    // XLSX (for people, in the caller's language: English here): the same rows, numbers as
    // numbers (euros), a real date, then the totals row (the downloads tests say more).
    let r = api
        .get(&format!("/api/v1/transactions/export?format=xlsx&{filter}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"transactions-2026-10-01-2026-12-31.xlsx\""
    );
    let bytes = r.bytes;
    let (head, mut rows) = parse_xlsx(&bytes);
    assert_eq!(head[0], "Transaction");
    assert_eq!(head[11], "Amount");
    let totals = rows.pop().unwrap();
    assert_eq!(totals[0].to_string(), "Total");
    assert_eq!(rows.len(), want.len());
    let as_f64 = |d: &calamine::Data| match d {
        calamine::Data::Float(f) => *f,
        calamine::Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    };
    let cents = |d: &calamine::Data| (as_f64(d) * 100.0).round() as i64;
    let xlsx_sum: i64 = rows.iter().map(|r| cents(&r[11])).sum();
    assert_eq!(xlsx_sum, api_total);
    assert_eq!(cents(&totals[11]), api_total, "the totals row");
    let xlsx_ids: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    let raw_ids: Vec<String> = want.iter().map(|s| s.id.clone()).collect();
    assert_eq!(
        xlsx_ids, raw_ids,
        "XLSX text is stored as text, never as a formula"
    );
    assert!(
        matches!(rows[0][1], calamine::Data::DateTime(_)),
        "{:?}",
        rows[0][1]
    );
    assert_eq!(as_f64(&rows[0][9]) as i64, want[0].quantity);
    assert_eq!(
        (as_f64(&rows[0][10]) * 1000.0).round() as i64,
        want[0].unit_price_millis
    );

    // Bad input: 422 naming the field, format included.
    for (query, field) in [
        ("format=pdf", "format"),
        ("", "format"),
        ("format=csv&from=2026-02-30", "from"),
    ] {
        let r = api
            .get(&format!("/api/v1/transactions/export?{query}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let v: Value = r.json();
        assert_eq!(v["error"]["details"][0]["field"], field, "{query}");
    }
}

async fn cost_centre_limited_users_see_only_their_rows(t: &TestApp) {
    let data = seed(t).await;
    // a.user is limited to CA1 by the shared fixture.
    let api = t.api_as("a.user").await;
    let q = "/api/v1/transactions?from=2026-10-01&to=2026-12-31";
    let want: Vec<&Seed> = data
        .a
        .iter()
        .filter(|s| s.cost_centre == Some("CA1"))
        .collect();
    let (got, totals, _) = all_pages(&api, q, 500).await;
    assert_eq!(got, id_list(&want));
    assert_eq!(totals, expected_totals(&want));
    // Another cost centre of the same customer is outside the user's: 422 on the field,
    // exactly as for a code nobody has.
    let (status, v) = api.get(&format!("{q}&cost_centre=CA2")).await.status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "cost_centre");
    assert_eq!(v["error"]["details"][0]["code"], "unknown_cost_centre");
    let (got, _, _) = all_pages(&api, &format!("{q}&cost_centre=CA1"), 500).await;
    assert_eq!(got, id_list(&want));
    // The export is limited alike.
    let body = api
        .get("/api/v1/transactions/export?format=csv&from=2026-10-01&to=2026-12-31")
        .await
        .text;
    let (_, rows) = parse_csv(&body);
    assert_eq!(rows.len(), want.len());
    assert!(rows.iter().all(|r| r[3] == "CA1"));
    // The page offers only its own cost centre.
    let mut b = t.signed_in("a.user").await;
    let html = b.get("/transactions").await.text;
    assert!(html.contains("<option value=\"CA1\""));
    assert!(!html.contains("<option value=\"CA2\""));
    assert!(html.contains("href=\"/transactions\""), "in the navigation");
}

async fn customers_never_see_each_others_rows(t: &TestApp) {
    let data = seed(t).await;
    let api = t.api_as("b.user").await;
    let range = "from=2026-10-01&to=2026-12-31";
    let (got, totals, _) = all_pages(&api, &format!("/api/v1/transactions?{range}"), 500).await;
    let want: Vec<&Seed> = data.b.iter().collect();
    assert_eq!(got, id_list(&want));
    assert_eq!(totals, expected_totals(&want));
    assert!(got.iter().all(|id| id.starts_with("B-")));
    // Guessed codes of A: B's own HQ and CA1 are B's rows; a customer_number of A is
    // ignored for a customer's user.
    for (query, pick) in [
        (
            "collection_point=HQ",
            Box::new(|s: &Seed| s.collection_point == "HQ") as Box<dyn Fn(&Seed) -> bool>,
        ),
        (
            "cost_centre=CA1",
            Box::new(|s: &Seed| s.cost_centre == Some("CA1")),
        ),
        ("customer_number=8800001", Box::new(|_: &Seed| true)),
    ] {
        let want: Vec<&Seed> = data.b.iter().filter(|s| pick(s)).collect();
        let (got, _, _) =
            all_pages(&api, &format!("/api/v1/transactions?{range}&{query}"), 500).await;
        assert_eq!(got, id_list(&want), "{query}");
    }
    // A's own codes are unknown to B: refused like any code B does not have, so the answer
    // never tells B which codes A has.
    for (query, field) in [
        ("cost_centre=CA2", "cost_centre"),
        ("collection_point=DEPOT", "collection_point"),
        ("collection_point=NOWHERE", "collection_point"),
    ] {
        let (status, v) = api
            .get(&format!("/api/v1/transactions?{range}&{query}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(v["error"]["details"][0]["field"], field, "{query}");
        let message = v["error"]["details"][0]["message"].clone();
        assert!(!message.to_string().contains("DEPOT"), "{message}");
    }
    let body = api
        .get(&format!(
            "/api/v1/transactions/export?format=csv&{range}&customer_number=8800001"
        ))
        .await
        .text;
    assert!(!body.contains("A-0"), "no row of A in B's export");

    // Operators name the customer; without one it is 422, an unknown one 404.
    let op = t.api_as("op.one").await;
    let (got, _, _) = all_pages(
        &op,
        &format!("/api/v1/transactions?{range}&customer_number=8800002"),
        500,
    )
    .await;
    assert_eq!(got, id_list(&want_all(&data.b)));
    let (status, v) = op
        .get(&format!("/api/v1/transactions?{range}"))
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["details"][0]["field"], "customer_number");
    let r = op.get("/api/v1/transactions/export?format=csv").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let status = op
        .get("/api/v1/transactions?customer_number=9999999")
        .await
        .status;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn want_all(rows: &[Seed]) -> Vec<&Seed> {
    rows.iter().collect()
}

async fn users_without_the_module_are_refused(t: &TestApp) {
    seed(t).await;
    let api = t.api_as("a.nomod").await;
    for path in [
        "/api/v1/transactions",
        "/api/v1/transactions/export?format=csv",
    ] {
        assert_eq!(api.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let mut b = t.signed_in("a.nomod").await;
    assert_eq!(b.get("/transactions").await.status, StatusCode::FORBIDDEN);
    let home = b.get("/").await.text;
    assert!(
        !home.contains("href=\"/transactions\""),
        "no navigation entry"
    );
    let anon = t.get("/api/v1/transactions").await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

/// The page's HTML with its escaped ampersands (in links) as plain `&`.
fn amps(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

/// An amount as the French page writes it (narrow no-break space between thousands, no-break
/// space before the sign), computed here.
fn eur_fr(cents: i64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, d) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(d);
    }
    format!("{grouped},{:02}\u{a0}€", cents % 100)
}

async fn the_page_keeps_the_filter_shows_totals_and_errors_in_french(t: &TestApp) {
    let data = seed(t).await;
    let mut b = t.signed_in("a.admin").await;
    let r = b
        .post_form("/language", &[("language", "fr"), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let r = b
        .get("/transactions?from=2026-11-01&to=2026-11-30&product=SVC-COLLECT&sort=-amount")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = amps(&r.text);
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Totaux de la période"));
    let mut want: Vec<(usize, &Seed)> = data
        .a
        .iter()
        .enumerate()
        .filter(|(_, s)| in_range(s, NOV_1, NOV_30) && s.product == "SVC-COLLECT")
        .collect();
    want.sort_by_key(|(i, s)| std::cmp::Reverse((s.amount_cents, *i)));
    let total: i64 = want.iter().map(|(_, s)| s.amount_cents).sum();
    assert!(
        total > 100_000,
        "a total with a thousands separator: {total}"
    );
    let grand = format!(
        "<td class=\"num\" id=\"grand-total\">{}</td>",
        eur_fr(total)
    );
    assert!(html.contains(&grand), "{grand} in the page");
    // The filter is kept, and the downloads carry exactly it.
    assert!(html.contains("value=\"2026-11-01\""));
    assert!(html.contains("value=\"2026-11-30\""));
    assert!(html.contains("<option value=\"SVC-COLLECT\" selected>"));
    assert!(html.contains("<option value=\"-amount\" selected>"));
    let csv_link = "href=\"/api/v1/transactions/export?from=2026-11-01&to=2026-11-30&product=SVC-COLLECT&sort=-amount&format=csv\"";
    assert!(
        html.contains(csv_link),
        "CSV link: {}",
        &html[html.find("export?").unwrap_or(0).saturating_sub(60)..][..300]
    );
    assert!(html.contains("format=xlsx\""));
    for (_, s) in want.iter().take(50) {
        assert!(
            html.contains(&format!("<th scope=\"row\">{}</th>", s.id)),
            "{}",
            s.id
        );
    }

    // The default month, paged: a next link that works, then the first-page link.
    let html = amps(&b.get("/transactions").await.text);
    assert!(html.contains("value=\"2026-11-01\"") && html.contains("value=\"2026-11-30\""));
    let at = html.find("rel=\"next\"").expect("a next page");
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let next = html[start..at].trim_end().trim_end_matches('"').to_owned();
    let r = b.get(&next).await;
    assert_eq!(r.status, StatusCode::OK);
    let page2 = r.text;
    assert!(page2.contains("Première page"));

    // A bad date: 422, the error beside its field, what was typed kept.
    let r = b
        .get("/transactions?from=2026-13-01&to=2026-11-30&collection_point=HQ")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("id=\"from-error\""));
    assert!(html.contains("Écrivez la date au format AAAA-MM-JJ"));
    assert!(html.contains("value=\"2026-13-01\""));
    assert!(html.contains("<option value=\"HQ\" selected>"));
    assert!(html.contains("aria-invalid=\"true\""));

    // The empty state.
    let html = b
        .get("/transactions?from=2020-01-01&to=2020-01-31")
        .await
        .text;
    assert!(html.contains("Aucune transaction pour cette période."));

    // An operator is asked for the customer first.
    let mut op = t.signed_in("op.one").await;
    let r = op.get("/transactions").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("name=\"customer_number\""));
    let html = amps(
        &op.get(
            "/transactions?customer_number=8800001&from=2026-11-01&to=2026-11-30&product=PRIOR-BE",
        )
        .await
        .text,
    );
    assert!(html.contains("Alpha Printing SA"));
    assert!(html.contains("export?customer_number=8800001&from=2026-11-01"));
}

/// The one rule for a customer's codes in a filter (DECISIONS): a collection point or cost
/// centre the customer does not have, another customer's, or a cost centre outside the
/// user's, answers 422 naming the field, on the list, the export and the page alike.
async fn unknown_codes_are_refused_naming_the_field_on_the_list_the_export_and_the_page(
    t: &TestApp,
) {
    seed(t).await;
    let admin = t.api_as("a.admin").await;
    let limited = t.api_as("a.user").await;
    let op = t.api_as("op.one").await;
    let cp = ("collection_point", "unknown_collection_point");
    let cc = ("cost_centre", "unknown_cost_centre");
    /// (caller, query, the (field, code) of each detail)
    type Case<'a> = (&'a Api, &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case; 6] = [
        (&admin, "collection_point=NOWHERE", &[cp]),
        (
            &admin,
            "collection_point=B-MAIN&cost_centre=NOPE",
            &[cp, cc],
        ),
        (&admin, "cost_centre=ca1", &[cc]),
        // Limited to CA1: CA2 is the customer's, but not the user's.
        (&limited, "cost_centre=CA2", &[cc]),
        (&op, "customer_number=8800002&collection_point=DEPOT", &[cp]),
        // Errors of the form and of the codes are reported together.
        (
            &admin,
            "collection_point=NOWHERE&sort=price",
            &[cp, ("sort", "invalid_sort")],
        ),
    ];
    for (api, query, want) in cases {
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        for path in [
            format!("/api/v1/transactions?{query}"),
            format!("/api/v1/transactions/export?format=csv&{query}"),
            format!("/api/v1/transactions/export?format=xlsx&{query}"),
        ] {
            let (status, v) = api.get(&path).await.status_json();
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
            let mut got = error_details(&v);
            got.sort();
            let mut want = want.clone();
            want.sort();
            assert_eq!(got, want, "{path}");
        }
    }
    // A bad format and an unknown code: both named.
    let (status, v) = admin
        .get("/api/v1/transactions/export?format=pdf&collection_point=NOWHERE")
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&v), ["format", "collection_point"]);
    // The customer's own codes still list their rows.
    let status = admin
        .get("/api/v1/transactions?collection_point=DEPOT&cost_centre=CA2")
        .await
        .status;
    assert_eq!(status, StatusCode::OK);
    let status = limited
        .get("/api/v1/transactions?cost_centre=CA1")
        .await
        .status;
    assert_eq!(status, StatusCode::OK);

    // The page: 422, the error beside its field, what was typed kept and selected.
    let mut b = t.signed_in("a.admin").await;
    let r = b
        .get(
            "/transactions?from=2026-11-01&to=2026-11-30&collection_point=NOWHERE&product=PRIOR-BE",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("id=\"collection_point-error\""), "{html}");
    assert!(html.contains("Choose one of the collection points listed."));
    assert!(html.contains("<option value=\"NOWHERE\" selected>NOWHERE</option>"));
    assert!(html.contains("<option value=\"PRIOR-BE\" selected>"));
    assert!(html.contains("value=\"2026-11-01\""));
    assert!(html.contains(
        "<select id=\"collection_point\" name=\"collection_point\" aria-invalid=\"true\" aria-describedby=\"collection_point-error\">"
    ));
    assert!(
        !html.contains("id=\"grand-total\""),
        "no list under a refused filter"
    );
    let mut u = t.signed_in("a.user").await;
    let r = u.get("/transactions?cost_centre=CA2").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("id=\"cost_centre-error\""));
    assert!(html.contains("Choose one of the cost centres listed."));
}

/// The `next_cursor` of the first page of `query` (with a page size of 10).
async fn first_cursor(api: &Api, query: &str) -> String {
    let (status, v) = api
        .get(&format!("/api/v1/transactions?limit=10&{query}"))
        .await
        .status_json();
    assert_eq!(status, StatusCode::OK, "{query}: {v}");
    v["next_cursor"].as_str().expect("more pages").to_owned()
}

/// A cursor stands for a place in one list: of one filter, sort and customer. Replayed with
/// another one, or altered, it is a 422 `invalid_cursor` on `cursor`, on the API and the page.
async fn a_cursor_replayed_with_another_filter_sort_or_customer_is_refused(t: &TestApp) {
    seed(t).await;
    let api = t.api_as("a.admin").await;
    let range = "from=2026-10-01&to=2026-12-31";
    let cursor = first_cursor(&api, &format!("{range}&cost_centre=CA1")).await;
    // The same filter, written another way (explicit default sort, another page size): valid.
    for same in [
        format!("{range}&cost_centre=CA1&limit=25&cursor={cursor}"),
        format!("{range}&cost_centre=%20CA1%20&sort=date&cursor={cursor}"),
    ] {
        let (status, v) = api
            .get(&format!("/api/v1/transactions?{same}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::OK, "{same}: {v}");
    }
    let mut altered = cursor.clone().into_bytes();
    let at = altered.len() / 2;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for other in [
        format!("{range}&cost_centre=CA2&cursor={cursor}"),
        format!("{range}&cursor={cursor}"),
        format!("{range}&cost_centre=CA1&sort=-amount&cursor={cursor}"),
        format!("{range}&cost_centre=CA1&destination=BE&cursor={cursor}"),
        format!("from=2026-10-02&to=2026-12-31&cost_centre=CA1&cursor={cursor}"),
        format!("{range}&cost_centre=CA1&cursor={altered}"),
        format!(
            "{range}&cost_centre=CA1&cursor={}",
            &cursor[..cursor.len() - 3]
        ),
    ] {
        let (status, v) = api
            .get(&format!("/api/v1/transactions?{other}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{other}: {v}");
        assert_eq!(v["error"]["code"], "invalid_cursor", "{other}");
        assert_eq!(
            error_details(&v),
            [("cursor".to_owned(), "invalid_cursor".to_owned())],
            "{other}"
        );
    }
    // An operator's cursor of one customer is no cursor of another's.
    let op = t.api_as("op.one").await;
    let a_cursor = first_cursor(&op, &format!("{range}&customer_number=8800001")).await;
    let (status, v) = op
        .get(&format!(
            "/api/v1/transactions?limit=10&{range}&customer_number=8800002&cursor={a_cursor}"
        ))
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "invalid_cursor");
    // The page says the link is out of date, above the form, and keeps the filter typed.
    let mut b = t.signed_in("a.admin").await;
    let r = b
        .get(&format!(
            "/transactions?{range}&cost_centre=CA2&cursor={cursor}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains(
        "<p class=\"error\" role=\"alert\">This page link is out of date: start again from the first page.</p>"
    ), "{html}");
    assert!(html.contains("<option value=\"CA2\" selected>"));
}
