//! Registered items (SPEC §3 journey 6): the search of a customer's items by barcode, deposit
//! dates, recipient, collection point, cost centre and acknowledgement of receipt, paged, with
//! the count of the whole filter, and its export. Which items a caller may see (the tenant and
//! the cost-centre limits) is decided once, in [`scope`]; the filter as typed becomes domain
//! values in [`parse_filter`], every bad field reported at once.

use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    calendar::{TypedDays, typed_days},
    error::AppResult,
    exports::Running,
    paging::{self, Codes, PageQuery, ParamDoc, Position, query_value},
};
use cs_domain::{Barcode, DateRange, Module, calendar::iso};
use cs_store::repo::{
    customers,
    registered_items::{self as repo, After, CostCentreScope, ItemFilter, ItemRow},
};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use time::Date;

pub use crate::paging::Choice;

/// Audited actions of this feature.
pub mod action {
    /// A download of registered items (recipients' personal data), written when it ends.
    pub const EXPORTED: &str = "export.registered_items";
}

/// The columns of the list and of its exports, in order: the feed's own names
/// (`registered-items`, SPEC §4) without the customer number.
pub const COLUMNS: [&str; 11] = [
    "barcode",
    "deposit_date",
    "collection_point",
    "cost_centre",
    "product_code",
    "acknowledgement",
    "recipient_name",
    "recipient_street",
    "recipient_postcode",
    "recipient_city",
    "recipient_country",
];

/// A recipient search is a part of a name, not a letter.
pub const MAX_RECIPIENT_CHARS: usize = 100;

/// Rows an export reads at a time: its memory bound.
const EXPORT_CHUNK: i64 = 1_000;

/// The search's parameters as typed, read once from the raw query by the page, the API and
/// the export alike: the filter, the page, and the customer an operator names.
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

/// The search as typed (query string or form); blank means no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterQuery {
    pub barcode: Option<String>,
    /// First deposit date `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Last deposit date `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub recipient: Option<String>,
    /// A collection point's code.
    pub collection_point: Option<String>,
    /// A cost centre's code.
    pub cost_centre: Option<String>,
    /// `true` or `false`.
    pub acknowledgement: Option<String>,
}

impl FilterQuery {
    /// The filter's parameters, in the order of the form and of the API's description.
    pub const DOC: [ParamDoc; 7] = [
        ParamDoc::text(
            "barcode",
            "The exact barcode (30 digits starting `010`, or UPU S10 like `RR473124829BE`); \
             case and spaces do not matter. Without dates, a barcode is found whatever its date.",
        ),
        ParamDoc::text(
            "from",
            "First deposit date, `YYYY-MM-DD`, inclusive. Without `from`, `to` and `barcode`: \
             the current month (Brussels). Alone, it runs to the end of its month.",
        ),
        ParamDoc::text(
            "to",
            "Last deposit date, `YYYY-MM-DD`, inclusive. Alone, it runs from the start of its \
             month.",
        ),
        ParamDoc::text(
            "recipient",
            "Part of the recipient's name, any case; `%` and `_` are taken literally.",
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
        ParamDoc::text(
            "acknowledgement",
            "`true` (with acknowledgement of receipt) or `false`.",
        ),
    ];

    pub fn read(raw: Option<&str>) -> Self {
        let v = |k| query_value(raw, k);
        Self {
            barcode: v("barcode"),
            from: v("from"),
            to: v("to"),
            recipient: v("recipient"),
            collection_point: v("collection_point"),
            cost_centre: v("cost_centre"),
            acknowledgement: v("acknowledgement"),
        }
    }

    /// What was typed for the parameter `name` of [`Self::DOC`] (blank when not given).
    pub fn typed(&self, name: &str) -> &str {
        let v = match name {
            "barcode" => &self.barcode,
            "from" => &self.from,
            "to" => &self.to,
            "recipient" => &self.recipient,
            "collection_point" => &self.collection_point,
            "cost_centre" => &self.cost_centre,
            "acknowledgement" => &self.acknowledgement,
            _ => &None,
        };
        v.as_deref().unwrap_or_default()
    }
}

/// The filter in domain values, with the default dates applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub barcode: Option<Barcode>,
    /// `None`: no date limit (a barcode search without dates).
    pub days: Option<DateRange>,
    pub recipient: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub acknowledgement: Option<bool>,
}

