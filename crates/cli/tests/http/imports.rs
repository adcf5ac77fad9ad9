//! The feed importer over HTTP (SPEC §4): the six kinds, all or nothing with every problem by
//! line and column, idempotence, `update`, dry runs, the size limit, the record of runs and the
//! audit trail, and the operator's upload page.

use crate::harness::{Backend, TestApp, send};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const PRODUCTS: &str = "\
code,kind,vat_rate,name_fr,name_nl,name_de,name_en
PRIOR-BE,postage,0,Prior Belgique,Prior België,Prior Belgien,Prior Belgium
NONPRIOR-EU,postage,0,Non prior Europe,Non prior Europa,Non Prior Europa,Non-prior Europe
REG-BE,registered,0,Recommandé,Aangetekend,Einschreiben,Registered
SRV-COLLECT,service,21,Collecte,Ophaling,Abholung,Collection
";

const POINTS: &str = "\
customer_number,code,name,street,postcode,city
8800001,HQ,Head office,Rue Haute 1,1000,Bruxelles
8800001,DEPOT,Depot,Industrieweg 5,1800,Vilvoorde
8800002,MAIN,Main office,Marktplein 3,3000,Leuven
";

/// Header plus `n` transactions of customer A and B in turn, with prices that round.
fn transactions(n: usize) -> (String, i64) {
    let mut csv = String::from(
        "transaction_id,customer_number,date,collection_point,cost_centre,product_code,format,weight_class,destination,quantity,unit_price\n",
    );
    let mut sum_a = 0;
    for i in 0..n {
        let (customer, point, centre) = if i % 2 == 0 {
            ("8800001", if i % 4 == 0 { "HQ" } else { "DEPOT" }, "CA1")
        } else {
            ("8800002", "MAIN", "")
        };
        let quantity = (i % 97 + 1) as i64;
        let millis = 985 + (i % 7) as i64 * 111; // 0.985 … 1.651: half-up rounding matters
        if customer == "8800001" {
            // Independent of the importer: quantity × millis / 10, half-up, in integers.
            sum_a += (quantity * millis + 5) / 10;
        }
        let day = i % 28 + 1;
        csv.push_str(&format!(
            "T{i:05},{customer},2026-10-{day:02},{point},{centre},PRIOR-BE,small,0-50g,BE,{quantity},{}.{:03}\n",
            millis / 1000,
            millis % 1000
        ));
    }
    (csv, sum_a)
}

async fn post_csv(t: &TestApp, token: &str, path: &str, body: &str) -> (StatusCode, Value) {
    let api = t.api(token);
    api.post_body(path, "text/csv", body.to_owned())
        .await
        .status_json()
}

/// Products and collection points for the fixture customers (cost centres CA1, CA2 exist).
async fn reference_data(t: &TestApp, token: &str) {
    let (s, v) = post_csv(t, token, "/api/v1/operator/imports/products", PRODUCTS).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["inserted"], 4);
    let (s, v) = post_csv(
        t,
        token,
        "/api/v1/operator/imports/collection-points",
        POINTS,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["inserted"], 3);
}

async fn a_feed_imports_exactly_and_only_once(t: &TestApp) {
    let token = t.bearer("op.one").await;
    reference_data(t, &token).await;
    let (csv, sum_a) = transactions(400);
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/transactions", &csv).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["rows_read"], 400);
    assert_eq!(v["inserted"], 400);
    assert_eq!(v["already_present"], 0);
    assert!(v["import_id"].as_i64().is_some());
    assert_eq!(t.count("SELECT COUNT(*) FROM transactions").await, 400);
    let stored = t
        .count(
            "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM transactions t \
             JOIN customers c ON c.id = t.customer_id WHERE c.customer_number = '8800001'",
        )
        .await;
    assert_eq!(
        stored, sum_a,
        "amounts are quantity × unit price, half-up per line"
    );
    // B's rows have no cost centre, A's are in CA1.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM transactions WHERE cost_centre_id IS NULL")
            .await,
        200
    );

    // The same file again adds nothing.
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/transactions", &csv).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["inserted"], 0);
    assert_eq!(v["already_present"], 400);
    assert_eq!(t.count("SELECT COUNT(*) FROM transactions").await, 400);

    // Recorded and audited, both runs.
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM import_runs WHERE kind = 'transactions' AND outcome = 'imported'"
        )
        .await,
        2
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'import.completed'")
            .await,
        4
    );
    let r = t.api(&token).get("/api/v1/operator/imports?limit=2").await;
    assert_eq!(r.status, StatusCode::OK);
    let list: Value = r.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["kind"], "transactions");
    assert_eq!(list["items"][0]["already_present"], 400);
    assert!(list["next_cursor"].as_str().is_some());
}

