//! The demo portal: a realistic, deterministic data set (customers, sites, a year of
//! franking and registered mail, an operator and users) loaded into an empty database.

use crate::{App, AppError, RequestMeta, audit, error::AppResult, passwords};
use cs_domain::{
    Barcode, CustomerNumber, Language, Role, UnitPriceMillis, UserStatus, VatNumber,
    barcode::s10_check_digit, money::line_amount,
};
use cs_store::repo::{catalogue, customers, meta, operations, users};
use serde_json::json;
use time::{Date, Duration, Weekday};

/// A login printed by `serve --demo` and `collectstamp demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub customer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        logins: Vec<DemoLogin>,
        transactions: u64,
        registered_items: u64,
    },
    /// The database already had data: nothing was touched.
    NotEmpty,
}

/// Small deterministic generator (SplitMix64): the same demo on every machine and run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

struct Product {
    code: &'static str,
    kind: &'static str,
    vat: i64,
    names: [&'static str; 4],
    price: &'static str,
    format: Option<&'static str>,
    weight: Option<&'static str>,
    destination: Option<&'static str>,
}

const PRODUCTS: &[Product] = &[
    Product {
        code: "PRIOR-BE",
        kind: "postage",
        vat: 0,
        names: [
            "Prior national",
            "Prior nationaal",
            "Prior national",
            "Prior domestic",
        ],
        price: "1.450",
        format: Some("small"),
        weight: Some("0-50g"),
        destination: Some("BE"),
    },
    Product {
        code: "NONPRIOR-BE",
        kind: "postage",
        vat: 0,
        names: [
            "Non Prior national",
            "Non Prior nationaal",
            "Non Prior national",
            "Non Prior domestic",
        ],
        price: "0.985",
        format: Some("small"),
        weight: Some("0-50g"),
        destination: Some("BE"),
    },
    Product {
        code: "NONPRIOR-BE-L",
        kind: "postage",
        vat: 0,
        names: [
            "Non Prior national grand format",
            "Non Prior nationaal groot formaat",
            "Non Prior national Großformat",
            "Non Prior domestic large",
        ],
        price: "2.985",
        format: Some("large"),
        weight: Some("101-350g"),
        destination: Some("BE"),
    },
    Product {
        code: "PRIOR-EU",
        kind: "postage",
        vat: 0,
        names: [
            "Prior Europe",
            "Prior Europa",
            "Prior Europa",
            "Prior Europe",
        ],
        price: "2.850",
        format: Some("small"),
        weight: Some("0-50g"),
        destination: Some("EU"),
    },
    Product {
        code: "PRIOR-WORLD",
        kind: "postage",
        vat: 0,
        names: ["Prior Monde", "Prior Wereld", "Prior Welt", "Prior World"],
        price: "3.150",
        format: Some("small"),
        weight: Some("0-50g"),
        destination: Some("WORLD"),
    },
    Product {
        code: "REG-BE",
        kind: "registered",
        vat: 0,
        names: [
            "Recommandé national",
            "Aangetekend nationaal",
            "Einschreiben national",
            "Registered domestic",
        ],
        price: "8.650",
        format: Some("small"),
        weight: Some("0-100g"),
        destination: Some("BE"),
    },
    Product {
        code: "REG-INT",
        kind: "registered",
        vat: 0,
        names: [
            "Recommandé international",
            "Aangetekend internationaal",
            "Einschreiben international",
            "Registered international",
        ],
        price: "12.400",
        format: Some("small"),
        weight: Some("0-100g"),
        destination: Some("EU"),
    },
    Product {
        code: "PARCEL-BE",
        kind: "parcel",
        vat: 21,
        names: [
            "Colis national",
            "Pakje nationaal",
            "Paket national",
            "Parcel domestic",
        ],
        price: "7.250",
        format: Some("cumbersome"),
        weight: Some("0-2kg"),
        destination: Some("BE"),
    },
    Product {
        code: "CS-FEE",
        kind: "service",
        vat: 21,
        names: [
            "Redevance Collect & Stamp",
            "Vergoeding Collect & Stamp",
            "Gebühr Collect & Stamp",
            "Collect & Stamp fee",
        ],
        price: "12.500",
        format: None,
        weight: None,
        destination: None,
    },
];

struct DemoCustomer {
    number: &'static str,
    name: &'static str,
    vat: &'static str,
    language: Language,
    address: (&'static str, &'static str, &'static str),
    cost_centres: &'static [(&'static str, &'static str)],
    points: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
    admin: (&'static str, &'static str),
    user: (&'static str, &'static str),
    collection_days: &'static str,
    daily_volume: u64,
}

const CUSTOMERS: &[DemoCustomer] = &[
    DemoCustomer {
        number: "8800123",
        name: "Imprimerie Van Damme & Fils SA",
        vat: "BE0428759497",
        language: Language::Fr,
        address: ("Chaussée de Mons 214", "1070", "Anderlecht"),
        cost_centres: &[
            ("COMPTA", "Comptabilité"),
            ("ATELIER", "Atelier"),
            ("VENTES", "Ventes"),
        ],
        points: &[(
            "SIEGE",
            "Siège",
            "Chaussée de Mons 214",
            "1070",
            "Anderlecht",
        )],
        admin: ("vandamme.admin", "Sophie Van Damme"),
        user: ("vandamme.user", "Luc Dubois"),
        collection_days: "mon,tue,wed,thu,fri",
        daily_volume: 180,
    },
    DemoCustomer {
        number: "8800456",
        name: "Stad Leuven – Dienst Burgerzaken",
        vat: "BE0207519226",
        language: Language::Nl,
        address: ("Professor Van Overstraetenplein 1", "3000", "Leuven"),
        cost_centres: &[("BURG", "Burgerzaken"), ("FIN", "Financiën, boekhouding")],
        points: &[
            ("STADHUIS", "Stadhuis", "Grote Markt 9", "3000", "Leuven"),
            ("ARCHIEF", "Stadsarchief", "Vaartkom 3", "3000", "Leuven"),
        ],
        admin: ("leuven.admin", "An Peeters"),
        user: ("leuven.user", "Jan Janssens"),
        collection_days: "mon,wed,fri",
        daily_volume: 420,
    },
    DemoCustomer {
        number: "8800789",
        name: "Weinhandlung Kessler GmbH",
        vat: "BE0835221171",
        language: Language::De,
        address: ("Klötzerbahn 20", "4700", "Eupen"),
        cost_centres: &[("VERSAND", "Versand"), ("BUERO", "Büro")],
        points: &[("LAGER", "Lager", "Klötzerbahn 20", "4700", "Eupen")],
        admin: ("kessler.admin", "Monika Kessler"),
        user: ("kessler.user", "Thomas Schmitz"),
        collection_days: "tue,thu",
        daily_volume: 60,
    },
];

const RECIPIENTS: &[(&str, &str, &str, &str, &str)] = &[
    ("Peeters, Jan", "Naamsestraat 22", "3000", "Leuven", "BE"),
    ("Marie Lambert", "Rue Neuve 45", "1000", "Bruxelles", "BE"),
    ("Notariaat De Smet", "Kouter 12", "9000", "Gent", "BE"),
    (
        "Avocats Mertens & Associés",
        "Avenue Louise 250",
        "1050",
        "Ixelles",
        "BE",
    ),
    (
        "SPF Finances",
        "Boulevard du Roi Albert II 33",
        "1030",
        "Schaerbeek",
        "BE",
    ),
    (
        "Huissier Dupont",
        "Rue Saint-Gilles 7",
        "4000",
        "Liège",
        "BE",
    ),
    (
        "Élodie Müller-Dubois",
        "Rue de Rivoli 12",
        "75001",
        "Paris",
        "FR",
    ),
    (
        "Weingut Becker",
        "Weinstraße 3",
        "67098",
        "Bad Dürkheim",
        "DE",
    ),
];

fn password_of(username: &str) -> String {
    format!("{username}-demo-2026")
}

/// Loads the demo into an empty database; on a non-empty one changes nothing.
pub async fn load(app: &App) -> AppResult<DemoOutcome> {
    let mut tx = app.store.begin().await?;
    if !meta::is_empty(&mut tx.conn()).await? {
        return Ok(DemoOutcome::NotEmpty);
    }
    let now = app.now();
    let today = now.date();
    let cost = app.settings.password_cost;
    let mut logins = Vec::new();
    let mut rng = Rng(0x00C0_11EC_7574_A3B0);

    let mut product_ids = Vec::new();
    for p in PRODUCTS {
        let id = catalogue::insert(
            &mut tx.conn(),
            &catalogue::NewProduct {
                code: p.code,
                kind: p.kind,
                vat_rate: p.vat,
                names: p.names,
            },
        )
        .await?;
        product_ids.push(id);
    }

    let operator = "operator";
    let op_pw = password_of(operator);
    let op_hash = passwords::hash(cost, op_pw.clone()).await?;
    let operator_id = users::insert(
        &mut tx.conn(),
        &users::NewUser {
            customer_id: None,
            username: operator,
            username_key: operator,
            full_name: "Nadia Lemaire",
            email: "service.centre@collectstamp.example",
            language: Language::En.code(),
            role: Role::Operator.as_str(),
            modules: "",
            status: UserStatus::Active.as_str(),
            password_hash: Some(&op_hash),
            created_at: now,
        },
    )
    .await?;
    logins.push(DemoLogin {
        username: operator.into(),
        password: op_pw,
        role: Role::Operator,
        customer: None,
    });

    let first_day = today - Duration::days(365);
    let mut transactions = 0u64;
    let mut registered = 0u64;
    let mut national_serial = 0u64;
    let mut customer_ids = Vec::new();
    let mut s10_serial = 10_000_000u64;
    for dc in CUSTOMERS {
        let number =
            CustomerNumber::parse(dc.number).map_err(|e| AppError::Internal(e.to_string()))?;
        let vat = VatNumber::parse(dc.vat).map_err(|e| AppError::Internal(e.to_string()))?;
        let customer_id = customers::insert(
            &mut tx.conn(),
            &customers::NewCustomer {
                customer_number: number.as_str(),
                name: dc.name,
                vat_number: vat.as_str(),
                language: dc.language.code(),
                street: dc.address.0,
                postcode: dc.address.1,
                city: dc.address.2,
                country: "BE",
                collection_days: dc.collection_days,
                created_at: now,
            },
        )
        .await?;
        customer_ids.push(customer_id);
        let mut cc_ids = Vec::new();
        for (code, name) in dc.cost_centres {
            cc_ids.push(
                customers::insert_cost_centre(&mut tx.conn(), customer_id, code, name).await?,
            );
        }
        let mut cp_ids = Vec::new();
        for (code, name, street, postcode, city) in dc.points {
            cp_ids.push(
                customers::insert_collection_point(
                    &mut tx.conn(),
                    customer_id,
                    code,
                    name,
                    (street, postcode, city),
                )
                .await?,
            );
        }
        let domain = dc.admin.0.split('.').next().unwrap_or("demo");
        for ((username, full_name), role, modules) in [
            (dc.admin, Role::Admin, ""),
            (
                dc.user,
                Role::User,
                "transactions,invoices,receipts,reports",
            ),
        ] {
            let pw = password_of(username);
            let hash = passwords::hash(cost, pw.clone()).await?;
            let email = format!("{}@{domain}.example", username.replace('.', "-"));
            let uid = users::insert(
                &mut tx.conn(),
                &users::NewUser {
                    customer_id: Some(customer_id),
                    username,
                    username_key: username,
                    full_name,
                    email: &email,
                    language: dc.language.code(),
                    role: role.as_str(),
                    modules,
                    status: UserStatus::Active.as_str(),
                    password_hash: Some(&hash),
                    created_at: now,
                },
            )
            .await?;
            if role == Role::User
                && let Some(first) = cc_ids.first()
            {
                users::limit_to_cost_centre(&mut tx.conn(), uid, *first).await?;
            }
            logins.push(DemoLogin {
                username: username.into(),
                password: pw,
                role,
                customer: Some(dc.number.into()),
            });
        }

        let mut day = first_day;
        let mut line = 0u64;
        while day <= today {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                for (pi, p) in PRODUCTS.iter().enumerate() {
                    if p.kind == "registered" {
                        continue;
                    }
                    let quantity = match p.kind {
                        "service" => 1,
                        "parcel" => rng.range(0, 3),
                        _ => rng.range(dc.daily_volume / 4, dc.daily_volume),
                    };
                    if quantity == 0 || (p.destination == Some("WORLD") && rng.range(0, 2) != 0) {
                        continue;
                    }
                    line += 1;
                    let cp = *rng.pick(&cp_ids);
                    let cc = if p.kind == "service" {
                        None
                    } else {
                        Some(*rng.pick(&cc_ids))
                    };
                    let price = UnitPriceMillis::parse_decimal(p.price)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    let amount = line_amount(quantity as i64, price)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    let tid = format!("OP-{}-{}-{line:06}", dc.number, day_code(day));
                    operations::insert_transaction(
                        &mut tx.conn(),
                        &operations::NewTransaction {
                            transaction_id: &tid,
                            customer_id,
                            date: day,
                            collection_point_id: cp,
                            cost_centre_id: cc,
                            product_id: product_ids[pi],
                            format: p.format,
                            weight_class: p.weight,
                            destination: p.destination,
                            quantity: quantity as i64,
                            unit_price_millis: price.0,
                            amount_cents: amount.0,
                        },
                    )
                    .await?;
                    transactions += 1;
                }
                for _ in 0..rng.range(0, 4) {
                    let international = rng.range(0, 4) == 0;
                    let pi = if international { 6 } else { 5 };
                    let barcode = if international {
                        s10_serial += 1;
                        s10(s10_serial)
                    } else {
                        national_serial += 1;
                        format!("010{national_serial:027}")
                    };
                    let barcode =
                        Barcode::parse(&barcode).map_err(|e| AppError::Internal(e.to_string()))?;
                    let r = rng.pick(RECIPIENTS);
                    let r = if international {
                        *r
                    } else {
                        RECIPIENTS[(rng.next() % 6) as usize]
                    };
                    operations::insert_registered_item(
                        &mut tx.conn(),
                        &operations::NewRegisteredItem {
                            barcode: barcode.as_str(),
                            customer_id,
                            deposit_date: day,
                            collection_point_id: *rng.pick(&cp_ids),
                            cost_centre_id: Some(*rng.pick(&cc_ids)),
                            product_id: product_ids[pi],
                            acknowledgement: rng.range(0, 2) == 0,
                            recipient_name: r.0,
                            recipient_street: r.1,
                            recipient_postcode: r.2,
                            recipient_city: r.3,
                            recipient_country: if international { r.4 } else { "BE" },
                        },
                    )
                    .await?;
                    registered += 1;
                }
            }
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    accounts(&mut tx.conn(), now, cost, operator_id, &customer_ids).await?;
    import_history(&mut tx.conn(), now, operator_id).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &audit::Who::system("demo"),
        &RequestMeta::cli(),
        audit::action::DEMO_LOADED,
        ("database", ""),
        json!({ "transactions": transactions, "registered_items": registered }),
    )
    .await?;
    tx.commit().await?;
    Ok(DemoOutcome::Loaded {
        logins,
        transactions,
        registered_items: registered,
    })
}

/// What the accounts features show in the demo: users in every status, a second admin,
/// access requests waiting (one a likely duplicate, one for an existing customer) and one
/// rejected, a personal API token, recent sign-in times.
async fn accounts(
    conn: &mut cs_store::Conn<'_>,
    now: time::OffsetDateTime,
    cost: passwords::Cost,
    operator_id: i64,
    customer_ids: &[i64],
) -> AppResult<()> {
    use cs_store::repo::{access_requests as requests, auth as tokens};
    let (vandamme, leuven) = match customer_ids {
        [v, l, ..] => (*v, *l),
        _ => return Err(AppError::Internal("demo customers missing".into())),
    };
    let extra = [
        (
            vandamme,
            "vandamme.new",
            "Julie Lambert",
            "user",
            "transactions,receipts",
            UserStatus::Invited,
            "fr",
        ),
        (
            vandamme,
            "vandamme.former",
            "Marc Renard",
            "user",
            "transactions",
            UserStatus::Disabled,
            "fr",
        ),
        (
            leuven,
            "leuven.admin2",
            "Pieter Claes",
            "admin",
            "",
            UserStatus::Active,
            "nl",
        ),
    ];
    // Not printed as logins: a random password nobody knows (the invited one has none).
    let unknown = passwords::hash(cost, crate::secrets::new_token()?).await?;
    for (customer, username, name, role, modules, status, language) in extra {
        let email = format!(
            "{}@{}.example",
            username.replace('.', "-"),
            username.split('.').next().unwrap_or("demo")
        );
        let id = users::insert(
            conn,
            &users::NewUser {
                customer_id: Some(customer),
                username,
                username_key: username,
                full_name: name,
                email: &email,
                language,
                role,
                modules,
                status: status.as_str(),
                password_hash: (status != UserStatus::Invited).then_some(unknown.as_str()),
                created_at: now - Duration::days(40),
            },
        )
        .await?;
        if status == UserStatus::Active {
            users::record_login(conn, id, now - Duration::days(2)).await?;
        }
    }
    // A named API token of the Van Damme administrator (its secret was never shown to anyone).
    if let Some(admin) = users::by_username_key(conn, "vandamme.admin").await? {
        let hash = crate::secrets::token_hash(&crate::secrets::new_token()?);
        tokens::insert_api_token(
            conn,
            admin.id,
            "Export comptable",
            "personal",
            &hash,
            now - Duration::days(10),
            now + Duration::days(80),
        )
        .await?;
        users::record_login(conn, admin.id, now - Duration::days(1)).await?;
    }
    let requests_data = [
        (
            "Brasserie De Koninck NV",
            "BE0403170701",
            None,
            "Mechelsesteenweg 291",
            "2018",
            "Antwerpen",
            "Els De Koninck",
            "els@dekoninck.example",
            "+32 3 218 40 48",
            "nl",
            "dekoninck.admin",
            "Wij willen onze aangetekende zendingen online opvolgen.",
        ),
        (
            "De Koninck Brouwerij",
            "BE0403170701",
            None,
            "Mechelsesteenweg 291",
            "2018",
            "Antwerpen",
            "Tom Peeters",
            "tom@dekoninck.example",
            "03 218 40 49",
            "nl",
            "dekoninck.tom",
            "",
        ),
        (
            "Imprimerie Van Damme & Fils SA",
            "BE0428759497",
            Some("8800123"),
            "Chaussée de Mons 214",
            "1070",
            "Anderlecht",
            "Claire Van Damme",
            "claire@vandamme.example",
            "+32 2 520 11 22",
            "fr",
            "vandamme.compta",
            "Accès pour la comptabilité, s’il vous plaît.",
        ),
    ];
    for (i, r) in requests_data.iter().enumerate() {
        requests::insert(
            conn,
            &requests::NewAccessRequest {
                company_name: r.0,
                vat_number: r.1,
                customer_number: r.2,
                street: r.3,
                postcode: r.4,
                city: r.5,
                country: "BE",
                contact_name: r.6,
                email: r.7,
                phone: r.8,
                language: r.9,
                username: r.10,
                webpass: None,
                message: r.11,
                created_at: now - Duration::hours(30 - 6 * i as i64),
            },
        )
        .await?;
    }
    let rejected = requests::insert(
        conn,
        &requests::NewAccessRequest {
            company_name: "Test Company BVBA",
            vat_number: "BE0835221171",
            customer_number: None,
            street: "Kerkstraat 1",
            postcode: "9000",
            city: "Gent",
            country: "BE",
            contact_name: "Test Test",
            email: "test@testcompany.example",
            phone: "+32 9 000 00 00",
            language: "en",
            username: "testcompany",
            webpass: None,
            message: "test",
            created_at: now - Duration::days(6),
        },
    )
    .await?;
    requests::mark_rejected(
        conn,
        rejected,
        operator_id,
        now - Duration::days(5),
        "The VAT number belongs to another company already served by the portal.",
    )
    .await?;
    Ok(())
}

/// The feeds as the Service Centre would have run them, for the home page's "latest imports":
/// the reference data once, a year ago; this morning's transactions file after a first
/// refused attempt; registered items yesterday, and this morning's file refused.
async fn import_history(
    conn: &mut cs_store::Conn<'_>,
    now: time::OffsetDateTime,
    operator_id: i64,
) -> AppResult<()> {
    use cs_store::repo::import_runs::{self, NewImportRun};
    use sha2::{Digest, Sha256};
    let year_ago = now - Duration::days(366);
    let refused = r#"[{"line":17,"column":"unit_price","message":"price uses a comma: write the decimals after a dot, e.g. 0.985"},{"line":23,"column":"destination","message":"unknown destination \"BEL\": expected BE, EU or WORLD"}]"#;
    let refused_items = r#"[{"line":4,"column":"barcode","message":"check digit is wrong"},{"line":9,"column":"product_code","message":"product PRIOR-BE is not of kind registered"}]"#;
    let runs = [
        ("customers", year_ago, "imported", 3, "[]"),
        ("cost-centres", year_ago, "imported", 7, "[]"),
        ("collection-points", year_ago, "imported", 4, "[]"),
        ("products", year_ago, "imported", 9, "[]"),
        (
            "transactions",
            now - Duration::hours(5),
            "rejected",
            40,
            refused,
        ),
        (
            "transactions",
            now - Duration::hours(4),
            "imported",
            40,
            "[]",
        ),
        (
            "registered-items",
            now - Duration::hours(27),
            "imported",
            9,
            "[]",
        ),
        (
            "registered-items",
            now - Duration::hours(3),
            "rejected",
            11,
            refused_items,
        ),
    ];
    for (kind, finished_at, outcome, rows, errors) in runs {
        let file_name = format!("{kind}-{}.csv", day_code(finished_at.date()));
        let imported = outcome == "imported";
        import_runs::insert(
            conn,
            &NewImportRun {
                kind,
                file_name: &file_name,
                sha256: &hex::encode(Sha256::digest(file_name.as_bytes())),
                actor: "operator",
                actor_user_id: Some(operator_id),
                started_at: finished_at - Duration::seconds(2),
                finished_at,
                outcome,
                rows_read: rows,
                inserted: if imported { rows } else { 0 },
                already_present: 0,
                updated: 0,
                error_count: if imported { 0 } else { 2 },
                lock_millis: imported.then_some(35),
                errors,
            },
        )
        .await?;
    }
    Ok(())
}

fn day_code(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A valid UPU S10 barcode `RR########CBE` for a serial number.
fn s10(serial: u64) -> String {
    let digits: [u8; 8] = std::array::from_fn(|i| ((serial / 10u64.pow(7 - i as u32)) % 10) as u8);
    let body: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    format!("RR{body}{}BE", s10_check_digit(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_s10_barcodes_are_valid() {
        for serial in [10_000_001, 47_312_482, 99_999_999] {
            let b = s10(serial);
            assert!(Barcode::parse(&b).is_ok(), "{b}");
        }
        assert_eq!(s10(47_312_482), "RR473124829BE");
    }

    #[test]
    fn demo_passwords_meet_the_policy() {
        for c in CUSTOMERS {
            for u in [c.admin.0, c.user.0] {
                assert!(cs_domain::Password::parse(&password_of(u)).is_ok());
            }
        }
        assert!(cs_domain::Password::parse(&password_of("operator")).is_ok());
    }

    #[test]
    fn demo_reference_data_parses() {
        for c in CUSTOMERS {
            assert!(CustomerNumber::parse(c.number).is_ok());
            assert!(VatNumber::parse(c.vat).is_ok());
        }
        for p in PRODUCTS {
            assert!(UnitPriceMillis::parse_decimal(p.price).is_ok());
        }
    }
}
