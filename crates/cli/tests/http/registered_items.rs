//! Registered items, end to end: the search by barcode, dates, recipient, collection point,
//! cost centre and acknowledgement; paging and the count; tenant and cost-centre isolation;
//! rights; the exports; the page in another language.

use crate::harness::{
    self, Api, RegisteredItem, TestApp, User, error_details, error_fields, form_encode,
    item_strings,
};
use cs_domain::barcode::s10_check_digit;
use reqwest::StatusCode;
use serde_json::Value;
use time::{Date, macros::date};

crate::on_both!(
    barcode_search_is_exact_and_stays_within_the_customer,
    filters_narrow_the_list_and_the_count_is_the_whole_filter,
    paging_walks_every_item_once,
    cost_centre_limits_and_rights_decide_what_is_seen,
    the_page_keeps_the_filter_in_dutch,
    operators_choose_the_customer_on_the_page,
    exports_hold_exactly_what_the_list_shows,
    exports_are_audited_when_they_end,
    unknown_codes_are_refused_naming_the_field_on_the_list_the_export_and_the_page,
    a_cursor_replayed_with_another_filter_or_customer_is_refused,
);

/// A national barcode: `010` and 27 digits.
fn national(n: u64) -> String {
    format!("010{n:027}")
}

/// A UPU S10 barcode with its check digit, computed here from the standard's weights.
fn s10(serial: u32) -> String {
    let digits: Vec<u8> = format!("{serial:08}").bytes().map(|b| b - b'0').collect();
    let weights = [8u32, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    // The domain's own function agrees with the standard.
    let serial8: [u8; 8] = digits.clone().try_into().unwrap();
    assert_eq!(u32::from(s10_check_digit(serial8)), check);
    format!("RR{serial:08}{check}BE")
}

/// One item to seed, to a recipient in Liège.
fn item(
    customer: i64,
    barcode: &str,
    day: Date,
    (point, centre): (&str, Option<&str>),
    ack: bool,
    name: &str,
) -> RegisteredItem {
    RegisteredItem {
        centre: centre.map(str::to_owned),
        acknowledgement: ack,
        name: name.into(),
        street: "Rue Haute 5".into(),
        postcode: "4000".into(),
        city: "Liège".into(),
        ..RegisteredItem::new(customer, barcode, day, point, "REG-BE")
    }
}

/// What the seed made: barcodes by name.
struct Seed {
    /// Customer A: 3 November, CPA1, CA1, AR, "Marie Dubois".
    a1: String,
    /// 3 November, CPA1, CA2, no AR, "Jan Peeters".
    a2: String,
    /// 12 November, CPA2, no cost centre, AR, "50% Korting BV".
    a3: String,
    /// S10, 20 November, CPA1, CA1, no AR, a recipient that looks like a formula.
    a4: String,
    /// 15 October (last month), CPA1, CA1, AR, "DUBOIS et Fils".
    a5: String,
    /// S10, 25 November, CPA2, CA1, AR, "Anna Schmidt" with no street.
    a6: String,
    /// Customer B's item: 5 November, "Marie Dubois".
    b1: String,
}

const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

/// Products, collection points, cost centres and items for customers A and B, and two users
/// of A with the receipts module: `a.receipts` (no limits) and `a.cc` (limited to CA1).
async fn seed(t: &TestApp) -> Seed {
    let (a, b) = (t.fx.customer_a, t.fx.customer_b);
    let s = Seed {
        a1: national(1),
        a2: national(2),
        a3: national(3),
        a4: s10(47312482),
        a5: national(5),
        a6: s10(10000001),
        b1: national(99),
    };
    let nov = |day| Date::from_calendar_date(2026, time::Month::November, day).unwrap();
    let items = [
        item(
            a,
            &s.a1,
            nov(3),
            ("CPA1", Some("CA1")),
            true,
            "Marie Dubois",
        ),
        item(
            a,
            &s.a2,
            nov(3),
            ("CPA1", Some("CA2")),
            false,
            "Jan Peeters",
        ),
        item(a, &s.a3, nov(12), ("CPA2", None), true, "50% Korting BV"),
        item(
            a,
            &s.a4,
            nov(20),
            ("CPA1", Some("CA1")),
            false,
            FORMULA_NAME,
        ),
        item(
            a,
            &s.a5,
            date!(2026 - 10 - 15),
            ("CPA1", Some("CA1")),
            true,
            "DUBOIS et Fils",
        ),
        RegisteredItem {
            street: String::new(),
            ..item(
                a,
                &s.a6,
                nov(25),
                ("CPA2", Some("CA1")),
                true,
                "Anna Schmidt",
            )
        },
        item(
            b,
            &s.b1,
            nov(5),
            ("CPB1", Some("CB1")),
            true,
            "Marie Dubois",
        ),
    ];
    let names = ["Recommandé", "Aangetekend", "Einschreiben", "Registered"];
    let receipts = |username| {
        User::new(Some(a), username)
            .full_name(username)
            .modules("receipts")
    };
    harness::Seed::new(t)
        .product_named("REG-BE", "registered", 0, names)
        .collection_point_named(a, "CPA1", "Head office")
        .collection_point_named(a, "CPA2", "Warehouse")
        .collection_point_named(b, "CPB1", "Beta depot")
        .cost_centre(b, "CB1", "Beta")
        .registered_items(items)
        .user(receipts("a.receipts"))
        .user(receipts("a.cc").limited_to("CA1"))
        .insert()
        .await;
    s
}

/// The barcodes a search finds, checking that `total` counts exactly them (one page).
async fn found(api: &Api, query: &str) -> Vec<String> {
    let v = api
        .get_json(&format!("/api/v1/registered-items?{query}"))
        .await;
    let list = item_strings(&v, "barcode");
    assert_eq!(v["total"], list.len() as i64, "{query}: total");
    assert!(v["next_cursor"].is_null(), "{query}: one page");
    list
}

async fn barcode_search_is_exact_and_stays_within_the_customer(t: &TestApp) {
    let s = seed(t).await;
    let a = t.api_as("a.receipts").await;
    // Exact barcode, typed any case and with spaces; found whatever its date (October).
    assert_eq!(
        found(&a, &format!("barcode={}", s.a5)).await,
        [s.a5.as_str()]
    );
    let spaced = format!("  {} {} ", &s.a5[..10], &s.a5[10..]);
    assert_eq!(
        found(&a, &format!("barcode={}", form_encode(&spaced))).await,
        [s.a5.as_str()]
    );
    let lower = s.a4.to_lowercase();
    let spaced_s10 = format!("{} {} {}", &lower[..2], &lower[2..11], &lower[11..]);
    assert_eq!(
        found(&a, &format!("barcode={}", form_encode(&spaced_s10))).await,
        [s.a4.as_str()]
    );
    // With dates that exclude it (the page sends the month it shows), still found: a
    // barcode search ignores the dates, in the API and on the page.
    assert_eq!(
        found(
            &a,
            &format!("barcode={}&from=2026-11-01&to=2026-11-30", s.a5)
        )
        .await,
        [s.a5.as_str()]
    );
    let mut page = t.signed_in("a.admin").await;
    let html = page
        .page(&format!(
            "/registered-items?barcode={}&from=2026-11-01&to=2026-11-30",
            s.a5
        ))
        .await;
    assert!(html.contains(s.a5.as_str()), "the October item is listed");
    // A malformed date is still named, barcode or not.
    let r = a
        .get(&format!(
            "/api/v1/registered-items?barcode={}&from=2026-13-01",
            s.a5
        ))
        .await;
    let v = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_date");
    assert_eq!(v["error"]["details"][0]["field"], "from", "{v}");
    // Customer B's barcode answers like an unknown one: nothing, counted as nothing.
    assert!(found(&a, &format!("barcode={}", s.b1)).await.is_empty());
    assert!(
        found(&a, &format!("barcode={}", national(12345)))
            .await
            .is_empty()
    );
    let b = t.api_as("b.admin").await;
    assert_eq!(
        found(&b, &format!("barcode={}", s.b1)).await,
        [s.b1.as_str()]
    );
    assert!(found(&b, &format!("barcode={}", s.a1)).await.is_empty());

    // The item as the API gives it: the feed's columns, codes, null when empty.
    let (_, v) = a
        .get(&format!("/api/v1/registered-items?barcode={}", s.a6))
        .await
        .status_json();
    let item = &v["items"][0];
    assert_eq!(item["deposit_date"], "2026-11-25");
    assert_eq!(item["collection_point"], "CPA2");
    assert_eq!(item["cost_centre"], "CA1");
    assert_eq!(item["product_code"], "REG-BE");
    assert_eq!(item["acknowledgement"], true);
    assert_eq!(item["recipient_name"], "Anna Schmidt");
    assert!(item["recipient_street"].is_null(), "{item}");
    assert_eq!(item["recipient_city"], "Liège");
    let keys: Vec<&str> = item
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut expected = cs_app::registered_items::COLUMNS.to_vec();
    let mut got = keys.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let (_, v) = a
        .get(&format!("/api/v1/registered-items?barcode={}", s.a3))
        .await
        .status_json();
    assert!(v["items"][0]["cost_centre"].is_null());

    // A malformed barcode is a 422 on `barcode` with the domain's message.
    let wrong_check = format!("{}{}", &s.a4[..10], (s.a4.as_bytes()[10] - b'0' + 1) % 10);
    let wrong_check = format!("{wrong_check}{}", &s.a4[11..]);
    let (status, v) = a
        .get(&format!("/api/v1/registered-items?barcode={wrong_check}"))
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_fields(&v), ["barcode"]);
    assert_eq!(v["error"]["details"][0]["code"], "barcode_check_digit");
    let expected_digit = &s.a4[10..11];
    assert_eq!(
        v["error"]["details"][0]["message"],
        format!("barcode {wrong_check}: check digit should be {expected_digit}")
    );
    for bad in ["0101234", "020000000000000000000000000017", "hello"] {
        let (status, v) = a
            .get(&format!("/api/v1/registered-items?barcode={bad}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(error_fields(&v), ["barcode"], "{bad}");
    }
}

async fn filters_narrow_the_list_and_the_count_is_the_whole_filter(t: &TestApp) {
    let s = seed(t).await;
    let a = t.api_as("a.receipts").await;
    // Without dates: the current month (the clock says 26 November 2026), newest first; the
    // two items of 3 November in insertion order reversed (newest id first).
    assert_eq!(
        found(&a, "").await,
        [
            s.a6.as_str(),
            s.a4.as_str(),
            s.a3.as_str(),
            s.a2.as_str(),
            s.a1.as_str()
        ]
    );
    // Inclusive date ranges.
    assert_eq!(
        found(&a, "from=2026-10-01&to=2026-10-31").await,
        [s.a5.as_str()]
    );
    assert_eq!(
        found(&a, "from=2026-11-03&to=2026-11-12").await,
        [s.a3.as_str(), s.a2.as_str(), s.a1.as_str()]
    );
    // One date alone keeps to its month.
    assert_eq!(
        found(&a, "to=2026-11-03").await,
        [s.a2.as_str(), s.a1.as_str()]
    );
    assert_eq!(found(&a, "from=2026-10-10").await, [s.a5.as_str()]);
    // Recipient: any case, anywhere in the name, never customer B's "Marie Dubois".
    assert_eq!(
        found(&a, "recipient=dUBois&from=2026-10-01&to=2026-11-30").await,
        [s.a1.as_str(), s.a5.as_str()]
    );
    // A `%` in the search is a percent sign, not a wildcard.
    assert_eq!(found(&a, "recipient=%25").await, [s.a3.as_str()]);
    assert_eq!(found(&a, "recipient=50%25+k").await, [s.a3.as_str()]);
    assert!(found(&a, "recipient=_").await.is_empty());
    // Collection point, cost centre, acknowledgement, and combinations.
    assert_eq!(
        found(&a, "collection_point=CPA2").await,
        [s.a6.as_str(), s.a3.as_str()]
    );
    assert_eq!(found(&a, "cost_centre=CA2").await, [s.a2.as_str()]);
    assert_eq!(
        found(&a, "acknowledgement=true").await,
        [s.a6.as_str(), s.a3.as_str(), s.a1.as_str()]
    );
    assert_eq!(
        found(&a, "acknowledgement=false&cost_centre=CA1").await,
        [s.a4.as_str()]
    );
    assert_eq!(
        found(
            &a,
            "collection_point=CPA1&from=2026-10-01&to=2026-11-30&acknowledgement=true"
        )
        .await,
        [s.a1.as_str(), s.a5.as_str()]
    );
    // The count is of the whole filter, whatever the page size.
    let (status, v) = a
        .get("/api/v1/registered-items?limit=2")
        .await
        .status_json();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (item_strings(&v, "barcode").len(), v["total"].as_i64()),
        (2, Some(5))
    );
    assert!(v["next_cursor"].is_string());

    // Bad input: every field named at once.
    let (status, v) = a.get("/api/v1/registered-items?from=2026-13-01&to=soon&acknowledgement=maybe&collection_point=CPB1&cost_centre=NOPE&limit=0&cursor=x").await.status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let mut f = error_fields(&v);
    f.sort();
    assert_eq!(
        f,
        [
            "acknowledgement",
            "collection_point",
            "cost_centre",
            "cursor",
            "from",
            "limit",
            "to"
        ]
    );
    let (status, v) = a
        .get("/api/v1/registered-items?from=2026-11-10&to=2026-11-09")
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&v), ["to"]);
    assert_eq!(v["error"]["details"][0]["code"], "range_reversed");
}

