//! The seed builder: what a test needs in the database (customers, products, collection
//! points, cost centres, users, transactions, registered items), written in one transaction.

use super::{PASSWORD, TestApp};
use cs_app::passwords::{self, Cost};
use cs_domain::{UnitPriceMillis, money::line_amount};
use cs_store::{
    Tx,
    repo::{
        catalogue, customers,
        import_runs::{self, NewImportRun},
        operations, users,
    },
};
use std::collections::BTreeMap;
use time::Date;

/// The same address for every collection point a seed makes.
const ADDRESS: (&str, &str, &str) = ("Rue 1", "1000", "Bruxelles");

/// What to insert, collected by chained calls and written by [`Seed::insert`] in one
/// transaction through the store's own functions, kind by kind in a fixed order (customers,
/// products, cost centres, collection points, users, transactions, registered items, import
/// runs) and in call order within a kind. Codes are resolved when written, so a later seed may
/// name what an earlier one (or the fixture) made.
#[must_use = "a seed writes nothing until `insert`"]
pub struct Seed<'t> {
    t: &'t TestApp,
    customers: Vec<Customer>,
    products: Vec<(String, String, i64, [String; 4])>,
    centres: Vec<(i64, String, String)>,
    points: Vec<(i64, String, String)>,
    users: Vec<User>,
    transactions: Vec<Transaction>,
    items: Vec<RegisteredItem>,
    runs: Vec<NewImportRun<'static>>,
}

/// The ids of what a seed wrote.
#[derive(Debug, Default)]
pub struct Seeded {
    /// By customer number.
    pub customers: BTreeMap<String, i64>,
    /// By product code.
    pub products: BTreeMap<String, i64>,
    /// By (customer id, code).
    pub centres: BTreeMap<(i64, String), i64>,
    /// By (customer id, code).
    pub points: BTreeMap<(i64, String), i64>,
    /// By username.
    pub users: BTreeMap<String, i64>,
}

impl Seeded {
    #[track_caller]
    pub fn customer(&self, number: &str) -> i64 {
        *self
            .customers
            .get(number)
            .unwrap_or_else(|| panic!("no customer {number} seeded"))
    }

    #[track_caller]
    pub fn product(&self, code: &str) -> i64 {
        *self
            .products
            .get(code)
            .unwrap_or_else(|| panic!("no product {code}"))
    }

    #[track_caller]
    pub fn point(&self, customer: i64, code: &str) -> i64 {
        *self
            .points
            .get(&(customer, code.to_owned()))
            .unwrap_or_else(|| panic!("no collection point {code} seeded for {customer}"))
    }
}

impl<'t> Seed<'t> {
    pub fn new(t: &'t TestApp) -> Self {
        Seed {
            t,
            customers: Vec::new(),
            products: Vec::new(),
            centres: Vec::new(),
            points: Vec::new(),
            users: Vec::new(),
            transactions: Vec::new(),
            items: Vec::new(),
            runs: Vec::new(),
        }
    }

    pub fn customer(mut self, customer: Customer) -> Self {
        self.customers.push(customer);
        self
    }

    /// A product named `"{code} fr"`, `"{code} nl"`, … in the four languages.
    pub fn product(self, code: &str, kind: &str, vat_rate: i64) -> Self {
        let names = ["fr", "nl", "de", "en"].map(|l| format!("{code} {l}"));
        self.product_named(code, kind, vat_rate, names.each_ref().map(String::as_str))
    }

    /// A product with its names in French, Dutch, German and English.
    pub fn product_named(
        mut self,
        code: &str,
        kind: &str,
        vat_rate: i64,
        names: [&str; 4],
    ) -> Self {
        self.products
            .push((code.into(), kind.into(), vat_rate, names.map(str::to_owned)));
        self
    }

    pub fn cost_centre(mut self, customer: i64, code: &str, name: &str) -> Self {
        self.centres.push((customer, code.into(), name.into()));
        self
    }

    /// A collection point named after its code, at Rue 1, 1000 Bruxelles.
    pub fn collection_point(self, customer: i64, code: &str) -> Self {
        self.collection_point_named(customer, code, code)
    }

    pub fn collection_point_named(mut self, customer: i64, code: &str, name: &str) -> Self {
        self.points.push((customer, code.into(), name.into()));
        self
    }

