//! The home page's dashboard: the last twelve months as a chart and a table, this month
//! against last, the latest imports; by module, cost centre and tenant, in the user's language.
//! Every figure is checked against sums computed here from the seeded lines.

use crate::harness::{Seed, TestApp, Transaction, User};
use cs_domain::{UnitPriceMillis, money::line_amount};
use cs_store::repo::import_runs::NewImportRun;
use time::{
    Date, OffsetDateTime,
    macros::{date, datetime},
};

crate::on_both!(
    the_chart_table_holds_the_sums_of_each_of_the_last_twelve_months,
    this_month_is_compared_with_last_per_product_and_destination,
    a_cost_centre_limited_user_sees_only_its_cost_centres,
    a_customer_never_sees_another_customers_figures,
    without_the_transactions_module_there_are_no_transaction_blocks,
    latest_imports_are_shown_by_role_and_module,
    the_dashboard_speaks_french,
    the_current_month_is_the_brussels_month,
    the_demo_fills_every_block,
);

/// One seeded transaction line.
#[derive(Debug, Clone, Copy)]
struct Line {
    customer: char,
    date: Date,
    /// `CA1`, `CA2` (customer A's cost centres) or none.
    centre: Option<&'static str>,
    product: &'static str,
    destination: Option<&'static str>,
    quantity: i64,
    unit_price_millis: i64,
}

impl Line {
    fn amount(&self) -> i64 {
        line_amount(self.quantity, UnitPriceMillis(self.unit_price_millis))
            .unwrap()
            .0
    }
}

const fn line(
    customer: char,
    date: Date,
    centre: Option<&'static str>,
    product: &'static str,
    destination: Option<&'static str>,
    quantity: i64,
    unit_price_millis: i64,
) -> Line {
    Line {
        customer,
        date,
        centre,
        product,
        destination,
        quantity,
        unit_price_millis,
    }
}

/// Customer A across the year (and just outside it), with both cost centres and none;
/// customer B with quantities A never has.
const LINES: &[Line] = &[
    line(
        'A',
        date!(2025 - 11 - 30),
        Some("CA1"),
        "LETTER",
        Some("BE"),
        1000,
        985,
    ),
    line(
        'A',
        date!(2025 - 12 - 01),
        Some("CA1"),
        "LETTER",
        Some("BE"),
        120,
        985,
    ),
    line(
        'A',
        date!(2025 - 12 - 31),
        Some("CA2"),
        "LETTER",
        Some("EU"),
        30,
        2850,
    ),
    line('A', date!(2026 - 03 - 16), None, "FEE", None, 1, 12_500),
    line(
        'A',
        date!(2026 - 06 - 30),
        Some("CA2"),
        "PARCEL",
        Some("BE"),
        3,
        7250,
    ),
    line(
        'A',
        date!(2026 - 10 - 01),
        Some("CA1"),
        "LETTER",
        Some("BE"),
        210,
        985,
    ),
    line(
        'A',
        date!(2026 - 10 - 15),
        Some("CA2"),
        "LETTER",
        Some("WORLD"),
        12,
        3150,
    ),
    line('A', date!(2026 - 10 - 31), None, "FEE", None, 1, 12_500),
    line(
        'A',
        date!(2026 - 11 - 02),
        Some("CA1"),
        "LETTER",
        Some("BE"),
        180,
        985,
    ),
    line(
        'A',
        date!(2026 - 11 - 02),
        Some("CA1"),
        "LETTER",
        Some("EU"),
        25,
        2850,
    ),
    line(
        'A',
        date!(2026 - 11 - 20),
        Some("CA2"),
        "PARCEL",
        Some("BE"),
        4,
        7250,
    ),
    line('A', date!(2026 - 11 - 26), None, "FEE", None, 1, 12_500),
    // Tomorrow in Brussels terms is next month only at the month's end; this one is next month.
    line(
        'A',
        date!(2026 - 12 - 01),
        Some("CA1"),
        "LETTER",
        Some("BE"),
        500,
        985,
    ),
    line(
        'B',
        date!(2026 - 10 - 07),
        None,
        "LETTER",
        Some("BE"),
        7777,
        985,
    ),
    line(
        'B',
        date!(2026 - 11 - 03),
        None,
        "PARCEL",
        Some("EU"),
        6543,
        7250,
    ),
];