async fn paging_walks_every_item_once(t: &TestApp) {
    let s = seed(t).await;
    // 57 more items of A over November, several per day.
    let expected_extra: Vec<String> = (0..57u64).map(|n| national(1000 + n)).collect();
    let extra = expected_extra.iter().zip(0u8..).map(|(barcode, n)| {
        let day = Date::from_calendar_date(2026, time::Month::November, n % 20 + 1).unwrap();
        RegisteredItem {
            acknowledgement: n % 3 == 0,
            name: "Bulk recipient".into(),
            ..RegisteredItem::new(t.fx.customer_a, barcode, day, "CPA1", "REG-BE")
        }
    });
    harness::Seed::new(t).registered_items(extra).insert().await;
    let a = t.api_as("a.admin").await;
    let everything = 57 + 5;
    for limit in [None, Some(7), Some(500)] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = "/api/v1/registered-items?".to_owned();
            if let Some(l) = limit {
                path.push_str(&format!("limit={l}&"));
            }
            if let Some(c) = &cursor {
                path.push_str(&format!("cursor={}", form_encode(c)));
            }
            let (status, v) = a.get(&path).await.status_json();
            assert_eq!(status, StatusCode::OK, "{path}: {v}");
            assert_eq!(
                v["total"], everything,
                "{path}: the total is of the whole filter"
            );
            let page = item_strings(&v, "barcode");
            assert!(page.len() <= limit.unwrap_or(50) as usize);
            pages += 1;
            seen.extend(page);
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let expected_pages = (everything as usize).div_ceil(limit.unwrap_or(50) as usize);
        assert_eq!(pages, expected_pages, "limit {limit:?}");
        let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no item twice (limit {limit:?})");
        assert_eq!(
            seen.len(),
            everything as usize,
            "no item missed (limit {limit:?})"
        );
        for b in expected_extra.iter().chain([&s.a1, &s.a6]) {
            assert!(seen.contains(b), "{b} missed");
        }
        assert!(
            !seen.contains(&s.a5),
            "last month's item is not in the default range"
        );
        // Newest deposit first throughout.
        let (status, v) = a
            .get("/api/v1/registered-items?limit=500")
            .await
            .status_json();
        assert_eq!(status, StatusCode::OK);
        let dates: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["deposit_date"].as_str().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|x, y| y.cmp(x));
        assert_eq!(dates, sorted);
    }
    // The page's next link keeps the filter and leads to the rest.
    let mut b = t.signed_in("a.admin").await;
    let html = b.get("/registered-items?recipient=bulk").await.text;
    assert_eq!(html.matches("<th scope=\"row\">").count(), 50);
    assert!(html.contains("57 registered items match this search."));
    let at = html.find("rel=\"next\"").expect("a next link");
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let next = html[start..at]
        .trim_end()
        .trim_end_matches('"')
        .replace("&#38;", "&");
    assert!(
        next.starts_with("/registered-items?from=2026-11-01&to=2026-11-30&recipient=bulk&cursor="),
        "{next}"
    );
    let html = b.get(&next).await.text;
    assert_eq!(html.matches("<th scope=\"row\">").count(), 7);
    assert!(!html.contains("rel=\"next\""));
    assert!(html.contains(">First page</a>"));

    // A cursor no page gave is refused on `cursor`.
    for bad in ["abc", "2026-11-02", "2026-11-02_-1"] {
        let (status, v) = a
            .get(&format!(
                "/api/v1/registered-items?cursor={}",
                form_encode(bad)
            ))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(error_fields(&v), ["cursor"]);
    }
}

