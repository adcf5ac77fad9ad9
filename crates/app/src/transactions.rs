//! Transactions (SPEC §3 journey 4): a customer's franking and service lines per month or any
//! date range, filtered by product, collection point, cost centre and destination, sorted and
//! paged, with totals per product over the whole filter, and exported as exactly that filter.
//!
//! Where the specification is silent (see also `docs/DECISIONS.md`):
//! - No `from` and no `to`: the current month, Brussels time. Only `from`: up to the end of
//!   that month; only `to`: from the start of that month. At most [`MAX_RANGE_DAYS`] days.
//! - `sort` is `date` (default), `-date`, `amount` or `-amount`; ties are broken by the
//!   order the rows were stored in, so every order is total and paging never skips a row.
//! - The cursor is opaque: it carries the sort key and id of the last row, the sort and a
//!   fingerprint of the filter, so a cursor of another filter or sort is refused
//!   (`invalid_cursor`) instead of silently paging something else.
//! - Codes that do not exist (or belong to another customer) match no row: the answer never
//!   says whether a code exists. Only malformed values are errors.

use crate::{Actor, App, AppError, FieldError, error::AppResult, i18n, paging};
use base64::Engine;
use cs_domain::{Cents, Language, UnitPriceMillis, feeds::Destination};
use cs_store::repo::{catalogue, customers, transactions as repo};
use sha2::{Digest, Sha256};
use time::Date;
use tokio::sync::mpsc;

/// The longest range one request may cover, in days (a leap year): the totals are computed
/// over the whole filter on every page, and this keeps that work bounded.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The longest code accepted in a filter; longer is malformed, not just unknown.
const CODE_MAX_CHARS: usize = 50;

/// Rows read ahead of the client during an export.
const EXPORT_BUFFER: usize = 512;

/// The parameters as received (query string); blank values mean "not given".
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub from: Option<String>,
    pub to: Option<String>,
    pub product: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub destination: Option<String>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
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

/// A checked filter: inclusive days and optional codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub from: Date,
    pub to: Date,
    pub product: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub destination: Option<Destination>,
    pub sort: Sort,
}

impl Filter {
    /// The filter as query parameters (dates always explicit, other values only when set,
    /// the sort only when not the default): for links to other pages and to the downloads.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![("from", iso(self.from)), ("to", iso(self.to))];
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

    /// A short digest of everything that decides which rows a list holds, in which order.
    fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            iso(self.from),
            iso(self.to),
            self.product.clone().unwrap_or_default(),
            self.collection_point.clone().unwrap_or_default(),
            self.cost_centre.clone().unwrap_or_default(),
            self.destination
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            self.sort.as_str().to_owned(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(&h.finalize()[..8])
    }

    /// The name offered for a download, without extension: `transactions-<from>-<to>`.
    pub fn file_stem(&self) -> String {
        format!("transactions-{}-{}", iso(self.from), iso(self.to))
    }
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A page request once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub filter: Filter,
    /// Where the page starts; `None`: the first page.
    pub after: Option<repo::After>,
    pub limit: i64,
}

// ---------------------------------------------------------------------------------------
// Pure parsers.

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_day(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    match cs_domain::dates::parse_date(raw) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::field(field, e.code(), e.to_string()));
            None
        }
    }
}

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

fn last_of_month(d: Date) -> Date {
    let days = d.month().length(d.year());
    d.replace_day(days).unwrap_or(d)
}

fn parse_code(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let s = given(v)?;
    if s.chars().count() > CODE_MAX_CHARS || s.chars().any(char::is_control) {
        errors.push(FieldError::field(
            field,
            "invalid_code",
            format!("{field} must be a code of at most {CODE_MAX_CHARS} characters"),
        ));
        return None;
    }
    Some(s.to_owned())
}

/// The filter of a request (`cursor` and `limit` aside), `today` being the Brussels day the
/// default month is taken from. Every problem is noted in `errors`.
pub fn parse_filter(q: &Query, today: Date, errors: &mut Vec<FieldError>) -> Option<Filter> {
    let before = errors.len();
    let from = given(&q.from).map(|s| parse_day("from", s, errors));
    let to = given(&q.to).map(|s| parse_day("to", s, errors));
    let range = match (from, to) {
        (None, None) => Some((first_of_month(today), last_of_month(today))),
        (Some(Some(f)), None) => Some((f, last_of_month(f))),
        (None, Some(Some(t))) => Some((first_of_month(t), t)),
        (Some(Some(f)), Some(Some(t))) => Some((f, t)),
        _ => None,
    };
    if let Some((from, to)) = range {
        if from > to {
            errors.push(FieldError::field(
                "to",
                "range_reversed",
                "to must be on or after from",
            ));
        } else if (to - from).whole_days() + 1 > MAX_RANGE_DAYS {
            errors.push(FieldError::field(
                "to",
                "range_too_long",
                format!("a range covers at most {MAX_RANGE_DAYS} days"),
            ));
        }
    }
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
    let ((from, to), sort) = (range?, sort?);
    Some(Filter {
        from,
        to,
        product,
        collection_point,
        cost_centre,
        destination,
        sort,
    })
}

