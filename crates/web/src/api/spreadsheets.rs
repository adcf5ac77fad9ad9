//! The exports as people download them (`format=xlsx|csv-excel`): each export's spreadsheet
//! in the reader's language (headers, sheet name, a kind and a total per column) and its rows
//! with product names beside codes and codes put into words. The API's CSV keeps the
//! contract's columns, written beside each handler.

use crate::export::{Cell, Column, Format, Kind, Spreadsheet, Total};
use cs_app::{
    App, AppError,
    i18n::t,
    products::{self, ProductNames},
    registered_items::RegisteredItem,
    transactions::Transaction,
};
use cs_domain::Language;

/// The reader of a download for people: the language of its words and the products' names.
#[derive(Debug, Clone)]
pub struct Reader {
    pub lang: Language,
    pub names: ProductNames,
}

impl Reader {
    /// The reader of a download in `format` for a caller reading `lang`: `None` for the
    /// API's CSV, which has neither words nor names.
    pub async fn for_format(
        app: &App,
        format: Format,
        lang: Language,
    ) -> Result<Option<Reader>, AppError> {
        if !format.for_people() {
            return Ok(None);
        }
        Ok(Some(Reader {
            lang,
            names: products::names(app, lang).await?,
        }))
    }

    fn product(&self, code: &str) -> Cell {
        self.names
            .get(code)
            .map_or(Cell::Empty, |n| Cell::Text(n.to_owned()))
    }

    fn yes_no(&self, yes: bool) -> Cell {
        Cell::Text(t(self.lang, if yes { "export-yes" } else { "export-no" }))
    }

    /// A code in words by the key `prefix` + the code in lower case, or the code itself when
    /// it has no words (a value the feeds added later).
    fn words(&self, prefix: &str, code: Option<String>) -> Cell {
        let Some(code) = code else {
            return Cell::Empty;
        };
        let key = format!("{prefix}{}", code.to_lowercase());
        let text = t(self.lang, &key);
        Cell::Text(if text == key { code } else { text })
    }
}

/// The columns of `spec` (translation key, kind, total) in `lang`.
fn spreadsheet(lang: Language, sheet: &str, spec: &[(&str, Kind, Total)]) -> Spreadsheet {
    Spreadsheet {
        sheet: t(lang, sheet),
        columns: spec
            .iter()
            .map(|(key, kind, total)| Column {
                header: t(lang, key),
                kind: *kind,
                total: *total,
            })
            .collect(),
        total_label: t(lang, "export-total"),
        lang,
    }
}

/// Transactions in the page's order, the product's name after its code; the quantity and the
/// amount are added up.
pub fn transactions(lang: Language) -> Spreadsheet {
    spreadsheet(
        lang,
        "export-tx-sheet",
        &[
            ("export-tx-id", Kind::Text(18), Total::None),
            ("export-tx-date", Kind::Date, Total::None),
            ("export-tx-collection-point", Kind::Text(12), Total::None),
            ("export-tx-cost-centre", Kind::Text(12), Total::None),
            ("export-tx-product-code", Kind::Text(12), Total::None),
            ("export-tx-product", Kind::Text(30), Total::None),
            ("export-tx-format", Kind::Text(12), Total::None),
            ("export-tx-weight-class", Kind::Text(10), Total::None),
            ("export-tx-destination", Kind::Text(16), Total::None),
            ("export-tx-quantity", Kind::Count, Total::Sum),
            ("export-tx-unit-price", Kind::UnitEuros, Total::None),
            ("export-tx-amount", Kind::Euros, Total::Sum),
        ],
    )
}

/// A transaction's cells in the order of [`transactions`].
pub fn transaction_cells(tx: Transaction, r: &Reader) -> Vec<Cell> {
    let product = r.product(&tx.product_code);
    vec![
        Cell::Text(tx.transaction_id),
        Cell::Date(tx.date),
        Cell::Text(tx.collection_point),
        Cell::opt_text(tx.cost_centre),
        Cell::Text(tx.product_code),
        product,
        r.words("format-", tx.format),
        Cell::opt_text(tx.weight_class),
        r.words("destination-", tx.destination),
        Cell::Int(tx.quantity),
        Cell::Millis(tx.unit_price.0),
        Cell::Cents(tx.amount.0),
    ]
}

