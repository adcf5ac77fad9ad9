//! The feed tables as the staging area knows them: each one's staging and target table, its
//! stored columns with their SQL types and feed columns, and its natural key; a staged row.

use time::Date;

/// How a staged column is declared and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Int,
    Text,
    Date,
    Bool,
}

/// A column of a feed table as stored (ids resolved), with the feed column it comes from, which
/// is the column a problem with it is reported on.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub ty: SqlType,
    pub feed: &'static str,
}

const fn col(name: &'static str, ty: SqlType, feed: &'static str) -> Column {
    Column { name, ty, feed }
}

/// One feed's target table: its stored columns, the leading `key_len` of which are the natural key.
#[derive(Debug)]
pub struct Table {
    /// The staging table's name; it exists nowhere else, so unqualified SQL finds it.
    pub staging: &'static str,
    pub target: &'static str,
    pub columns: &'static [Column],
    pub key_len: usize,
    /// The target has a `created_at` column, set to the publish time.
    pub created_at: bool,
}

impl Table {
    /// The natural key's columns.
    pub fn key(&self) -> &'static [Column] {
        &self.columns[..self.key_len]
    }

    /// The columns after the key: those compared with what is stored.
    pub fn others(&self) -> &'static [Column] {
        &self.columns[self.key_len..]
    }

    /// The column a key problem is reported on, and the key's value shown: the last key column.
    pub fn key_shown(&self) -> &'static Column {
        &self.columns[self.key_len - 1]
    }
}

use SqlType::{Bool, Date as D, Int, Text};

pub static CUSTOMERS: Table = Table {
    staging: "import_customers",
    target: "customers",
    columns: &[
        col("customer_number", Text, "customer_number"),
        col("name", Text, "name"),
        col("vat_number", Text, "vat_number"),
        col("language", Text, "language"),
        col("street", Text, "street"),
        col("postcode", Text, "postcode"),
        col("city", Text, "city"),
        col("country", Text, "country"),
    ],
    key_len: 1,
    created_at: true,
};

pub static COST_CENTRES: Table = Table {
    staging: "import_cost_centres",
    target: "cost_centres",
    columns: &[
        col("customer_id", Int, "customer_number"),
        col("code", Text, "code"),
        col("name", Text, "name"),
    ],
    key_len: 2,
    created_at: false,
};

pub static COLLECTION_POINTS: Table = Table {
    staging: "import_collection_points",
    target: "collection_points",
    columns: &[
        col("customer_id", Int, "customer_number"),
        col("code", Text, "code"),
        col("name", Text, "name"),
        col("street", Text, "street"),
        col("postcode", Text, "postcode"),
        col("city", Text, "city"),
    ],
    key_len: 2,
    created_at: false,
};

pub static PRODUCTS: Table = Table {
    staging: "import_products",
    target: "products",
    columns: &[
        col("code", Text, "code"),
        col("kind", Text, "kind"),
        col("vat_rate", Int, "vat_rate"),
        col("name_fr", Text, "name_fr"),
        col("name_nl", Text, "name_nl"),
        col("name_de", Text, "name_de"),
        col("name_en", Text, "name_en"),
    ],
    key_len: 1,
    created_at: false,
};

pub static TRANSACTIONS: Table = Table {
    staging: "import_transactions",
    target: "transactions",
    columns: &[
        col("transaction_id", Text, "transaction_id"),
        col("customer_id", Int, "customer_number"),
        col("date", D, "date"),
        col("collection_point_id", Int, "collection_point"),
        col("cost_centre_id", Int, "cost_centre"),
        col("product_id", Int, "product_code"),
        col("format", Text, "format"),
        col("weight_class", Text, "weight_class"),
        col("destination", Text, "destination"),
        col("quantity", Int, "quantity"),
        col("unit_price_millis", Int, "unit_price"),
        col("amount_cents", Int, "unit_price"),
    ],
    key_len: 1,
    created_at: false,
};

pub static REGISTERED_ITEMS: Table = Table {
    staging: "import_registered_items",
    target: "registered_items",
    columns: &[
        col("barcode", Text, "barcode"),
        col("customer_id", Int, "customer_number"),
        col("deposit_date", D, "deposit_date"),
        col("collection_point_id", Int, "collection_point"),
        col("cost_centre_id", Int, "cost_centre"),
        col("product_id", Int, "product_code"),
        col("acknowledgement", Bool, "acknowledgement"),
        col("recipient_name", Text, "recipient_name"),
        col("recipient_street", Text, "recipient_street"),
        col("recipient_postcode", Text, "recipient_postcode"),
        col("recipient_city", Text, "recipient_city"),
        col("recipient_country", Text, "recipient_country"),
    ],
    key_len: 1,
    created_at: false,
};

/// Every feed table, in the order the feeds depend on each other.
pub static ALL: [&Table; 6] = [
    &CUSTOMERS,
    &COST_CENTRES,
    &COLLECTION_POINTS,
    &PRODUCTS,
    &TRANSACTIONS,
    &REGISTERED_ITEMS,
];

/// A staged value, in the order of its table's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Date(Date),
    Bool(bool),
}

impl Value {
    /// Whether the value may be stored in a column of type `ty` (NULL fits any).
    pub fn fits(&self, ty: SqlType) -> bool {
        matches!(
            (self, ty),
            (Value::Null, _)
                | (Value::Int(_), SqlType::Int)
                | (Value::Text(_), SqlType::Text)
                | (Value::Date(_), SqlType::Date)
                | (Value::Bool(_), SqlType::Bool)
        )
    }
}

/// A resolved row of the file, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedRow {
    pub line: i64,
    pub values: Vec<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_key_and_others() {
        for t in ALL {
            assert!(
                t.key_len >= 1 && t.key_len < t.columns.len(),
                "{}",
                t.target
            );
            assert!(t.staging.starts_with("import_"));
            assert_eq!(t.key().len() + t.others().len(), t.columns.len());
        }
    }

    #[test]
    fn values_fit_their_column_types_and_null_fits_all() {
        assert!(Value::Int(1).fits(SqlType::Int));
        assert!(!Value::Int(1).fits(SqlType::Text));
        assert!(Value::Null.fits(SqlType::Date));
        assert!(!Value::Bool(true).fits(SqlType::Int));
    }
}
