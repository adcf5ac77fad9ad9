//! Registered items (SPEC §3 journey 6): the search of a customer's items by barcode, deposit
//! dates, recipient, collection point, cost centre and acknowledgement of receipt, paged, with
//! the count of the whole filter, and its export. Which items a caller may see (the tenant and
//! the cost-centre limits) is decided once, in [`scope`]; the filter as typed becomes domain
//! values in [`parse_filter`], every bad field reported at once.

use crate::{
    Actor, App, AppError, FieldError, RequestMeta, error::AppResult, exports::Running, paging,
};
use cs_domain::{Barcode, Module};
use cs_store::repo::{
    customers,
    registered_items::{self as repo, After, CostCentreScope, ItemFilter, ItemRow},
};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use time::{Date, macros::format_description};

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

/// The search as typed (query string or form); blank means no filter.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
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
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// The filter in domain values, with the default dates applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub barcode: Option<Barcode>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub recipient: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub acknowledgement: Option<bool>,
}

/// A code and name of the customer's, for the search form's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Whose items a caller sees: the customer, and the cost centres within it. Only [`scope`]
/// makes one, so every search and export goes through the same decision.
#[derive(Debug, Clone)]
pub struct Scope {
    customer_id: i64,
    customer_number: String,
    customer_name: String,
    cost_centre_scope: CostCentreScope,
    collection_points: Vec<Choice>,
    cost_centres: Vec<Choice>,
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
        &self.collection_points
    }

    /// The cost centres the caller may see: all of the customer's, or those it is limited to.
    pub fn cost_centres(&self) -> &[Choice] {
        &self.cost_centres
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
    let collection_points = customers::collection_points(&mut conn.conn(), customer.id)
        .await?
        .into_iter()
        .map(|p| Choice {
            id: p.id,
            code: p.code,
            name: p.name,
        })
        .collect();
    let limited = !actor.cost_centres.is_empty();
    let cost_centres = customers::cost_centres(&mut conn.conn(), customer.id)
        .await?
        .into_iter()
        .filter(|c| !limited || actor.cost_centres.contains(&c.code))
        .map(|c| Choice {
            id: c.id,
            code: c.code,
            name: c.name,
        })
        .collect();
    Ok(Scope {
        customer_id: customer.id,
        customer_number: customer.customer_number,
        customer_name: customer.name,
        cost_centre_scope: if limited {
            CostCentreScope::LimitsOf(actor.user_id)
        } else {
            CostCentreScope::All
        },
        collection_points,
        cost_centres,
    })
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

/// The first and last day of the month `today` falls in.
pub fn month_of(today: Date) -> (Date, Date) {
    let first = today.replace_day(1).unwrap_or(today);
    let last = first
        .replace_day(today.month().length(today.year()))
        .unwrap_or(today);
    (first, last)
}

/// A barcode as people and scanners type it: spaces anywhere are dropped, then
/// [`Barcode::parse`] trims, uppercases and checks it.
pub fn normalise_barcode(s: &str) -> Result<Barcode, cs_domain::barcode::BarcodeError> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    Barcode::parse(&compact)
}

/// The typed filter as domain values; each bad field adds its error. Without any date, the
/// range is the month of `today`, except for a barcode search, which finds the item whatever
/// its date. `from` alone runs to the end of its month, `to` alone from the start of its
/// month (as on the transactions page).
pub fn parse_filter(q: &ItemQuery, today: Date, errors: &mut Vec<FieldError>) -> Filter {
    let barcode = given(&q.barcode).and_then(|b| match normalise_barcode(b) {
        Ok(b) => Some(b),
        Err(e) => {
            errors.push(FieldError::field("barcode", e.code(), e.to_string()));
            None
        }
    });
    let mut date = |field: &str, raw: Option<&str>| {
        let raw = raw?;
        match cs_domain::dates::parse_date(raw) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::field(field, e.code(), e.to_string()));
                None
            }
        }
    };
    let (from_raw, to_raw) = (given(&q.from), given(&q.to));
    let mut from = date("from", from_raw);
    let mut to = date("to", to_raw);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push(FieldError::field(
            "to",
            "range_reversed",
            "the end date is before the start date",
        ));
    }
    match (from, to) {
        (Some(f), None) if to_raw.is_none() => to = Some(month_of(f).1),
        (None, Some(t)) if from_raw.is_none() => from = Some(month_of(t).0),
        _ if from_raw.is_none() && to_raw.is_none() && given(&q.barcode).is_none() => {
            let (first, last) = month_of(today);
            from = Some(first);
            to = Some(last);
        }
        _ => {}
    }
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
        from,
        to,
        recipient,
        collection_point: given(&q.collection_point).map(str::to_owned),
        cost_centre: given(&q.cost_centre).map(str::to_owned),
        acknowledgement,
    }
}