async fn cost_centre_limits_and_rights_decide_what_is_seen(t: &TestApp) {
    let s = seed(t).await;
    // Limited to CA1: CA1's items only, not CA2's, not those without a cost centre.
    let cc = t.api_as("a.cc").await;
    assert_eq!(
        found(&cc, "").await,
        [s.a6.as_str(), s.a4.as_str(), s.a1.as_str()]
    );
    assert!(found(&cc, &format!("barcode={}", s.a2)).await.is_empty());
    assert!(found(&cc, &format!("barcode={}", s.a3)).await.is_empty());
    assert_eq!(
        found(&cc, "cost_centre=CA1").await,
        [s.a6.as_str(), s.a4.as_str(), s.a1.as_str()]
    );
    let (status, v) = cc
        .get("/api/v1/registered-items?cost_centre=CA2")
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&v), ["cost_centre"]);
    // A customer's user naming another customer still gets its own items.
    assert_eq!(
        found(&cc, "customer_number=8800002").await,
        [s.a6.as_str(), s.a4.as_str(), s.a1.as_str()]
    );
    // Without the receipts module: 403, on the API and on the page.
    for who in ["a.user", "a.nomod"] {
        let token = t.bearer(who).await;
        let (status, v) = t
            .api(&token)
            .get("/api/v1/registered-items")
            .await
            .status_json();
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {v}");
        let mut b = t.signed_in(who).await;
        assert_eq!(
            b.get("/registered-items").await.status,
            StatusCode::FORBIDDEN
        );
        let home = b.get("/").await.text;
        assert!(
            !home.contains("href=\"/registered-items\""),
            "{who} has no menu entry"
        );
    }
    let mut b = t.signed_in("a.receipts").await;
    let home = b.get("/").await.text;
    assert!(home.contains("href=\"/registered-items\""));
    // Operators must name the customer.
    let op = t.api_as("op.one").await;
    let (status, v) = op.get("/api/v1/registered-items").await.status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_fields(&v), ["customer_number"]);
    let status = op
        .get("/api/v1/registered-items?customer_number=8899999")
        .await
        .status;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        found(&op, "customer_number=8800001").await,
        [
            s.a6.as_str(),
            s.a4.as_str(),
            s.a3.as_str(),
            s.a2.as_str(),
            s.a1.as_str()
        ]
    );
    assert_eq!(found(&op, "customer_number=8800002").await, [s.b1.as_str()]);
    assert_eq!(
        found(&op, &format!("customer_number=8800002&barcode={}", s.a1)).await,
        Vec::<String>::new()
    );
}