    pub fn user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    pub fn transactions(mut self, rows: impl IntoIterator<Item = Transaction>) -> Self {
        self.transactions.extend(rows);
        self
    }

    pub fn registered_items(mut self, items: impl IntoIterator<Item = RegisteredItem>) -> Self {
        self.items.extend(items);
        self
    }

    pub fn import_run(mut self, run: NewImportRun<'static>) -> Self {
        self.runs.push(run);
        self
    }

    /// Writes everything in one transaction; returns the ids.
    pub async fn insert(self) -> Seeded {
        let mut tx = self.t.app().store.begin().await.expect("seed transaction");
        let seeded = self.insert_in(&mut tx).await;
        tx.commit().await.expect("seed commit");
        seeded
    }

    /// Writes everything in `tx`, for a test that adds its own statements to the same
    /// transaction.
    pub async fn insert_in(self, tx: &mut Tx) -> Seeded {
        let mut ids = Seeded::default();
        self.insert_reference_data(tx, &mut ids).await;
        let refs = References::load(tx, &self.referenced_customers(&ids)).await;
        self.insert_users(tx, &refs, &mut ids).await;
        for row in &self.transactions {
            operations::insert_transaction(&mut tx.conn(), &row.to_store(&refs))
                .await
                .unwrap_or_else(|e| panic!("transaction {}: {e}", row.id));
        }
        for item in &self.items {
            operations::insert_registered_item(&mut tx.conn(), &item.to_store(&refs))
                .await
                .unwrap_or_else(|e| panic!("registered item {}: {e}", item.barcode));
        }
        for run in &self.runs {
            import_runs::insert(&mut tx.conn(), run)
                .await
                .expect("import run");
        }
        ids.products = refs.products;
        ids
    }

    async fn insert_reference_data(&self, tx: &mut Tx, ids: &mut Seeded) {
        let now = self.t.app().now();
        for c in &self.customers {
            let id = customers::insert(&mut tx.conn(), &c.to_store(now))
                .await
                .unwrap_or_else(|e| panic!("customer {}: {e}", c.number));
            ids.customers.insert(c.number.clone(), id);
        }
        for (code, kind, vat_rate, names) in &self.products {
            let product = catalogue::NewProduct {
                code,
                kind,
                vat_rate: *vat_rate,
                names: names.each_ref().map(String::as_str),
            };
            catalogue::insert(&mut tx.conn(), &product)
                .await
                .unwrap_or_else(|e| panic!("product {code}: {e}"));
        }
        for (customer, code, name) in &self.centres {
            let id = customers::insert_cost_centre(&mut tx.conn(), *customer, code, name)
                .await
                .unwrap_or_else(|e| panic!("cost centre {code}: {e}"));
            ids.centres.insert((*customer, code.clone()), id);
        }
        for (customer, code, name) in &self.points {
            let id =
                customers::insert_collection_point(&mut tx.conn(), *customer, code, name, ADDRESS)
                    .await
                    .unwrap_or_else(|e| panic!("collection point {code}: {e}"));
            ids.points.insert((*customer, code.clone()), id);
        }
    }

    async fn insert_users(&self, tx: &mut Tx, refs: &References, ids: &mut Seeded) {
        if self.users.is_empty() {
            return;
        }
        let hash = passwords::hash(Cost::Fast, PASSWORD.into())
            .await
            .expect("hash");
        let now = self.t.app().now();
        for u in &self.users {
            let id = users::insert(&mut tx.conn(), &u.to_store(&hash, now))
                .await
                .unwrap_or_else(|e| panic!("user {}: {e}", u.username));
            ids.users.insert(u.username.clone(), id);
            for code in &u.cost_centres {
                let customer = u.customer.expect("only a customer's user has cost centres");
                users::limit_to_cost_centre(&mut tx.conn(), id, refs.centre(customer, code))
                    .await
                    .expect("limit");
            }
        }
    }

