//! Transactions (SPEC §3 journey 4): a customer's franking and service lines per month or any
//! date range, filtered by product, collection point, cost centre and destination, sorted and
//! paged, with totals per product over the whole filter, and exported as exactly that filter.
//!
//! Where the specification is silent (see also `docs/DECISIONS.md`):
//! - No `from` and no `to`: the current month, Brussels time. Only `from`: up to the end of
//!   that month; only `to`: from the start of that month. At most [`MAX_RANGE_DAYS`] days.
//! - `sort` is `date` (default), `-date`, `amount` or `-amount`; ties are broken by the
//!   order the rows were stored in, so every order is total and paging never skips a row.
//! - The cursor is the list toolkit's ([`paging::encode_cursor`]): tied to the filter, the
//!   sort and the customer, so a cursor of another filter or sort is refused
//!   (`invalid_cursor`) instead of silently paging something else.
//! - A collection point or cost centre the customer does not have (or, for a user limited
//!   to cost centres, one outside its limits) is a 422 on its field, as on every list. A
//!   product code is of the one catalogue all customers share: an unknown one matches no row.

use crate::{
    Actor, App, AppError, FieldError,
    error::AppResult,
    i18n,
    paging::{self, Codes},
};
use cs_domain::{Cents, CustomerId, Language, UnitPriceMillis, UserId, feeds::Destination};
use cs_store::repo::{catalogue, customers, transactions as repo};
use time::Date;
use tokio::sync::mpsc;

mod filter;

pub use filter::*;

/// Rows read ahead of the client during an export.
const EXPORT_BUFFER: usize = 512;

// ---------------------------------------------------------------------------------------
// What the use cases return.

/// One transaction as the customer sees it: codes, not ids; empty values as `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub transaction_id: String,
    pub date: Date,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    pub product_code: String,
    pub format: Option<String>,
    pub weight_class: Option<String>,
    pub destination: Option<String>,
    pub quantity: i64,
    pub unit_price: UnitPriceMillis,
    pub amount: Cents,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

impl From<repo::TransactionRow> for Transaction {
    fn from(r: repo::TransactionRow) -> Self {
        Self {
            transaction_id: r.transaction_id,
            date: r.date,
            collection_point: r.collection_point,
            cost_centre: non_empty(r.cost_centre),
            product_code: r.product_code,
            format: non_empty(r.format),
            weight_class: non_empty(r.weight_class),
            destination: non_empty(r.destination),
            quantity: r.quantity,
            unit_price: UnitPriceMillis(r.unit_price_millis),
            amount: Cents(r.amount_cents),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductTotal {
    pub product_code: String,
    pub quantity: i64,
    pub amount: Cents,
}

/// Totals over the whole filter, not the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub quantity: i64,
    pub amount: Cents,
    /// By product code.
    pub by_product: Vec<ProductTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPage {
    /// The filter as applied (the default month made explicit).
    pub filter: Filter,
    pub items: Vec<Transaction>,
    pub next_cursor: Option<String>,
    pub totals: Totals,
}

/// A running export: the filter it covers and its rows, read from the database on a
/// connection of their own as the receiver asks for them (bounded: at most
/// [`EXPORT_BUFFER`] rows ahead). A database error arrives as the last item.
#[derive(Debug)]
pub struct Export {
    pub filter: Filter,
    pub rows: mpsc::Receiver<AppResult<Transaction>>,
    /// Its place under the export caps, to be kept until the body is sent.
    pub running: crate::exports::Running,
}

/// What the filter form offers, by code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choices {
    pub customer_number: String,
    pub customer_name: String,
    /// `(code, name)` in the user's language.
    pub products: Vec<(String, String)>,
    /// The collection points, and the cost centres (only the user's own when it is limited
    /// to some).
    pub codes: Codes,
}

// ---------------------------------------------------------------------------------------
// Use cases.

/// Whose rows a request may read, decided here and only here: the tenant (a customer's user
/// gets its own customer, an operator the one it names) and, for a user limited to some cost
/// centres, only those cost centres' rows (rows without a cost centre are then left out).
#[derive(Debug, Clone, Copy)]
struct Scope {
    customer_id: CustomerId,
    limited_to_user: Option<UserId>,
}

async fn scope(app: &App, actor: &Actor, customer_number: Option<&str>) -> AppResult<Scope> {
    let tenant = actor.tenant(app, customer_number).await?;
    Ok(Scope {
        customer_id: tenant.customer_id,
        limited_to_user: (!actor.cost_centres.is_empty()).then_some(actor.user_id),
    })
}

fn store_filter<'a>(scope: &Scope, f: &'a Filter) -> repo::Filter<'a> {
    repo::Filter {
        customer_id: scope.customer_id.get(),
        from: f.days.first(),
        to: f.days.last(),
        product: f.product.as_deref(),
        collection_point: f.collection_point.as_deref(),
        cost_centre: f.cost_centre.as_deref(),
        destination: f.destination.map(Destination::as_str),
        limited_to_user: scope.limited_to_user.map(UserId::get),
    }
}