async fn a_file_with_bad_rows_changes_nothing_and_names_each_line(t: &TestApp) {
    let token = t.bearer("op.one").await;
    reference_data(t, &token).await;
    let csv = "\
transaction_id,customer_number,date,collection_point,cost_centre,product_code,format,weight_class,destination,quantity,unit_price
T1,8800001,2026-10-01,HQ,CA1,PRIOR-BE,small,0-50g,BE,10,1.450
T2,8800001,2026-02-30,HQ,,PRIOR-BE,small,0-50g,BE,10,1.450
T3,8800001,2026-10-01,HQ,,PRIOR-BE,small,0-50g,BE,10,1.450
T4,8800001,2026-10-01,NOWHERE,,PRIOR-BE,small,0-50g,BE,10,1.450
T5,8800001,2026-10-01,HQ,,PRIOR-BE,small,0-50g,BE,10,1.450
T6,8800001,2026-10-01,HQ,,PRIOR-BE,small,0-50g,BE,0,1.4505
T1,8800001,2026-10-01,HQ,CA1,PRIOR-BE,small,0-50g,BE,11,1.450
T8,8800001,2026-10-01,HQ,XX9,REG-BE,huge,0-50g,MARS,1,1.450
T9,8800002,2026-10-01,HQ,,PRIOR-BE,small,0-50g,BE,1,1.000
";
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/transactions", csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "import_rejected");
    let found: Vec<(i64, String)> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_i64().unwrap(),
                d["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(i64, String)> = [
        (3, "date"),
        (5, "collection_point"),
        (7, "quantity"),
        (7, "unit_price"),
        (8, "transaction_id"),
        (9, "format"),
        (9, "destination"),
        (10, "collection_point"),
    ]
    .iter()
    .map(|(l, c)| (*l, (*c).to_owned()))
    .collect();
    assert_eq!(found, expected, "{v}");
    assert_eq!(v["error"]["error_count"], 8);
    assert_eq!(v["error"]["rows_read"], 9);
    let line8 = &v["error"]["details"][4]["message"];
    assert!(
        line8
            .as_str()
            .unwrap()
            .contains("already appears on line 2"),
        "{line8}"
    );
    // All or nothing: the good rows were not imported either.
    assert_eq!(t.count("SELECT COUNT(*) FROM transactions").await, 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM import_runs WHERE outcome = 'rejected'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'import.rejected'")
            .await,
        1
    );
}

