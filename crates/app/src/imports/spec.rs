//! One [`FeedSpec`] per feed kind, the one place that ties a kind's domain columns, its staging
//! table (name, columns, key, target) and the order a row's values are staged in together.
//!
//! The importer reads everything of a kind from its spec; the tests below hold every spec
//! against the domain's columns and a parsed sample row, and `tests/feed_specs.rs` against
//! the tables the database declares, on both backends.

use super::refs::{RefProblem, Reference, Refs, SiteCodes};
use cs_domain::feeds::{FeedKind, FeedRecord};
use cs_store::staging::{self, Table, Value};

/// A row's staged values, in its table's column order, or the problems of its references.
pub(super) type Staged = Result<Vec<Value>, Vec<RefProblem>>;

/// Everything the importer knows of one feed kind.
pub struct FeedSpec {
    /// The domain's feed: its header columns are `kind.columns()`, its rows parse into the
    /// [`FeedRecord`] of this kind.
    pub kind: FeedKind,
    /// The staging table a file is loaded into and the table it is published to; its columns
    /// are the order of a staged row's values, each naming the feed column it comes from.
    pub table: &'static Table,
    /// The reference data a row names, loaded once per run.
    pub references: &'static [Reference],
    /// A parsed row → its staged values, in `table.columns` order.
    stage: fn(&Refs, FeedRecord) -> Staged,
}

impl FeedSpec {
    /// The spec of every kind, in the order the feeds depend on each other.
    pub const ALL: [&'static FeedSpec; 6] = [
        &CUSTOMERS,
        &COST_CENTRES,
        &COLLECTION_POINTS,
        &PRODUCTS,
        &TRANSACTIONS,
        &REGISTERED_ITEMS,
    ];

    /// The spec of `kind`.
    pub fn of(kind: FeedKind) -> &'static FeedSpec {
        match kind {
            FeedKind::Customers => &CUSTOMERS,
            FeedKind::CostCentres => &COST_CENTRES,
            FeedKind::CollectionPoints => &COLLECTION_POINTS,
            FeedKind::Products => &PRODUCTS,
            FeedKind::Transactions => &TRANSACTIONS,
            FeedKind::RegisteredItems => &REGISTERED_ITEMS,
        }
    }

    /// Resolves a parsed row of this kind into its staged values.
    pub(super) fn stage(&self, refs: &Refs, record: FeedRecord) -> Staged {
        (self.stage)(refs, record)
    }
}

static CUSTOMERS: FeedSpec = FeedSpec {
    kind: FeedKind::Customers,
    table: &staging::CUSTOMERS,
    references: &[],
    stage: stage_customer,
};

static COST_CENTRES: FeedSpec = FeedSpec {
    kind: FeedKind::CostCentres,
    table: &staging::COST_CENTRES,
    references: &[Reference::Customers],
    stage: stage_cost_centre,
};

static COLLECTION_POINTS: FeedSpec = FeedSpec {
    kind: FeedKind::CollectionPoints,
    table: &staging::COLLECTION_POINTS,
    references: &[Reference::Customers],
    stage: stage_collection_point,
};

static PRODUCTS: FeedSpec = FeedSpec {
    kind: FeedKind::Products,
    table: &staging::PRODUCTS,
    references: &[],
    stage: stage_product,
};

const SITE: &[Reference] = &[
    Reference::Customers,
    Reference::CollectionPoints,
    Reference::CostCentres,
    Reference::Products,
];

static TRANSACTIONS: FeedSpec = FeedSpec {
    kind: FeedKind::Transactions,
    table: &staging::TRANSACTIONS,
    references: SITE,
    stage: stage_transaction,
};

static REGISTERED_ITEMS: FeedSpec = FeedSpec {
    kind: FeedKind::RegisteredItems,
    table: &staging::REGISTERED_ITEMS,
    references: SITE,
    stage: stage_registered_item,
};

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt(s: Option<impl Into<String>>) -> Value {
    s.map_or(Value::Null, text)
}

