//! Downloads for people (issue #10, item 4): the XLSX and the CSV for Belgian Excel of the
//! transactions and of the registered items, fetched from the pages' links and the API, read
//! back (calamine; openpyxl as a spreadsheet user's tool) and added up: their sums equal the
//! page's and the API's totals. The plain CSV stays the API's contract, byte for byte.

use crate::harness::{self, RegisteredItem, TestApp, Transaction, User};
use crate::openpyxl;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use time::macros::date;

crate::on_both!(
    the_xlsx_of_the_page_is_in_the_readers_words_and_adds_up_to_its_totals,
    the_csv_for_excel_opens_in_columns_and_adds_up_to_the_totals,
    registered_items_for_people_count_what_the_page_counts,
    openpyxl_reads_the_xlsx_as_a_spreadsheet_user_would,
    an_unknown_format_names_the_three,
);

const RANGE: &str = "from=2026-11-01&to=2026-11-30";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The French headers of the transactions for people, in the page's order.
const TX_HEADERS_FR: [&str; 12] = [
    "Transaction",
    "Date",
    "Point de collecte",
    "Centre de coûts",
    "Code produit",
    "Produit",
    "Format",
    "Poids",
    "Destination",
    "Quantité",
    "Prix unitaire",
    "Montant",
];

/// A French-speaking user of customer A with transactions and registered items, three
/// products with names, 31 transactions of November (one of them formula-like) and five
/// registered items.
async fn seed(t: &TestApp) {
    let a = t.fx.customer_a;
    let mut transactions = Vec::new();
    for i in 0..31_i64 {
        let (product, price) =
            [("LETTER", 1_450), ("PARCEL", 8_125), ("FEE", 15_000)][(i % 3) as usize];
        let id = if i == 4 {
            "=HYPERLINK(\"http://x\")".to_owned()
        } else {
            format!("T-{i:03}")
        };
        let mut row = Transaction::new(
            a,
            &id,
            date!(2026 - 11 - 01) + time::Duration::days(i % 30),
            "HQ",
            product,
            (1 + (i * 37) % 1_900, price),
        );
        if product != "FEE" {
            row.format = Some(["small", "large"][(i % 2) as usize].into());
            row.destination = Some(["BE", "WORLD"][(i % 2) as usize].into());
            row.weight_class = Some("0-50g".into());
        }
        transactions.push(row);
    }
    let items = (1..=5_u64).map(|n| RegisteredItem {
        acknowledgement: n % 2 == 0,
        ..RegisteredItem::new(
            a,
            &format!("010{n:027}"),
            date!(2026 - 11 - 02) + time::Duration::days(n as i64),
            "HQ",
            "REG",
        )
    });
    harness::Seed::new(t)
        .product_named(
            "LETTER",
            "postage",
            0,
            [
                "Lettre prioritaire",
                "Prioritaire brief",
                "Prioritätsbrief",
                "Priority letter",
            ],
        )
        .product_named("PARCEL", "parcel", 0, ["Colis", "Pakje", "Paket", "Parcel"])
        .product_named(
            "FEE",
            "service",
            21,
            ["Collecte", "Ophaling", "Abholung", "Collection"],
        )
        .product_named(
            "REG",
            "registered",
            0,
            ["Recommandé", "Aangetekend", "Einschreiben", "Registered"],
        )
        .collection_point(a, "HQ")
        .user(
            User::new(Some(a), "a.fr")
                .language("fr")
                .modules("transactions,receipts"),
        )
        .transactions(transactions)
        .registered_items(items)
        .insert()
        .await;
}

/// The href of the page's download link in `format` (`&` unescaped).
fn link(html: &str, format: &str) -> String {
    let end = format!("format={format}");
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
        .find(|h| h.ends_with(&end))
        .unwrap_or_else(|| panic!("no {format} link on the page:\n{html}"))
}

/// The text of the element with `id`, tags left out.
fn text_of_id(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</").unwrap();
    rest[start..end].to_owned()
}

/// An amount as the page writes it, in cents: it always has two decimals, so its digits are
/// the cents, whatever the language's separators.
fn cents_of_text(text: &str) -> i64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no amount in {text:?}"))
}

