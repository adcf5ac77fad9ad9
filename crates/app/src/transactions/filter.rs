//! The transactions list's parameters: the query as typed, read once for the page, the API
//! and the export; the checked filter and sort; and the cursor's position in the list.

use crate::{
    FieldError,
    calendar::{TypedDays, typed_days},
    paging::{self, CursorKey, PageQuery, ParamDoc, Position, query_value},
};
use cs_domain::{CustomerId, DateRange, calendar::iso, feeds::Destination};
use cs_store::repo::transactions as repo;
use time::Date;

/// The longest range one request may cover, in days (a leap year): the totals are computed
/// over the whole filter on every page, and this keeps that work bounded.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The longest code accepted in a filter; longer is malformed, not just unknown.
const CODE_MAX_CHARS: usize = 50;

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

    pub(super) fn order(self) -> repo::Order {
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
    pub(super) fn cursor_key(&self, customer_id: CustomerId) -> Vec<(&'static str, String)> {
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
    pub(super) after: Option<repo::After>,
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
pub(super) fn typed_code(v: &Option<String>) -> Option<&str> {
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
/// codes are the customer's is checked against the store ([`crate::paging::Codes`]).
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
    customer_id: CustomerId,
) -> Result<PageRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let filter = parse_filter(&q.filter, today, &mut errors);
    page_of(filter, &q.page, customer_id, errors)
}

pub(super) fn page_of(
    filter: Option<Filter>,
    page: &PageQuery,
    customer_id: CustomerId,
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
        parse_page(&q(pairs), TODAY, CustomerId::new(CUSTOMER))
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
        let feb = parse_page(&q(&[]), date!(2028 - 02 - 10), CustomerId::new(CUSTOMER)).unwrap();
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
        let c = paging::encode_cursor(&r.filter.cursor_key(CustomerId::new(CUSTOMER)), &after);
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
            let e = parse_page(&other, TODAY, CustomerId::new(CUSTOMER)).unwrap_err();
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].code, "invalid_cursor");
            assert_eq!(e[0].field.as_deref(), Some("cursor"));
        }
        let e = parse_page(
            &q(&[("product", "P1"), ("cursor", &c)]),
            TODAY,
            CustomerId::new(CUSTOMER + 1),
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
