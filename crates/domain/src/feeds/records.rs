//! One row of a feed parsed into its typed record (customer, cost centre, collection point,
//! product, transaction, registered item), every problem of the row named by its column.

use super::fields::*;
use super::*;
use crate::{
    Barcode, Cents, CustomerNumber, Language, UnitPriceMillis, VatNumber, money::line_amount,
};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub customer_number: CustomerNumber,
    pub name: String,
    pub vat_number: VatNumber,
    pub language: Language,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// Two uppercase letters.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCentreRow {
    pub customer_number: CustomerNumber,
    /// 1 to 20 characters.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionPointRow {
    pub customer_number: CustomerNumber,
    pub code: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub code: String,
    pub kind: ProductKind,
    /// A whole percentage, 0 to 100.
    pub vat_rate: u8,
    /// In the order of [`Language::ALL`]: fr, nl, de, en.
    pub names: [String; 4],
}

impl ProductRow {
    pub fn name(&self, language: Language) -> &str {
        let i = Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or(3);
        self.names.get(i).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow {
    pub transaction_id: String,
    pub customer_number: CustomerNumber,
    pub date: Date,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    pub product_code: String,
    pub format: Option<Format>,
    pub weight_class: Option<String>,
    pub destination: Option<Destination>,
    /// 1 to 1,000,000.
    pub quantity: i64,
    pub unit_price: UnitPriceMillis,
    /// quantity × unit price, half-up to the cent.
    pub amount: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredItemRow {
    pub barcode: Barcode,
    pub customer_number: CustomerNumber,
    pub deposit_date: Date,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    /// Must be a product of kind `registered`: checked against the catalogue by the importer.
    pub product_code: String,
    /// Acknowledgement of receipt (`AR`).
    pub acknowledgement: bool,
    pub recipient_name: String,
    pub recipient_street: String,
    pub recipient_postcode: String,
    pub recipient_city: String,
    /// Two uppercase letters.
    pub recipient_country: String,
}

/// One parsed row of any feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedRecord {
    Customer(CustomerRow),
    CostCentre(CostCentreRow),
    CollectionPoint(CollectionPointRow),
    Product(ProductRow),
    Transaction(TransactionRow),
    RegisteredItem(RegisteredItemRow),
}

impl FeedRecord {
    pub fn kind(&self) -> FeedKind {
        match self {
            FeedRecord::Customer(_) => FeedKind::Customers,
            FeedRecord::CostCentre(_) => FeedKind::CostCentres,
            FeedRecord::CollectionPoint(_) => FeedKind::CollectionPoints,
            FeedRecord::Product(_) => FeedKind::Products,
            FeedRecord::Transaction(_) => FeedKind::Transactions,
            FeedRecord::RegisteredItem(_) => FeedKind::RegisteredItems,
        }
    }
}

/// What is wrong with one field of a row: the column by its header name, and a message for
/// the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub column: &'static str,
    pub message: String,
    /// A stable code for tests and API clients (`quantity_out_of_range`, `vat_checksum`, …).
    pub code: &'static str,
    /// The values the message names (`value`, `max`, …), so that a page can say the same
    /// in its reader's language: the machine form of the problem, beside its English words.
    pub args: Vec<(&'static str, String)>,
}

impl FieldProblem {
    fn new(column: &'static str, e: &dyn Coded) -> Self {
        Self {
            column,
            message: e.to_string(),
            code: e.code(),
            args: e.args(),
        }
    }

    /// `line N, column C: what is wrong`.
    pub fn to_line_error(&self, line: u64) -> String {
        line_error(line, self.column, &self.message)
    }
}

/// A row's fields by column name, gathering every problem.
struct Row<'a> {
    map: &'a ColumnMap,
    fields: &'a [&'a str],
    problems: Vec<FieldProblem>,
}