/// A decimal-comma euro amount of the CSV for Excel (`-12,34`), in cents.
fn cents_of_decimal_comma(text: &str) -> i64 {
    let (units, decimals) = text.split_once(',').unwrap_or_else(|| panic!("{text:?}"));
    assert_eq!(decimals.len(), 2, "{text:?}");
    let sign = if units.starts_with('-') { -1 } else { 1 };
    sign * (units.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + decimals.parse::<i64>().unwrap())
}

/// (header, rows) of a sheet of an XLSX body, read back with calamine.
fn read_xlsx(body: &[u8], sheet: &str) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let mut rows = range.rows();
    let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    (header, rows.map(<[calamine::Data]>::to_vec).collect())
}

fn number(d: &calamine::Data) -> f64 {
    match d {
        calamine::Data::Float(f) => *f,
        calamine::Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// (rows, cents, quantity) of the API's totals of November.
async fn api_totals(t: &TestApp, username: &str) -> (i64, i64, i64) {
    let v = t
        .api_as(username)
        .await
        .get_json(&format!("/api/v1/transactions?{RANGE}&limit=500"))
        .await;
    (
        v["items"].as_array().unwrap().len() as i64,
        v["totals"]["amount_cents"].as_i64().unwrap(),
        v["totals"]["quantity"].as_i64().unwrap(),
    )
}

async fn the_xlsx_of_the_page_is_in_the_readers_words_and_adds_up_to_its_totals(t: &TestApp) {
    seed(t).await;
    let (count, cents, quantity) = api_totals(t, "a.fr").await;
    let mut b = t.signed_in("a.fr").await;
    let html = b.page(&format!("/transactions?{RANGE}")).await;
    let page_total = cents_of_text(&text_of_id(&html, "grand-total"));
    assert_eq!(page_total, cents, "the page shows the API's total");
    // The page offers the XLSX, the CSV for Excel and the plain CSV, in that order, in French.
    let order: Vec<usize> = ["format=xlsx", "format=csv-excel", "format=csv\""]
        .iter()
        .map(|f| html.find(f).unwrap_or_else(|| panic!("{f} on the page")))
        .collect();
    assert!(order.is_sorted(), "{order:?}");
    for label in [
        "Excel (XLSX)",
        "CSV pour Excel (Belgique)",
        "CSV brut (pour logiciels)",
    ] {
        assert!(html.contains(label), "{label}");
    }

    let r = b.get(&link(&html, "xlsx")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], XLSX);
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"transactions-2026-11-01-2026-11-30.xlsx\""
    );
    let (head, mut rows) = read_xlsx(&r.bytes, "Transactions");
    assert_eq!(head, TX_HEADERS_FR);
    let totals = rows.pop().unwrap();
    assert_eq!(rows.len() as i64, count);
    let sum: i64 = rows
        .iter()
        .map(|r| (number(&r[11]) * 100.0).round() as i64)
        .sum();
    assert_eq!(sum, page_total, "the rows add up to the page's total");
    assert_eq!(totals[0].to_string(), "Total");
    assert_eq!((number(&totals[11]) * 100.0).round() as i64, page_total);
    assert_eq!(number(&totals[9]) as i64, quantity);
    let letter = rows.iter().find(|r| r[4] == "LETTER").unwrap();
    assert_eq!(letter[5].to_string(), "Lettre prioritaire");
    assert!(
        matches!(letter[1], calamine::Data::DateTime(_)),
        "{:?}",
        letter[1]
    );
    assert!(
        (number(&letter[10]) - 1.45).abs() < 1e-9,
        "euros: {:?}",
        letter[10]
    );
    let words: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r[4] != "FEE")
        .map(|r| (r[6].to_string(), r[8].to_string()))
        .collect();
    assert!(
        words.contains(&("Petit format".into(), "Belgique".into())),
        "{words:?}"
    );
    assert!(
        words.contains(&("Grand format".into(), "Reste du monde".into())),
        "{words:?}"
    );
    assert!(
        rows.iter().any(|r| r[0] == "=HYPERLINK(\"http://x\")"),
        "text stays text in XLSX"
    );

    // A bearer token's XLSX is in its user's language: English for a.admin.
    let r = t
        .api_as("a.admin")
        .await
        .get(&format!("/api/v1/transactions/export?format=xlsx&{RANGE}"))
        .await;
    let (head, _) = read_xlsx(&r.bytes, "Transactions");
    assert_eq!(head[9..], ["Quantity", "Unit price", "Amount"]);
}

