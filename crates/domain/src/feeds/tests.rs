//! The feeds' parsing as the operator's files exercise it: the spec's example files, headers,
//! every rule one bad value at a time, and properties over generated rows.

use super::*;
use crate::{Cents, CustomerNumber, Language, UnitPriceMillis};
use proptest::prelude::*;
use time::Date;
use time::Month;

/// Splits one CSV line the RFC 4180 way (enough for the examples: quotes, doubled quotes,
/// commas inside quotes). The importer uses a real CSV reader.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// Parses a whole example file: header and rows.
fn parse_file(kind: FeedKind, text: &str) -> Vec<Result<FeedRecord, Vec<FieldProblem>>> {
    let mut lines = text.lines();
    let header = split(lines.next().unwrap());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let map = map_header(kind, &header).unwrap();
    lines
        .map(|l| {
            let f = split(l);
            let f: Vec<&str> = f.iter().map(String::as_str).collect();
            parse_row(kind, &map, &f)
        })
        .collect()
}

fn map(kind: FeedKind) -> ColumnMap {
    map_header(kind, kind.columns()).unwrap()
}

/// The problems of one row given as a CSV line under the spec's header.
fn problems(kind: FeedKind, line: &str) -> Vec<(&'static str, &'static str)> {
    let f = split(line);
    let f: Vec<&str> = f.iter().map(String::as_str).collect();
    parse_row(kind, &map(kind), &f)
        .unwrap_err()
        .into_iter()
        .map(|p| (p.column, p.code))
        .collect()
}

fn one(kind: FeedKind, line: &str) -> FeedRecord {
    let f = split(line);
    let f: Vec<&str> = f.iter().map(String::as_str).collect();
    parse_row(kind, &map(kind), &f).unwrap()
}

const CUSTOMERS_CSV: &str = "customer_number,name,vat_number,language,street,postcode,city,country
8800123,\"Imprimerie Van Damme & Fils SA\",BE0428759497,fr,Chaussée de Mons 214,1070,Anderlecht,BE
8800456,Stad Leuven – Dienst Burgerzaken,BE0207519226,nl,Professor Van Overstraetenplein 1,3000,Leuven,BE
8800789,Weinhandlung Kessler GmbH,BE0835221171,de,Klötzerbahn 20,4700,Eupen,BE";

const COST_CENTRES_CSV: &str = "customer_number,code,name
8800456,BURG,Burgerzaken
8800456,FIN,\"Financiën, boekhouding\"";

const COLLECTION_POINTS_CSV: &str = "customer_number,code,name,street,postcode,city
8800456,STADHUIS,Stadhuis,Grote Markt 9,3000,Leuven
8800456,ARCHIEF,Stadsarchief,Vaartkom 3,3000,Leuven";

const PRODUCTS_CSV: &str = "code,kind,vat_rate,name_fr,name_nl,name_de,name_en
PRIOR-BE,postage,0,Prior national,Prior nationaal,Prior national,Prior domestic
NONPRIOR-BE,postage,0,Non Prior national,Non Prior nationaal,Non Prior national,Non Prior domestic
PRIOR-EU,postage,0,Prior Europe,Prior Europa,Prior Europa,Prior Europe
REG-BE,registered,0,Recommandé national,Aangetekend nationaal,Einschreiben national,Registered domestic
REG-INT,registered,0,Recommandé international,Aangetekend internationaal,Einschreiben international,Registered international
CS-FEE,service,21,Redevance Collect & Stamp,Vergoeding Collect & Stamp,Gebühr Collect & Stamp,Collect & Stamp fee";

const REGISTERED_ITEMS_CSV: &str = "barcode,customer_number,deposit_date,collection_point,cost_centre,product_code,acknowledgement,recipient_name,recipient_street,recipient_postcode,recipient_city,recipient_country
010000000000000000000000000017,8800456,2026-11-03,STADHUIS,BURG,REG-BE,true,\"Peeters, Jan\",Naamsestraat 22,3000,Leuven,BE
RR473124829BE,8800456,2026-11-03,STADHUIS,BURG,REG-INT,false,Élodie Müller-Dubois,Rue de Rivoli 12,75001,Paris,FR";