/// A page's cursor: the deposit date and id of its last item (`2026-11-20_42`).
fn cursor_of(a: After) -> String {
    let date = a
        .deposit_date
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    format!("{date}_{}", a.id)
}

fn parse_cursor(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<After> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let parsed = raw.split_once('_').and_then(|(d, id)| {
        let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
        Some(After {
            deposit_date: parse_date(d)?,
            id,
        })
    });
    if parsed.is_none() {
        errors.push(paging::invalid_cursor());
    }
    parsed
}

/// The filter for the store: codes resolved against the scope's choices (an unknown code,
/// or a cost centre outside the caller's limits, is an error on its field).
fn store_filter(scope: &Scope, f: &Filter, errors: &mut Vec<FieldError>) -> ItemFilter {
    let collection_point_id = f.collection_point.as_deref().and_then(|code| {
        let id = scope
            .collection_points
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.id);
        if id.is_none() {
            errors.push(FieldError::field(
                "collection_point",
                "unknown_collection_point",
                "choose one of the customer's collection points",
            ));
        }
        id
    });
    let cost_centre_id = f.cost_centre.as_deref().and_then(|code| {
        let id = scope
            .cost_centres
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.id);
        if id.is_none() {
            errors.push(FieldError::field(
                "cost_centre",
                "unknown_cost_centre",
                "choose one of your cost centres",
            ));
        }
        id
    });
    ItemFilter {
        customer_id: scope.customer_id,
        scope: scope.cost_centre_scope,
        barcode: f.barcode.as_ref().map(|b| b.as_str().to_owned()),
        from: f.from,
        to: f.to,
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

/// Checks the query and resolves it into the store's filter; all errors at once.
fn checked(
    app: &App,
    scope: &Scope,
    q: &ItemQuery,
) -> AppResult<(Filter, ItemFilter, Option<After>, i64)> {
    let mut errors = Vec::new();
    let filter = parse_filter(q, app.today(), &mut errors);
    let store_filter = store_filter(scope, &filter, &mut errors);
    let after = parse_cursor(q.cursor.as_deref(), &mut errors);
    let limit = paging::limit(q.limit.as_deref(), &mut errors);
    if errors.is_empty() {
        Ok((filter, store_filter, after, limit))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// A page of the scope's items matching `q`, newest deposit first, with the count of the
/// whole filter.
pub async fn search(app: &App, scope: &Scope, q: &ItemQuery) -> AppResult<ItemPage> {
    let (filter, f, after, limit) = checked(app, scope, q)?;
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::list(&mut conn.conn(), &f, after, limit + 1).await?;
    let more = paging::cut(&mut rows, limit);
    let next_cursor = more
        .then(|| rows.last().map(|r| cursor_of(r.after())))
        .flatten();
    let total = repo::count(&mut conn.conn(), &f).await?;
    Ok(ItemPage {
        items: rows.into_iter().map(RegisteredItem::from).collect(),
        next_cursor,
        total,
        filter,
    })
}

/// An export: the filter applied (with its default dates) and its items.
pub struct ItemExport {
    pub filter: Filter,
    /// Every item of the filter in the list's order, read in bounded chunks.
    pub items: BoxStream<'static, AppResult<RegisteredItem>>,
    /// Its place under the export caps; audited as [`action::EXPORTED`] when it ends.
    pub running: Running,
}

/// Every item of the filter (cursor and limit are ignored), in the list's order: an export
/// of exactly what the search shows, whatever its size. It takes a place under the export
/// caps (429 `too_many_exports`) and, since the rows carry recipients' personal data, is
/// audited when it ends: who, the filter as given, the rows sent and how it ended.
pub fn export(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    scope: &Scope,
    q: &ItemQuery,
) -> AppResult<ItemExport> {
    let q = ItemQuery {
        cursor: None,
        limit: None,
        ..q.clone()
    };
    let (filter, f, _, _) = checked(app, scope, &q)?;
    let running = app.begin_export(scope.customer_id)?.audited(
        app,
        actor,
        meta,
        action::EXPORTED,
        ("customer", scope.customer_number.clone()),
        given_filter(&q),
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
fn given_filter(q: &ItemQuery) -> serde_json::Map<String, serde_json::Value> {
    let given = [
        ("barcode", &q.barcode),
        ("from", &q.from),
        ("to", &q.to),
        ("recipient", &q.recipient),
        ("collection_point", &q.collection_point),
        ("cost_centre", &q.cost_centre),
        ("acknowledgement", &q.acknowledgement),
    ];
    let filter: serde_json::Map<String, serde_json::Value> = given
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (k.to_owned(), v.into()))
        })
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

    fn q() -> ItemQuery {
        ItemQuery::default()
    }

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().filter_map(|f| f.field.as_deref()).collect()
    }

    #[test]
    fn without_dates_the_month_of_today_is_searched() {
        let mut e = Vec::new();
        let f = parse_filter(&q(), date!(2026 - 02 - 14), &mut e);
        assert!(e.is_empty());
        assert_eq!(
            (f.from, f.to),
            (Some(date!(2026 - 02 - 01)), Some(date!(2026 - 02 - 28)))
        );
        let f = parse_filter(&q(), date!(2028 - 02 - 29), &mut e);
        assert_eq!(f.to, Some(date!(2028 - 02 - 29)));
        let f = parse_filter(&q(), date!(2026 - 12 - 31), &mut e);
        assert_eq!(
            (f.from, f.to),
            (Some(date!(2026 - 12 - 01)), Some(date!(2026 - 12 - 31)))
        );
    }

    #[test]
    fn a_barcode_alone_is_searched_whatever_its_date() {
        let mut e = Vec::new();
        let f = parse_filter(
            &ItemQuery {
                barcode: Some(" rr 473124829 be ".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(f.barcode.unwrap().as_str(), "RR473124829BE");
        assert_eq!((f.from, f.to), (None, None));
        // With a date, the dates apply as for any search.
        let f = parse_filter(
            &ItemQuery {
                barcode: Some(NATIONAL.into()),
                from: Some("2026-10-05".into()),
                ..q()
            },
            date!(2026 - 11 - 26),
            &mut e,
        );
        assert_eq!(
            (f.from, f.to),
            (Some(date!(2026 - 10 - 05)), Some(date!(2026 - 10 - 31)))
        );
    }

    #[test]
    fn one_date_alone_keeps_to_its_month() {
        let mut e = Vec::new();
        let one = |from: Option<&str>, to: Option<&str>, e: &mut Vec<FieldError>| {
            let f = parse_filter(
                &ItemQuery {
                    from: from.map(str::to_owned),
                    to: to.map(str::to_owned),
                    ..q()
                },
                date!(2026 - 11 - 26),
                e,
            );
            (f.from, f.to)
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
            &ItemQuery {
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
            &ItemQuery {
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
                &ItemQuery {
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
    fn cursors_round_trip_and_refuse_nonsense() {
        let a = After {
            deposit_date: date!(2026 - 11 - 20),
            id: 42,
        };
        assert_eq!(cursor_of(a), "2026-11-20_42");
        let mut e = Vec::new();
        assert_eq!(parse_cursor(Some("2026-11-20_42"), &mut e), Some(a));
        assert_eq!(parse_cursor(None, &mut e), None);
        assert!(e.is_empty());
        for bad in ["42", "2026-11-20_0", "2026-11-31_4", "x_1", "2026-11-20_"] {
            assert_eq!(parse_cursor(Some(bad), &mut e), None, "{bad}");
        }
        assert_eq!(e.len(), 5);
        assert!(fields(&e).iter().all(|f| *f == "cursor"));
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