impl<'a> Row<'a> {
    fn raw(&self, column: &'static str) -> &'a str {
        // The row's width was checked against the map, so the field is there.
        self.map
            .position(column)
            .and_then(|i| self.fields.get(i))
            .copied()
            .unwrap_or("")
    }

    fn take<T, E: Coded>(
        &mut self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(self.raw(column)) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(FieldProblem::new(column, &e));
                None
            }
        }
    }

    fn text(&mut self, column: &'static str, max: usize) -> Option<String> {
        self.take(column, |s| text(s, max))
    }

    fn optional_text(&mut self, column: &'static str, max: usize) -> Option<Option<String>> {
        self.take(column, |s| optional_text(s, max))
    }

    fn customer_number(&mut self) -> Option<CustomerNumber> {
        self.take("customer_number", CustomerNumber::parse)
    }

    fn finish<T>(self, record: Option<T>) -> Result<T, Vec<FieldProblem>> {
        match record {
            Some(r) if self.problems.is_empty() => Ok(r),
            _ => Err(self.problems),
        }
    }
}

/// Parses one row of `kind` whose fields are laid out as `map` says. Every problem of the row
/// is returned, each naming its column; a row with the wrong number of fields is one problem.
///
/// Only what one row shows is checked here. Checks that need other rows or the store (the
/// references exist, a registered item's product is of kind `registered`, a key already
/// imported with other values) belong to the importer, after this.
pub fn parse_row(
    kind: FeedKind,
    map: &ColumnMap,
    fields: &[&str],
) -> Result<FeedRecord, Vec<FieldProblem>> {
    let first = map.in_file_order.first().copied().unwrap_or("");
    if map.kind != kind {
        let e = FieldError::KindMismatch {
            mapped: map.kind,
            asked: kind,
        };
        return Err(vec![FieldProblem::new(first, &e)]);
    }
    if fields.len() != map.width() {
        let e = FieldError::FieldCount {
            found: fields.len(),
            expected: map.width(),
        };
        // The first column without a field, or the last column when there are too many.
        let column = map
            .in_file_order
            .get(fields.len())
            .or(map.in_file_order.last())
            .copied()
            .unwrap_or(first);
        return Err(vec![FieldProblem::new(column, &e)]);
    }
    let mut row = Row {
        map,
        fields,
        problems: Vec::new(),
    };
    let record = match kind {
        FeedKind::Customers => customer(&mut row).map(FeedRecord::Customer),
        FeedKind::CostCentres => cost_centre(&mut row).map(FeedRecord::CostCentre),
        FeedKind::CollectionPoints => collection_point(&mut row).map(FeedRecord::CollectionPoint),
        FeedKind::Products => product(&mut row).map(FeedRecord::Product),
        FeedKind::Transactions => transaction(&mut row).map(FeedRecord::Transaction),
        FeedKind::RegisteredItems => registered_item(&mut row).map(FeedRecord::RegisteredItem),
    };
    row.finish(record)
}

fn customer(row: &mut Row<'_>) -> Option<CustomerRow> {
    let customer_number = row.customer_number();
    let name = row.text("name", limits::NAME);
    let vat_number = row.take("vat_number", VatNumber::parse);
    let language = row.take("language", parse_language);
    let street = row.text("street", limits::STREET);
    let postcode = row.text("postcode", limits::POSTCODE);
    let city = row.text("city", limits::CITY);
    let country = row.take("country", parse_country);
    Some(CustomerRow {
        customer_number: customer_number?,
        name: name?,
        vat_number: vat_number?,
        language: language?,
        street: street?,
        postcode: postcode?,
        city: city?,
        country: country?,
    })
}

fn cost_centre(row: &mut Row<'_>) -> Option<CostCentreRow> {
    let customer_number = row.customer_number();
    let code = row.text("code", limits::COST_CENTRE_CODE);
    let name = row.text("name", limits::NAME);
    Some(CostCentreRow {
        customer_number: customer_number?,
        code: code?,
        name: name?,
    })
}

