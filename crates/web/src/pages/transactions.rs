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
    date: String,
    collection_point: String,
    cost_centre: String,
    product_code: String,
    format: String,
    weight_class: String,
    destination: String,
    quantity: i64,
    unit_price: String,
    amount: String,
}

struct TotalLine {
    product_code: String,
    product_name: String,
    quantity: i64,
    amount: String,
}

/// What a valid filter lists.
struct Listed {
    period: String,
    rows: Vec<Row>,
    totals: Vec<TotalLine>,
    total_quantity: i64,
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
    let mut q = Query::read(raw.as_deref());
    // Only operators name a customer; for anyone else the parameter plays no part.
    q.customer_number = q
        .customer_number
        .filter(|c| actor.is_operator() && !c.is_empty());
    let chrome = Chrome::new(&ctx, PATH);
    let options =
        match transactions::choices(&s.app, actor, q.customer_number.as_deref(), chrome.lang).await
        {
            Ok(c) => c,
            Err(e) => return chooser_or(&ctx, &q, e),
        };
    let (result, details) = match transactions::list(&s.app, actor, &q).await {
        Ok(p) => (Some(p), Vec::new()),
        Err(AppError::Validation(d)) => (None, d),
        Err(e) => return Err(e.into()),
    };
    let errors = FormErrors::new(chrome.lang, "tx", &FORM_FIELDS, &details);
    let form = result.as_ref().map_or_else(|| q.filter.clone(), applied);
    let cn = q.customer_number.clone().unwrap_or_default();
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

fn destinations(chrome: &Chrome, typed: &str) -> Vec<Choice> {
    let options = ["BE", "EU", "WORLD"].into_iter().map(|code| {
        let label = chrome.t(&format!("tx-destination-{}", code.to_ascii_lowercase()));
        (code.to_owned(), label)
    });
    // Destinations are read without case: `eu` in a link is EU.
    list::choices(chrome, "tx-any", options, &typed.to_ascii_uppercase())
}

fn sorts(chrome: &Chrome, typed: &str) -> Vec<Choice> {
    let typed = if typed.trim().is_empty() {
        Sort::Date.as_str()
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
    let links = Links::new(PATH, &page.cn, p.filter.params());
    page.pager = Pager::new(&page.chrome, "tx", &links, paged, p.next_cursor.as_deref());
    let rows = p
        .items
        .into_iter()
        .map(|t| Row {
            transaction_id: t.transaction_id,
            date: iso(t.date),
            collection_point: t.collection_point,
            cost_centre: t.cost_centre.unwrap_or_default(),
            product_code: t.product_code,
            format: t.format.unwrap_or_default(),
            weight_class: t.weight_class.unwrap_or_default(),
            destination: t.destination.unwrap_or_default(),
            quantity: t.quantity,
            unit_price: money_text::eur_millis(t.unit_price, lang),
            amount: eur(t.amount),
        })
        .collect();
    let totals = p
        .totals
        .by_product
        .into_iter()
        .map(|t| TotalLine {
            product_name: options
                .products
                .iter()
                .find(|(code, _)| *code == t.product_code)
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            product_code: t.product_code,
            quantity: t.quantity,
            amount: eur(t.amount),
        })
        .collect();
    page.listed = Some(Listed {
        period: format!(
            "{} – {}",
            iso(p.filter.days.first()),
            iso(p.filter.days.last())
        ),
        rows,
        totals,
        total_quantity: p.totals.quantity,
        total_amount: eur(p.totals.amount),
        downloads: links.downloads(EXPORT_PATH, lang),
    });
}