/// A request for one page: the filter, where the page starts and its size.
pub fn parse_page(q: &Query, today: Date) -> Result<PageRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let filter = parse_filter(q, today, &mut errors);
    let limit = paging::limit(q.limit.as_deref(), &mut errors);
    let after = match (&filter, given(&q.cursor)) {
        (Some(f), Some(raw)) => match decode_cursor(raw, f) {
            Some(a) => Some(a),
            None => {
                errors.push(paging::invalid_cursor());
                None
            }
        },
        _ => None,
    };
    match filter {
        Some(filter) if errors.is_empty() => Ok(PageRequest {
            filter,
            after,
            limit,
        }),
        _ => Err(errors),
    }
}

const CURSOR_VERSION: &str = "t1";

/// The opaque cursor after `row` in a list of `filter`.
pub fn encode_cursor(filter: &Filter, after: &repo::After) -> String {
    let text = format!(
        "{CURSOR_VERSION}|{}|{}|{}|{}|{}",
        filter.sort.as_str(),
        filter.fingerprint(),
        iso(after.date),
        after.amount_cents,
        after.id
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// The position a cursor stands for, if it was given by a page of this very filter and sort.
pub fn decode_cursor(raw: &str, filter: &Filter) -> Option<repo::After> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let parts: Vec<&str> = text.split('|').collect();
    let [version, sort, fingerprint, date, amount, id] = parts.as_slice() else {
        return None;
    };
    if *version != CURSOR_VERSION
        || *sort != filter.sort.as_str()
        || *fingerprint != filter.fingerprint()
    {
        return None;
    }
    let mut ignored = Vec::new();
    let date = parse_day("cursor", date, &mut ignored)?;
    Some(repo::After {
        date,
        amount_cents: amount.parse().ok()?,
        id: id.parse().ok().filter(|id| *id > 0)?,
    })
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

/// What the filter form offers: `(code, name)` pairs, by code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choices {
    pub customer_number: String,
    pub customer_name: String,
    pub products: Vec<(String, String)>,
    pub collection_points: Vec<(String, String)>,
    /// Only the user's own when it is limited to some.
    pub cost_centres: Vec<(String, String)>,
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
        from: f.from,
        to: f.to,
        product: f.product.as_deref(),
        collection_point: f.collection_point.as_deref(),
        cost_centre: f.cost_centre.as_deref(),
        destination: f.destination.map(Destination::as_str),
        limited_to_user: scope.limited_to_user,
    }
}

fn today(app: &App) -> Date {
    app.today()
}

/// One page of the tenant's transactions with the totals of the whole filter.
pub async fn list(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    q: &Query,
) -> AppResult<TransactionPage> {
    let scope = scope(app, actor, customer_number).await?;
    let req = parse_page(q, today(app)).map_err(AppError::Validation)?;
    let f = store_filter(&scope, &req.filter);
    let order = req.filter.sort.order();
    let after = req.after.unwrap_or_else(|| repo::After::start(order, &f));
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::page(&mut conn.conn(), &f, order, after, req.limit + 1).await?;
    let more = paging::cut(&mut rows, req.limit);
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                encode_cursor(
                    &req.filter,
                    &repo::After {
                        date: r.date,
                        amount_cents: r.amount_cents,
                        id: r.id,
                    },
                )
            })
        })
        .flatten();
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