    /// Every customer whose points or cost centres the rows name.
    fn referenced_customers(&self, ids: &Seeded) -> Vec<i64> {
        let mut all: Vec<i64> = self
            .transactions
            .iter()
            .map(|r| r.customer)
            .chain(self.items.iter().map(|i| i.customer))
            .chain(self.users.iter().filter_map(|u| u.customer))
            .chain(ids.customers.values().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Codes as the database holds them when the rows are written.
struct References {
    products: BTreeMap<String, i64>,
    points: BTreeMap<(i64, String), i64>,
    centres: BTreeMap<(i64, String), i64>,
}

impl References {
    async fn load(tx: &mut Tx, customers: &[i64]) -> References {
        let mut refs = References {
            products: BTreeMap::new(),
            points: BTreeMap::new(),
            centres: BTreeMap::new(),
        };
        for p in catalogue::all(&mut tx.conn()).await.expect("products") {
            refs.products.insert(p.code, p.id);
        }
        for &customer in customers {
            for p in customers::collection_points(&mut tx.conn(), customer)
                .await
                .expect("points")
            {
                refs.points.insert((customer, p.code), p.id);
            }
            for c in customers::cost_centres(&mut tx.conn(), customer)
                .await
                .expect("cost centres")
            {
                refs.centres.insert((customer, c.code), c.id);
            }
        }
        refs
    }

    #[track_caller]
    fn product(&self, code: &str) -> i64 {
        *self
            .products
            .get(code)
            .unwrap_or_else(|| panic!("no product {code}"))
    }

    #[track_caller]
    fn point(&self, customer: i64, code: &str) -> i64 {
        *self
            .points
            .get(&(customer, code.to_owned()))
            .unwrap_or_else(|| panic!("no collection point {code} of customer {customer}"))
    }

    #[track_caller]
    fn centre(&self, customer: i64, code: &str) -> i64 {
        *self
            .centres
            .get(&(customer, code.to_owned()))
            .unwrap_or_else(|| panic!("no cost centre {code} of customer {customer}"))
    }
}

/// A customer to seed: VAT number BE0428759497, collection on Mondays, in English at Rue 1,
/// 1000 Bruxelles unless told otherwise.
#[derive(Debug, Clone)]
pub struct Customer {
    pub number: String,
    pub name: String,
    pub language: String,
    pub street: String,
}

impl Customer {
    pub fn new(number: &str, name: &str) -> Self {
        Customer {
            number: number.into(),
            name: name.into(),
            language: "en".into(),
            street: "Rue 1".into(),
        }
    }

    pub fn language(self, language: &str) -> Self {
        Customer {
            language: language.into(),
            ..self
        }
    }

    pub fn street(self, street: &str) -> Self {
        Customer {
            street: street.into(),
            ..self
        }
    }

    fn to_store(&self, now: time::OffsetDateTime) -> customers::NewCustomer<'_> {
        customers::NewCustomer {
            customer_number: &self.number,
            name: &self.name,
            vat_number: "BE0428759497",
            language: &self.language,
            street: &self.street,
            postcode: "1000",
            city: "Bruxelles",
            country: "BE",
            collection_days: "mon",
            created_at: now,
        }
    }
}

/// A user to seed: by default an active user without modules, named `Name of {username}`,
/// at `{username}@example.com`, in English, with the fixture's password (none when invited).
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    /// The case-folded username; the username itself unless told otherwise.
    pub username_key: String,
    pub customer: Option<i64>,
    pub full_name: String,
    pub email: String,
    pub language: String,
    pub role: String,
    pub modules: String,
    pub status: String,
    /// Codes of the cost centres the user is limited to.
    pub cost_centres: Vec<String>,
}

impl User {
    /// A user of `customer`, or an operator when `customer` is `None`.
    pub fn new(customer: Option<i64>, username: &str) -> Self {
        User {
            username: username.into(),
            username_key: username.to_lowercase(),
            customer,
            full_name: format!("Name of {username}"),
            email: format!("{username}@example.com"),
            language: "en".into(),
            role: "user".into(),
            modules: String::new(),
            status: "active".into(),
            cost_centres: Vec::new(),
        }
    }

    pub fn role(self, role: &str) -> Self {
        User {
            role: role.into(),
            ..self
        }
    }

    /// Comma-separated module names, as stored.
    pub fn modules(self, modules: &str) -> Self {
        User {
            modules: modules.into(),
            ..self
        }
    }

    pub fn status(self, status: &str) -> Self {
        User {
            status: status.into(),
            ..self
        }
    }

    pub fn full_name(self, full_name: &str) -> Self {
        User {
            full_name: full_name.into(),
            ..self
        }
    }

