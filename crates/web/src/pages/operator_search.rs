//! The Service Centre's search box (`/operator/search?q=`): a customer number, a barcode or
//! a transaction id, answered with the customer's page, the registered item, the transaction,
//! or a plain "nothing found".

use super::{Chrome, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    params::query_value,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    AppError,
    operator_search::{self, Found, FoundTransaction},
};
use cs_domain::{calendar::iso, money_text};

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Policy::Operator, page)
}

pub const PATH: &str = "/operator/search";

/// `path` with its query.
fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    format!("{path}?{}", q.finish())
}

/// One thing found, as the page lists it.
struct Line {
    /// What it is (customer, registered item, transaction).
    what: String,
    title: String,
    href: String,
    /// `(label, value)` shown under it.
    facts: Vec<(String, String)>,
    /// Further links: `(label, href)`.
    links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "operator_search.html")]
struct Page {
    chrome: Chrome,
    search_q: String,
    search_error: Option<String>,
    /// A search was made (a non-blank text that was valid).
    searched: bool,
    lines: Vec<Line>,
}

/// Where a single match has a page of its own; a transaction is shown here.
fn page_of(found: &Found) -> Option<String> {
    match found {
        Found::Customer {
            customer_number, ..
        } => Some(format!("/operator/customers/{customer_number}")),
        Found::RegisteredItem {
            barcode,
            customer_number,
            ..
        } => Some(href(
            "/registered-items",
            &[("customer_number", customer_number), ("barcode", barcode)],
        )),
        Found::Transaction(_) => None,
    }
}

fn customer_link(chrome: &Chrome, number: &str, name: &str) -> (String, String) {
    (chrome.t("bo-field-customer"), format!("{name} ({number})"))
}

fn line(chrome: &Chrome, found: Found) -> Line {
    let href_of = page_of(&found).unwrap_or_default();
    match found {
        Found::Customer {
            customer_number,
            name,
            suspended,
        } => Line {
            what: chrome.t("search-found-customer"),
            title: format!("{name} ({customer_number})"),
            href: href_of,
            facts: vec![(
                chrome.t("bo-field-status"),
                chrome.t(if suspended {
                    "bo-customer-status-suspended"
                } else {
                    "bo-customer-status-active"
                }),
            )],
            links: Vec::new(),
        },
        Found::RegisteredItem {
            barcode,
            deposit_date,
            customer_number,
            customer_name,
        } => Line {
            what: chrome.t("search-found-registered-item"),
            title: barcode,
            href: href_of,
            facts: vec![
                customer_link(chrome, &customer_number, &customer_name),
                (
                    chrome.t("search-deposit-date"),
                    local_time::day_text(chrome.lang, deposit_date),
                ),
            ],
            links: vec![(
                chrome.t("search-open-customer"),
                format!("/operator/customers/{customer_number}"),
            )],
        },
        Found::Transaction(t) => transaction_line(chrome, t),
    }
}

/// A transaction, shown here with its customer and a link to that customer's day.
fn transaction_line(chrome: &Chrome, t: FoundTransaction) -> Line {
    let FoundTransaction {
        transaction_id,
        date,
        customer_number,
        customer_name,
        product_code,
        quantity,
        amount_cents,
    } = t;
    let lang = chrome.lang;
    let day = iso(date);
    let day_href = href(
        "/transactions",
        &[
            ("customer_number", &customer_number),
            ("from", &day),
            ("to", &day),
        ],
    );
    Line {
        what: chrome.t("search-found-transaction"),
        title: transaction_id,
        href: day_href.clone(),
        facts: vec![
            customer_link(chrome, &customer_number, &customer_name),
            (chrome.t("search-date"), local_time::day_text(lang, date)),
            (chrome.t("search-product"), product_code),
            (
                chrome.t("search-quantity"),
                money_text::format_count(quantity, lang),
            ),
            (
                chrome.t("search-amount"),
                money_text::format_eur(amount_cents, lang),
            ),
        ],
        links: vec![
            (chrome.t("search-day-transactions"), day_href),
            (
                chrome.t("search-open-customer"),
                format!("/operator/customers/{customer_number}"),
            ),
        ],
    }
}

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let q = query_value(&raw, "q").unwrap_or_default();
    let chrome = Chrome::new(&ctx, "/operator/customers");
    let (found, error) = match operator_search::find(&s.app, actor, &q).await {
        Ok(found) => (found, None),
        Err(AppError::Validation(d)) => {
            let e = d
                .first()
                .map(|d| error_text(chrome.lang, "search-error-", &d.code, &d.message));
            (Vec::new(), e)
        }
        Err(e) => return Err(e.into()),
    };
    // One match with a page of its own: that page is the answer.
    if let [one] = found.as_slice()
        && let Some(to) = page_of(one)
    {
        return Ok(Redirect::to(&to).into_response());
    }
    let failed = error.is_some();
    let page = Page {
        searched: !q.trim().is_empty() && !failed,
        lines: found.into_iter().map(|f| line(&chrome, f)).collect(),
        search_q: q,
        search_error: error,
        chrome,
    };
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}