impl Filter {
    /// The filter as query parameters, normalised (the barcode as checked, the dates the
    /// search applied, only what is set): for the page's links and downloads, and what a
    /// cursor is tied to.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(b) = &self.barcode {
            p.push(("barcode", b.as_str().to_owned()));
        }
        if let Some(d) = self.days {
            p.push(("from", iso(d.first())));
            p.push(("to", iso(d.last())));
        }
        let texts = [
            ("recipient", &self.recipient),
            ("collection_point", &self.collection_point),
            ("cost_centre", &self.cost_centre),
        ];
        for (k, v) in texts {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        if let Some(a) = self.acknowledgement {
            p.push(("acknowledgement", a.to_string()));
        }
        p
    }

    /// The file's name, without extension: what was searched
    /// (`registered-items-2026-11-01-2026-11-30`, or the barcode's).
    pub fn file_stem(&self) -> String {
        let mut stem = "registered-items".to_owned();
        if let Some(b) = &self.barcode {
            stem.push('-');
            stem.push_str(b.as_str());
        }
        if let Some(d) = self.days {
            for day in [d.first(), d.last()] {
                stem.push('-');
                stem.push_str(&iso(day));
            }
        }
        stem
    }

    /// What this filter's cursors are tied to: its parameters and the customer.
    fn cursor_key(&self, customer_id: i64) -> Vec<(&'static str, String)> {
        let mut key = self.params();
        key.push(("customer", customer_id.to_string()));
        key
    }
}

/// A registered-items list's position: the last item's deposit date and id.
impl Position for After {
    const LIST: &'static str = "registered_items";

    fn parts(&self) -> Vec<String> {
        vec![iso(self.deposit_date), self.id.to_string()]
    }

    fn from_parts(parts: &[&str]) -> Option<Self> {
        let [date, id] = parts else {
            return None;
        };
        Some(After {
            deposit_date: cs_domain::dates::parse_date(date).ok()?,
            id: id.parse().ok().filter(|id| *id > 0)?,
        })
    }
}

/// Whose items a caller sees: the customer, and the cost centres within it. Only [`scope`]
/// makes one, so every search and export goes through the same decision.
#[derive(Debug, Clone)]
pub struct Scope {
    customer_id: i64,
    customer_number: String,
    customer_name: String,
    cost_centre_scope: CostCentreScope,
    codes: Codes,
}

impl Scope {
    pub fn customer_number(&self) -> &str {
        &self.customer_number
    }

    pub fn customer_name(&self) -> &str {
        &self.customer_name
    }

    /// The customer's collection points.
    pub fn collection_points(&self) -> &[Choice] {
        &self.codes.collection_points
    }

    /// The cost centres the caller may see: all of the customer's, or those it is limited to.
    pub fn cost_centres(&self) -> &[Choice] {
        &self.codes.cost_centres
    }

    /// True when the caller sees only some cost centres (and no items without one).
    pub fn limited(&self) -> bool {
        self.cost_centre_scope != CostCentreScope::All
    }
}