const TRANSACTIONS_CSV: &str = "transaction_id,customer_number,date,collection_point,cost_centre,product_code,format,weight_class,destination,quantity,unit_price
OP-20261103-000001,8800456,2026-11-03,STADHUIS,BURG,PRIOR-BE,small,0-50g,BE,214,1.450
OP-20261103-000002,8800456,2026-11-03,STADHUIS,FIN,NONPRIOR-BE,large,101-350g,BE,37,2.985
OP-20261103-000003,8800456,2026-11-03,STADHUIS,,CS-FEE,,,,1,12.500";

const TX: &str = "OP-1,8800456,2026-11-03,STADHUIS,BURG,PRIOR-BE,small,0-50g,BE,214,1.450";
const RI: &str =
    "RR473124829BE,8800456,2026-11-03,STADHUIS,BURG,REG-INT,false,Jan,Straat 1,3000,Leuven,BE";

fn date(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).unwrap()
}

#[test]
fn kinds_have_their_cli_names_and_spec_columns() {
    for k in FeedKind::ALL {
        assert_eq!(k.as_str().parse::<FeedKind>(), Ok(k));
        assert_eq!(k.to_string(), k.as_str());
    }
    assert_eq!(
        "cost-centres".parse::<FeedKind>(),
        Ok(FeedKind::CostCentres)
    );
    let e = "cost_centres".parse::<FeedKind>().unwrap_err();
    assert_eq!(e.code(), "feed_kind_unknown");
    assert!(e.to_string().contains("registered-items"));
    assert_eq!(
        FeedKind::Transactions.columns().join(","),
        TRANSACTIONS_CSV.lines().next().unwrap()
    );
    assert_eq!(
        FeedKind::RegisteredItems.columns().join(","),
        REGISTERED_ITEMS_CSV.lines().next().unwrap()
    );
    assert_eq!(
        FeedKind::Customers.columns().join(","),
        CUSTOMERS_CSV.lines().next().unwrap()
    );
    assert_eq!(
        FeedKind::Products.columns().join(","),
        PRODUCTS_CSV.lines().next().unwrap()
    );
    assert_eq!(
        FeedKind::CostCentres.columns().join(","),
        "customer_number,code,name"
    );
    assert_eq!(
        FeedKind::CollectionPoints.columns().join(","),
        "customer_number,code,name,street,postcode,city"
    );
}