/// Every transaction of the filter (all pages, in its sort; `cursor` and `limit` are not
/// used), streamed: see [`Export`].
pub async fn export(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
    q: &Query,
) -> AppResult<Export> {
    let scope = scope(app, actor, customer_number).await?;
    let mut errors = Vec::new();
    let filter = parse_filter(q, today(app), &mut errors);
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
    let collection_points = customers::collection_points(&mut conn.conn(), scope.customer_id)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let cost_centres = customers::cost_centres(&mut conn.conn(), scope.customer_id)
        .await?
        .into_iter()
        .filter(|c| actor.cost_centres.is_empty() || actor.cost_centres.contains(&c.code))
        .map(|c| (c.code, c.name))
        .collect();
    Ok(Choices {
        customer_number: customer.customer_number,
        customer_name: customer.name,
        products,
        collection_points,
        cost_centres,
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

    fn q(pairs: &[(&str, &str)]) -> Query {
        let mut q = Query::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "from" => q.from = v,
                "to" => q.to = v,
                "product" => q.product = v,
                "collection_point" => q.collection_point = v,
                "cost_centre" => q.cost_centre = v,
                "destination" => q.destination = v,
                "sort" => q.sort = v,
                "cursor" => q.cursor = v,
                "limit" => q.limit = v,
                other => panic!("{other}"),
            }
        }
        q
    }

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().filter_map(|f| f.field.as_deref()).collect()
    }

    #[test]
    fn the_default_is_the_current_month() {
        let r = parse_page(&q(&[]), TODAY).unwrap();
        assert_eq!(r.filter.from, date!(2026 - 11 - 01));
        assert_eq!(r.filter.to, date!(2026 - 11 - 30));
        assert_eq!(r.filter.sort, Sort::Date);
        assert_eq!(r.limit, paging::DEFAULT_LIMIT);
        assert_eq!(r.after, None);
        let feb = parse_page(&q(&[]), date!(2028 - 02 - 10)).unwrap();
        assert_eq!(feb.filter.to, date!(2028 - 02 - 29), "leap year");
    }

    #[test]
    fn one_open_end_is_closed_by_its_month() {
        let r = parse_page(&q(&[("from", "2026-10-15")]), TODAY).unwrap();
        assert_eq!(
            (r.filter.from, r.filter.to),
            (date!(2026 - 10 - 15), date!(2026 - 10 - 31))
        );
        let r = parse_page(&q(&[("to", "2026-09-10"), ("from", " ")]), TODAY).unwrap();
        assert_eq!(
            (r.filter.from, r.filter.to),
            (date!(2026 - 09 - 01), date!(2026 - 09 - 10))
        );
    }

    #[test]
    fn bad_ranges_are_errors_on_their_field() {
        let e = parse_page(&q(&[("from", "2026-02-30"), ("to", "tomorrow")]), TODAY).unwrap_err();
        assert_eq!(fields(&e), ["from", "to"]);
        assert!(e.iter().all(|f| f.code == "invalid_date"));
        let e = parse_page(&q(&[("from", "2026-11-02"), ("to", "2026-11-01")]), TODAY).unwrap_err();
        assert_eq!(fields(&e), ["to"]);
        assert_eq!(e[0].code, "range_reversed");
        let e = parse_page(&q(&[("from", "2025-01-01"), ("to", "2026-01-02")]), TODAY).unwrap_err();
        assert_eq!(e[0].code, "range_too_long");
        // 366 days is allowed: a leap year, or any year and a day.
        assert!(parse_page(&q(&[("from", "2028-01-01"), ("to", "2028-12-31")]), TODAY).is_ok());
        assert!(parse_page(&q(&[("from", "2026-1-5")]), TODAY).is_err());
        assert!(parse_page(&q(&[("from", "26/11/2026")]), TODAY).is_err());
    }

    #[test]
    fn codes_destinations_and_sorts() {
        let r = parse_page(
            &q(&[
                ("product", " PRIOR-BE "),
                ("collection_point", "HQ"),
                ("cost_centre", "CA1"),
                ("destination", "world"),
                ("sort", "-amount"),
                ("limit", "7"),
            ]),
            TODAY,
        )
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
        let e = parse_page(
            &q(&[
                ("destination", "MARS"),
                ("sort", "price"),
                ("product", &"X".repeat(51)),
                ("limit", "0"),
            ]),
            TODAY,
        )
        .unwrap_err();
        assert_eq!(fields(&e), ["product", "destination", "sort", "limit"]);
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_filter_and_sort() {
        let r = parse_page(&q(&[("product", "P1")]), TODAY).unwrap();
        let after = repo::After {
            date: date!(2026 - 11 - 03),
            amount_cents: -1250,
            id: 42,
        };
        let c = encode_cursor(&r.filter, &after);
        assert!(
            c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'),
            "URL-safe: {c}"
        );
        let again = parse_page(&q(&[("product", "P1"), ("cursor", &c)]), TODAY).unwrap();
        assert_eq!(again.after, Some(after));
        // The same cursor with another filter, another sort, or cut short: refused.
        for other in [
            q(&[("product", "P2"), ("cursor", &c)]),
            q(&[("product", "P1"), ("sort", "-date"), ("cursor", &c)]),
            q(&[("product", "P1"), ("from", "2026-11-02"), ("cursor", &c)]),
            q(&[("product", "P1"), ("cursor", "bm9wZQ")]),
            q(&[("product", "P1"), ("cursor", "!!!")]),
            q(&[("product", "P1"), ("cursor", &c[..c.len() / 2])]),
        ] {
            let e = parse_page(&other, TODAY).unwrap_err();
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].code, "invalid_cursor");
            assert_eq!(e[0].field.as_deref(), Some("cursor"));
        }
    }

    #[test]
    fn params_give_the_filter_back_explicitly() {
        let r = parse_page(
            &q(&[
                ("destination", "EU"),
                ("sort", "amount"),
                ("cost_centre", "C 1"),
            ]),
            TODAY,
        )
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