async fn the_page_keeps_the_filter_in_dutch(t: &TestApp) {
    let s = seed(t).await;
    t.exec("UPDATE users SET language = 'nl' WHERE username = 'a.receipts'")
        .await;
    let mut b = t.signed_in("a.receipts").await;
    let r = b
        .get("/registered-items?recipient=dubois&from=2026-10-01&to=2026-11-30&acknowledgement=true&collection_point=CPA1")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("<h1>Aangetekende zendingen</h1>"));
    // What was typed stays in the form.
    assert!(html.contains("name=\"recipient\" type=\"search\" maxlength=\"100\" value=\"dubois\""));
    assert!(html.contains("name=\"from\" type=\"date\" value=\"2026-10-01\""));
    assert!(html.contains("name=\"to\" type=\"date\" value=\"2026-11-30\""));
    assert!(html.contains("<option value=\"true\" selected>Alleen met AR</option>"));
    assert!(html.contains("<option value=\"CPA1\" selected>CPA1 – Head office</option>"));
    // The two items, dates the Dutch way, AR in words, the count of the filter.
    assert!(
        html.contains(s.a1.as_str()) && html.contains(s.a5.as_str()),
        "{html}"
    );
    assert!(!html.contains(s.a2.as_str()));
    assert!(html.contains("<time datetime=\"2026-11-03\">3/11/2026</time>"));
    assert!(html.contains("<time datetime=\"2026-10-15\">15/10/2026</time>"));
    assert!(html.contains("<strong>Ja</strong>"));
    assert!(html.contains("2 aangetekende zendingen komen overeen met deze zoekopdracht."));
    // Downloads carry exactly the filter shown.
    let filter =
        "from=2026-10-01&to=2026-11-30&recipient=dubois&collection_point=CPA1&acknowledgement=true";
    assert!(
        html.contains(&format!(
            "/api/v1/registered-items/export?{}&#38;format=csv",
            filter.replace('&', "&#38;")
        )),
        "{html}"
    );
    assert!(html.contains("afgiftebewijzen"), "the receipts placeholder");

    // Without dates, the page shows (and its links keep) the month it searched.
    let html = b.get("/registered-items").await.text;
    assert!(html.contains("name=\"from\" type=\"date\" value=\"2026-11-01\""));
    assert!(html.contains("name=\"to\" type=\"date\" value=\"2026-11-30\""));
    assert!(html.contains("5 aangetekende zendingen"));
    // `from` alone: the page shows the end of its month it searched up to.
    let html = b.get("/registered-items?from=2026-10-10").await.text;
    assert!(html.contains("name=\"to\" type=\"date\" value=\"2026-10-31\""));
    assert!(html.contains(&s.a5));

    // A malformed barcode: the message beside the field, in Dutch, with what was typed.
    let r = b
        .get("/registered-items?barcode=RR12&recipient=dubois")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("value=\"RR12\""));
    assert!(html.contains("value=\"dubois\""));
    assert!(html.contains(
        "<span class=\"error\" id=\"barcode-error\">Een internationale barcode heeft 2 letters, 9 cijfers en 2 letters, zoals RR473124829BE.</span>"
    ), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));

    // A search that finds nothing says so.
    let html = b
        .get(&format!("/registered-items?barcode={}", s.b1))
        .await
        .text;
    assert!(html.contains("Geen aangetekende zending komt overeen met deze zoekopdracht."));
    assert!(!html.contains(&format!("<code>{}</code>", s.b1)));
    assert!(
        !html.contains("/api/v1/registered-items/export"),
        "nothing to download"
    );
}