/// Seeds the catalogue, a collection point per customer and [`LINES`] through the store.
async fn seed(t: &TestApp) {
    let (a, b) = (t.fx.customer_a, t.fx.customer_b);
    let lines = LINES.iter().enumerate().map(|(i, l)| {
        let customer = if l.customer == 'A' { a } else { b };
        let id = format!("T-{i:03}");
        let quantity = (l.quantity, l.unit_price_millis);
        Transaction {
            centre: l.centre.map(str::to_owned),
            destination: l.destination.map(str::to_owned),
            amount_cents: l.amount(),
            ..Transaction::new(customer, &id, l.date, "SITE", l.product, quantity)
        }
    });
    Seed::new(t)
        .product_named(
            "LETTER",
            "postage",
            0,
            ["Lettre", "Brief", "Brief", "Letter"],
        )
        .product_named(
            "PARCEL",
            "parcel",
            21,
            ["Colis", "Pakje", "Paket", "Parcel"],
        )
        .product_named(
            "FEE",
            "service",
            21,
            ["Redevance", "Vergoeding", "Gebühr", "Fee"],
        )
        .collection_point_named(a, "SITE", "Head office")
        .collection_point_named(b, "SITE", "Head office")
        .transactions(lines)
        .insert()
        .await;
}

/// A user of customer A made for these tests (the shared fixture stays as it is).
async fn add_user(t: &TestApp, username: &str, language: &str, modules: &str) {
    let user = User::new(Some(t.fx.customer_a), username)
        .full_name("Test User")
        .email("test.user@example.com")
        .language(language)
        .modules(modules);
    Seed::new(t).user(user).insert().await;
}

async fn home(t: &TestApp, username: &str) -> String {
    t.signed_in(username).await.page("/").await
}

/// (quantity, amount) of the lines `keep` selects.
fn sums(keep: impl Fn(&Line) -> bool) -> (i64, i64) {
    LINES
        .iter()
        .filter(|l| keep(l))
        .fold((0, 0), |(q, a), l| (q + l.quantity, a + l.amount()))
}

fn in_month(l: &Line, month: &str) -> bool {
    l.date.to_string().starts_with(month)
}

/// The twelve months of the test clock (26 November 2026), oldest first.
fn chart_months() -> Vec<String> {
    let mut out = vec!["2025-12".to_owned()];
    out.extend((1..=11).map(|m| format!("2026-{m:02}")));
    out
}