async fn the_csv_for_excel_opens_in_columns_and_adds_up_to_the_totals(t: &TestApp) {
    seed(t).await;
    let (count, cents, quantity) = api_totals(t, "a.fr").await;
    let mut b = t.signed_in("a.fr").await;
    let html = b.page(&format!("/transactions?{RANGE}")).await;
    let r = b.get(&link(&html, "csv-excel")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"transactions-2026-11-01-2026-11-30-excel.csv\""
    );
    let body = r.bytes;
    assert!(
        body.starts_with(b"\xEF\xBB\xBF"),
        "a UTF-8 byte-order mark first"
    );
    let text = std::str::from_utf8(&body[3..]).unwrap();
    assert!(
        text.starts_with(&format!("{}\r\n", TX_HEADERS_FR.join(";"))),
        "{text}"
    );
    assert_eq!(
        text.matches("\r\n").count(),
        text.matches('\n').count(),
        "CRLF only"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as i64, count);
    assert!(
        rows.iter().all(|r| r.len() == 12),
        "every row in 12 columns"
    );
    let sum: i64 = rows.iter().map(|r| cents_of_decimal_comma(&r[11])).sum();
    assert_eq!(sum, cents, "the amounts add up to the totals");
    assert_eq!(
        sum,
        cents_of_text(&text_of_id(&html, "grand-total")),
        "and to the page's"
    );
    let qty: i64 = rows.iter().map(|r| r[9].parse::<i64>().unwrap()).sum();
    assert_eq!(qty, quantity);
    let letter = rows.iter().find(|r| &r[4] == "LETTER").unwrap();
    assert_eq!(&letter[10], "1,450", "a unit price with three decimals");
    assert_eq!(&letter[5], "Lettre prioritaire");
    for r in &rows {
        let d = r[1].as_bytes();
        assert!(
            d.len() == 10 && d[2] == b'/' && d[5] == b'/' && r[1].ends_with("/2026"),
            "dd/mm/yyyy: {:?}",
            &r[1]
        );
    }
    assert!(
        rows.iter().any(|r| &r[0] == "'=HYPERLINK(\"http://x\")"),
        "formula-like text neutralised"
    );

    // The plain CSV of the page is the API's, byte for byte: the contract's header, cents
    // (in the page's order, newest first, which its link names).
    let plain = b.get(&link(&html, "csv")).await;
    let api = t
        .api_as("a.fr")
        .await
        .get(&format!(
            "/api/v1/transactions/export?{RANGE}&sort=-date&format=csv"
        ))
        .await;
    assert_eq!(plain.bytes, api.bytes);
    assert!(plain.text.starts_with(
        "transaction_id,date,collection_point,cost_centre,product_code,format,weight_class,\
         destination,quantity,unit_price_millis,amount_cents\n"
    ));
    assert_eq!(
        plain.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"transactions-2026-11-01-2026-11-30.csv\""
    );

    // Over the API, the user's language: English for a.admin.
    let en = t
        .api_as("a.admin")
        .await
        .get(&format!(
            "/api/v1/transactions/export?{RANGE}&format=csv-excel"
        ))
        .await;
    assert!(
        en.text.starts_with(
            "\u{feff}Transaction;Date;Collection point;Cost centre;Product code;Product;"
        ),
        "{}",
        en.text
    );
}