#[test]
fn the_example_files_parse() {
    let c = parse_file(FeedKind::Customers, CUSTOMERS_CSV);
    assert_eq!(c.len(), 3);
    let FeedRecord::Customer(first) = c[0].clone().unwrap() else {
        panic!("not a customer")
    };
    assert_eq!(first.customer_number.as_str(), "8800123");
    assert_eq!(first.name, "Imprimerie Van Damme & Fils SA");
    assert_eq!(first.vat_number.to_string(), "BE0428759497");
    assert_eq!(first.language, Language::Fr);
    assert_eq!(first.street, "Chaussée de Mons 214");
    assert_eq!(first.country, "BE");
    assert!(c.iter().all(Result::is_ok), "{c:?}");

    let cc = parse_file(FeedKind::CostCentres, COST_CENTRES_CSV);
    assert_eq!(
        cc[1],
        Ok(FeedRecord::CostCentre(CostCentreRow {
            customer_number: CustomerNumber::parse("8800456").unwrap(),
            code: "FIN".into(),
            name: "Financiën, boekhouding".into(),
        }))
    );

    let cp = parse_file(FeedKind::CollectionPoints, COLLECTION_POINTS_CSV);
    assert!(cp.iter().all(Result::is_ok), "{cp:?}");

    let p = parse_file(FeedKind::Products, PRODUCTS_CSV);
    assert_eq!(p.len(), 6);
    let FeedRecord::Product(fee) = p[5].clone().unwrap() else {
        panic!("not a product")
    };
    assert_eq!(fee.code, "CS-FEE");
    assert_eq!(fee.kind, ProductKind::Service);
    assert_eq!(fee.vat_rate, 21);
    assert_eq!(fee.name(Language::De), "Gebühr Collect & Stamp");
    assert_eq!(fee.name(Language::En), "Collect & Stamp fee");
    let FeedRecord::Product(reg) = p[3].clone().unwrap() else {
        panic!("not a product")
    };
    assert_eq!(reg.kind, ProductKind::Registered);
    assert_eq!(reg.names[0], "Recommandé national");

    let r = parse_file(FeedKind::RegisteredItems, REGISTERED_ITEMS_CSV);
    let FeedRecord::RegisteredItem(national) = r[0].clone().unwrap() else {
        panic!("not an item")
    };
    assert_eq!(national.barcode.as_str(), "010000000000000000000000000017");
    assert!(national.acknowledgement);
    assert_eq!(national.recipient_name, "Peeters, Jan");
    assert_eq!(national.deposit_date, date(2026, Month::November, 3));
    let FeedRecord::RegisteredItem(s10) = r[1].clone().unwrap() else {
        panic!("not an item")
    };
    assert!(!s10.acknowledgement);
    assert_eq!(s10.recipient_name, "Élodie Müller-Dubois");
    assert_eq!(s10.recipient_country, "FR");
    assert_eq!(s10.cost_centre.as_deref(), Some("BURG"));

    let t = parse_file(FeedKind::Transactions, TRANSACTIONS_CSV);
    let tx: Vec<TransactionRow> = t
        .into_iter()
        .map(|r| match r.unwrap() {
            FeedRecord::Transaction(t) => t,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(tx[0].amount, Cents(31_030));
    assert_eq!(tx[0].format, Some(Format::Small));
    assert_eq!(tx[0].weight_class.as_deref(), Some("0-50g"));
    assert_eq!(tx[0].destination, Some(Destination::Be));
    assert_eq!(tx[1].amount, Cents(11_045)); // 37 × 2.985 = 110.445, half up
    assert_eq!(tx[1].unit_price, UnitPriceMillis(2_985));
    let fee = &tx[2];
    assert_eq!(fee.cost_centre, None);
    assert_eq!(fee.format, None);
    assert_eq!(fee.weight_class, None);
    assert_eq!(fee.destination, None);
    assert_eq!(fee.quantity, 1);
    assert_eq!(fee.amount, Cents(1_250));
    assert_eq!(fee.date, date(2026, Month::November, 3));
    assert_eq!(fee.transaction_id, "OP-20261103-000003");
}

#[test]
fn headers_in_any_order_with_blanks_and_a_bom() {
    let header = ["\u{feff}code", " name ", "customer_number"];
    let m = map_header(FeedKind::CostCentres, &header).unwrap();
    assert_eq!(m.width(), 3);
    assert_eq!(m.position("customer_number"), Some(2));
    assert_eq!(
        m.columns_in_file_order(),
        ["code", "name", "customer_number"]
    );
    let FeedRecord::CostCentre(r) = parse_row(
        FeedKind::CostCentres,
        &m,
        &["BURG", "Burgerzaken", "8800456"],
    )
    .unwrap() else {
        panic!("not a cost centre")
    };
    assert_eq!(r.code, "BURG");
    assert_eq!(r.customer_number.as_str(), "8800456");
}

#[test]
fn header_problems_name_every_column() {
    let e = map_header(
        FeedKind::CostCentres,
        &["customer_number", "code", "code", "colour", "code"],
    )
    .unwrap_err();
    let got: Vec<(&str, &str)> = e.iter().map(|p| (p.code(), p.column())).collect();
    assert_eq!(
        got,
        [
            ("header_duplicate_column", "code"),
            ("header_unknown_column", "colour"),
            ("header_missing_column", "name"),
        ]
    );
    assert_eq!(
        e[2].to_line_error(),
        "line 1, column name: column name is missing from the header: a cost-centres file needs it"
    );
    assert_eq!(
        e[1].to_string(),
        "column \"colour\" is not a column of a cost-centres file (extra columns are an error)"
    );
    assert_eq!(
        e[0].to_string(),
        "column code appears more than once in the header"
    );
    // A BOM elsewhere than the first name is not tolerated, nor an empty header.
    let e = map_header(
        FeedKind::CostCentres,
        &["customer_number", "\u{feff}code", "name"],
    )
    .unwrap_err();
    assert_eq!(e[0].code(), "header_unknown_column");
    let e = map_header(FeedKind::CostCentres, &[]).unwrap_err();
    assert_eq!(e.len(), 3);
    // Header names are case-sensitive, as in the spec.
    let e = map_header(FeedKind::CostCentres, &["customer_number", "Code", "name"]).unwrap_err();
    assert_eq!(e.len(), 2);
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_one_problem() {
    let m = map(FeedKind::CostCentres);
    let e = parse_row(FeedKind::CostCentres, &m, &["8800456", "BURG"]).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].column, "name");
    assert_eq!(e[0].code, "row_field_count");
    assert_eq!(
        e[0].to_line_error(7),
        "line 7, column name: the row has 2 fields but the header has 3 columns"
    );
    let e = parse_row(FeedKind::CostCentres, &m, &["x", "", "", "extra"]).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].column, "name");
    let e = parse_row(FeedKind::Products, &m, &["8800456", "BURG", "B"]).unwrap_err();
    assert_eq!(e[0].code, "feed_kind_mismatch");
}