/// The `data-value`s of the table row that starts at `start` (up to its `</tr>`).
fn values_after(html: &str, start: usize) -> Vec<i64> {
    let row = &html[start..];
    let row = &row[..row.find("</tr>").expect("end of row")];
    row.split("data-value=\"")
        .skip(1)
        .map(|v| v[..v.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The monthly table's (quantity, amount) for `month` (`YYYY-MM`); `None` when absent.
fn month_row(html: &str, month: &str) -> Option<(i64, i64)> {
    let at = html.find(&format!("<tr data-month=\"{month}\">"))?;
    match values_after(html, at)[..] {
        [q, a] => Some((q, a)),
        ref other => panic!("row {month}: {other:?}"),
    }
}

/// The six figures of the row labelled `label` in the comparison table `table`.
fn change_row(html: &str, table: &str, label: &str) -> Option<Vec<i64>> {
    let start = html.find(&format!("id=\"{table}\""))?;
    let end = start + html[start..].find("</table>")?;
    let at = start + html[start..end].find(&format!("<th scope=\"row\">{label}</th>"))?;
    Some(values_after(html, at))
}

/// This month, last month, the difference; quantities then amounts.
fn expected_change(keep: impl Fn(&Line) -> bool + Copy) -> Vec<i64> {
    let this = sums(|l| keep(l) && in_month(l, "2026-11"));
    // Like with like: 1–26 October against 1–26 November (the clock's day).
    let last = sums(|l| keep(l) && in_month(l, "2026-10") && l.date.day() <= 26);
    vec![
        this.0,
        last.0,
        this.0 - last.0,
        this.1,
        last.1,
        this.1 - last.1,
    ]
}

async fn the_chart_table_holds_the_sums_of_each_of_the_last_twelve_months(t: &TestApp) {
    seed(t).await;
    let html = home(t, "a.admin").await;
    assert!(html.contains("Your last 12 months"));
    for month in chart_months() {
        let expected = sums(|l| l.customer == 'A' && in_month(l, &month));
        assert_eq!(month_row(&html, &month), Some(expected), "{month}");
    }
    // Exactly twelve months: not the one before, not the next one (whose line exists).
    assert_eq!(html.matches("<tr data-month=").count(), 12);
    assert_eq!(month_row(&html, "2025-11"), None);
    assert_eq!(month_row(&html, "2026-12"), None);
    // Months without transactions are listed with zeros.
    assert_eq!(month_row(&html, "2026-02"), Some((0, 0)));
    // The table is a real one: caption, column and row headers; shown as text in English.
    assert!(
        html.contains("<caption>Items and amounts per month, the latest month first</caption>")
    );
    assert!(html.contains("<th scope=\"col\">Month</th>"));
    assert!(html.contains("<th scope=\"row\">November 2026</th>"));
    let (q, a) = sums(|l| l.customer == 'A' && in_month(l, "2026-11"));
    assert!(html.contains(&format!(
        "data-value=\"{a}\">€{}.{:02}</td>",
        a / 100,
        a % 100
    )));
    assert!(html.contains(&format!("data-value=\"{q}\">{q}</td>")));
    // Two server-drawn charts, accessible images with their own words.
    assert_eq!(html.matches("<svg ").count(), 2);
    assert_eq!(html.matches("role=\"img\"").count(), 2);
    assert!(html.contains("<title id=\"chart-quantity-title\">Items per month</title>"));
    assert!(html.contains("<title id=\"chart-amount-title\">Amounts per month</title>"));
    assert!(html.contains(
        "<desc id=\"chart-quantity-desc\">Items per month from December 2025 to November 2026"
    ));
    assert!(html.contains(">Amount (EUR)</text>"));
    assert_eq!(html.matches("class=\"bar\"").count(), 24);
    assert!(html.contains(">Dec</text>") && html.contains(">Nov</text>"));
    assert!(!html.contains("<script"), "no JavaScript");
}

async fn this_month_is_compared_with_last_per_product_and_destination(t: &TestApp) {
    seed(t).await;
    let html = home(t, "a.admin").await;
    assert!(html.contains("This month against last month"));
    assert!(html.contains(
        "Like with like: from 01/11/2026 to 26/11/2026 against the same days of last month, \
         from 01/10/2026 to 26/10/2026."
    ));
    for (label, code) in [
        ("Letter (LETTER)", "LETTER"),
        ("Parcel (PARCEL)", "PARCEL"),
        ("Fee (FEE)", "FEE"),
    ] {
        assert_eq!(
            change_row(&html, "by-product", label),
            Some(expected_change(|l| l.customer == 'A' && l.product == code)),
            "{label}"
        );
    }
    for (label, destination) in [
        ("Belgium", Some("BE")),
        ("Europe", Some("EU")),
        ("Rest of the world", Some("WORLD")),
        ("No destination (services)", None),
    ] {
        assert_eq!(
            change_row(&html, "by-destination", label),
            Some(expected_change(
                |l| l.customer == 'A' && l.destination == destination
            )),
            "{label}"
        );
    }
    // The world line: last month only, so a fall shown with its sign.
    let world = expected_change(|l| l.customer == 'A' && l.destination == Some("WORLD"));
    assert_eq!(world[0], 0);
    assert!(world[2] < 0);
    assert!(html.contains(&format!(">{}</td>", world[2])));
    // Headers that say what each column is.
    assert!(html.contains("<th scope=\"colgroup\" colspan=\"3\" class=\"group\">Items</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"num\">Difference</th>"));
}

async fn a_cost_centre_limited_user_sees_only_its_cost_centres(t: &TestApp) {
    seed(t).await;
    // a.user is limited to CA1: never CA2, never the lines without a cost centre.
    let html = home(t, "a.user").await;
    let mine = |l: &Line| l.customer == 'A' && l.centre == Some("CA1");
    for month in chart_months() {
        let expected = sums(|l| mine(l) && in_month(l, &month));
        assert_eq!(month_row(&html, &month), Some(expected), "{month}");
    }
    let all = sums(|l| l.customer == 'A' && in_month(l, "2026-11"));
    assert_ne!(month_row(&html, "2026-11"), Some(all), "the limit matters");
    assert_eq!(
        change_row(&html, "by-product", "Letter (LETTER)"),
        Some(expected_change(|l| mine(l) && l.product == "LETTER"))
    );
    assert_eq!(change_row(&html, "by-product", "Parcel (PARCEL)"), None);
    assert_eq!(change_row(&html, "by-product", "Fee (FEE)"), None);
    assert_eq!(
        change_row(&html, "by-destination", "No destination (services)"),
        None
    );
    assert_eq!(
        change_row(&html, "by-destination", "Rest of the world"),
        None
    );
}

async fn a_customer_never_sees_another_customers_figures(t: &TestApp) {
    seed(t).await;
    for username in ["b.admin", "b.user"] {
        let html = home(t, username).await;
        for month in chart_months() {
            let expected = sums(|l| l.customer == 'B' && in_month(l, &month));
            assert_eq!(
                month_row(&html, &month),
                Some(expected),
                "{username} {month}"
            );
        }
        assert_eq!(
            change_row(&html, "by-product", "Letter (LETTER)"),
            Some(expected_change(
                |l| l.customer == 'B' && l.product == "LETTER"
            ))
        );
        // None of A's months reach B's page.
        for q in [120, 180, 210] {
            assert!(!html.contains(&format!("data-value=\"{q}\"")), "{username}");
        }
    }
    let html = home(t, "a.admin").await;
    for q in [7777, 6543] {
        assert!(!html.contains(&format!("data-value=\"{q}\"")));
    }
}

async fn without_the_transactions_module_there_are_no_transaction_blocks(t: &TestApp) {
    seed(t).await;
    let html = home(t, "a.nomod").await;
    for absent in [
        "<svg",
        "monthly-table",
        "by-product",
        "Your last 12 months",
        "This month against last month",
        "How recent your data is",
    ] {
        assert!(!html.contains(absent), "{absent}");
    }
    assert!(!html.contains("href=\"/transactions\""));
    // With the module, the chart leads to the list.
    assert!(
        home(t, "a.user")
            .await
            .contains("<a href=\"/transactions\">")
    );
    // Receipts only: no transaction figures, but the registered items' import.
    add_user(t, "a.receipts", "en", "receipts").await;
    let html = home(t, "a.receipts").await;
    assert!(!html.contains("monthly-table") && !html.contains("by-product"));
    assert!(html.contains("<dt>Registered items</dt>"));
    assert!(!html.contains("<dt>Transactions</dt>"));
    // Operators: the Service Centre's home names no customer, so no customer figures.
    let html = home(t, "op.one").await;
    assert!(!html.contains("monthly-table") && !html.contains("by-product"));
    assert!(!html.contains("<svg"));
}

fn run(
    kind: &'static str,
    finished_at: OffsetDateTime,
    outcome: &'static str,
) -> NewImportRun<'static> {
    let imported = outcome == "imported";
    NewImportRun {
        kind,
        file_name: "feed.csv",
        sha256: "00",
        actor: "cli",
        actor_user_id: None,
        started_at: finished_at - time::Duration::seconds(3),
        finished_at,
        outcome,
        rows_read: 1234,
        inserted: if imported { 1200 } else { 0 },
        already_present: if imported { 34 } else { 0 },
        updated: 0,
        error_count: if imported { 0 } else { 2 },
        lock_millis: None,
        errors: "[]",
    }
}

async fn latest_imports_are_shown_by_role_and_module(t: &TestApp) {
    add_user(t, "a.both", "en", "transactions,receipts").await;
    // Nothing imported yet.
    let html = home(t, "op.one").await;
    assert!(html.contains("Latest imports"));
    assert!(html.contains("<a href=\"/operator/imports\">All imports and their reports</a>"));
    assert_eq!(html.matches("<tr data-feed=").count(), 6, "every feed kind");
    assert_eq!(html.matches(">Never</td>").count(), 12);
    let html = home(t, "a.both").await;
    assert!(html.contains("How recent your data is"));
    assert!(html.contains("<dt>Transactions</dt>"));
    assert!(html.contains("<dt>Registered items</dt>"));
    assert_eq!(html.matches("<dd>No data yet</dd>").count(), 2);
    assert!(!html.contains("/operator/imports"));

    Seed::new(t)
        .import_run(run(
            "transactions",
            datetime!(2026-11-25 05:15:00 UTC),
            "imported",
        ))
        // A later refused file: the data is still the earlier one's.
        .import_run(run(
            "transactions",
            datetime!(2026-11-26 05:20:00 UTC),
            "rejected",
        ))
        .import_run(run(
            "products",
            datetime!(2026-06-30 22:30:00 UTC),
            "imported",
        ))
        .insert()
        .await;
    let html = home(t, "op.one").await;
    let row = |kind: &str| {
        let at = html.find(&format!("<tr data-feed=\"{kind}\">")).unwrap();
        let rest = &html[at..];
        rest[..rest.find("</tr>").unwrap()].to_owned()
    };
    // Brussels time: UTC+1 in November, UTC+2 in summer (30 June 22:30 UTC is 1 July).
    let transactions = row("transactions");
    assert!(
        transactions.contains("<td>26/11/2026 06:20</td>"),
        "{transactions}"
    );
    assert!(transactions.contains(">Rejected</td>"));
    assert!(transactions.contains("<td class=\"num\">1,234</td>"));
    assert!(transactions.contains("<td class=\"num\">0</td>"));
    assert!(
        transactions.contains("<td>25/11/2026 06:15</td>"),
        "last success"
    );
    let products = row("products");
    assert!(products.contains("<td>01/07/2026 00:30</td>"));
    assert!(products.contains(">Imported</td>"));
    assert!(products.contains("<td class=\"num\">1,200</td>"));
    assert!(row("registered-items").contains(">Never</td>"));

    // Customers: the latest successful import of the feeds of their modules only.
    let html = home(t, "a.both").await;
    // No transaction of theirs yet: no data, but the feed's last file is said.
    assert!(
        html.contains(
            "<dd>No data yet<br><span class=\"note\">Last file received on 25/11/2026 06:15.</span></dd>"
        ),
        "transactions"
    );
    assert!(html.contains("<dd>No data yet</dd>"), "registered items");
    // With transactions, the latest day of the user's own rows (not the import's time).
    Seed::new(t)
        .product("LETTER", "postage", 0)
        .collection_point(t.fx.customer_a, "SITE")
        .transactions([Transaction {
            amount_cents: 99,
            ..Transaction::new(
                t.fx.customer_a,
                "T-LATEST",
                date!(2026 - 11 - 24),
                "SITE",
                "LETTER",
                (1, 985),
            )
        }])
        .insert()
        .await;
    let html = home(t, "a.both").await;
    assert!(
        html.contains("<time datetime=\"2026-11-24\">Latest day in your data: 24/11/2026.</time>"),
        "{html}"
    );
    assert!(html.contains("Last file received on 25/11/2026 06:15."));
    // A user limited to cost centres does not see a line without one.
    let html = home(t, "a.user").await;
    assert!(!html.contains("24/11/2026"), "{html}");
    assert!(!html.contains("<dt>Registered items</dt>"));
    assert!(!html.contains("Rejected") && !html.contains("1,234"));
}

async fn the_dashboard_speaks_french(t: &TestApp) {
    seed(t).await;
    add_user(t, "a.francais", "fr", "transactions,receipts").await;
    let html = home(t, "a.francais").await;
    assert!(html.contains("<html lang=\"fr\">"));
    for words in [
        "Vos 12 derniers mois",
        "<title id=\"chart-quantity-title\">Envois par mois</title>",
        "<th scope=\"row\">novembre 2026</th>",
        ">déc.</text>",
        "Ce mois-ci par rapport au mois dernier",
        "<caption>Par produit</caption>",
        "<th scope=\"row\">Lettre (LETTER)</th>",
        "<th scope=\"row\">Belgique</th>",
        "Fraîcheur de vos données",
        "<dd>Pas encore de données</dd>",
    ] {
        assert!(html.contains(words), "{words}");
    }
    assert!(!html.contains("Your last 12 months") && !html.contains("dash-"));
    // Amounts the French way: 1 234,56 € (narrow no-break space, comma, no-break space).
    let (_, a) = sums(|l| l.customer == 'A' && in_month(l, "2026-11"));
    let euros = a / 100;
    let grouped = if euros >= 1000 {
        format!("{}\u{202F}{:03}", euros / 1000, euros % 1000)
    } else {
        euros.to_string()
    };
    assert!(
        html.contains(&format!(
            "data-value=\"{a}\">{grouped},{:02}\u{A0}€</td>",
            a % 100
        )),
        "{a}"
    );
}

async fn the_current_month_is_the_brussels_month(t: &TestApp) {
    seed(t).await;
    // 23:30 UTC on 30 November is already 1 December in Brussels.
    t.clock.set(datetime!(2026-11-30 23:30:00 UTC));
    let html = home(t, "a.admin").await;
    assert_eq!(month_row(&html, "2025-12"), None);
    assert_eq!(
        month_row(&html, "2026-12"),
        Some(sums(|l| l.customer == 'A' && in_month(l, "2026-12")))
    );
    assert_eq!(month_row(&html, "2026-01"), Some((0, 0)));
    assert!(
        html.contains(
            "Like with like: 01/12/2026 against the same days of last month, 01/11/2026."
        )
    );
    // An hour earlier it is still November everywhere.
    t.clock.set(datetime!(2026-11-30 22:30:00 UTC));
    let html = home(t, "a.admin").await;
    assert!(month_row(&html, "2025-12").is_some());
    assert_eq!(month_row(&html, "2026-12"), None);
}

async fn the_demo_fills_every_block(t: &TestApp) {
    // The demo loads only into an empty database: remove the fixture first.
    for sql in [
        "DELETE FROM user_cost_centres",
        "DELETE FROM sessions",
        "DELETE FROM users",
        "DELETE FROM cost_centres",
        "DELETE FROM customers",
        "DELETE FROM products",
    ] {
        t.exec(sql).await;
    }
    assert!(matches!(
        cs_app::demo::load(t.app()).await.unwrap(),
        cs_app::demo::DemoOutcome::Loaded { .. }
    ));
    let page = |username: &'static str| async move {
        let mut b = t.browser();
        let password = format!("{username}-demo-2026");
        assert_eq!(b.sign_in(username, &password).await.status, 303);
        b.get("/").await.text
    };
    let html = page("operator").await;
    assert_eq!(html.matches("<tr data-feed=").count(), 6);
    assert!(!html.contains(">Never</td>"), "every feed has a run");
    assert!(html.contains(">Rejected</td>") || html.contains(">Refusé</td>"));
    // The Van Damme user (French, limited to COMPTA): a year of figures, every month filled.
    let html = page("vandamme.user").await;
    assert_eq!(html.matches("<tr data-month=").count(), 12);
    assert!(!html.contains("data-value=\"0\">0</td>"), "no empty month");
    assert!(html.contains("<caption>Par produit</caption>"));
    assert!(!html.contains("Pas encore d’import"));
}
