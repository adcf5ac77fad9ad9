//! What people read: every page of the demo, in the four languages, for a customer
//! administrator, a clerk and the operator, shows dates as the language writes them (never
//! ISO, which stays in attributes: `<time datetime>`, input values, links); and the shared
//! wording of periods, numbers and the French typography.

use crate::harness::{Browser, TestApp};
use reqwest::StatusCode;

crate::on_both!(
    demo: no_page_shows_an_iso_date_to_a_person,
    lists_are_newest_first_with_quick_periods,
);

const LANGUAGES: [&str; 4] = ["fr", "nl", "de", "en"];

/// The visible text of a page: without scripts, styles and tags (so without attributes).
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        rest = &rest[start..];
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let end = if lower.starts_with("<script") || lower.starts_with("<style") {
            let close = if lower.starts_with("<script") {
                "</script>"
            } else {
                "</style>"
            };
            rest.find(close).map_or(rest.len(), |i| i + close.len())
        } else {
            rest.find('>').map_or(rest.len(), |i| i + 1)
        };
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The ISO-looking dates (`2026-11-26`, also inside `2026-11-26T10:00`) in `text`.
fn iso_dates(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut found = Vec::new();
    for i in 0..b.len().saturating_sub(9) {
        let shape = (0..4).all(|k| digit(i + k))
            && b[i + 4] == b'-'
            && digit(i + 5)
            && digit(i + 6)
            && b[i + 7] == b'-'
            && digit(i + 8)
            && digit(i + 9);
        let bounded = (i == 0 || !digit(i - 1)) && !digit(i + 10);
        if shape && bounded {
            found.push(text[i..i + 10].to_owned());
        }
    }
    found
}

/// The first link of `html` whose path starts with `prefix` and goes one level deeper.
fn first_link(html: &str, prefix: &str) -> Option<String> {
    let needle = format!("href=\"{prefix}");
    html.match_indices(&needle).find_map(|(at, _)| {
        let start = at + "href=\"".len();
        let end = start + html[start..].find('"')?;
        let link = html[start..end].replace("&amp;", "&");
        let tail = &link[prefix.len()..];
        (!tail.is_empty() && !tail.starts_with('?')).then_some(link)
    })
}

async fn signed_in_demo(t: &TestApp, username: &str) -> Browser {
    let mut b = t.browser();
    let r = b.sign_in(username, &format!("{username}-demo-2026")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in of {username}");
    b
}

async fn set_language(b: &mut Browser, from: &str, lang: &str) {
    let r = b
        .post_form_from(from, "/language", &[("language", lang)])
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "language {lang}: {}",
        r.text
    );
}

/// The pages of `username`, with one detail page of each list that has some.
async fn pages_of(b: &mut Browser, username: &str) -> Vec<String> {
    let mut pages: Vec<String> = if username == "operator" {
        [
            "/",
            "/operator/access-requests",
            "/operator/customers",
            "/operator/imports",
            "/operator/audit",
            "/operator/jobs",
            "/account",
        ]
        .map(str::to_owned)
        .to_vec()
    } else if username.ends_with(".admin") {
        [
            "/",
            "/transactions",
            "/registered-items",
            "/users",
            "/audit",
            "/security",
            "/account",
        ]
        .map(str::to_owned)
        .to_vec()
    } else {
        ["/", "/transactions", "/registered-items", "/account"]
            .map(str::to_owned)
            .to_vec()
    };
    for (list, prefix) in [
        ("/users", "/users/"),
        ("/operator/customers", "/operator/customers/"),
        ("/operator/imports", "/operator/imports/"),
        ("/operator/access-requests", "/operator/access-requests/"),
    ] {
        if !pages.iter().any(|p| p == list) {
            continue;
        }
        let html = b.page(list).await;
        if let Some(link) = first_link(&html, prefix) {
            pages.push(link);
        }
    }
    if username == "operator" {
        let customers = b.page("/operator/customers").await;
        if let Some(link) = first_link(&customers, "/operator/customers/") {
            let number = link.trim_start_matches("/operator/customers/").to_owned();
            for list in ["/transactions", "/registered-items", "/users"] {
                pages.push(format!("{list}?customer_number={number}"));
            }
        }
    }
    pages
}

async fn no_page_shows_an_iso_date_to_a_person(t: &TestApp) {
    // The detector itself: a date, also inside a timestamp, but not a longer number.
    assert_eq!(
        iso_dates(&visible_text(
            "<time datetime=\"2026-01-02\">2/01/2026</time> on 2026-11-26T10:00, 12026-11-261"
        )),
        vec!["2026-11-26"]
    );
    let mut offending = Vec::new();
    let mut seen = 0;
    for username in ["vandamme.admin", "vandamme.user", "operator"] {
        let mut b = signed_in_demo(t, username).await;
        let pages = pages_of(&mut b, username).await;
        for lang in LANGUAGES {
            set_language(&mut b, "/account", lang).await;
            for path in &pages {
                let r = b.get(path).await;
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{username} GET {path}: {}",
                    r.text
                );
                assert!(r.text.contains(&format!("<html lang=\"{lang}\"")), "{path}");
                let dates = iso_dates(&visible_text(&r.text));
                seen += 1;
                if !dates.is_empty() {
                    offending.push(format!("{username} {lang} {path}: {dates:?}"));
                }
            }
        }
    }
    assert!(seen > 60, "only {seen} pages looked at");
    assert!(
        offending.is_empty(),
        "ISO dates shown to people:\n{}",
        offending.join("\n")
    );
}

async fn lists_are_newest_first_with_quick_periods(t: &TestApp) {
    let mut b = signed_in_demo(t, "vandamme.admin").await;
    set_language(&mut b, "/account", "fr").await;
    let html = b.page("/transactions").await;
    // Newest first: the first row's date is the latest of the page.
    let dates: Vec<&str> = html
        .match_indices("<time datetime=\"")
        .map(|(at, m)| &html[at + m.len()..at + m.len() + 10])
        .collect();
    assert!(dates.len() > 2, "{html}");
    let mut sorted = dates.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first by default");
    assert!(
        html.contains("<option value=\"-date\" selected>"),
        "the sort shows it"
    );
    // The quick periods, and the month picker naming months in words.
    for words in [
        "Ce mois-ci",
        "Le mois passé",
        "Cette année",
        "novembre 2026",
    ] {
        assert!(html.contains(words), "{words} missing");
    }
    // French typography: a no-break space before the colon.
    assert!(html.contains("Période\u{a0}: "), "French colon");
    // The month picker gives the month's days.
    let month = b.page("/transactions?month=2026-10").await;
    assert!(month.contains("value=\"2026-10-01\""), "from");
    assert!(month.contains("value=\"2026-10-31\""), "to");
    assert!(
        month.contains("<option value=\"2026-10\" selected>"),
        "picked month"
    );
    let bad = b.get("/transactions?month=2026-13").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("role=\"alert\""), "the error is said");
    // The registered items page too.
    let items = b.page("/registered-items?month=2026-10").await;
    assert!(items.contains("value=\"2026-10-31\""), "{items}");
}