#[test]
fn all_problems_of_a_row_are_reported() {
    let got = problems(
        FeedKind::Transactions,
        ",88A,2026-02-30,,,,tiny,,NL,0,0.9855",
    );
    assert_eq!(
        got,
        [
            ("transaction_id", "field_required"),
            ("customer_number", "customer_number_not_digits"),
            ("date", "date_invalid"),
            ("collection_point", "field_required"),
            ("product_code", "field_required"),
            ("format", "format_unknown"),
            ("destination", "destination_unknown"),
            ("quantity", "quantity_out_of_range"),
            ("unit_price", "price_too_many_decimals"),
        ]
    );
    let got = problems(
        FeedKind::RegisteredItems,
        "RR473124828BE,,03/11/2026,STADHUIS,,REG-INT,yes,,,,,Belgium",
    );
    assert_eq!(
        got,
        [
            ("barcode", "barcode_check_digit"),
            ("customer_number", "customer_number_empty"),
            ("deposit_date", "date_format"),
            ("acknowledgement", "boolean_format"),
            ("recipient_name", "field_required"),
            ("recipient_street", "field_required"),
            ("recipient_postcode", "field_required"),
            ("recipient_city", "field_required"),
            ("recipient_country", "country_format"),
        ]
    );
    let got = problems(FeedKind::Customers, "x,,BE0428759498,es,,,,");
    assert_eq!(
        got,
        [
            ("customer_number", "customer_number_not_digits"),
            ("name", "field_required"),
            ("vat_number", "vat_checksum"),
            ("language", "language_unknown"),
            ("street", "field_required"),
            ("postcode", "field_required"),
            ("city", "field_required"),
            ("country", "field_required"),
        ]
    );
    let got = problems(FeedKind::Products, ",stamp,6.5,,a,b,");
    assert_eq!(
        got,
        [
            ("code", "field_required"),
            ("kind", "product_kind_unknown"),
            ("vat_rate", "vat_rate_format"),
            ("name_fr", "field_required"),
            ("name_en", "field_required"),
        ]
    );
    let got = problems(FeedKind::CollectionPoints, "1,,,,,");
    assert_eq!(got.len(), 5);
}