async fn registered_items_for_people_count_what_the_page_counts(t: &TestApp) {
    seed(t).await;
    let api = t
        .api_as("a.fr")
        .await
        .get_json(&format!("/api/v1/registered-items?{RANGE}"))
        .await;
    let total = api["total"].as_i64().unwrap();
    assert_eq!(total, 5);
    let mut b = t.signed_in("a.fr").await;
    let html = b.page(&format!("/registered-items?{RANGE}")).await;
    assert!(html.contains("CSV pour Excel (Belgique)"));
    let r = b.get(&link(&html, "xlsx")).await;
    assert_eq!(r.status, StatusCode::OK);
    let (head, mut rows) = read_xlsx(&r.bytes, "Envois recommandés");
    assert_eq!(head[..2], ["Date de dépôt", "Code-barres"]);
    let totals = rows.pop().unwrap();
    assert_eq!(rows.len() as i64, total);
    assert_eq!(
        (totals[0].to_string(), number(&totals[1]) as i64),
        ("Total".to_owned(), total),
        "the totals row counts the items"
    );
    assert!(
        rows.iter()
            .all(|r| matches!(r[0], calamine::Data::DateTime(_)))
    );
    assert!(rows.iter().all(|r| r[5] == "Recommandé"));
    let ar: Vec<String> = rows.iter().map(|r| r[6].to_string()).collect();
    assert!(
        ar.contains(&"Oui".into()) && ar.contains(&"Non".into()),
        "{ar:?}"
    );

    let r = b.get(&link(&html, "csv-excel")).await;
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"registered-items-2026-11-01-2026-11-30-excel.csv\""
    );
    assert!(
        r.bytes
            .starts_with(b"\xEF\xBB\xBFDate de d\xC3\xA9p\xC3\xB4t;Code-barres;")
    );
    let lines: Vec<&str> = r.text.split_terminator("\r\n").collect();
    assert_eq!(
        lines.len() as i64,
        total + 1,
        "the header and one line per item"
    );
    assert!(lines[1..].iter().all(|l| l.split(';').count() == 12));
    assert!(
        lines[1..].iter().all(|l| l.as_bytes()[2] == b'/'),
        "{lines:?}"
    );
}

/// The file as a spreadsheet user's tool reads it (openpyxl): the frozen header, dates as
/// datetimes, euros with the currency format, and the totals row's values written beside
/// its formulas, equal to the API's totals.
async fn openpyxl_reads_the_xlsx_as_a_spreadsheet_user_would(t: &TestApp) {
    let Some(python) = openpyxl::python("the openpyxl read-back of the XLSX downloads") else {
        return;
    };
    seed(t).await;
    let (count, cents, quantity) = api_totals(t, "a.fr").await;
    let api = t.api_as("a.fr").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("transactions.xlsx");
    let r = api
        .get(&format!("/api/v1/transactions/export?format=xlsx&{RANGE}"))
        .await;
    std::fs::write(&file, &r.bytes).unwrap();
    let spec = json!({
        "sheet": "Transactions",
        "headers": TX_HEADERS_FR,
        "label": "Total",
        "dates": ["B"],
        "formats": {
            "B": "dd\\/mm\\/yyyy",
            "J": "#,##0",
            "K": "#,##0.000\\ \"€\"",
            "L": "#,##0.00\\ \"€\"",
        },
        "totals": {
            "J": {"function": "SUM", "value": quantity},
            "L": {"function": "SUM", "value": cents as f64 / 100.0},
        },
    });
    let summary: Value = openpyxl::check(&python, &file, &spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["rows"], count);

    let file = dir.path().join("registered-items.xlsx");
    let r = api
        .get(&format!(
            "/api/v1/registered-items/export?format=xlsx&{RANGE}"
        ))
        .await;
    std::fs::write(&file, &r.bytes).unwrap();
    let spec = json!({
        "sheet": "Envois recommandés",
        "headers": [
            "Date de dépôt", "Code-barres", "Point de collecte", "Centre de coûts",
            "Code produit", "Produit", "Accusé de réception", "Destinataire", "Rue",
            "Code postal", "Localité", "Pays",
        ],
        "label": "Total",
        "dates": ["A"],
        "totals": {"B": {"function": "COUNTA", "value": 5}},
    });
    let summary = openpyxl::check(&python, &file, &spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary["totals"]["B"], 5.0);
}

async fn an_unknown_format_names_the_three(t: &TestApp) {
    let api = t.api_as("a.admin").await;
    for path in [
        "/api/v1/transactions/export?format=ods",
        "/api/v1/registered-items/export?format=ods",
    ] {
        let v = api
            .get(path)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(v["error"]["details"][0]["field"], "format", "{path}");
        assert_eq!(
            v["error"]["details"][0]["message"], "format must be csv, csv-excel or xlsx",
            "{path}"
        );
    }
    // csv-excel takes the same filter, and its problems are named like the others'.
    let v = api
        .get("/api/v1/transactions/export?format=csv-excel&from=2026-02-30")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_date");
    assert_eq!(v["error"]["details"][0]["field"], "from");
}