async fn operators_choose_the_customer_on_the_page(t: &TestApp) {
    let s = seed(t).await;
    let mut op = t.signed_in("op.one").await;
    let r = op.get("/registered-items").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("name=\"customer_number\""));
    assert!(!html.contains("<table"));
    let r = op.get("/registered-items?customer_number=12ab").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("A customer number has digits only."));
    let r = op.get("/registered-items?customer_number=8899999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("No customer has this number."));
    let r = op
        .get("/registered-items?customer_number=8800001&acknowledgement=true")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("Alpha Printing SA (8800001)"));
    assert!(
        html.contains(s.a1.as_str())
            && html.contains(s.a6.as_str())
            && !html.contains(s.a2.as_str())
    );
    assert!(html.contains("<input type=\"hidden\" name=\"customer_number\" value=\"8800001\">"));
    assert!(html.contains("export?customer_number=8800001&#38;from=2026-11-01&#38;to=2026-11-30&#38;acknowledgement=true&#38;format=xlsx"));
}

/// GET with a bearer token: (status, headers, body bytes).
async fn download(api: &Api, query: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = api
        .get(&format!("/api/v1/registered-items/export?{query}"))
        .await;
    (r.status, r.headers, r.bytes)
}

/// (header, records) of a CSV body.
fn parse_csv(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// An API item as the CSV writes it: JSON null is an empty field, text as it is (before
/// neutralisation), booleans as `true`/`false`.
fn as_csv_row(item: &Value) -> Vec<String> {
    cs_app::registered_items::COLUMNS
        .iter()
        .map(|c| match &item[*c] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

async fn exports_hold_exactly_what_the_list_shows(t: &TestApp) {
    let s = seed(t).await;
    let a = t.api_as("a.receipts").await;
    let columns: Vec<String> = cs_app::registered_items::COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    for filter in [
        "",
        "from=2026-10-01&to=2026-11-30",
        "recipient=DUBOIS&from=2026-10-01&to=2026-11-30",
        "acknowledgement=false",
        "collection_point=CPA2&cost_centre=CA1",
    ] {
        let (status, list) = a
            .get(&format!("/api/v1/registered-items?limit=500&{filter}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::OK);
        let (status, headers, body) = download(&a, &format!("format=csv&{filter}")).await;
        assert_eq!(status, StatusCode::OK, "{filter}");
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        let (header, rows) = parse_csv(&body);
        assert_eq!(header, columns);
        let items = list["items"].as_array().unwrap();
        assert_eq!(
            rows.len() as i64,
            list["total"].as_i64().unwrap(),
            "{filter}"
        );
        assert_eq!(rows.len(), items.len(), "{filter}");
        for (row, item) in rows.iter().zip(items) {
            let mut expected = as_csv_row(item);
            // Only text cells that a spreadsheet would run as a formula are changed.
            if expected[6].starts_with('=') {
                expected[6] = format!("'{}", expected[6]);
            }
            assert_eq!(row, &expected, "{filter}");
        }
    }
    // The recipient that looks like a formula is neutralised in the CSV.
    let (_, _, body) = download(&a, &format!("format=csv&barcode={}", s.a4)).await;
    let (_, rows) = parse_csv(&body);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][6], format!("'{FORMULA_NAME}"));
    assert_eq!(rows[0][5], "false");
    assert!(rows[0][3] == "CA1" && rows[0][1] == "2026-11-20");

    // The file is named after what was searched.
    let (_, headers, _) = download(&a, "format=csv&from=2026-10-01&to=2026-10-31").await;
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"registered-items-2026-10-01-2026-10-31.csv\""
    );

    // XLSX: a real workbook with the same rows.
    let (status, headers, body) = download(&a, "format=xlsx&from=2026-10-01&to=2026-11-30").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"registered-items-2026-10-01-2026-11-30.xlsx\""
    );
    // For people, in the caller's language (English): the deposit date first, then the
    // barcode, and a totals row that counts the items.
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let range = wb.worksheet_range("Registered items").unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..2], ["Deposit date", "Barcode"]);
    assert_eq!(header[7], "Recipient");
    let mut rows: Vec<Vec<calamine::Data>> = rows.map(<[calamine::Data]>::to_vec).collect();
    let totals = rows.pop().unwrap();
    let (_, list) = a
        .get("/api/v1/registered-items?limit=500&from=2026-10-01&to=2026-11-30")
        .await
        .status_json();
    let api: Vec<String> = item_strings(&list, "barcode");
    let xlsx: Vec<String> = rows.iter().map(|r| r[1].to_string()).collect();
    assert_eq!(xlsx, api);
    assert_eq!(api.len(), 6);
    assert_eq!(totals[0].to_string(), "Total");
    assert_eq!(totals[1], calamine::Data::Float(6.0), "the count of items");
    assert!(
        rows.iter()
            .all(|r| matches!(r[0], calamine::Data::DateTime(_))),
        "dates are dates"
    );
    let formula_row = rows.iter().find(|r| r[1].to_string() == s.a4).unwrap();
    assert_eq!(
        formula_row[7].to_string(),
        FORMULA_NAME,
        "XLSX keeps text as text"
    );
    let no_centre = rows.iter().find(|r| r[1].to_string() == s.a3).unwrap();
    assert_eq!(no_centre[3], calamine::Data::Empty);

    // Limits and isolation hold in the export too.
    let cc = t.api_as("a.cc").await;
    let (_, _, body) = download(&cc, "format=csv&from=2026-10-01&to=2026-11-30").await;
    let (_, rows) = parse_csv(&body);
    let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        got,
        [s.a6.as_str(), s.a4.as_str(), s.a1.as_str(), s.a5.as_str()]
    );
    let (status, _, body) = download(&a, &format!("format=csv&barcode={}", s.b1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        parse_csv(&body).1.len(),
        0,
        "another customer's barcode exports nothing"
    );

    // Bad input: the format and the filter's fields, all at once; rights as for the list.
    let (status, _, body) = download(&a, "format=pdf&barcode=RR1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error_fields(&v), ["format", "barcode"]);
    let (status, _, body) = download(&a, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&serde_json::from_slice(&body).unwrap()),
        ["format"]
    );
    let u = t.api_as("a.user").await;
    assert_eq!(download(&u, "format=csv").await.0, StatusCode::FORBIDDEN);
    let op = t.api_as("op.one").await;
    assert_eq!(
        download(&op, "format=csv").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, _, body) = download(&op, "format=csv&customer_number=8800002").await;
    assert_eq!(status, StatusCode::OK);
    let (_, rows) = parse_csv(&body);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], s.b1);

    // The page's plain CSV link is the same export.
    let mut b = t.signed_in("a.receipts").await;
    let html = b.get("/registered-items?acknowledgement=true").await.text;
    let at = html.find("format=csv\"").unwrap();
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let end = start + html[start..].find('"').unwrap();
    let link = html[start..end].replace("&#38;", "&");
    let r = b.get(&link).await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, rows) = parse_csv(&r.bytes);
    let got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(got, [s.a6.as_str(), s.a3.as_str(), s.a1.as_str()]);
}

