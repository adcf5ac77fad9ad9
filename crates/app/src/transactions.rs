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
    calendar::{TypedDays, typed_days},
    error::AppResult,
    i18n,
    paging::{self, Codes, CursorKey, PageQuery, ParamDoc, Position, query_value},
};
use cs_domain::{Cents, DateRange, Language, UnitPriceMillis, calendar::iso, feeds::Destination};
use cs_store::repo::{catalogue, customers, transactions as repo};
use time::Date;
use tokio::sync::mpsc;

/// The longest range one request may cover, in days (a leap year): the totals are computed
/// over the whole filter on every page, and this keeps that work bounded.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The longest code accepted in a filter; longer is malformed, not just unknown.
const CODE_MAX_CHARS: usize = 50;

/// Rows read ahead of the client during an export.
const EXPORT_BUFFER: usize = 512;

/// The list's parameters as typed, read once from the raw query by the page, the API and the
/// export alike: the filter, the page, and the customer an operator names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub filter: FilterQuery,
    pub page: PageQuery,
    pub customer_number: Option<String>,
}

impl Query {
    pub fn read(raw: Option<&str>) -> Self {
        Self {
            filter: FilterQuery::read(raw),
            page: PageQuery::read(raw),
            customer_number: query_value(raw, "customer_number"),
        }
    }
}

/// The filter and sort as typed (blank: not given): all the list and its export share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub product: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub destination: Option<String>,
    pub sort: Option<String>,
}

impl FilterQuery {
    /// The filter's parameters, in the order of the form and of the API's description.
    pub const DOC: [ParamDoc; 7] = [
        ParamDoc::text(
            "from",
            "First day, inclusive (`YYYY-MM-DD`). Without `from` and `to`: the current month \
             (Brussels time); with only one of them, the rest of its month. At most 366 days.",
        ),
        ParamDoc::text(
            "to",
            "Last day, inclusive (`YYYY-MM-DD`), on or after `from`.",
        ),
        ParamDoc::text(
            "product",
            "A product code of the catalogue; an unknown code matches nothing.",
        ),
        ParamDoc::text(
            "collection_point",
            "A collection point code of the customer; any other is refused \
             (422 `unknown_collection_point`).",
        ),
        ParamDoc::text(
            "cost_centre",
            "A cost centre code of the customer (one of the caller's, for a user limited to \
             cost centres); any other is refused (422 `unknown_cost_centre`).",
        ),
        ParamDoc::text("destination", "`BE`, `EU` or `WORLD`."),
        ParamDoc::text(
            "sort",
            "`date` (default, oldest first), `-date`, `amount` or `-amount`.",
        ),
    ];

    pub fn read(raw: Option<&str>) -> Self {
        let v = |k| query_value(raw, k);
        Self {
            from: v("from"),
            to: v("to"),
            product: v("product"),
            collection_point: v("collection_point"),
            cost_centre: v("cost_centre"),
            destination: v("destination"),
            sort: v("sort"),
        }
    }

    /// What was typed for the parameter `name` of [`Self::DOC`] (blank when not given).
    pub fn typed(&self, name: &str) -> &str {
        let v = match name {
            "from" => &self.from,
            "to" => &self.to,
            "product" => &self.product,
            "collection_point" => &self.collection_point,
            "cost_centre" => &self.cost_centre,
            "destination" => &self.destination,
            "sort" => &self.sort,
            _ => &None,
        };
        v.as_deref().unwrap_or_default()
    }
}

/// The orders a list can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Oldest first (the default).
    #[default]
    Date,
    /// Newest first.
    DateDesc,
    /// Smallest amount first.
    Amount,
    /// Largest amount first.
    AmountDesc,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Date, Sort::DateDesc, Sort::Amount, Sort::AmountDesc];

    /// The `sort` parameter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Date => "date",
            Sort::DateDesc => "-date",
            Sort::Amount => "amount",
            Sort::AmountDesc => "-amount",
        }
    }

    fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|o| o.as_str() == s)
    }

    fn order(self) -> repo::Order {
        match self {
            Sort::Date => repo::Order::DateAsc,
            Sort::DateDesc => repo::Order::DateDesc,
            Sort::Amount => repo::Order::AmountAsc,
            Sort::AmountDesc => repo::Order::AmountDesc,
        }
    }
}

/// A checked filter: whole days and optional codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub days: DateRange,
    pub product: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub destination: Option<Destination>,
    pub sort: Sort,
}