async fn references_are_checked_per_customer_and_product_kind(t: &TestApp) {
    let token = t.bearer("op.one").await;
    reference_data(t, &token).await;
    // Line 2: B's collection point named for A; line 3: a postage product as a registered
    // item; line 4: an unknown customer.
    let csv = "\
barcode,customer_number,deposit_date,collection_point,cost_centre,product_code,acknowledgement,recipient_name,recipient_street,recipient_postcode,recipient_city,recipient_country
RR000000014BE,8800001,2026-10-02,MAIN,,REG-BE,true,Jan Peeters,Kerkstraat 1,2000,Antwerpen,BE
RR000000028BE,8800001,2026-10-02,HQ,,PRIOR-BE,false,Marie Dubois,Rue Neuve 2,1000,Bruxelles,BE
RR000000031BE,8899999,2026-10-02,HQ,,REG-BE,false,Marie Dubois,Rue Neuve 2,1000,Bruxelles,BE
";
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/registered-items", csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d[0]["line"], 2);
    assert_eq!(d[0]["column"], "collection_point");
    assert_eq!(d[1]["line"], 3);
    assert_eq!(d[1]["column"], "product_code");
    assert!(d[1]["message"].as_str().unwrap().contains("not registered"));
    assert_eq!(d[2]["line"], 4);
    assert_eq!(d[2]["column"], "customer_number");

    // The same items, corrected, import.
    let good = csv
        .replace("MAIN,,REG-BE", "HQ,CA2,REG-BE")
        .replace("HQ,,PRIOR-BE", "HQ,,REG-BE")
        .replace("8899999", "8800001");
    let (s, v) = post_csv(
        t,
        &token,
        "/api/v1/operator/imports/registered-items",
        &good,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["inserted"], 3);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM registered_items WHERE acknowledgement = TRUE")
            .await,
        1
    );
}

async fn a_changed_row_needs_update(t: &TestApp) {
    let token = t.bearer("op.one").await;
    reference_data(t, &token).await;
    let changed = PRODUCTS.replace("Collecte,Ophaling", "Collecte à domicile,Ophaling");
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/products", &changed).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["details"][0]["line"], 5);
    assert_eq!(v["error"]["details"][0]["column"], "name_fr");
    // A portal user is told what to do on the portal, not the command line's option.
    let message = v["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("update=true"), "{message}");
    assert!(!message.contains("--update"), "{message}");
    // The recorded run reads the same on the portal.
    let runs = t
        .api(&token)
        .get_json("/api/v1/operator/imports?limit=1")
        .await;
    assert_eq!(runs["items"][0]["errors"][0]["message"], message);
    assert_eq!(
        runs["items"][0]["errors"][0]["code"],
        "conflicts_with_stored"
    );

    // A dry run with update says what it would do and changes nothing.
    let path = "/api/v1/operator/imports/products?update=true&dry_run=true";
    let (s, v) = post_csv(t, &token, path, &changed).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["updated"], 1);
    assert_eq!(v["already_present"], 3);
    assert_eq!(v["import_id"], Value::Null);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM products WHERE name_fr = 'Collecte'")
            .await,
        1
    );

    let path = "/api/v1/operator/imports/products?update=true";
    let (s, v) = post_csv(t, &token, path, &changed).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["updated"], 1);
    assert_eq!(v["inserted"], 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM products WHERE name_fr = 'Collecte à domicile'")
            .await,
        1
    );
}

async fn header_problems_are_on_line_one(t: &TestApp) {
    let token = t.bearer("op.one").await;
    let csv =
        "code,kind,vat_rate,vat_rate,name_fr,name_nl,name_de,colour\nX,postage,0,0,a,b,c,red\n";
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/products", csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let details = v["error"]["details"].as_array().unwrap();
    assert!(details.iter().all(|d| d["line"] == 1), "{v}");
    let columns: Vec<&str> = details
        .iter()
        .map(|d| d["column"].as_str().unwrap())
        .collect();
    assert!(columns.contains(&"vat_rate"), "{columns:?}");
    assert!(columns.contains(&"colour"), "{columns:?}");
    assert!(columns.contains(&"name_en"), "{columns:?}");

    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/products", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["details"][0]["line"], 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM products").await, 0);
}

async fn at_most_a_thousand_errors_are_listed(t: &TestApp) {
    let token = t.bearer("op.one").await;
    let mut csv = String::from("code,kind,vat_rate,name_fr,name_nl,name_de,name_en\n");
    for i in 0..1500 {
        csv.push_str(&format!("P{i},stamps,0,a,b,c,d\n"));
    }
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/products", &csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 1000);
    assert_eq!(v["error"]["error_count"], 1500);
    assert_eq!(v["error"]["details"][0]["line"], 2);
    assert_eq!(v["error"]["details"][999]["line"], 1001);
}