/// The customer and cost centres `actor` may search: a customer's user always gets its own
/// customer (`customer_number` is ignored), an operator must name one (422 without, 404 for an
/// unknown number). A user limited to cost centres sees only items of those cost centres;
/// items without a cost centre only users without limits see.
pub async fn scope(app: &App, actor: &Actor, customer_number: Option<&str>) -> AppResult<Scope> {
    if !actor.can(Module::Receipts) {
        return Err(AppError::Forbidden);
    }
    let number = customer_number.map(str::trim).filter(|s| !s.is_empty());
    let tenant = actor.tenant(app, number).await?;
    let mut conn = app.store.acquire().await?;
    let customer = customers::by_id(&mut conn.conn(), tenant.customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let codes = Codes::load(&mut conn.conn(), customer.id, actor).await?;
    Ok(Scope {
        customer_id: customer.id,
        customer_number: customer.customer_number,
        customer_name: customer.name,
        cost_centre_scope: if actor.cost_centres.is_empty() {
            CostCentreScope::All
        } else {
            CostCentreScope::LimitsOf(actor.user_id)
        },
        codes,
    })
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A barcode as people and scanners type it: spaces anywhere are dropped, then
/// [`Barcode::parse`] trims, uppercases and checks it.
pub fn normalise_barcode(s: &str) -> Result<Barcode, cs_domain::barcode::BarcodeError> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    Barcode::parse(&compact)
}

/// The typed filter as domain values; each bad field adds its error. The dates follow the
/// toolkit's rule ([`typed_days`]); without any date, the range is the month of `today`,
/// except for a barcode search, which finds the item whatever its date.
pub fn parse_filter(q: &FilterQuery, today: Date, errors: &mut Vec<FieldError>) -> Filter {
    let barcode = given(&q.barcode).and_then(|b| match normalise_barcode(b) {
        Ok(b) => Some(b),
        Err(e) => {
            errors.push(FieldError::field("barcode", e.code(), e.to_string()));
            None
        }
    });
    let days = match typed_days(q.from.as_deref(), q.to.as_deref(), errors) {
        TypedDays::Given(r) => Some(r),
        TypedDays::NotGiven if given(&q.barcode).is_none() => Some(DateRange::month_of(today)),
        TypedDays::NotGiven | TypedDays::Invalid => None,
    };
    let recipient = given(&q.recipient).map(str::to_owned);
    if recipient
        .as_deref()
        .is_some_and(|r| r.chars().count() > MAX_RECIPIENT_CHARS)
    {
        errors.push(FieldError::field(
            "recipient",
            "recipient_too_long",
            format!("search at most {MAX_RECIPIENT_CHARS} characters of the recipient's name"),
        ));
    }
    let acknowledgement = match given(&q.acknowledgement) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push(FieldError::field(
                "acknowledgement",
                "invalid_acknowledgement",
                "acknowledgement must be true or false",
            ));
            None
        }
    };
    Filter {
        barcode,
        days,
        recipient,
        collection_point: given(&q.collection_point).map(str::to_owned),
        cost_centre: given(&q.cost_centre).map(str::to_owned),
        acknowledgement,
    }
}

/// The filter for the store: codes resolved against the scope's (the toolkit's one rule for
/// an unknown code, or a cost centre outside the caller's limits: an error on its field).
fn store_filter(scope: &Scope, f: &Filter, errors: &mut Vec<FieldError>) -> ItemFilter {
    let codes = &scope.codes;
    let collection_point_id = codes
        .collection_point(f.collection_point.as_deref(), errors)
        .map(|c| c.id);
    let cost_centre_id = codes
        .cost_centre(f.cost_centre.as_deref(), errors)
        .map(|c| c.id);
    ItemFilter {
        customer_id: scope.customer_id,
        scope: scope.cost_centre_scope,
        barcode: f.barcode.as_ref().map(|b| b.as_str().to_owned()),
        from: f.days.map(DateRange::first),
        to: f.days.map(DateRange::last),
        recipient: f.recipient.clone(),
        collection_point_id,
        cost_centre_id,
        acknowledgement: f.acknowledgement,
    }
}

/// One registered item; empty texts are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredItem {
    pub barcode: String,
    pub deposit_date: Date,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    pub product_code: String,
    pub acknowledgement: bool,
    pub recipient_name: Option<String>,
    pub recipient_street: Option<String>,
    pub recipient_postcode: Option<String>,
    pub recipient_city: Option<String>,
    pub recipient_country: Option<String>,
}

fn non_blank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

impl From<ItemRow> for RegisteredItem {
    fn from(r: ItemRow) -> Self {
        Self {
            barcode: r.barcode,
            deposit_date: r.deposit_date,
            collection_point: r.collection_point,
            cost_centre: non_blank(r.cost_centre),
            product_code: r.product_code,
            acknowledgement: r.acknowledgement,
            recipient_name: non_blank(r.recipient_name),
            recipient_street: non_blank(r.recipient_street),
            recipient_postcode: non_blank(r.recipient_postcode),
            recipient_city: non_blank(r.recipient_city),
            recipient_country: non_blank(r.recipient_country),
        }
    }
}