/// The filter as typed, checked: its form, and its codes against the customer's (read only
/// when the filter names one, so the common request costs no extra query), every problem
/// reported at once.
async fn checked_filter(
    app: &App,
    actor: &Actor,
    scope: &Scope,
    q: &FilterQuery,
    errors: &mut Vec<FieldError>,
) -> AppResult<Option<Filter>> {
    let filter = parse_filter(q, app.today(), errors);
    let (point, centre) = (typed_code(&q.collection_point), typed_code(&q.cost_centre));
    if point.is_some() || centre.is_some() {
        let mut conn = app.store.acquire().await?;
        let codes = Codes::load(&mut conn.conn(), scope.customer_id, actor).await?;
        codes.collection_point(point, errors);
        codes.cost_centre(centre, errors);
    }
    Ok(filter)
}

/// One page of the tenant's transactions with the totals of the whole filter.
pub async fn list(app: &App, actor: &Actor, q: &Query) -> AppResult<TransactionPage> {
    let scope = scope(app, actor, q.customer_number.as_deref()).await?;
    let mut errors = Vec::new();
    let filter = checked_filter(app, actor, &scope, &q.filter, &mut errors).await?;
    let req = page_of(filter, &q.page, scope.customer_id, errors).map_err(AppError::Validation)?;
    let f = store_filter(&scope, &req.filter);
    let order = req.filter.sort.order();
    let after = req.after.unwrap_or_else(|| repo::After::start(order, &f));
    let (mut rows, totals) =
        repo::page_with_totals(&app.store, &f, order, after, req.limit + 1).await?;
    let more = paging::cut(&mut rows, req.limit);
    let key = req.filter.cursor_key(scope.customer_id);
    let next_cursor = paging::next_cursor(&rows, more, &key, |r| repo::After {
        date: r.date,
        amount_cents: r.amount_cents,
        id: r.id,
    });
    let mut by_product: Vec<ProductTotal> = totals
        .into_iter()
        .map(|t| ProductTotal {
            product_code: t.product_code,
            quantity: t.quantity,
            amount: Cents(t.amount_cents),
        })
        .collect();
    // By code in byte order on both backends, whatever the database's collation.
    by_product.sort_by(|a, b| a.product_code.cmp(&b.product_code));
    let totals = Totals {
        quantity: by_product.iter().map(|t| t.quantity).sum(),
        amount: by_product.iter().map(|t| t.amount).sum(),
        by_product,
    };
    Ok(TransactionPage {
        filter: req.filter,
        items: rows.into_iter().map(Transaction::from).collect(),
        next_cursor,
        totals,
    })
}

/// Checks the filter of an export that will not run (its format was refused), so that the
/// answer names every problem at once; no export begins.
pub async fn check(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    q: &FilterQuery,
) -> AppResult<()> {
    let scope = scope(app, actor, customer_number).await?;
    let mut errors = Vec::new();
    checked_filter(app, actor, &scope, q, &mut errors).await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Every transaction of the filter (all pages, in its sort), streamed: see [`Export`]. It
/// takes the list's filter without its paging.
pub async fn export(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    q: &FilterQuery,
) -> AppResult<Export> {
    let scope = scope(app, actor, customer_number).await?;
    let mut errors = Vec::new();
    let filter = checked_filter(app, actor, &scope, q, &mut errors).await?;
    let filter = match filter {
        Some(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    // Before any read: a refused export costs no connection.
    let running = app.begin_export(scope.customer_id)?;
    let (tx, rx) = mpsc::channel(EXPORT_BUFFER);
    let store = app.store.clone();
    let task_filter = filter.clone();
    // A reader tied to one response, not work that must survive: it ends when the export is
    // read to the end or the client goes away (the channel closes), so no job is needed.
    tokio::spawn(async move {
        let read = async {
            let mut conn = store.acquire().await?;
            let f = store_filter(&scope, &task_filter);
            repo::for_each(&mut conn.conn(), &f, task_filter.sort.order(), |row| {
                let tx = tx.clone();
                async move { tx.send(Ok(Transaction::from(row))).await.is_ok() }
            })
            .await
        };
        if let Err(e) = read.await {
            let _ = tx.send(Err(AppError::from(e))).await;
        }
    });
    Ok(Export {
        filter,
        rows: rx,
        running,
    })
}

/// The customer and the codes the filter form offers the actor.
pub async fn choices(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    lang: Language,
) -> AppResult<Choices> {
    let scope = scope(app, actor, customer_number).await?;
    let mut conn = app.store.acquire().await?;
    let customer = customers::by_id(&mut conn.conn(), scope.customer_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let products = catalogue::all(&mut conn.conn())
        .await?
        .into_iter()
        .map(|p| crate::products::named(p, lang))
        .collect();
    let codes = Codes::load(&mut conn.conn(), scope.customer_id, actor).await?;
    Ok(Choices {
        customer_number: customer.customer_number,
        customer_name: customer.name,
        products,
        codes,
    })
}

/// The words of a sort for the filter form.
pub fn sort_label(lang: Language, sort: Sort) -> String {
    let key = match sort {
        Sort::Date => "tx-sort-date",
        Sort::DateDesc => "tx-sort-date-desc",
        Sort::Amount => "tx-sort-amount",
        Sort::AmountDesc => "tx-sort-amount-desc",
    };
    i18n::t(lang, key)
}