/// Registered items, deposit date first so that the totals row's label stands before the
/// count of barcodes; recipients' addresses in columns of their own.
pub fn registered_items(lang: Language) -> Spreadsheet {
    spreadsheet(
        lang,
        "export-ri-sheet",
        &[
            ("export-ri-deposit-date", Kind::Date, Total::None),
            ("export-ri-barcode", Kind::Text(32), Total::Count),
            ("export-ri-collection-point", Kind::Text(12), Total::None),
            ("export-ri-cost-centre", Kind::Text(12), Total::None),
            ("export-ri-product-code", Kind::Text(12), Total::None),
            ("export-ri-product", Kind::Text(30), Total::None),
            ("export-ri-acknowledgement", Kind::Text(8), Total::None),
            ("export-ri-recipient", Kind::Text(28), Total::None),
            ("export-ri-street", Kind::Text(28), Total::None),
            ("export-ri-postcode", Kind::Text(8), Total::None),
            ("export-ri-city", Kind::Text(18), Total::None),
            ("export-ri-country", Kind::Text(6), Total::None),
        ],
    )
}

/// An item's cells in the order of [`registered_items`].
pub fn registered_item_cells(i: RegisteredItem, r: &Reader) -> Vec<Cell> {
    let product = r.product(&i.product_code);
    vec![
        Cell::Date(i.deposit_date),
        Cell::Text(i.barcode),
        Cell::Text(i.collection_point),
        Cell::opt_text(i.cost_centre),
        Cell::Text(i.product_code),
        product,
        r.yes_no(i.acknowledgement),
        Cell::opt_text(i.recipient_name),
        Cell::opt_text(i.recipient_street),
        Cell::opt_text(i.recipient_postcode),
        Cell::opt_text(i.recipient_city),
        Cell::opt_text(i.recipient_country),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cs_domain::{Cents, UnitPriceMillis};
    use time::macros::date;

    fn reader(lang: Language) -> Reader {
        Reader {
            lang,
            names: [("LETTER".to_owned(), "Lettre prioritaire".to_owned())]
                .into_iter()
                .collect(),
        }
    }

    fn transaction() -> Transaction {
        Transaction {
            transaction_id: "T-1".into(),
            date: date!(2026 - 11 - 03),
            collection_point: "HQ".into(),
            cost_centre: None,
            product_code: "LETTER".into(),
            format: Some("large".into()),
            weight_class: Some("0-50g".into()),
            destination: Some("WORLD".into()),
            quantity: 3,
            unit_price: UnitPriceMillis(985),
            amount: Cents(296),
        }
    }

    #[test]
    fn a_transaction_reads_in_words_with_its_product_name_and_euros() {
        let cells = transaction_cells(transaction(), &reader(Language::Fr));
        let sheet = transactions(Language::Fr);
        assert_eq!(cells.len(), sheet.columns.len());
        assert_eq!(sheet.columns[5].header, "Produit");
        assert_eq!(sheet.sheet, "Transactions");
        assert_eq!(cells[4], Cell::Text("LETTER".into()));
        assert_eq!(cells[5], Cell::Text("Lettre prioritaire".into()));
        assert_eq!(cells[6], Cell::Text("Grand format".into()));
        assert_eq!(cells[8], Cell::Text("Reste du monde".into()));
        assert_eq!(cells[3], Cell::Empty);
        assert_eq!(
            (&cells[10], &cells[11]),
            (&Cell::Millis(985), &Cell::Cents(296))
        );
        let unknown = Transaction {
            product_code: "NEW".into(),
            format: Some("tiny".into()),
            ..transaction()
        };
        let cells = transaction_cells(unknown, &reader(Language::Nl));
        assert_eq!(
            cells[5],
            Cell::Empty,
            "a code the catalogue lacks has no name"
        );
        assert_eq!(
            cells[6],
            Cell::Text("tiny".into()),
            "a code without words stays"
        );
    }

    #[test]
    fn the_totals_sit_under_quantities_amounts_and_barcodes_with_the_label_first() {
        for sheet in [transactions(Language::De), registered_items(Language::De)] {
            assert_eq!(sheet.columns[0].total, Total::None, "{}", sheet.sheet);
            assert_eq!(sheet.total_label, "Gesamt");
        }
        let tx = transactions(Language::En);
        let summed: Vec<&str> = tx
            .columns
            .iter()
            .filter(|c| c.total == Total::Sum)
            .map(|c| c.header.as_str())
            .collect();
        assert_eq!(summed, ["Quantity", "Amount"]);
        assert_eq!(
            registered_items(Language::Nl).columns[1].total,
            Total::Count
        );
    }
}