async fn only_operators_import_and_kinds_are_known(t: &TestApp) {
    let admin = t.bearer("a.admin").await;
    let (s, _) = post_csv(t, &admin, "/api/v1/operator/imports/products", PRODUCTS).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let op = t.bearer("op.one").await;
    let (s, v) = post_csv(t, &op, "/api/v1/operator/imports/stamps", PRODUCTS).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(t.count("SELECT COUNT(*) FROM products").await, 0);
}

async fn a_file_over_the_limit_is_refused(t: &TestApp) {
    let token = t.bearer("op.one").await;
    let (csv, _) = transactions(100); // about 9 kB; the limit here is 4 kB
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/transactions", &csv).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
    // Chunked, without a length announced: cut off while streaming.
    let chunks: Vec<Result<String, std::io::Error>> = csv
        .as_bytes()
        .chunks(1000)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let rb = t
        .api(&token)
        .request(Method::POST, "/api/v1/operator/imports/transactions")
        .body(body);
    let r = send(rb).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(t.count("SELECT COUNT(*) FROM transactions").await, 0);
}

async fn the_upload_page_imports_and_reports(t: &TestApp) {
    let mut b = t.signed_in("op.one").await;
    let page = b.get("/operator/imports").await.text;
    assert!(page.contains("enctype=\"multipart/form-data\""));
    // The form token is the form's first field, never in the URL (ASVS row 9).
    assert!(page.contains("action=\"/operator/imports\""), "{page}");
    assert!(!page.contains("?_csrf="));
    let csrf = crate::harness::extract_csrf(&page).unwrap();
    let action = "/operator/imports".to_owned();

    let upload = |kind: &'static str, body: &'static str| {
        reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .text("kind", kind)
            .part(
                "file",
                reqwest::multipart::Part::bytes(body.as_bytes().to_vec())
                    .file_name(format!("{kind}.csv"))
                    .mime_str("text/csv")
                    .unwrap(),
            )
    };
    let rb = b
        .builder(Method::POST, &action)
        .multipart(upload("products", PRODUCTS));
    let r = b.send(rb).await;
    // The answer is the run's report, by a redirect (a reload does not import again).
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.header("location").unwrap().to_owned();
    assert!(to.starts_with("/operator/imports/"), "{to}");
    let report = b.page(&to).await;
    assert!(report.contains("The file was imported."), "{report}");
    assert_eq!(t.count("SELECT COUNT(*) FROM products").await, 4);

    // A bad file: the report lists its lines; nothing changes.
    let rb = b.builder(Method::POST, &action).multipart(upload(
        "collection-points",
        "customer_number,code,name,street,postcode,city\n8800001,HQ,,Rue 1,1000,Bruxelles\n",
    ));
    let r = b.send(rb).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let report = b.page(r.header("location").unwrap()).await;
    assert!(
        report.contains("<td class=\"num\">2</td><td>name</td>"),
        "{report}"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM collection_points").await, 0);

    // Neither a kind nor a file: both named beside their fields, the ticked option kept.
    let rb = b.builder(Method::POST, &action).multipart(
        reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .text("kind", "")
            .text("dry_run", "true")
            .part(
                "file",
                reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
            ),
    );
    let r = b.send(rb).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text;
    assert!(
        page.contains("id=\"kind-error\">Choose the kind of feed."),
        "{page}"
    );
    assert!(
        page.contains("id=\"file-error\">Choose a file to import."),
        "{page}"
    );
    assert!(
        page.contains("id=\"dry_run\" name=\"dry_run\" type=\"checkbox\" value=\"true\" checked")
    );

    // Without the form token, with a wrong one, or with the token after the file: refused
    // before the file is read.
    let file = || {
        reqwest::multipart::Part::bytes(PRODUCTS.as_bytes().to_vec())
            .file_name("products.csv")
            .mime_str("text/csv")
            .unwrap()
    };
    for form in [
        reqwest::multipart::Form::new()
            .text("kind", "products")
            .part("file", file()),
        reqwest::multipart::Form::new()
            .text("_csrf", "not-the-token")
            .text("kind", "products")
            .part("file", file()),
        reqwest::multipart::Form::new()
            .text("kind", "products")
            .part("file", file())
            .text("_csrf", csrf.clone()),
    ] {
        let rb = b.builder(Method::POST, "/operator/imports").multipart(form);
        let r = b.send(rb).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // A script may send the token as a header instead.
    let rb = b
        .builder(Method::POST, "/operator/imports")
        .header("x-csrf-token", &csrf)
        .multipart(
            reqwest::multipart::Form::new()
                .text("kind", "products")
                .part("file", file()),
        );
    let r = b.send(rb).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The list shows both runs and links each report.
    let page = b.get("/operator/imports").await.text;
    assert!(page.contains("products.csv"));
    assert!(page.contains("collection-points.csv"));
    let run = t
        .count("SELECT MAX(id) FROM import_runs WHERE outcome = 'rejected'")
        .await;
    let report = b.get(&format!("/operator/imports/{run}")).await.text;
    assert!(report.contains("<td>name</td>"), "{report}");
}

crate::on_both!(
    a_feed_imports_exactly_and_only_once,
    a_file_with_bad_rows_changes_nothing_and_names_each_line,
    references_are_checked_per_customer_and_product_kind,
    a_changed_row_needs_update,
    header_problems_are_on_line_one,
    at_most_a_thousand_errors_are_listed,
    only_operators_import_and_kinds_are_known,
    the_upload_page_imports_and_reports,
    a_file_that_is_not_csv_text_is_rejected,
    windows_files_report_the_lines_a_reader_sees,
);

mod limited {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_file_over_the_limit() {
        if let Some(t) = TestApp::spawn_with(Backend::Sqlite, "import_limit", |c| {
            c.import_max_bytes = 4096;
        })
        .await
        {
            a_file_over_the_limit_is_refused(&t).await;
            t.finish().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_file_over_the_limit() {
        if let Some(t) = TestApp::spawn_with(Backend::Postgres, "import_limit", |c| {
            c.import_max_bytes = 4096;
        })
        .await
        {
            a_file_over_the_limit_is_refused(&t).await;
            t.finish().await;
        }
    }
}

async fn windows_files_report_the_lines_a_reader_sees(t: &TestApp) {
    let token = t.bearer("op.one").await;
    // A spreadsheet's export: byte order mark, CRLF line ends, a quoted name across two lines
    // (line 2 and 3), then a bad row on line 5.
    let csv = "\u{feff}code,kind,vat_rate,name_fr,name_nl,name_de,name_en\r\n\
               P1,postage,0,\"Prior\r\nBelgique\",Prior,Prior,Prior\r\n\
               P2,postage,0,a,b,c,d\r\n\
               P3,stamps,0,a,b,c,d\r\n";
    let (s, v) = post_csv(t, &token, "/api/v1/operator/imports/products", csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let d = v["error"]["details"].as_array().unwrap();
    let found: Vec<(i64, &str)> = d
        .iter()
        .map(|d| (d["line"].as_i64().unwrap(), d["column"].as_str().unwrap()))
        .collect();
    // The name with a line break is refused on line 2, where its record starts.
    assert_eq!(found, [(2, "name_fr"), (5, "kind")], "{v}");
}

async fn a_file_that_is_not_csv_text_is_rejected(t: &TestApp) {
    let token = t.bearer("op.one").await;
    // The first bytes of a PNG image: not UTF-8, not a header.
    let png: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe,
    ];
    let r = t
        .api(&token)
        .post_body(
            "/api/v1/operator/imports/products",
            "image/png",
            png.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "import_rejected");
    assert_eq!(v["error"]["details"][0]["line"], 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM products").await, 0);
}