/// One page of the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPage {
    pub items: Vec<RegisteredItem>,
    /// Give it back as `cursor` for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
    /// Items of the whole filter, every page together.
    pub total: i64,
    /// The filter applied, with its default dates.
    pub filter: Filter,
}

/// Checks the filter and resolves it into the store's; all errors at once, noted in `errors`.
fn checked(
    app: &App,
    scope: &Scope,
    q: &FilterQuery,
    errors: &mut Vec<FieldError>,
) -> (Filter, ItemFilter) {
    let filter = parse_filter(q, app.today(), errors);
    let store_filter = store_filter(scope, &filter, errors);
    (filter, store_filter)
}

/// A page of the scope's items matching `q`, newest deposit first, with the count of the
/// whole filter. `q`'s customer number has served [`scope`] already.
pub async fn search(app: &App, scope: &Scope, q: &Query) -> AppResult<ItemPage> {
    let mut errors = Vec::new();
    let (filter, f) = checked(app, scope, &q.filter, &mut errors);
    let key = filter.cursor_key(scope.customer_id);
    let after = paging::decode_cursor::<After>(q.page.cursor.as_deref(), &key, &mut errors);
    let limit = paging::limit(q.page.limit.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::list(&mut conn.conn(), &f, after, limit + 1).await?;
    let more = paging::cut(&mut rows, limit);
    let next_cursor = paging::next_cursor(&rows, more, &key, ItemRow::after);
    let total = repo::count(&mut conn.conn(), &f).await?;
    Ok(ItemPage {
        items: rows.into_iter().map(RegisteredItem::from).collect(),
        next_cursor,
        total,
        filter,
    })
}

/// Checks the filter of an export that will not run (its format was refused), so that the
/// answer names every problem at once; nothing is read, no export begins.
pub fn check(app: &App, scope: &Scope, q: &FilterQuery) -> AppResult<()> {
    let mut errors = Vec::new();
    checked(app, scope, q, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// An export: the filter applied (with its default dates) and its items.
pub struct ItemExport {
    pub filter: Filter,
    /// Every item of the filter in the list's order, read in bounded chunks.
    pub items: BoxStream<'static, AppResult<RegisteredItem>>,
    /// Its place under the export caps; audited as [`action::EXPORTED`] when it ends.
    pub running: Running,
}

/// Every item of the filter (the list's filter without its paging), in the list's order: an
/// export of exactly what the search shows, whatever its size. It takes a place under the
/// export caps (429 `too_many_exports`) and, since the rows carry recipients' personal data,
/// is audited when it ends: who, the filter as given, the rows sent and how it ended.
pub fn export(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    scope: &Scope,
    q: &FilterQuery,
) -> AppResult<ItemExport> {
    let mut errors = Vec::new();
    let (filter, f) = checked(app, scope, q, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let running = app.begin_export(scope.customer_id)?.audited(
        app,
        actor,
        meta,
        action::EXPORTED,
        ("customer", scope.customer_number.clone()),
        given_filter(q),
    );
    Ok(ItemExport {
        filter,
        items: repo::export(app.store.clone(), f, EXPORT_CHUNK)
            .map_ok(RegisteredItem::from)
            .map_err(AppError::from)
            .boxed(),
        running,
    })
}

/// The filter as the caller gave it (blank fields left out), for the audit trail.
fn given_filter(q: &FilterQuery) -> serde_json::Map<String, serde_json::Value> {
    let filter: serde_json::Map<String, serde_json::Value> = FilterQuery::DOC
        .iter()
        .map(|d| (d.name, q.typed(d.name)))
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    let mut details = serde_json::Map::new();
    details.insert("filter".into(), serde_json::Value::Object(filter));
    details
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const NATIONAL: &str = "010000000000000000000000000017";

    fn q() -> FilterQuery {
        FilterQuery::default()
    }

    /// The first and last day searched.
    fn span(f: &Filter) -> (Option<Date>, Option<Date>) {
        (f.days.map(DateRange::first), f.days.map(DateRange::last))
    }

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().filter_map(|f| f.field.as_deref()).collect()
    }

    #[test]
    fn the_query_is_read_once_with_every_documented_parameter() {
        let raw: String = FilterQuery::DOC
            .iter()
            .map(|d| format!("{0}=v-{0}&", d.name))
            .chain(["cursor=c&limit=9&customer_number=8800002".to_owned()])
            .collect();
        let read = Query::read(Some(&raw));
        for d in FilterQuery::DOC {
            assert_eq!(read.filter.typed(d.name), format!("v-{}", d.name));
        }
        assert_eq!(read.page, PageQuery::read(Some("cursor=c&limit=9")));
        assert_eq!(read.customer_number.as_deref(), Some("8800002"));
    }

    #[test]
    fn without_dates_the_month_of_today_is_searched() {
        let mut e = Vec::new();
        let f = parse_filter(&q(), date!(2026 - 02 - 14), &mut e);
        assert!(e.is_empty());
        assert_eq!(
            span(&f),
            (Some(date!(2026 - 02 - 01)), Some(date!(2026 - 02 - 28)))
        );
        let f = parse_filter(&q(), date!(2028 - 02 - 29), &mut e);
        assert_eq!(span(&f).1, Some(date!(2028 - 02 - 29)));
        let f = parse_filter(&q(), date!(2026 - 12 - 31), &mut e);
        assert_eq!(
            span(&f),
            (Some(date!(2026 - 12 - 01)), Some(date!(2026 - 12 - 31)))
        );
    }

    #[test]
    fn a_barcode_alone_is_searched_whatever_its_date() {
        let mut e = Vec::new();
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(" rr 473124829 be ".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(f.barcode.as_ref().unwrap().as_str(), "RR473124829BE");
        assert_eq!(span(&f), (None, None));
        // With a date, the dates apply as for any search.
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(NATIONAL.into()),
                from: Some("2026-10-05".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(
            span(&f),
            (Some(date!(2026 - 10 - 05)), Some(date!(2026 - 10 - 31)))
        );
    }

    #[test]
    fn one_date_alone_keeps_to_its_month() {
        let mut e = Vec::new();
        let one = |from: Option<&str>, to: Option<&str>, e: &mut Vec<FieldError>| {
            let f = parse_filter(
                &FilterQuery {
                    from: from.map(str::to_owned),
                    to: to.map(str::to_owned),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            );
            span(&f)
        };
        assert_eq!(
            one(None, Some("2026-10-20"), &mut e),
            (Some(date!(2026 - 10 - 01)), Some(date!(2026 - 10 - 20)))
        );
        assert_eq!(
            one(Some("2026-02-10"), Some(" "), &mut e),
            (Some(date!(2026 - 02 - 10)), Some(date!(2026 - 02 - 28)))
        );
        assert!(e.is_empty());
        // A bad date is an error, and the other is not stretched to guess.
        assert_eq!(one(Some("2026-02-30"), None, &mut e), (None, None));
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut e = Vec::new();
        parse_filter(
            &FilterQuery {
                barcode: Some("RR473124828BE".into()),
                from: Some("2026-02-30".into()),
                to: Some("yesterday".into()),
                recipient: Some("x".repeat(MAX_RECIPIENT_CHARS + 1)),
                acknowledgement: Some("yes".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(
            fields(&e),
            ["barcode", "from", "to", "recipient", "acknowledgement"]
        );
        assert_eq!(e[0].code, "barcode_check_digit");
        assert_eq!(
            e[0].message,
            "barcode RR473124828BE: check digit should be 9"
        );
    }

    #[test]
    fn a_reversed_range_is_an_error_on_to() {
        let mut e = Vec::new();
        parse_filter(
            &FilterQuery {
                from: Some("2026-11-10".into()),
                to: Some("2026-11-09".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(fields(&e), ["to"]);
        assert_eq!(e[0].code, "range_reversed");
    }

    #[test]
    fn acknowledgement_is_true_false_or_any() {
        let mut e = Vec::new();
        let ack = |s: &str, e: &mut Vec<FieldError>| {
            parse_filter(
                &FilterQuery {
                    acknowledgement: Some(s.into()),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            )
            .acknowledgement
        };
        assert_eq!(ack("true", &mut e), Some(true));
        assert_eq!(ack("false", &mut e), Some(false));
        assert_eq!(ack(" ", &mut e), None);
        assert!(e.is_empty());
        assert_eq!(ack("TRUE1", &mut e), None);
        assert_eq!(fields(&e), ["acknowledgement"]);
    }

    #[test]
    fn cursors_belong_to_the_filter_and_customer() {
        let mut e = Vec::new();
        let filter = |recipient: &str, e: &mut Vec<FieldError>| {
            parse_filter(
                &FilterQuery {
                    recipient: Some(recipient.into()),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            )
        };
        let a = After {
            deposit_date: date!(2026 - 11 - 20),
            id: 42,
        };
        let f = filter("dubois", &mut e);
        let c = paging::encode_cursor(&f.cursor_key(7), &a);
        let decode = |f: &Filter, customer: i64, e: &mut Vec<FieldError>| {
            paging::decode_cursor::<After>(Some(&c), &f.cursor_key(customer), e)
        };
        assert_eq!(decode(&f, 7, &mut e), Some(a));
        assert_eq!(decode(&filter(" dubois ", &mut e), 7, &mut e), Some(a));
        assert!(e.is_empty());
        assert_eq!(decode(&filter("martin", &mut e), 7, &mut e), None);
        assert_eq!(decode(&f, 8, &mut e), None);
        // The old plain cursor (`date_id`) is no cursor of this list any more.
        assert_eq!(
            paging::decode_cursor::<After>(Some("2026-11-20_42"), &f.cursor_key(7), &mut e),
            None
        );
        assert_eq!(e.len(), 3);
        assert!(e.iter().all(|f| f.code == "invalid_cursor"));
        assert!(fields(&e).iter().all(|f| *f == "cursor"));
    }

    #[test]
    fn params_and_file_names_give_the_search_back() {
        let mut e = Vec::new();
        let f = parse_filter(
            &FilterQuery {
                barcode: Some(" rr 473124829 be ".into()),
                recipient: Some(" 50% off ".into()),
                acknowledgement: Some("false".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            f.params(),
            vec![
                ("barcode", "RR473124829BE".to_owned()),
                ("recipient", "50% off".to_owned()),
                ("acknowledgement", "false".to_owned()),
            ]
        );
        assert_eq!(f.file_stem(), "registered-items-RR473124829BE");
        let month = parse_filter(&q(), date!(2026 - 11 - 26), &mut e);
        assert_eq!(
            month.params(),
            vec![
                ("from", "2026-11-01".to_owned()),
                ("to", "2026-11-30".to_owned())
            ]
        );
        assert_eq!(month.file_stem(), "registered-items-2026-11-01-2026-11-30");
    }

    #[test]
    fn the_audit_keeps_the_filter_as_given() {
        let given = given_filter(&FilterQuery::read(Some(
            "recipient=DUBOIS&from=2026-10-01&barcode=&cost_centre=%20",
        )));
        assert_eq!(
            serde_json::Value::Object(given),
            serde_json::json!({"filter": {"recipient": "DUBOIS", "from": "2026-10-01"}})
        );
    }

    #[test]
    fn empty_texts_are_none() {
        let item = RegisteredItem::from(ItemRow {
            id: 1,
            barcode: NATIONAL.into(),
            deposit_date: date!(2026 - 11 - 02),
            collection_point: "CP1".into(),
            cost_centre: None,
            product_code: "R01".into(),
            acknowledgement: true,
            recipient_name: Some("Marie".into()),
            recipient_street: Some(String::new()),
            recipient_postcode: Some(" ".into()),
            recipient_city: None,
            recipient_country: Some("BE".into()),
        });
        assert_eq!(item.recipient_name.as_deref(), Some("Marie"));
        assert_eq!(
            (
                item.recipient_street,
                item.recipient_postcode,
                item.recipient_city
            ),
            (None, None, None)
        );
    }
}
