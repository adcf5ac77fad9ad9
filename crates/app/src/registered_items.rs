//! Registered items (SPEC §3 journey 6): the search of a customer's items by barcode, deposit
//! dates, recipient, collection point, cost centre and acknowledgement of receipt, paged, with
//! the count of the whole filter, and its export. Which items a caller may see (the tenant and
//! the cost-centre limits) is decided once, in [`scope`]; the filter as typed becomes domain
//! values in [`parse_filter`], every bad field reported at once.

use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    error::AppResult,
    exports::Running,
    paging::{self, Codes},
};
use cs_domain::{CustomerId, DateRange, Module};
use cs_store::repo::{
    customers,
    registered_items::{self as repo, After, CostCentreScope, ItemFilter, ItemRow},
};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use time::Date;

mod filter;

pub use crate::paging::Choice;
pub use filter::*;

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

/// Rows an export reads at a time: its memory bound.
const EXPORT_CHUNK: i64 = 1_000;

/// Whose items a caller sees: the customer, and the cost centres within it. Only [`scope`]
/// makes one, so every search and export goes through the same decision.
#[derive(Debug, Clone)]
pub struct Scope {
    customer_id: CustomerId,
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
    let customer = customers::by_id(&mut conn.conn(), tenant.customer_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let codes = Codes::load(&mut conn.conn(), CustomerId::new(customer.id), actor).await?;
    Ok(Scope {
        customer_id: CustomerId::new(customer.id),
        customer_number: customer.customer_number,
        customer_name: customer.name,
        cost_centre_scope: if actor.cost_centres.is_empty() {
            CostCentreScope::All
        } else {
            CostCentreScope::LimitsOf(actor.user_id.get())
        },
        codes,
    })
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
        customer_id: scope.customer_id.get(),
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