/// A field as it would be written in a CSV line.
fn quote(value: &str) -> String {
    if value.contains([',', '"']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn tx_with(column: &str, value: &str) -> String {
    let i = FeedKind::Transactions
        .columns()
        .iter()
        .position(|c| *c == column)
        .unwrap();
    let mut f = split(TX);
    f[i] = quote(value);
    f.join(",")
}

fn tx_problem(column: &'static str, value: &str) -> &'static str {
    let got = problems(FeedKind::Transactions, &tx_with(column, value));
    assert_eq!(got.len(), 1, "{column}={value:?}: {got:?}");
    assert_eq!(got[0].0, column);
    got[0].1
}

fn tx_ok(column: &str, value: &str) -> TransactionRow {
    match one(FeedKind::Transactions, &tx_with(column, value)) {
        FeedRecord::Transaction(t) => t,
        other => panic!("{other:?}"),
    }
}

#[test]
fn transaction_rules_one_bad_value_each() {
    assert_eq!(tx_problem("transaction_id", " "), "field_required");
    assert_eq!(
        tx_problem("transaction_id", &"X".repeat(65)),
        "field_too_long"
    );
    assert_eq!(
        tx_problem("customer_number", "12345678901"),
        "customer_number_too_long"
    );
    assert_eq!(tx_problem("date", "2026-11-3"), "date_format");
    assert_eq!(tx_problem("date", "03-11-2026"), "date_format");
    assert_eq!(tx_problem("date", "2026/11/03"), "date_format");
    assert_eq!(tx_problem("date", "2026-13-01"), "date_invalid");
    assert_eq!(tx_problem("date", "2025-02-29"), "date_invalid");
    assert_eq!(tx_problem("date", "0226-11-03"), "date_year_out_of_range");
    assert_eq!(tx_problem("date", ""), "date_format");
    assert_eq!(tx_problem("collection_point", ""), "field_required");
    assert_eq!(
        tx_problem("collection_point", &"P".repeat(21)),
        "field_too_long"
    );
    assert_eq!(tx_problem("cost_centre", &"C".repeat(21)), "field_too_long");
    assert_eq!(tx_problem("product_code", "\t"), "field_required");
    assert_eq!(
        tx_problem("product_code", "PRIOR\u{7}BE"),
        "field_control_character"
    );
    assert_eq!(tx_problem("format", "Small"), "format_unknown");
    assert_eq!(tx_problem("format", "medium"), "format_unknown");
    assert_eq!(
        tx_problem("weight_class", &"9".repeat(21)),
        "field_too_long"
    );
    assert_eq!(tx_problem("destination", "be"), "destination_unknown");
    assert_eq!(tx_problem("destination", "ASIA"), "destination_unknown");
    assert_eq!(tx_problem("quantity", "0"), "quantity_out_of_range");
    assert_eq!(tx_problem("quantity", "1000001"), "quantity_out_of_range");
    assert_eq!(
        tx_problem("quantity", &"9".repeat(40)),
        "quantity_out_of_range"
    );
    assert_eq!(tx_problem("quantity", "-3"), "quantity_format");
    assert_eq!(tx_problem("quantity", "+3"), "quantity_format");
    assert_eq!(tx_problem("quantity", "2.0"), "quantity_format");
    assert_eq!(tx_problem("quantity", ""), "field_required");
    assert_eq!(tx_problem("unit_price", "1,45"), "price_comma_decimal");
    assert_eq!(
        tx_problem("unit_price", "1.4505"),
        "price_too_many_decimals"
    );
    assert_eq!(tx_problem("unit_price", "-1.45"), "price_sign");
    assert_eq!(tx_problem("unit_price", ""), "price_empty");
}

#[test]
fn transaction_values_at_the_edges() {
    assert_eq!(tx_ok("quantity", "1").quantity, 1);
    let big = tx_ok("quantity", "1000000");
    assert_eq!(big.amount, Cents(145_000_000));
    assert_eq!(tx_ok("cost_centre", "").cost_centre, None);
    assert_eq!(
        tx_ok("cost_centre", &"C".repeat(20))
            .cost_centre
            .unwrap()
            .len(),
        20
    );
    assert_eq!(tx_ok("weight_class", "  ").weight_class, None);
    assert_eq!(
        tx_ok("weight_class", "101-350g").weight_class.as_deref(),
        Some("101-350g")
    );
    assert_eq!(
        tx_ok("format", "cumbersome").format,
        Some(Format::Cumbersome)
    );
    assert_eq!(
        tx_ok("destination", "WORLD").destination,
        Some(Destination::World)
    );
    assert_eq!(
        tx_ok("destination", "EU").destination,
        Some(Destination::Eu)
    );
    assert_eq!(
        tx_ok("date", "2024-02-29").date,
        date(2024, Month::February, 29)
    );
    assert_eq!(
        tx_ok("collection_point", " STADHUIS ").collection_point,
        "STADHUIS"
    );
    let r = tx_ok("unit_price", "0.005");
    assert_eq!(r.amount, Cents(107)); // 214 × 0.005 = 1.070
    let r = tx_ok("unit_price", "0.985");
    assert_eq!(r.amount, Cents(21_079)); // 214 × 0.985 = 210.790
}

#[test]
fn registered_item_and_reference_rules() {
    fn ri(column: &str, value: &str) -> String {
        let i = FeedKind::RegisteredItems
            .columns()
            .iter()
            .position(|c| *c == column)
            .unwrap();
        let mut f = split(RI);
        f[i] = quote(value);
        f.join(",")
    }
    let p = |c: &str, v: &str| problems(FeedKind::RegisteredItems, &ri(c, v));
    assert_eq!(
        p("barcode", "01000000000000000000000000001"),
        [("barcode", "barcode_national_length")]
    );
    assert_eq!(
        p("acknowledgement", "TRUE"),
        [("acknowledgement", "boolean_format")]
    );
    assert_eq!(
        p("acknowledgement", ""),
        [("acknowledgement", "boolean_format")]
    );
    assert_eq!(
        p("acknowledgement", "1"),
        [("acknowledgement", "boolean_format")]
    );
    assert_eq!(
        p("recipient_country", "BEL"),
        [("recipient_country", "country_format")]
    );
    assert_eq!(
        p("recipient_country", "B1"),
        [("recipient_country", "country_format")]
    );
    // Two letters, but no country: the same table as the access request form.
    assert_eq!(
        p("recipient_country", "XX"),
        [("recipient_country", "country_unknown")]
    );
    assert_eq!(
        p("recipient_postcode", &"1".repeat(17)),
        [("recipient_postcode", "field_too_long")]
    );
    assert_eq!(
        p("recipient_name", "Jan\nPeeters"),
        [("recipient_name", "field_control_character")]
    );
    assert_eq!(
        p("deposit_date", "2026-11-31"),
        [("deposit_date", "date_invalid")]
    );
    let FeedRecord::RegisteredItem(r) = one(FeedKind::RegisteredItems, &ri("cost_centre", ""))
    else {
        panic!("not an item")
    };
    assert_eq!(r.cost_centre, None);
    // The product's kind is a cross-row check: any code parses here.
    let FeedRecord::RegisteredItem(r) =
        one(FeedKind::RegisteredItems, &ri("product_code", "PRIOR-BE"))
    else {
        panic!("not an item")
    };
    assert_eq!(r.product_code, "PRIOR-BE");
    assert_eq!(r.barcode.to_string(), "RR473124829BE");
}

#[test]
fn customer_product_and_code_rules() {
    let ok = "8800123,Van Damme,BE 0428.759.497,FR,Rue 1,1070,Anderlecht,be";
    let FeedRecord::Customer(c) = one(FeedKind::Customers, ok) else {
        panic!("not a customer")
    };
    assert_eq!(c.vat_number.to_string(), "BE0428759497");
    assert_eq!(c.language, Language::Fr);
    assert_eq!(c.country, "BE");
    assert_eq!(
        problems(FeedKind::Customers, "8800123,X,BE1428759497,en,S,1,C,BE"),
        [("vat_number", "vat_checksum")]
    );
    assert_eq!(
        problems(
            FeedKind::Customers,
            "8800123,X,BE0428759497,english,S,1,C,BE"
        ),
        [("language", "language_unknown")]
    );
    assert_eq!(
        problems(
            FeedKind::Customers,
            &format!("8800123,{},BE0428759497,en,S,1,C,BE", "n".repeat(201))
        ),
        [("name", "field_too_long")]
    );

    let product =
        |kind: &str, rate: &str| problems(FeedKind::Products, &format!("P,{kind},{rate},a,b,c,d"));
    for rate in ["0", "6", "12", "21", "100", " 21 "] {
        let FeedRecord::Product(p) = one(FeedKind::Products, &format!("P,parcel,{rate},a,b,c,d"))
        else {
            panic!("not a product")
        };
        assert_eq!(p.vat_rate.to_string(), rate.trim());
    }
    assert_eq!(product("postage", "101"), [("vat_rate", "vat_rate_format")]);
    assert_eq!(product("postage", "21%"), [("vat_rate", "vat_rate_format")]);
    assert_eq!(product("postage", "-1"), [("vat_rate", "vat_rate_format")]);
    assert_eq!(
        product("postage", "0.21"),
        [("vat_rate", "vat_rate_format")]
    );
    assert_eq!(product("postage", ""), [("vat_rate", "vat_rate_format")]);
    assert_eq!(
        product("postage", "1000"),
        [("vat_rate", "vat_rate_format")]
    );
    assert_eq!(product("Postage", "0"), [("kind", "product_kind_unknown")]);
    assert_eq!(
        problems(
            FeedKind::Products,
            &format!("{},service,21,a,b,c,d", "P".repeat(33))
        ),
        [("code", "field_too_long")]
    );

    assert_eq!(
        problems(FeedKind::CostCentres, &format!("1,{},n", "C".repeat(21))),
        [("code", "field_too_long")]
    );
    let FeedRecord::CostCentre(c) =
        one(FeedKind::CostCentres, &format!("1, {} ,n", "C".repeat(20)))
    else {
        panic!("not a cost centre")
    };
    assert_eq!(c.code.len(), 20);
    assert_eq!(
        problems(
            FeedKind::CollectionPoints,
            &format!("1,{},n,s,p,c", "C".repeat(21))
        ),
        [("code", "field_too_long")]
    );
}

#[test]
fn reports_read_line_column_message() {
    assert_eq!(
        line_error(
            3,
            "quantity",
            "quantity 0 is out of range: expected 1 to 1000000"
        ),
        "line 3, column quantity: quantity 0 is out of range: expected 1 to 1000000"
    );
    let e = parse_row(
        FeedKind::Transactions,
        &map(FeedKind::Transactions),
        &split(&tx_with("unit_price", "0,985"))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .unwrap_err();
    assert_eq!(
        e[0].to_line_error(4),
        "line 4, column unit_price: price uses a comma: write the decimals after a dot, e.g. 0.985"
    );
    // An absurd value is shortened in the message.
    for absurd in ["x".repeat(10_000), "0".repeat(10_000), "9".repeat(10_000)] {
        let e = parse_quantity(&absurd).unwrap_err();
        assert!(e.to_string().len() < 100, "{e}");
    }
}

fn transaction_fields() -> impl Strategy<Value = (Vec<String>, i64, i64)> {
    (
        "[A-Z0-9-]{1,64}",
        "[0-9]{1,10}",
        (2000i32..=2100, 1u8..=12, 1u8..=28),
        "[A-Z0-9]{1,20}",
        proptest::option::of("[A-Z0-9-]{1,20}"),
        "[A-Z0-9-]{1,32}",
        proptest::option::of(prop_oneof![
            Just("small"),
            Just("large"),
            Just("cumbersome")
        ]),
        "[0-9a-z-]{0,20}",
        proptest::option::of(prop_oneof![Just("BE"), Just("EU"), Just("WORLD")]),
        1i64..=1_000_000,
        0i64..=UnitPriceMillis::MAX.0,
        0usize..=2,
    )
        .prop_map(
            |(id, cn, (y, m, d), cp, cc, pc, fmt, wc, dest, q, millis, trim)| {
                // Trailing zeros of the fraction dropped or not: 1.450, 1.45; 12.000, 12.00, 12.0.
                let full = UnitPriceMillis(millis).to_decimal_string();
                let mut price = full;
                for _ in 0..trim {
                    if price.ends_with('0') {
                        price.pop();
                    }
                }
                let fields = vec![
                    id,
                    cn,
                    format!("{y:04}-{m:02}-{d:02}"),
                    cp,
                    cc.unwrap_or_default(),
                    pc,
                    fmt.unwrap_or_default().to_owned(),
                    wc,
                    dest.unwrap_or_default().to_owned(),
                    q.to_string(),
                    price,
                ];
                (fields, q, millis)
            },
        )
}

proptest! {
    #[test]
    fn valid_transactions_parse_with_a_half_up_amount(
        (fields, q, millis) in transaction_fields(),
        order in Just((0..11).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        // Columns in a random order, fields following them.
        let cols = FeedKind::Transactions.columns();
        let header: Vec<&str> = order.iter().map(|i| cols[*i]).collect();
        let row: Vec<&str> = order.iter().map(|i| fields[*i].as_str()).collect();
        let m = map_header(FeedKind::Transactions, &header).unwrap();
        let r = parse_row(FeedKind::Transactions, &m, &row);
        let FeedRecord::Transaction(t) = r.unwrap() else { panic!("not a transaction") };
        let product = i128::from(q) * i128::from(millis);
        let expected = product / 10 + i128::from(product % 10 >= 5);
        prop_assert_eq!(i128::from(t.amount.0), expected);
        prop_assert_eq!(t.quantity, q);
        prop_assert_eq!(t.unit_price, UnitPriceMillis(millis));
        prop_assert_eq!(t.transaction_id.as_str(), fields[0].as_str());
        prop_assert_eq!(t.cost_centre.is_none(), fields[4].is_empty());
        prop_assert_eq!(t.format.map(Format::as_str).unwrap_or(""), fields[6].as_str());
        prop_assert_eq!(t.destination.map(Destination::as_str).unwrap_or(""), fields[8].as_str());
    }

    #[test]
    fn parsing_never_panics(
        kind in proptest::sample::select(FeedKind::ALL.to_vec()),
        fields in proptest::collection::vec(any::<String>(), 0..14),
        noisy in proptest::collection::vec("[a-z_ \u{feff}]{0,20}", 0..14),
    ) {
        let m = map_header(kind, kind.columns()).unwrap();
        let f: Vec<&str> = fields.iter().map(String::as_str).collect();
        if let Err(problems) = parse_row(kind, &m, &f) {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(kind.columns().contains(&p.column));
            }
        }
        let h: Vec<&str> = noisy.iter().map(String::as_str).collect();
        let _ = map_header(kind, &h);
    }

    #[test]
    fn valid_width_rows_of_any_text_report_only_real_columns(
        kind in proptest::sample::select(FeedKind::ALL.to_vec()),
        seed in proptest::collection::vec(".{0,30}", 12),
    ) {
        let m = map(kind);
        let f: Vec<&str> = seed.iter().take(m.width()).map(String::as_str).collect();
        match parse_row(kind, &m, &f) {
            Ok(r) => prop_assert_eq!(r.kind(), kind),
            Err(problems) => {
                // At most one problem per column.
                prop_assert!(problems.len() <= m.width());
                for p in &problems {
                    prop_assert!(kind.columns().contains(&p.column));
                    prop_assert!(!p.message.is_empty());
                }
            }
        }
    }
}