fn id(id: Option<i64>) -> Value {
    id.map_or(Value::Null, Value::Int)
}

/// The record of the one kind a stage function takes (the reader parses every row of a file
/// as the file's kind, so another kind is a mistake of the caller's, refused as a problem).
macro_rules! record_of {
    ($record:expr, $variant:ident) => {
        match $record {
            FeedRecord::$variant(r) => r,
            other => {
                let message = format!("a {} row is not a row of this feed", other.kind());
                let args = vec![
                    ("reference", "row_kind".to_owned()),
                    ("value", other.kind().as_str().to_owned()),
                ];
                return Err(vec![("*", message, args)]);
            }
        }
    };
}

fn stage_customer(_: &Refs, record: FeedRecord) -> Staged {
    let r = record_of!(record, Customer);
    Ok(vec![
        text(r.customer_number.as_str()),
        text(r.name),
        text(r.vat_number.as_str()),
        text(r.language.code()),
        text(r.street),
        text(r.postcode),
        text(r.city),
        text(r.country),
    ])
}

fn stage_cost_centre(refs: &Refs, record: FeedRecord) -> Staged {
    let r = record_of!(record, CostCentre);
    let customer = refs
        .customer(r.customer_number.as_str())
        .map_err(|e| vec![e])?;
    Ok(vec![Value::Int(customer), text(r.code), text(r.name)])
}

fn stage_collection_point(refs: &Refs, record: FeedRecord) -> Staged {
    let r = record_of!(record, CollectionPoint);
    let customer = refs
        .customer(r.customer_number.as_str())
        .map_err(|e| vec![e])?;
    Ok(vec![
        Value::Int(customer),
        text(r.code),
        text(r.name),
        text(r.street),
        text(r.postcode),
        text(r.city),
    ])
}

fn stage_product(_: &Refs, record: FeedRecord) -> Staged {
    let r = record_of!(record, Product);
    let [fr, nl, de, en] = r.names;
    Ok(vec![
        text(r.code),
        text(r.kind.as_str()),
        Value::Int(i64::from(r.vat_rate)),
        text(fr),
        text(nl),
        text(de),
        text(en),
    ])
}

fn stage_transaction(refs: &Refs, record: FeedRecord) -> Staged {
    let r = record_of!(record, Transaction);
    let site = refs.site(&SiteCodes {
        customer: r.customer_number.as_str(),
        point: &r.collection_point,
        centre: r.cost_centre.as_deref(),
        product: &r.product_code,
        product_kind: None,
    })?;
    Ok(vec![
        text(r.transaction_id),
        Value::Int(site.customer.get()),
        Value::Date(r.date),
        Value::Int(site.point),
        id(site.centre),
        Value::Int(site.product),
        opt(r.format.map(|f| f.as_str())),
        opt(r.weight_class),
        opt(r.destination.map(|d| d.as_str())),
        Value::Int(r.quantity),
        Value::Int(r.unit_price.0),
        Value::Int(r.amount.0),
    ])
}

fn stage_registered_item(refs: &Refs, record: FeedRecord) -> Staged {
    let r = record_of!(record, RegisteredItem);
    let site = refs.site(&SiteCodes {
        customer: r.customer_number.as_str(),
        point: &r.collection_point,
        centre: r.cost_centre.as_deref(),
        product: &r.product_code,
        product_kind: Some("registered"),
    })?;
    Ok(vec![
        text(r.barcode.as_str()),
        Value::Int(site.customer.get()),
        Value::Date(r.deposit_date),
        Value::Int(site.point),
        id(site.centre),
        Value::Int(site.product),
        Value::Bool(r.acknowledgement),
        text(r.recipient_name),
        text(r.recipient_street),
        text(r.recipient_postcode),
        text(r.recipient_city),
        text(r.recipient_country),
    ])
}

#[cfg(test)]
mod tests;