impl Filter {
    /// The filter as query parameters, normalised (dates always explicit, other values only
    /// when set, the sort only when not the default): for links to other pages and to the
    /// downloads, and what a cursor is tied to.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("from", iso(self.days.first())),
            ("to", iso(self.days.last())),
        ];
        let codes = [
            ("product", &self.product),
            ("collection_point", &self.collection_point),
            ("cost_centre", &self.cost_centre),
        ];
        for (k, v) in codes {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        if let Some(d) = self.destination {
            p.push(("destination", d.as_str().to_owned()));
        }
        if self.sort != Sort::Date {
            p.push(("sort", self.sort.as_str().to_owned()));
        }
        p
    }

    /// The name offered for a download, without extension: `transactions-<from>-<to>`.
    pub fn file_stem(&self) -> String {
        format!(
            "transactions-{}-{}",
            iso(self.days.first()),
            iso(self.days.last())
        )
    }

    /// What this filter's cursors are tied to: its parameters and the customer.
    fn cursor_key(&self, customer_id: i64) -> Vec<(&'static str, String)> {
        let mut key = self.params();
        key.push(("customer", customer_id.to_string()));
        key
    }
}

/// A transaction list's position: the last row's date, amount and id (all three, whatever
/// the sort, so one layout serves every order).
impl Position for repo::After {
    const LIST: &'static str = "transactions";

    fn parts(&self) -> Vec<String> {
        vec![
            iso(self.date),
            self.amount_cents.to_string(),
            self.id.to_string(),
        ]
    }

    fn from_parts(parts: &[&str]) -> Option<Self> {
        let [date, amount, id] = parts else {
            return None;
        };
        Some(repo::After {
            date: cs_domain::dates::parse_date(date).ok()?,
            amount_cents: amount.parse().ok()?,
            id: id.parse().ok().filter(|id| *id > 0)?,
        })
    }
}

/// A page request once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub filter: Filter,
    /// Where the page starts; `None`: the first page.
    after: Option<repo::After>,
    pub limit: i64,
}

// ---------------------------------------------------------------------------------------
// Pure parsers.

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn well_formed(code: &str) -> bool {
    code.chars().count() <= CODE_MAX_CHARS && !code.chars().any(char::is_control)
}

/// A code as typed, if it is given and could be a code at all.
fn typed_code(v: &Option<String>) -> Option<&str> {
    given(v).filter(|s| well_formed(s))
}

fn parse_code(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let s = given(v)?;
    if !well_formed(s) {
        errors.push(FieldError::field(
            field,
            "invalid_code",
            format!("{field} must be a code of at most {CODE_MAX_CHARS} characters"),
        ));
        return None;
    }
    Some(s.to_owned())
}

