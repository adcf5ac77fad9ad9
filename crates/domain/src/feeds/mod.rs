//! The operator's data feeds of SPEC §4, first and pure layer: the six kinds and their columns,
//! the header check, and each row's fields parsed into a typed record with every problem named.
//!
//! Nothing here reads a file or knows CSV: the importer splits the file (RFC 4180) and hands
//! over header names and field strings. What needs other rows or the database — a registered
//! item's product being of kind `registered`, the customer, product, collection point and cost
//! centre existing, a key already present with other values — is checked by the importer
//! against the store after this layer, not here.

use std::{fmt, str::FromStr};

mod fields;
mod header;
mod records;
#[cfg(test)]
#[allow(
    clippy::too_many_lines,
    clippy::cognitive_complexity,
    reason = "a test reads top to bottom as one scenario"
)]
mod tests;

pub use fields::*;
pub use header::*;
pub use records::*;

/// The six feeds, named as on the command line (`collectstamp import KIND FILE`) and in the API
/// path (`/api/v1/operator/imports/{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    Customers,
    CostCentres,
    CollectionPoints,
    Products,
    Transactions,
    RegisteredItems,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown feed {0:?}: expected customers, cost-centres, collection-points, products, transactions or registered-items"
)]
pub struct UnknownFeedKind(pub String);

impl UnknownFeedKind {
    pub fn code(&self) -> &'static str {
        "feed_kind_unknown"
    }
}

const CUSTOMERS: &[&str] = &[
    "customer_number",
    "name",
    "vat_number",
    "language",
    "street",
    "postcode",
    "city",
    "country",
];
const COST_CENTRES: &[&str] = &["customer_number", "code", "name"];
const COLLECTION_POINTS: &[&str] = &[
    "customer_number",
    "code",
    "name",
    "street",
    "postcode",
    "city",
];
const PRODUCTS: &[&str] = &[
    "code", "kind", "vat_rate", "name_fr", "name_nl", "name_de", "name_en",
];
const TRANSACTIONS: &[&str] = &[
    "transaction_id",
    "customer_number",
    "date",
    "collection_point",
    "cost_centre",
    "product_code",
    "format",
    "weight_class",
    "destination",
    "quantity",
    "unit_price",
];
const REGISTERED_ITEMS: &[&str] = &[
    "barcode",
    "customer_number",
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

impl FeedKind {
    pub const ALL: [FeedKind; 6] = [
        FeedKind::Customers,
        FeedKind::CostCentres,
        FeedKind::CollectionPoints,
        FeedKind::Products,
        FeedKind::Transactions,
        FeedKind::RegisteredItems,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Customers => "customers",
            FeedKind::CostCentres => "cost-centres",
            FeedKind::CollectionPoints => "collection-points",
            FeedKind::Products => "products",
            FeedKind::Transactions => "transactions",
            FeedKind::RegisteredItems => "registered-items",
        }
    }

    /// The header names of SPEC §4, in the spec's order (a file may order them as it likes).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            FeedKind::Customers => CUSTOMERS,
            FeedKind::CostCentres => COST_CENTRES,
            FeedKind::CollectionPoints => COLLECTION_POINTS,
            FeedKind::Products => PRODUCTS,
            FeedKind::Transactions => TRANSACTIONS,
            FeedKind::RegisteredItems => REGISTERED_ITEMS,
        }
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FeedKind {
    type Err = UnknownFeedKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeedKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownFeedKind(excerpt(s)))
    }
}

/// `line N, column C: what is wrong` (SPEC §4), N counting the header as line 1 and C the
/// column's header name.
pub fn line_error(line: u64, column: &str, message: &str) -> String {
    format!("line {line}, column {column}: {message}")
}

/// At most the first 20 characters of a rejected value, so an absurd field cannot blow up a
/// report of a thousand lines.
pub(super) fn excerpt(s: &str) -> String {
    match s.char_indices().nth(20) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}
