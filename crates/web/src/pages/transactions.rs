//! The transactions page (`/transactions`): the filter form, one page of the table, the totals
//! per product of the whole filter and the CSV/XLSX downloads of exactly that filter. Operators
//! name the customer with `?customer_number=`, which every link and form keeps.

use super::{
    Chrome,
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
    transactions::{self, Choices, FilterQuery, Query, Sort, TransactionPage},
};
use cs_domain::{Module, calendar::iso, money_text};

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Policy::Module(Module::Transactions), page)
}

const PATH: &str = "/transactions";
const EXPORT_PATH: &str = "/api/v1/transactions/export";

/// The form's fields: errors of other parameters are shown above the form.
const FORM_FIELDS: [&str; 7] = [
    "from",
    "to",
    "product",
    "collection_point",
    "cost_centre",
    "destination",
    "sort",
];

/// An operator who named no customer (or a malformed number) is asked for one (422, as the
/// list's own answer).
fn chooser_or(ctx: &RequestCtx, q: &Query, err: AppError) -> Result<Response, WebError> {
    let AppError::Validation(details) = &err else {
        return Err(WebError(err));
    };
    if !details
        .iter()
        .any(|d| d.field.as_deref() == Some("customer_number"))
    {
        return Err(WebError(err));
    }
    let errors = FormErrors::new(ctx.lang, "tx", &[], details);
    Ok(list::customer_chooser(
        ctx,
        PATH,
        "tx",
        q.customer_number.clone().unwrap_or_default(),
        errors.get("customer_number").map(str::to_owned),
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

struct Row {
    transaction_id: String,
    /// `YYYY-MM-DD` for `<time datetime>`, and as the language writes it.
    date_iso: String,
    date: String,
    collection_point: String,
    cost_centre: String,
    product_code: String,
    product_name: String,
    format: String,
    weight_class: String,
    destination: String,
    quantity: String,
    unit_price: String,
    amount: String,
}

struct TotalLine {
    product_code: String,
    product_name: String,
    quantity: String,
    amount: String,
}

/// What a valid filter lists.
struct Listed {
    period: String,
    rows: Vec<Row>,
    totals: Vec<TotalLine>,
    total_quantity: String,
    total_amount: String,
    /// The downloads of the filter (XLSX, CSV for Excel, plain CSV).
    downloads: Vec<Link>,
}

#[derive(Template)]
#[template(path = "transactions.html")]
struct Page {
    chrome: Chrome,
    operator: bool,
    customer: String,
    cn: String,
    /// What the form shows: as applied once the filter is valid, else as typed.
    form: FilterQuery,
    errors: FormErrors,
    products: Vec<Choice>,
    collection_points: Vec<Choice>,
    cost_centres: Vec<Choice>,
    destinations: Vec<Choice>,
    sorts: Vec<Choice>,
    listed: Option<Listed>,
    pager: Pager,
    quick: list::QuickPeriods,
}

/// The applied filter as the form shows it.
fn applied(p: &TransactionPage) -> FilterQuery {
    let mut form = FilterQuery::default();
    for (k, v) in p.filter.params() {
        let slot = match k {
            "from" => &mut form.from,
            "to" => &mut form.to,
            "product" => &mut form.product,
            "collection_point" => &mut form.collection_point,
            "cost_centre" => &mut form.cost_centre,
            "destination" => &mut form.destination,
            _ => &mut form.sort,
        };
        *slot = Some(v);
    }
    form.sort = Some(p.filter.sort.as_str().to_owned());
    form
}

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let (q, month) = read_query(raw.as_deref(), actor.is_operator());
    let chrome = Chrome::new(&ctx, PATH);
    let options =
        match transactions::choices(&s.app, actor, q.customer_number.as_deref(), chrome.lang).await
        {
            Ok(c) => c,
            Err(e) => return chooser_or(&ctx, &q, e),
        };
    let listed = match month {
        Ok(()) => transactions::list(&s.app, actor, &q).await,
        Err(e) => Err(e),
    };
    let (result, details) = match listed {
        Ok(p) => (Some(p), Vec::new()),
        Err(AppError::Validation(d)) => (None, d),
        Err(e) => return Err(e.into()),
    };
    let errors = FormErrors::new(chrome.lang, "tx", &FORM_FIELDS, &details);
    let form = result.as_ref().map_or_else(|| q.filter.clone(), applied);
    let cn = q.customer_number.clone().unwrap_or_default();
    let shown = result.as_ref().map(|p| p.filter.days);
    let quick = quick(&chrome, &cn, &form, s.app.today(), shown);
    let mut page = Page {
        operator: actor.is_operator(),
        customer: format!("{} ({})", options.customer_name, options.customer_number),
        products: list::choices(
            &chrome,
            "tx-any",
            options
                .products
                .iter()
                .map(|(code, name)| list::code_option(code, name)),
            form.typed("product"),
        ),
        collection_points: list::choices(
            &chrome,
            "tx-any",
            options
                .codes
                .collection_points
                .iter()
                .map(|c| list::code_option(&c.code, &c.name)),
            form.typed("collection_point"),
        ),
        cost_centres: list::choices(
            &chrome,
            "tx-any",
            options
                .codes
                .cost_centres
                .iter()
                .map(|c| list::code_option(&c.code, &c.name)),
            form.typed("cost_centre"),
        ),
        destinations: destinations(&chrome, form.typed("destination")),
        sorts: sorts(&chrome, form.typed("sort")),
        form,
        errors,
        listed: None,
        pager: Pager::none(),
        quick,
        cn,
        chrome,
    };
    let failed = result.is_none();
    if let Some(p) = result {
        fill(&mut page, p, &options, !q.page.is_first());
    }
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The page's query: only operators name a customer (for anyone else the parameter plays no
/// part); newest first unless asked otherwise (the API keeps its own default); the month
/// picker's month as dates, or its error.
fn read_query(raw: Option<&str>, operator: bool) -> (Query, Result<(), AppError>) {
    let mut q = Query::read(raw);
    q.customer_number = q.customer_number.filter(|c| operator && !c.is_empty());
    if q.filter.sort.as_deref().is_none_or(|s| s.trim().is_empty()) {
        q.filter.sort = Some(Sort::DateDesc.as_str().to_owned());
    }
    let month = list::apply_month(raw, &mut q.filter.from, &mut q.filter.to);
    (q, month)
}

/// The quick period choices, keeping of the form: the customer and every filter but the dates.
fn quick(
    chrome: &Chrome,
    cn: &str,
    form: &FilterQuery,
    today: time::Date,
    shown: Option<cs_domain::DateRange>,
) -> list::QuickPeriods {
    let mut keep = vec![("customer_number", cn.to_owned())];
    for name in [
        "product",
        "collection_point",
        "cost_centre",
        "destination",
        "sort",
    ] {
        keep.push((name, form.typed(name).to_owned()));
    }
    list::QuickPeriods::new(chrome, PATH, keep, today, shown)
}

fn destinations(chrome: &Chrome, typed: &str) -> Vec<Choice> {
    let options = ["BE", "EU", "WORLD"].into_iter().map(|code| {
        let label = list::destination_label(chrome, code);
        (code.to_owned(), label)
    });
    // Destinations are read without case: `eu` in a link is EU.
    list::choices(chrome, "tx-any", options, &typed.to_ascii_uppercase())
}

fn sorts(chrome: &Chrome, typed: &str) -> Vec<Choice> {
    let typed = if typed.trim().is_empty() {
        Sort::DateDesc.as_str()
    } else {
        typed
    };
    Sort::ALL
        .into_iter()
        .map(|o| Choice {
            value: o.as_str().to_owned(),
            label: transactions::sort_label(chrome.lang, o),
            on: typed == o.as_str(),
        })
        .collect()
}

/// The table, totals and links of a valid filter.
fn fill(page: &mut Page, p: TransactionPage, options: &Choices, paged: bool) {
    let lang = page.chrome.lang;
    let eur = |c| money_text::eur(c, lang);
    let count = |n| money_text::format_count(n, lang);
    let name_of = |code: &str| {
        options
            .products
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    // The sort always travels in the links: the page's default is not the filter's.
    let mut params = p.filter.params();
    if !params.iter().any(|(k, _)| *k == "sort") {
        params.push(("sort", p.filter.sort.as_str().to_owned()));
    }
    let links = Links::new(PATH, &page.cn, params);
    page.pager = Pager::new(&page.chrome, "tx", &links, paged, p.next_cursor.as_deref());
    let chrome = &page.chrome;
    let rows = p
        .items
        .into_iter()
        .map(|t| Row {
            transaction_id: t.transaction_id,
            date_iso: iso(t.date),
            date: local_time::day_text(lang, t.date),
            collection_point: t.collection_point,
            cost_centre: t.cost_centre.unwrap_or_default(),
            product_name: name_of(&t.product_code),
            product_code: t.product_code,
            format: t
                .format
                .map(|f| list::format_label(chrome, &f))
                .unwrap_or_default(),
            weight_class: t.weight_class.unwrap_or_default(),
            destination: t
                .destination
                .map(|d| list::destination_label(chrome, &d))
                .unwrap_or_default(),
            quantity: count(t.quantity),
            unit_price: money_text::eur_millis(t.unit_price, lang),
            amount: eur(t.amount),
        })
        .collect();
    let totals = p
        .totals
        .by_product
        .into_iter()
        .map(|t| TotalLine {
            product_name: name_of(&t.product_code),
            product_code: t.product_code,
            quantity: count(t.quantity),
            amount: eur(t.amount),
        })
        .collect();
    page.listed = Some(Listed {
        period: local_time::days_text(lang, p.filter.days.first(), p.filter.days.last()),
        rows,
        totals,
        total_quantity: count(p.totals.quantity),
        total_amount: eur(p.totals.amount),
        downloads: links.downloads(EXPORT_PATH, lang),
    });
}