/// The days of a filter: as typed (the toolkit's rule), else the month of `today`; at most
/// [`MAX_RANGE_DAYS`].
fn days(q: &FilterQuery, today: Date, errors: &mut Vec<FieldError>) -> Option<DateRange> {
    let days = match typed_days(q.from.as_deref(), q.to.as_deref(), errors) {
        TypedDays::NotGiven => DateRange::month_of(today),
        TypedDays::Given(r) => r,
        TypedDays::Invalid => return None,
    };
    if days.day_count() > MAX_RANGE_DAYS {
        errors.push(FieldError::field(
            "to",
            "range_too_long",
            format!("a range covers at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Some(days)
}

/// The filter of a request (`cursor` and `limit` aside), `today` being the Brussels day the
/// default month is taken from. Every problem of its form is noted in `errors`; whether the
/// codes are the customer's is checked against the store ([`Codes`]).
pub fn parse_filter(q: &FilterQuery, today: Date, errors: &mut Vec<FieldError>) -> Option<Filter> {
    let before = errors.len();
    let days = days(q, today, errors);
    let product = parse_code("product", &q.product, errors);
    let collection_point = parse_code("collection_point", &q.collection_point, errors);
    let cost_centre = parse_code("cost_centre", &q.cost_centre, errors);
    let destination = given(&q.destination).and_then(|s| {
        let d = s.to_ascii_uppercase().parse::<Destination>().ok();
        if d.is_none() {
            errors.push(FieldError::field(
                "destination",
                "invalid_destination",
                "destination must be BE, EU or WORLD",
            ));
        }
        d
    });
    let sort = match given(&q.sort) {
        None => Some(Sort::Date),
        Some(s) => {
            let o = Sort::parse(s);
            if o.is_none() {
                errors.push(FieldError::field(
                    "sort",
                    "invalid_sort",
                    "sort must be date, -date, amount or -amount",
                ));
            }
            o
        }
    };
    if errors.len() > before {
        return None;
    }
    Some(Filter {
        days: days?,
        product,
        collection_point,
        cost_centre,
        destination,
        sort: sort?,
    })
}

/// A request for one page of customer `customer_id`'s list: the filter, where the page
/// starts (a cursor of this very filter, sort and customer) and its size.
pub fn parse_page(
    q: &Query,
    today: Date,
    customer_id: i64,
) -> Result<PageRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let filter = parse_filter(&q.filter, today, &mut errors);
    page_of(filter, &q.page, customer_id, errors)
}

fn page_of(
    filter: Option<Filter>,
    page: &PageQuery,
    customer_id: i64,
    mut errors: Vec<FieldError>,
) -> Result<PageRequest, Vec<FieldError>> {
    let limit = paging::limit(page.limit.as_deref(), &mut errors);
    let after = filter.as_ref().and_then(|f| {
        let key: &CursorKey = &f.cursor_key(customer_id);
        paging::decode_cursor::<repo::After>(page.cursor.as_deref(), key, &mut errors)
    });
    match filter {
        Some(filter) if errors.is_empty() => Ok(PageRequest {
            filter,
            after,
            limit,
        }),
        _ => Err(errors),
    }
}

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
    customer_id: i64,
    limited_to_user: Option<i64>,
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
        customer_id: scope.customer_id,
        from: f.days.first(),
        to: f.days.last(),
        product: f.product.as_deref(),
        collection_point: f.collection_point.as_deref(),
        cost_centre: f.cost_centre.as_deref(),
        destination: f.destination.map(Destination::as_str),
        limited_to_user: scope.limited_to_user,
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
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::page(&mut conn.conn(), &f, order, after, req.limit + 1).await?;
    let more = paging::cut(&mut rows, req.limit);
    let key = req.filter.cursor_key(scope.customer_id);
    let next_cursor = paging::next_cursor(&rows, more, &key, |r| repo::After {
        date: r.date,
        amount_cents: r.amount_cents,
        id: r.id,
    });
    let mut by_product: Vec<ProductTotal> = repo::totals(&mut conn.conn(), &f)
        .await?
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
    let customer = customers::by_id(&mut conn.conn(), scope.customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let products = catalogue::all(&mut conn.conn())
        .await?
        .into_iter()
        .map(|p| {
            let name = match lang {
                Language::Fr => p.name_fr,
                Language::Nl => p.name_nl,
                Language::De => p.name_de,
                Language::En => p.name_en,
            };
            (p.code, name)
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 26);
    const CUSTOMER: i64 = 7;

    fn q(pairs: &[(&str, &str)]) -> Query {
        let raw = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Query::read(Some(&raw))
    }

    fn page(pairs: &[(&str, &str)]) -> Result<PageRequest, Vec<FieldError>> {
        parse_page(&q(pairs), TODAY, CUSTOMER)
    }

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().filter_map(|f| f.field.as_deref()).collect()
    }

    fn range(r: &PageRequest) -> (Date, Date) {
        (r.filter.days.first(), r.filter.days.last())
    }

    #[test]
    fn the_query_is_read_once_with_every_documented_parameter() {
        let pairs: Vec<(&str, String)> = FilterQuery::DOC
            .iter()
            .map(|d| (d.name, format!("v-{}", d.name)))
            .chain([
                ("cursor", "c".to_owned()),
                ("limit", "9".to_owned()),
                ("customer_number", "8800001".to_owned()),
            ])
            .collect();
        let raw = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let read = Query::read(Some(&raw));
        for d in FilterQuery::DOC {
            assert_eq!(read.filter.typed(d.name), format!("v-{}", d.name));
        }
        assert_eq!(read.page.cursor.as_deref(), Some("c"));
        assert_eq!(read.page.limit.as_deref(), Some("9"));
        assert_eq!(read.customer_number.as_deref(), Some("8800001"));
        assert_eq!(read.filter.typed("nonsense"), "");
    }

    #[test]
    fn the_default_is_the_current_month() {
        let r = page(&[]).unwrap();
        assert_eq!(range(&r), (date!(2026 - 11 - 01), date!(2026 - 11 - 30)));
        assert_eq!(r.filter.sort, Sort::Date);
        assert_eq!(r.limit, paging::DEFAULT_LIMIT);
        assert_eq!(r.after, None);
        let feb = parse_page(&q(&[]), date!(2028 - 02 - 10), CUSTOMER).unwrap();
        assert_eq!(feb.filter.days.last(), date!(2028 - 02 - 29), "leap year");
    }

    #[test]
    fn one_open_end_is_closed_by_its_month() {
        let r = page(&[("from", "2026-10-15")]).unwrap();
        assert_eq!(range(&r), (date!(2026 - 10 - 15), date!(2026 - 10 - 31)));
        let r = page(&[("to", "2026-09-10"), ("from", " ")]).unwrap();
        assert_eq!(range(&r), (date!(2026 - 09 - 01), date!(2026 - 09 - 10)));
    }

    #[test]
    fn bad_ranges_are_errors_on_their_field() {
        let e = page(&[("from", "2026-02-30"), ("to", "tomorrow")]).unwrap_err();
        assert_eq!(fields(&e), ["from", "to"]);
        assert!(e.iter().all(|f| f.code == "invalid_date"));
        let e = page(&[("from", "2026-11-02"), ("to", "2026-11-01")]).unwrap_err();
        assert_eq!(fields(&e), ["to"]);
        assert_eq!(e[0].code, "range_reversed");
        let e = page(&[("from", "2025-01-01"), ("to", "2026-01-02")]).unwrap_err();
        assert_eq!(e[0].code, "range_too_long");
        // 366 days is allowed: a leap year, or any year and a day.
        assert!(page(&[("from", "2028-01-01"), ("to", "2028-12-31")]).is_ok());
        assert!(page(&[("from", "2026-1-5")]).is_err());
        assert!(page(&[("from", "26/11/2026")]).is_err());
    }

    #[test]
    fn codes_destinations_and_sorts() {
        let r = page(&[
            ("product", " PRIOR-BE "),
            ("collection_point", "HQ"),
            ("cost_centre", "CA1"),
            ("destination", "world"),
            ("sort", "-amount"),
            ("limit", "7"),
        ])
        .unwrap();
        assert_eq!(r.filter.product.as_deref(), Some("PRIOR-BE"));
        assert_eq!(r.filter.collection_point.as_deref(), Some("HQ"));
        assert_eq!(r.filter.cost_centre.as_deref(), Some("CA1"));
        assert_eq!(r.filter.destination, Some(Destination::World));
        assert_eq!(r.filter.sort, Sort::AmountDesc);
        assert_eq!(r.limit, 7);
        for s in Sort::ALL {
            assert_eq!(Sort::parse(s.as_str()), Some(s));
        }
        let e = page(&[
            ("destination", "MARS"),
            ("sort", "price"),
            ("product", &"X".repeat(51)),
            ("limit", "0"),
        ])
        .unwrap_err();
        assert_eq!(fields(&e), ["product", "destination", "sort", "limit"]);
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_filter_sort_and_customer() {
        let r = page(&[("product", "P1")]).unwrap();
        let after = repo::After {
            date: date!(2026 - 11 - 03),
            amount_cents: -1250,
            id: 42,
        };
        let c = paging::encode_cursor(&r.filter.cursor_key(CUSTOMER), &after);
        let again = page(&[("product", "P1"), ("cursor", &c)]).unwrap();
        assert_eq!(again.after, Some(after));
        // The same filter written another way is the same filter.
        let again = page(&[("product", " P1 "), ("to", "2026-11-30"), ("cursor", &c)]).unwrap();
        assert_eq!(again.after, Some(after));
        // Another filter, another sort, another customer, or cut short: refused.
        for other in [
            q(&[("product", "P2"), ("cursor", &c)]),
            q(&[("product", "P1"), ("sort", "-date"), ("cursor", &c)]),
            q(&[("product", "P1"), ("from", "2026-11-02"), ("cursor", &c)]),
            q(&[("product", "P1"), ("destination", "BE"), ("cursor", &c)]),
            q(&[("product", "P1"), ("cursor", &c[..c.len() / 2])]),
            q(&[("product", "P1"), ("cursor", "!!!")]),
        ] {
            let e = parse_page(&other, TODAY, CUSTOMER).unwrap_err();
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].code, "invalid_cursor");
            assert_eq!(e[0].field.as_deref(), Some("cursor"));
        }
        let e = parse_page(
            &q(&[("product", "P1"), ("cursor", &c)]),
            TODAY,
            CUSTOMER + 1,
        );
        assert_eq!(e.unwrap_err()[0].code, "invalid_cursor");
    }

    #[test]
    fn params_give_the_filter_back_explicitly() {
        let r = page(&[
            ("destination", "EU"),
            ("sort", "amount"),
            ("cost_centre", "C 1"),
        ])
        .unwrap();
        let p = r.filter.params();
        assert_eq!(
            p,
            vec![
                ("from", "2026-11-01".to_owned()),
                ("to", "2026-11-30".to_owned()),
                ("cost_centre", "C 1".to_owned()),
                ("destination", "EU".to_owned()),
                ("sort", "amount".to_owned()),
            ]
        );
        assert_eq!(r.filter.file_stem(), "transactions-2026-11-01-2026-11-30");
    }
}