    pub fn email(self, email: &str) -> Self {
        User {
            email: email.into(),
            ..self
        }
    }

    pub fn language(self, language: &str) -> Self {
        User {
            language: language.into(),
            ..self
        }
    }

    pub fn limited_to(mut self, cost_centre: &str) -> Self {
        self.cost_centres.push(cost_centre.into());
        self
    }

    fn to_store<'a>(&'a self, hash: &'a str, now: time::OffsetDateTime) -> users::NewUser<'a> {
        users::NewUser {
            customer_id: self.customer,
            username: &self.username,
            username_key: &self.username_key,
            full_name: &self.full_name,
            email: &self.email,
            language: &self.language,
            role: &self.role,
            modules: &self.modules,
            status: &self.status,
            password_hash: (self.status != "invited").then_some(hash),
            created_at: now,
        }
    }
}

/// A transaction line to seed; its point, cost centre and product are named by code.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub customer: i64,
    pub id: String,
    pub date: Date,
    pub point: String,
    pub centre: Option<String>,
    pub product: String,
    pub format: Option<String>,
    pub weight_class: Option<String>,
    pub destination: Option<String>,
    pub quantity: i64,
    pub unit_price_millis: i64,
    /// Quantity × unit price, half-up to the cent, unless told otherwise.
    pub amount_cents: i64,
}

impl Transaction {
    /// A line without cost centre, format, weight class or destination.
    pub fn new(
        customer: i64,
        id: &str,
        date: Date,
        point: &str,
        product: &str,
        (quantity, unit_price_millis): (i64, i64),
    ) -> Self {
        Transaction {
            customer,
            id: id.into(),
            date,
            point: point.into(),
            centre: None,
            product: product.into(),
            format: None,
            weight_class: None,
            destination: None,
            quantity,
            unit_price_millis,
            amount_cents: line_amount(quantity, UnitPriceMillis(unit_price_millis))
                .expect("amount")
                .0,
        }
    }

    fn to_store<'a>(&'a self, refs: &References) -> operations::NewTransaction<'a> {
        operations::NewTransaction {
            transaction_id: &self.id,
            customer_id: self.customer,
            date: self.date,
            collection_point_id: refs.point(self.customer, &self.point),
            cost_centre_id: self.centre.as_ref().map(|c| refs.centre(self.customer, c)),
            product_id: refs.product(&self.product),
            format: self.format.as_deref(),
            weight_class: self.weight_class.as_deref(),
            destination: self.destination.as_deref(),
            quantity: self.quantity,
            unit_price_millis: self.unit_price_millis,
            amount_cents: self.amount_cents,
        }
    }
}

/// A registered item to seed; its point, cost centre and product are named by code.
#[derive(Debug, Clone)]
pub struct RegisteredItem {
    pub customer: i64,
    pub barcode: String,
    pub date: Date,
    pub point: String,
    pub centre: Option<String>,
    pub product: String,
    pub acknowledgement: bool,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
}

impl RegisteredItem {
    /// An item without cost centre or acknowledgement, to a recipient at Rue 1, 1000
    /// Bruxelles, BE.
    pub fn new(customer: i64, barcode: &str, date: Date, point: &str, product: &str) -> Self {
        RegisteredItem {
            customer,
            barcode: barcode.into(),
            date,
            point: point.into(),
            centre: None,
            product: product.into(),
            acknowledgement: false,
            name: "Recipient".into(),
            street: "Rue 1".into(),
            postcode: "1000".into(),
            city: "Bruxelles".into(),
            country: "BE".into(),
        }
    }

    fn to_store<'a>(&'a self, refs: &References) -> operations::NewRegisteredItem<'a> {
        operations::NewRegisteredItem {
            barcode: &self.barcode,
            customer_id: self.customer,
            deposit_date: self.date,
            collection_point_id: refs.point(self.customer, &self.point),
            cost_centre_id: self.centre.as_ref().map(|c| refs.centre(self.customer, c)),
            product_id: refs.product(&self.product),
            acknowledgement: self.acknowledgement,
            recipient_name: &self.name,
            recipient_street: &self.street,
            recipient_postcode: &self.postcode,
            recipient_city: &self.city,
            recipient_country: &self.country,
        }
    }
}
