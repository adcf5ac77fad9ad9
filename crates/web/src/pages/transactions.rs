//! The transactions page (`/transactions`): the filter form, one page of the table, the totals
//! per product of the whole filter and the CSV/XLSX downloads of exactly that filter. Operators
//! name the customer with `?customer_number=`, which every link and form keeps.

use super::{Chrome, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    params::query_value,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};
use cs_app::{
    AppError, FieldError,
    transactions::{self, Choices, Query, Sort, TransactionPage},
};
use cs_domain::{Module, money_text};

pub fn routes(r: Routes) -> Routes {
    r.get("/transactions", Policy::Module(Module::Transactions), page)
}

const PATH: &str = "/transactions";

/// `path` with the non-empty parameters as a query string.
fn href(path: &str, params: &[(&str, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

fn message(chrome: &Chrome, e: &FieldError) -> String {
    error_text(chrome.lang, "tx-error-", &e.code, &e.message)
}

// ---------------------------------------------------------------------------------------
// The customer chooser: an operator who named no customer (or a malformed number).

#[derive(Template)]
#[template(path = "transactions_customer.html")]
struct CustomerChooser {
    chrome: Chrome,
    value: String,
    error: Option<String>,
}

fn chooser_or(ctx: &RequestCtx, raw: &Option<String>, err: AppError) -> Result<Response, WebError> {
    let AppError::Validation(details) = &err else {
        return Err(WebError(err));
    };
    let Some(d) = details
        .iter()
        .find(|d| d.field.as_deref() == Some("customer_number"))
    else {
        return Err(WebError(err));
    };
    let chrome = Chrome::new(ctx, PATH);
    let error = Some(message(&chrome, d));
    let mut r = render(&CustomerChooser {
        value: query_value(raw, "customer_number").unwrap_or_default(),
        chrome,
        error,
    });
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

// ---------------------------------------------------------------------------------------
// The page.

/// One option of a select.
struct Choice {
    value: String,
    label: String,
    on: bool,
}

fn choices(chrome: &Chrome, list: &[(String, String)], current: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: chrome.t("tx-any"),
        on: current.is_empty(),
    }];
    out.extend(list.iter().map(|(code, name)| Choice {
        label: if name.is_empty() || name == code {
            code.clone()
        } else {
            format!("{code} – {name}")
        },
        on: current == code,
        value: code.clone(),
    }));
    out
}

/// What the form shows: as typed (or as applied, once the filter is valid).
#[derive(Default)]
struct Form {
    from: String,
    to: String,
    product: String,
    collection_point: String,
    cost_centre: String,
    destination: String,
    sort: String,
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

#[derive(Template)]
#[template(path = "transactions.html")]
struct Page {
    chrome: Chrome,
    operator: bool,
    customer: String,
    cn: String,
    form: Form,
    /// Field errors, translated, by field name.
    errors: Vec<(String, String)>,
    /// Errors of parameters without a field of their own (a stale cursor, a bad limit).
    other_errors: Vec<String>,
    products: Vec<Choice>,
    collection_points: Vec<Choice>,
    cost_centres: Vec<Choice>,
    destinations: Vec<Choice>,
    sorts: Vec<Choice>,
    listed: bool,
    period: String,
    rows: Vec<Row>,
    totals: Vec<TotalLine>,
    total_quantity: i64,
    total_amount: String,
    next_href: Option<String>,
    first_href: Option<String>,
    csv_href: String,
    xlsx_href: String,
}

impl Page {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

const FORM_FIELDS: [&str; 7] = [
    "from",
    "to",
    "product",
    "collection_point",
    "cost_centre",
    "destination",
    "sort",
];

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let cn = if actor.is_operator() {
        query_value(&raw, "customer_number").unwrap_or_default()
    } else {
        String::new()
    };
    let cn_arg = (!cn.is_empty()).then_some(cn.as_str());
    let chrome = Chrome::new(&ctx, PATH);
    let options: Choices = match transactions::choices(&s.app, actor, cn_arg, chrome.lang).await {
        Ok(c) => c,
        Err(e) => return chooser_or(&ctx, &raw, e),
    };
    let typed = |k: &str| query_value(&raw, k).unwrap_or_default();
    let q = Query {
        from: Some(typed("from")),
        to: Some(typed("to")),
        product: Some(typed("product")),
        collection_point: Some(typed("collection_point")),
        cost_centre: Some(typed("cost_centre")),
        destination: Some(typed("destination")),
        sort: Some(typed("sort")),
        cursor: Some(typed("cursor")),
        limit: Some(typed("limit")),
    };
    let (result, details) = match transactions::list(&s.app, actor, cn_arg, &q).await {
        Ok(p) => (Some(p), Vec::new()),
        Err(AppError::Validation(d)) => (None, d),
        Err(e) => return Err(e.into()),
    };
    let errors: Vec<(String, String)> = details
        .iter()
        .map(|d| (d.field.clone().unwrap_or_default(), message(&chrome, d)))
        .collect();
    let other_errors = errors
        .iter()
        .filter(|(f, _)| !FORM_FIELDS.contains(&f.as_str()))
        .map(|(_, m)| m.clone())
        .collect();
    let form = match &result {
        Some(p) => Form {
            from: transactions::iso(p.filter.from),
            to: transactions::iso(p.filter.to),
            product: p.filter.product.clone().unwrap_or_default(),
            collection_point: p.filter.collection_point.clone().unwrap_or_default(),
            cost_centre: p.filter.cost_centre.clone().unwrap_or_default(),
            destination: p
                .filter
                .destination
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            sort: p.filter.sort.as_str().to_owned(),
        },
        None => Form {
            from: typed("from"),
            to: typed("to"),
            product: typed("product"),
            collection_point: typed("collection_point"),
            cost_centre: typed("cost_centre"),
            destination: typed("destination"),
            sort: typed("sort"),
        },
    };
    let destinations = {
        let mut d = vec![Choice {
            value: String::new(),
            label: chrome.t("tx-any"),
            on: form.destination.is_empty(),
        }];
        d.extend(["BE", "EU", "WORLD"].into_iter().map(|code| Choice {
            value: code.to_owned(),
            label: chrome.t(&format!("tx-destination-{}", code.to_ascii_lowercase())),
            on: form.destination.eq_ignore_ascii_case(code),
        }));
        d
    };
    let sorts = Sort::ALL
        .into_iter()
        .map(|o| Choice {
            value: o.as_str().to_owned(),
            label: transactions::sort_label(chrome.lang, o),
            on: form.sort == o.as_str() || (form.sort.is_empty() && o == Sort::Date),
        })
        .collect();
    let mut page = Page {
        operator: actor.is_operator(),
        customer: format!("{} ({})", options.customer_name, options.customer_number),
        products: choices(&chrome, &options.products, &form.product),
        collection_points: choices(&chrome, &options.collection_points, &form.collection_point),
        cost_centres: choices(&chrome, &options.cost_centres, &form.cost_centre),
        destinations,
        sorts,
        form,
        errors,
        other_errors,
        listed: false,
        period: String::new(),
        rows: Vec::new(),
        totals: Vec::new(),
        total_quantity: 0,
        total_amount: String::new(),
        next_href: None,
        first_href: None,
        csv_href: String::new(),
        xlsx_href: String::new(),
        cn,
        chrome,
    };
    let failed = result.is_none();
    if let Some(p) = result {
        fill(&mut page, p, &options, !typed("cursor").is_empty());
    }
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The table, totals and links of a valid filter.
fn fill(page: &mut Page, p: TransactionPage, options: &Choices, paged: bool) {
    let lang = page.chrome.lang;
    let eur = |c| money_text::eur(c, lang);
    let mut params: Vec<(&str, String)> = Vec::new();
    if !page.cn.is_empty() {
        params.push(("customer_number", page.cn.clone()));
    }
    params.extend(p.filter.params());
    let with = |extra: (&'static str, String)| {
        let mut all = params.clone();
        all.push(extra);
        all
    };
    page.next_href = p.next_cursor.map(|c| href(PATH, &with(("cursor", c))));
    page.first_href = paged.then(|| href(PATH, &params));
    page.csv_href = href(
        "/api/v1/transactions/export",
        &with(("format", "csv".to_owned())),
    );
    page.xlsx_href = href(
        "/api/v1/transactions/export",
        &with(("format", "xlsx".to_owned())),
    );
    page.period = format!(
        "{} – {}",
        transactions::iso(p.filter.from),
        transactions::iso(p.filter.to)
    );
    page.listed = true;
    page.rows = p
        .items
        .into_iter()
        .map(|t| Row {
            transaction_id: t.transaction_id,
            date: transactions::iso(t.date),
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
    page.total_quantity = p.totals.quantity;
    page.total_amount = eur(p.totals.amount);
    page.totals = p
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
}