/// The export events of the trail, oldest first: (actor, customer id, object, details).
pub async fn export_events(t: &TestApp) -> Vec<(String, Option<i64>, String, Value)> {
    let mut c = t.app().store.acquire().await.unwrap();
    let rows: Vec<(String, Option<i64>, String, String)> =
        cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_as(
            "SELECT actor, customer_id, object_type || ':' || object_id, details \
             FROM audit_events WHERE action = 'export.registered_items' ORDER BY id"
        )
        .fetch_all(x)
        .await)
        .unwrap();
    rows.into_iter()
        .map(|(a, c, o, d)| (a, c, o, serde_json::from_str(&d).unwrap()))
        .collect()
}

/// Downloads of registered items carry recipients' data: each one is audited when it ends,
/// with who, the filter as given (not as defaulted) and the rows sent; an operator's is
/// recorded under the customer. A refused export records nothing.
async fn exports_are_audited_when_they_end(t: &TestApp) {
    seed(t).await;
    let a = t.api_as("a.receipts").await;
    assert!(export_events(t).await.is_empty());
    let (status, _, body) = download(
        &a,
        "format=csv&recipient=DUBOIS&from=2026-10-01&to=2026-11-30&barcode=",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, rows) = parse_csv(&body);
    let events = export_events(t).await;
    assert_eq!(events.len(), 1);
    let (actor, customer, object, details) = &events[0];
    assert_eq!(actor, "a.receipts");
    assert_eq!(*customer, Some(t.fx.customer_a));
    assert_eq!(object, "customer:8800001");
    assert_eq!(
        details["filter"],
        serde_json::json!({"recipient": "DUBOIS", "from": "2026-10-01", "to": "2026-11-30"})
    );
    assert_eq!(details["rows"], rows.len() as i64);
    assert!(rows.len() >= 2, "the filter matched items");
    assert_eq!(details["outcome"], "complete");

    let op = t.api_as("op.one").await;
    let (status, _, body) = download(&op, "format=xlsx&customer_number=8800001").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with(b"PK"));
    let events = export_events(t).await;
    assert_eq!(events.len(), 2);
    let (actor, customer, _, details) = &events[1];
    assert_eq!(
        (actor.as_str(), *customer),
        ("op.one", Some(t.fx.customer_a))
    );
    assert_eq!(details["filter"], serde_json::json!({}));
    assert_eq!(details["outcome"], "complete");
    assert!(details["rows"].as_i64().unwrap() >= 1);

    // Invalid requests are not exports: nothing recorded.
    let (status, _, _) = download(&a, "format=pdf").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(export_events(t).await.len(), 2);
}

