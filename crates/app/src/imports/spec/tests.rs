//! Every feed's spec held against the domain: its staged columns report on the feed's own
//! columns, and a parsed sample row stages each value in the column that names its field.

use super::*;
use cs_domain::feeds::{self, FeedKind};
use cs_store::staging::SqlType;
use std::collections::BTreeSet;

/// A valid row of each kind, in the order of `kind.columns()`.
fn sample(kind: FeedKind) -> &'static str {
    match kind {
        FeedKind::Customers => {
            "8800123,Imprimerie Van Damme,BE0428759497,fr,Chaussée de Mons 214,1070,Anderlecht,BE"
        }
        FeedKind::CostCentres => "8800456,BURG,Burgerzaken",
        FeedKind::CollectionPoints => "8800456,STADHUIS,Stadhuis,Grote Markt 9,3000,Leuven",
        FeedKind::Products => "CS-FEE,service,21,Redevance C&S,Vergoeding C&S,Gebühr C&S,C&S fee",
        FeedKind::Transactions => {
            "OP-1,8800456,2026-11-03,STADHUIS,BURG,PRIOR-BE,small,0-50g,BE,214,1.450"
        }
        FeedKind::RegisteredItems => {
            "RR473124829BE,8800456,2026-11-03,STADHUIS,BURG,REG-INT,false,Jan,Straat 1,3000,Leuven,FR"
        }
    }
}

/// The ids the sample rows' codes resolve to.
fn refs() -> Refs {
    let mut r = Refs::default();
    r.customers.insert("8800456".into(), 11);
    r.points.insert((11, "STADHUIS".into()), 21);
    r.centres.insert((11, "BURG".into()), 31);
    r.products.insert("PRIOR-BE".into(), (41, "postage".into()));
    r.products
        .insert("REG-INT".into(), (42, "registered".into()));
    r
}

/// The value a stored column must hold for a sample row, from the raw field of its feed column.
fn expected(kind: FeedKind, column: &str, ty: SqlType, raw: &str) -> Value {
    match (column, ty) {
        ("customer_id", _) => Value::Int(11),
        ("collection_point_id", _) => Value::Int(21),
        ("cost_centre_id", _) => Value::Int(31),
        ("product_id", _) if kind == FeedKind::Transactions => Value::Int(41),
        ("product_id", _) => Value::Int(42),
        ("unit_price_millis", _) => Value::Int(1450),
        // 214 × 1.450 € = 310.30 €.
        ("amount_cents", _) => Value::Int(31_030),
        (_, SqlType::Int) => Value::Int(raw.parse().unwrap()),
        (_, SqlType::Text) => Value::Text(raw.to_owned()),
        (_, SqlType::Date) => Value::Date(cs_domain::dates::parse_date(raw).unwrap()),
        (_, SqlType::Bool) => Value::Bool(raw == "true"),
    }
}

#[test]
fn every_kind_has_its_own_spec() {
    let mut staging_tables = BTreeSet::new();
    for kind in FeedKind::ALL {
        let spec = FeedSpec::of(kind);
        assert_eq!(spec.kind, kind);
        assert!(staging_tables.insert(spec.table.staging), "{kind}");
    }
    let all: Vec<FeedKind> = FeedSpec::ALL.iter().map(|s| s.kind).collect();
    assert_eq!(all, FeedKind::ALL);
}

#[test]
fn staged_columns_report_on_exactly_the_feed_columns() {
    for spec in FeedSpec::ALL {
        let reported: BTreeSet<&str> = spec.table.columns.iter().map(|c| c.feed).collect();
        let domain: BTreeSet<&str> = spec.kind.columns().iter().copied().collect();
        assert_eq!(reported, domain, "{}", spec.kind);
    }
}

#[test]
fn a_sample_row_stages_every_value_in_the_column_of_its_field() {
    let refs = refs();
    for spec in FeedSpec::ALL {
        let kind = spec.kind;
        let header = kind.columns();
        let map = feeds::map_header(kind, header).unwrap();
        let fields: Vec<&str> = sample(kind).split(',').collect();
        let record = feeds::parse_row(kind, &map, &fields).unwrap();
        let values = spec.stage(&refs, record).unwrap();
        assert_eq!(values.len(), spec.table.columns.len(), "{kind}");
        for (column, value) in spec.table.columns.iter().zip(&values) {
            assert!(value.fits(column.ty), "{kind}.{}: {value:?}", column.name);
            let at = header.iter().position(|c| *c == column.feed).unwrap();
            let want = expected(kind, column.name, column.ty, fields[at]);
            assert_eq!(*value, want, "{kind}.{} from {}", column.name, column.feed);
        }
    }
}

#[test]
fn a_row_of_another_kind_is_refused_not_staged() {
    let kind = FeedKind::CostCentres;
    let map = feeds::map_header(kind, kind.columns()).unwrap();
    let fields: Vec<&str> = sample(kind).split(',').collect();
    let record = feeds::parse_row(kind, &map, &fields).unwrap();
    let problems = FeedSpec::of(FeedKind::Products)
        .stage(&refs(), record)
        .unwrap_err();
    assert_eq!(problems[0].0, "*");
}

#[test]
fn references_are_resolved_with_every_problem_named() {
    let spec = FeedSpec::of(FeedKind::RegisteredItems);
    let kind = spec.kind;
    let map = feeds::map_header(kind, kind.columns()).unwrap();
    let line = sample(kind)
        .replace("STADHUIS", "NOWHERE")
        .replace("REG-INT", "PRIOR-BE");
    let fields: Vec<&str> = line.split(',').collect();
    let record = feeds::parse_row(kind, &map, &fields).unwrap();
    let problems = spec.stage(&refs(), record).unwrap_err();
    let columns: Vec<&str> = problems.iter().map(|p| p.0).collect();
    assert_eq!(columns, ["product_code", "collection_point"]);
    assert_eq!(
        problems[0].1,
        "product PRIOR-BE is of kind postage, not registered"
    );
}
