//! The registered items page (`/registered-items`): the search form (barcode, deposit dates,
//! recipient, collection point, cost centre, acknowledgement of receipt) kept as typed, the
//! result table with the count of the whole filter, paging, and download links that carry
//! exactly the filter shown. Operators name the customer with `?customer_number=`.

use super::{
    Chrome, error_text,
    list::{self, Choice, FormErrors, Link, Links, Pager},
    render,
};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};
use cs_app::{
    AppError,
    registered_items::{self, FilterQuery, Query, RegisteredItem},
};
use cs_domain::{Module, calendar::iso, money_text};

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Policy::Module(Module::Receipts), page)
}

const PATH: &str = "/registered-items";
const EXPORT_PATH: &str = "/api/v1/registered-items/export";

/// The filter fields of the form: errors of other parameters are shown above it.
const FIELDS: [&str; 7] = [
    "barcode",
    "from",
    "to",
    "recipient",
    "collection_point",
    "cost_centre",
    "acknowledgement",
];

struct Row {
    barcode: String,
    date_iso: String,
    date: String,
    collection_point: String,
    cost_centre: String,
    product_code: String,
    acknowledgement: bool,
    acknowledgement_text: String,
    recipient_name: String,
    recipient_address: String,
}

fn row(chrome: &Chrome, i: RegisteredItem) -> Row {
    let address = [
        i.recipient_street.clone(),
        match (&i.recipient_postcode, &i.recipient_city) {
            (Some(p), Some(c)) => Some(format!("{p} {c}")),
            (p, c) => p.clone().or_else(|| c.clone()),
        },
        i.recipient_country.clone(),
    ];
    Row {
        date_iso: iso(i.deposit_date),
        date: local_time::day_text(chrome.lang, i.deposit_date),
        acknowledgement_text: chrome.t(if i.acknowledgement { "ri-yes" } else { "ri-no" }),
        acknowledgement: i.acknowledgement,
        recipient_name: i.recipient_name.unwrap_or_default(),
        recipient_address: address.into_iter().flatten().collect::<Vec<_>>().join(", "),
        cost_centre: i.cost_centre.unwrap_or_default(),
        barcode: i.barcode,
        collection_point: i.collection_point,
        product_code: i.product_code,
    }
}

#[derive(Template)]
#[template(path = "registered_items.html")]
struct ItemsPage {
    chrome: Chrome,
    operator: bool,
    /// The customer number an operator named, kept in every link and form.
    cn: String,
    customer: String,
    /// The form's values: as typed, or the dates the search applied by default.
    v: FilterQuery,
    collection_points: Vec<Choice>,
    cost_centres: Vec<Choice>,
    acknowledgements: Vec<Choice>,
    limited: bool,
    errors: FormErrors,
    rows: Vec<Row>,
    total_text: String,
    pager: Pager,
    /// The downloads of the search (XLSX, CSV for Excel, plain CSV); none without items.
    downloads: Vec<Link>,
    quick: list::QuickPeriods,
}

/// The quick period choices, keeping of the form: the customer and every filter but the
/// dates (a barcode, which ignores dates, is dropped: a period is a new search).
fn quick(
    chrome: &Chrome,
    cn: &str,
    form: &FilterQuery,
    today: time::Date,
    shown: Option<cs_domain::DateRange>,
) -> list::QuickPeriods {
    let mut keep = vec![("customer_number", cn.to_owned())];
    for name in [
        "recipient",
        "collection_point",
        "cost_centre",
        "acknowledgement",
    ] {
        keep.push((name, form.typed(name).to_owned()));
    }
    list::QuickPeriods::new(chrome, PATH, keep, today, shown)
}

/// The chooser an operator sees without (or with a wrong) customer number.
fn chooser(ctx: &RequestCtx, value: String, error: Option<String>, status: StatusCode) -> Response {
    list::customer_chooser(ctx, PATH, "ri", value, error, status)
}

/// An operator whose customer number is malformed (422) or unknown (404) is asked again;
/// any other error is the page's.
fn chooser_or(
    ctx: &RequestCtx,
    operator: bool,
    cn: String,
    err: AppError,
) -> Result<Response, WebError> {
    match err {
        AppError::Validation(d) if operator => {
            let text = d
                .first()
                .map(|d| error_text(ctx.lang, "ri-error-", &d.code, &d.message));
            Ok(chooser(ctx, cn, text, StatusCode::UNPROCESSABLE_ENTITY))
        }
        AppError::NotFound if operator => {
            let text = cs_app::i18n::t(ctx.lang, "ri-error-unknown-customer");
            Ok(chooser(ctx, cn, Some(text), StatusCode::NOT_FOUND))
        }
        e => Err(e.into()),
    }
}