/// The fields and codes of a 422 answer's details, sorted.
fn field_codes(v: &Value) -> Vec<(String, String)> {
    let mut got = error_details(v);
    got.sort();
    got
}

/// The one rule for a customer's codes in a filter, on this list too: a collection point or
/// cost centre the customer does not have, another customer's, or a cost centre outside the
/// user's, answers 422 naming the field on the list, both exports and the page.
async fn unknown_codes_are_refused_naming_the_field_on_the_list_the_export_and_the_page(
    t: &TestApp,
) {
    seed(t).await;
    let a = t.api_as("a.receipts").await;
    let cc = t.api_as("a.cc").await;
    let op = t.api_as("op.one").await;
    let cp_err = (
        "collection_point".to_owned(),
        "unknown_collection_point".to_owned(),
    );
    let cc_err = ("cost_centre".to_owned(), "unknown_cost_centre".to_owned());
    for (api, query, want) in [
        (&a, "collection_point=NOWHERE", vec![cp_err.clone()]),
        (&a, "collection_point=CPB1", vec![cp_err.clone()]),
        (
            &a,
            "cost_centre=CB1&collection_point=CPA1",
            vec![cc_err.clone()],
        ),
        (&cc, "cost_centre=CA2", vec![cc_err.clone()]),
        (
            &op,
            "customer_number=8800002&collection_point=CPA1",
            vec![cp_err.clone()],
        ),
    ] {
        let (status, v) = api
            .get(&format!("/api/v1/registered-items?{query}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {v}");
        assert_eq!(field_codes(&v), want, "{query}");
        for format in ["csv", "xlsx"] {
            let (status, _, body) = download(api, &format!("format={format}&{query}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{format} {query}");
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(field_codes(&v), want, "{format} {query}");
        }
    }
    // A refused export is no export: nothing audited.
    assert!(export_events(t).await.is_empty());

    // The page: the error beside its field, in the user's language, what was typed kept.
    let mut b = t.signed_in("a.receipts").await;
    let r = b
        .get("/registered-items?collection_point=CPB1&recipient=dubois")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains(
        "<span class=\"error\" id=\"collection_point-error\">Choose one of the collection points listed.</span>"
    ), "{html}");
    assert!(html.contains("<option value=\"CPB1\" selected>CPB1</option>"));
    assert!(html.contains("value=\"dubois\""));
    assert!(
        !html.contains("/api/v1/registered-items/export"),
        "no download of a refused search"
    );
    let mut b = t.signed_in("a.cc").await;
    let r = b.get("/registered-items?cost_centre=CA2").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(
        html.contains("id=\"cost_centre-error\">Choose one of the cost centres listed.</span>")
    );
    assert!(html.contains("<option value=\"CA2\" selected>CA2</option>"));
}

/// A cursor stands for a place in one search: of one filter and customer. Replayed with
/// another filter, or altered, or the old plain `date_id` form, it is a 422 `invalid_cursor`.
async fn a_cursor_replayed_with_another_filter_or_customer_is_refused(t: &TestApp) {
    let s = seed(t).await;
    let a = t.api_as("a.receipts").await;
    let (status, v) = a
        .get("/api/v1/registered-items?limit=2&collection_point=CPA1")
        .await
        .status_json();
    assert_eq!(status, StatusCode::OK, "{v}");
    let cursor = v["next_cursor"].as_str().expect("a next page").to_owned();
    // CPA1 in November: a4 (the 20th), then a2 and a1 (the 3rd, newest first). The same
    // filter, written another way, with another page size: the next page.
    let (status, v) = a.get(&format!(
            "/api/v1/registered-items?limit=3&collection_point=%20CPA1&from=2026-11-01&to=2026-11-30&cursor={}",
            form_encode(&cursor)
        )).await.status_json();
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(item_strings(&v, "barcode"), [s.a1.as_str()]);
    let mut altered = cursor.clone().into_bytes();
    let at = altered.len() / 2;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for other in [
        format!("collection_point=CPA2&cursor={}", form_encode(&cursor)),
        format!("cursor={}", form_encode(&cursor)),
        format!(
            "collection_point=CPA1&acknowledgement=true&cursor={}",
            form_encode(&cursor)
        ),
        format!(
            "collection_point=CPA1&from=2026-11-02&cursor={}",
            form_encode(&cursor)
        ),
        format!(
            "collection_point=CPA1&recipient=a&cursor={}",
            form_encode(&cursor)
        ),
        format!("collection_point=CPA1&cursor={}", form_encode(&altered)),
        "collection_point=CPA1&cursor=2026-11-20_42".to_owned(),
    ] {
        let (status, v) = a
            .get(&format!("/api/v1/registered-items?{other}"))
            .await
            .status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{other}: {v}");
        assert_eq!(v["error"]["code"], "invalid_cursor", "{other}");
        assert_eq!(
            field_codes(&v),
            [("cursor".to_owned(), "invalid_cursor".to_owned())],
            "{other}"
        );
    }
    // An operator's cursor of one customer is no cursor of another's.
    let op = t.api_as("op.one").await;
    let (_, v) = op
        .get("/api/v1/registered-items?limit=1&customer_number=8800001")
        .await
        .status_json();
    let a_cursor = v["next_cursor"].as_str().expect("a next page").to_owned();
    let (status, v) = op
        .get(&format!(
            "/api/v1/registered-items?customer_number=8800002&cursor={}",
            form_encode(&a_cursor)
        ))
        .await
        .status_json();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "invalid_cursor");
    // The page says the link is out of date and keeps the filter as typed.
    let mut b = t.signed_in("a.receipts").await;
    let r = b
        .get(&format!(
            "/registered-items?collection_point=CPA2&cursor={}",
            form_encode(&cursor)
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains(
        "<p class=\"error\" role=\"alert\">This page link is out of date: start again from the first page.</p>"
    ), "{html}");
    assert!(html.contains("<option value=\"CPA2\" selected>CPA2 – Warehouse</option>"));
}