fn collection_point(row: &mut Row<'_>) -> Option<CollectionPointRow> {
    let customer_number = row.customer_number();
    let code = row.text("code", limits::COLLECTION_POINT_CODE);
    let name = row.text("name", limits::NAME);
    let street = row.text("street", limits::STREET);
    let postcode = row.text("postcode", limits::POSTCODE);
    let city = row.text("city", limits::CITY);
    Some(CollectionPointRow {
        customer_number: customer_number?,
        code: code?,
        name: name?,
        street: street?,
        postcode: postcode?,
        city: city?,
    })
}

fn product(row: &mut Row<'_>) -> Option<ProductRow> {
    let code = row.text("code", limits::PRODUCT_CODE);
    let kind = row.take("kind", |s| s.trim().parse::<ProductKind>());
    let vat_rate = row.take("vat_rate", parse_vat_rate);
    let fr = row.text("name_fr", limits::NAME);
    let nl = row.text("name_nl", limits::NAME);
    let de = row.text("name_de", limits::NAME);
    let en = row.text("name_en", limits::NAME);
    Some(ProductRow {
        code: code?,
        kind: kind?,
        vat_rate: vat_rate?,
        names: [fr?, nl?, de?, en?],
    })
}

fn transaction(row: &mut Row<'_>) -> Option<TransactionRow> {
    let transaction_id = row.text("transaction_id", limits::TRANSACTION_ID);
    let customer_number = row.customer_number();
    let date = row.take("date", parse_date);
    let collection_point = row.text("collection_point", limits::COLLECTION_POINT_CODE);
    let cost_centre = row.optional_text("cost_centre", limits::COST_CENTRE_CODE);
    let product_code = row.text("product_code", limits::PRODUCT_CODE);
    let format = row.take("format", optional::<Format>);
    let weight_class = row.optional_text("weight_class", limits::WEIGHT_CLASS);
    let destination = row.take("destination", optional::<Destination>);
    let quantity = row.take("quantity", parse_quantity);
    let unit_price = row.take("unit_price", UnitPriceMillis::parse_decimal);
    let (quantity, unit_price) = (quantity?, unit_price?);
    // Both in range, so this cannot overflow; should it ever, it is the price's problem.
    let amount = row.take("unit_price", |_| line_amount(quantity, unit_price));
    Some(TransactionRow {
        transaction_id: transaction_id?,
        customer_number: customer_number?,
        date: date?,
        collection_point: collection_point?,
        cost_centre: cost_centre?,
        product_code: product_code?,
        format: format?,
        weight_class: weight_class?,
        destination: destination?,
        quantity,
        unit_price,
        amount: amount?,
    })
}

fn registered_item(row: &mut Row<'_>) -> Option<RegisteredItemRow> {
    let barcode = row.take("barcode", Barcode::parse);
    let customer_number = row.customer_number();
    let deposit_date = row.take("deposit_date", parse_date);
    let collection_point = row.text("collection_point", limits::COLLECTION_POINT_CODE);
    let cost_centre = row.optional_text("cost_centre", limits::COST_CENTRE_CODE);
    let product_code = row.text("product_code", limits::PRODUCT_CODE);
    let acknowledgement = row.take("acknowledgement", parse_bool);
    let recipient_name = row.text("recipient_name", limits::NAME);
    let recipient_street = row.text("recipient_street", limits::STREET);
    let recipient_postcode = row.text("recipient_postcode", limits::POSTCODE);
    let recipient_city = row.text("recipient_city", limits::CITY);
    let recipient_country = row.take("recipient_country", parse_country);
    Some(RegisteredItemRow {
        barcode: barcode?,
        customer_number: customer_number?,
        deposit_date: deposit_date?,
        collection_point: collection_point?,
        cost_centre: cost_centre?,
        product_code: product_code?,
        acknowledgement: acknowledgement?,
        recipient_name: recipient_name?,
        recipient_street: recipient_street?,
        recipient_postcode: recipient_postcode?,
        recipient_city: recipient_city?,
        recipient_country: recipient_country?,
    })
}