/// "12 items" above the list (nothing when there are none).
fn count_text(chrome: &Chrome, total: i64) -> String {
    match total {
        0 => String::new(),
        1 => chrome.t("ri-count-one"),
        n => cs_app::i18n::t_args(
            chrome.lang,
            "ri-count-other",
            &[("count", &money_text::format_count(n, chrome.lang))],
        ),
    }
}

/// The form's three selects: collection point, cost centre, acknowledgement of receipt.
fn selects(
    chrome: &Chrome,
    scope: &registered_items::Scope,
    typed: &FilterQuery,
) -> [Vec<Choice>; 3] {
    let codes = |list: &[registered_items::Choice]| -> Vec<(String, String)> {
        list.iter()
            .map(|c| list::code_option(&c.code, &c.name))
            .collect()
    };
    [
        list::choices(
            chrome,
            "ri-any-collection-point",
            codes(scope.collection_points()),
            typed.typed("collection_point"),
        ),
        list::choices(
            chrome,
            "ri-any-cost-centre",
            codes(scope.cost_centres()),
            typed.typed("cost_centre"),
        ),
        list::choices(
            chrome,
            "ri-ar-any",
            [("true", "ri-ar-yes"), ("false", "ri-ar-no")]
                .map(|(value, key)| (value.to_owned(), chrome.t(key))),
            typed.typed("acknowledgement"),
        ),
    ]
}

/// The dates the search applied by default are shown in the form, and kept by every link.
fn show_applied_dates(typed: &mut FilterQuery, days: Option<cs_domain::DateRange>) {
    let Some(days) = days else { return };
    for (slot, day) in [
        (&mut typed.from, days.first()),
        (&mut typed.to, days.last()),
    ] {
        if slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
            *slot = Some(iso(day));
        }
    }
}

/// The page's search: its own page size, the month picker's month as dates, then the use case.
async fn search(
    app: &cs_app::App,
    scope: &registered_items::Scope,
    q: &mut Query,
    raw: Option<&str>,
) -> Result<registered_items::ItemPage, AppError> {
    q.page.limit = None;
    list::apply_month(raw, &mut q.filter.from, &mut q.filter.to)?;
    registered_items::search(app, scope, q).await
}

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let operator = actor.is_operator();
    let mut q = Query::read(raw.as_deref());
    let cn = match &q.customer_number {
        Some(c) if operator => c.trim().to_owned(),
        _ => String::new(),
    };
    if operator && cn.is_empty() {
        return Ok(chooser(&ctx, cn, None, StatusCode::OK));
    }
    let scope = match registered_items::scope(&s.app, actor, Some(&cn)).await {
        Ok(scope) => scope,
        Err(e) => return chooser_or(&ctx, operator, cn, e),
    };
    let chrome = Chrome::new(&ctx, PATH);
    let (page, details, status) = match search(&s.app, &scope, &mut q, raw.as_deref()).await {
        Ok(page) => (Some(page), Vec::new(), StatusCode::OK),
        Err(AppError::Validation(d)) => (None, d, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e.into()),
    };
    let errors = FormErrors::new(chrome.lang, "ri", &FIELDS, &details);
    let mut typed = q.filter.clone();
    let mut pager = Pager::none();
    let mut downloads = Vec::new();
    if let Some(p) = &page {
        show_applied_dates(&mut typed, p.filter.days);
        let links = Links::new(PATH, &cn, p.filter.params());
        pager = Pager::new(
            &chrome,
            "ri",
            &links,
            !q.page.is_first(),
            p.next_cursor.as_deref(),
        );
        if p.total > 0 {
            downloads = links.downloads(EXPORT_PATH, chrome.lang);
        }
    }
    let total_text = count_text(&chrome, page.as_ref().map_or(0, |p| p.total));
    let shown = page.as_ref().and_then(|p| p.filter.days);
    let quick = quick(&chrome, &cn, &typed, s.app.today(), shown);
    let [collection_points, cost_centres, acknowledgements] = selects(&chrome, &scope, &typed);
    let rows = page
        .map(|p| p.items.into_iter().map(|i| row(&chrome, i)).collect())
        .unwrap_or_default();
    let mut r = render(&ItemsPage {
        operator,
        customer: format!("{} ({})", scope.customer_name(), scope.customer_number()),
        limited: scope.limited(),
        collection_points,
        cost_centres,
        acknowledgements,
        errors,
        rows,
        total_text,
        pager,
        downloads,
        v: typed,
        quick,
        cn,
        chrome,
    });
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    Ok(r)
}
