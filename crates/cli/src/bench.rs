//! `collectstamp bench import`: the importer's speed on a generated file of transactions, next
//! to a reference measured in the same run on the same file — the `sqlite3` CLI's `.import`
//! into a table with the same columns and indexes, and `psql \copy` for PostgreSQL.
//!
//! Not a test: it prints figures for `docs/PERFORMANCE.md`. It also probes, while our import
//! runs, how long a one-row write (what a sign-in does) waits for the write lock.
//!
//! `collectstamp bench pdf`: the PDF base's specimen rendered once, its time and size.

use cs_app::{
    App, RequestMeta,
    audit::Who,
    imports::{self, Options, Outcome, Silent, thousands},
    passwords::Cost,
};
use cs_domain::{SystemClock, feeds::FeedKind};
use cs_store::{Store, scratch::ScratchPg};
use sqlx::Connection;
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub rows: usize,
    pub customers: usize,
    pub rounds: usize,
    /// A PostgreSQL server to measure on as well (`postgres://user@host/db`; a fresh database
    /// is created beside `db` for every round).
    pub postgres: Option<String>,
    /// Where the generated files and databases go (default: a temporary folder).
    pub dir: Option<PathBuf>,
    /// Measure PostgreSQL only.
    pub skip_sqlite: bool,
}

/// Customer numbers, VAT numbers and codes of the generated reference data.
fn customer_number(i: usize) -> String {
    format!("{}", 7_700_000 + i)
}

fn vat_number(i: usize) -> String {
    let first8 = 10_000_000 + i as u64;
    let check = 97 - first8 % 97;
    format!("BE{first8:08}{check:02}")
}

const PRODUCTS: [&str; 5] = [
    "PRIOR-BE",
    "NONPRIOR-BE",
    "PRIOR-EU",
    "PRIOR-WORLD",
    "SRV-COLLECT",
];

/// Writes the reference feeds and the transactions file; returns the transactions file.
pub fn generate(dir: &Path, customers: usize, rows: usize) -> std::io::Result<PathBuf> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("customers.csv"))?);
    writeln!(
        w,
        "customer_number,name,vat_number,language,street,postcode,city,country"
    )?;
    for i in 0..customers {
        writeln!(
            w,
            "{},Customer {i},{},fr,Rue {i},1000,Bruxelles,BE",
            customer_number(i),
            vat_number(i)
        )?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("collection-points.csv"))?);
    writeln!(w, "customer_number,code,name,street,postcode,city")?;
    for i in 0..customers {
        for p in ["CP1", "CP2"] {
            writeln!(
                w,
                "{},{p},Point {p},Rue {i},1000,Bruxelles",
                customer_number(i)
            )?;
        }
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("cost-centres.csv"))?);
    writeln!(w, "customer_number,code,name")?;
    for i in 0..customers {
        for c in ["FIN", "SALES"] {
            writeln!(w, "{},{c},Centre {c}", customer_number(i))?;
        }
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("products.csv"))?);
    writeln!(w, "code,kind,vat_rate,name_fr,name_nl,name_de,name_en")?;
    for p in PRODUCTS {
        let (kind, vat) = if p.starts_with("SRV") {
            ("service", 21)
        } else {
            ("postage", 0)
        };
        writeln!(w, "{p},{kind},{vat},{p},{p},{p},{p}")?;
    }
    w.flush()?;
    transactions(dir, customers, rows)
}

/// The transactions file: `rows` rows spread over the customers and the days of 2026.
fn transactions(dir: &Path, customers: usize, rows: usize) -> std::io::Result<PathBuf> {
    let path = dir.join("transactions.csv");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(
        w,
        "transaction_id,customer_number,date,collection_point,cost_centre,product_code,format,weight_class,destination,quantity,unit_price"
    )?;
    // A fixed sequence (no randomness): the same file every run.
    for i in 0..rows {
        let customer = customer_number(i % customers.max(1));
        let day = i / customers.max(1) % 365;
        let date = u16::try_from(day + 1)
            .ok()
            .and_then(|d| time::Date::from_ordinal_date(2026, d).ok())
            .unwrap_or(time::macros::date!(2026 - 01 - 01));
        let product = PRODUCTS[i % PRODUCTS.len()];
        let (format, weight, destination) = match product {
            "SRV-COLLECT" => ("", "", ""),
            "PRIOR-EU" => ("large", "101-350g", "EU"),
            "PRIOR-WORLD" => ("small", "0-50g", "WORLD"),
            _ => ("small", "0-50g", "BE"),
        };
        let centre = match i % 3 {
            0 => "FIN",
            1 => "SALES",
            _ => "",
        };
        writeln!(
            w,
            "OP-{i:09},{customer},{date},CP{},{centre},{product},{format},{weight},{destination},{},{}.{:03}",
            i % 2 + 1,
            i % 500 + 1,
            i % 3,
            (i * 37) % 1000
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// One measured import: seconds, rows/s, write-lock time, and the worst wait of a one-row
/// write probe during it.
struct Measured {
    seconds: f64,
    lock_millis: u64,
    worst_probe: Duration,
    again_seconds: f64,
}

async fn open_app(url: &str, dir: &Path) -> anyhow::Result<App> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let config = crate::config::Config::for_data_dir(dir.to_path_buf(), Some(url.to_owned()))?;
    crate::server::build_app(
        &config,
        store,
        Arc::new(SystemClock),
        Cost::Fast,
        url::Url::parse("http://127.0.0.1:8080/")?,
    )
}

async fn import_file(app: &App, kind: FeedKind, file: &Path) -> anyhow::Result<imports::Summary> {
    let source = Box::new(std::io::BufReader::with_capacity(
        1 << 16,
        std::fs::File::open(file)?,
    ));
    let outcome = imports::import(
        app,
        &Who::system("bench"),
        &RequestMeta::cli(),
        kind,
        source,
        &Options {
            file_name: file.display().to_string(),
            ..Options::default()
        },
        Arc::new(Silent),
    )
    .await?;
    match outcome {
        Outcome::Imported(s) => Ok(s),
        Outcome::Rejected(r) => anyhow::bail!(
            "the generated {} file was rejected: {:?}",
            r.kind,
            r.errors.first()
        ),
    }
}

async fn measure_ours(url: &str, dir: &Path, files: &Path) -> anyhow::Result<Measured> {
    let app = open_app(url, dir).await?;
    for kind in [
        FeedKind::Customers,
        FeedKind::CollectionPoints,
        FeedKind::CostCentres,
        FeedKind::Products,
    ] {
        import_file(&app, kind, &files.join(format!("{}.csv", kind.as_str()))).await?;
    }
    // A one-row write every 10 ms while the import runs: how long does a sign-in wait?
    let probe_store = app.store.clone();
    let stop = Arc::new(tokio::sync::Notify::new());
    let stop_probe = stop.clone();
    let probe = tokio::spawn(async move {
        let mut worst = Duration::ZERO;
        loop {
            let started = Instant::now();
            if let Ok(mut tx) = probe_store.begin().await {
                let _ = cs_store::execute!(
                    &mut tx.conn(),
                    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                );
                let _ = tx.commit().await;
            }
            worst = worst.max(started.elapsed());
            tokio::select! {
                () = stop_probe.notified() => break,
                () = tokio::time::sleep(Duration::from_millis(10)) => {}
            }
        }
        worst
    });
    let file = files.join("transactions.csv");
    let summary = import_file(&app, FeedKind::Transactions, &file).await?;
    stop.notify_one();
    let worst_probe = probe.await.unwrap_or(Duration::ZERO);
    let again = import_file(&app, FeedKind::Transactions, &file).await?;
    anyhow::ensure!(
        again.inserted == 0,
        "the second import inserted {}",
        again.inserted
    );
    app.store.close().await;
    Ok(Measured {
        seconds: summary.seconds,
        lock_millis: summary.lock_millis.unwrap_or(0),
        worst_probe,
        again_seconds: again.seconds,
    })
}

/// The reference table's index: the same columns as the portal's `transactions_customer_date`
/// (migration 0004), by their names in the file.
const REF_INDEX: &str = "customer_number, date, transaction_id, product_code, collection_point, \
    cost_centre, destination, quantity, unit_price";

const REF_COLUMNS_SQLITE: &str = "transaction_id TEXT NOT NULL, customer_number TEXT NOT NULL, \
    date TEXT NOT NULL, collection_point TEXT NOT NULL, cost_centre TEXT, product_code TEXT NOT NULL, \
    format TEXT, weight_class TEXT, destination TEXT, quantity INTEGER NOT NULL, unit_price TEXT NOT NULL, \
    UNIQUE (transaction_id)";

/// `sqlite3 DB ".import --skip 1 FILE ref_transactions"` into a WAL database with our settings.
fn measure_sqlite3(db: &Path, file: &Path) -> anyhow::Result<f64> {
    let setup = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         CREATE TABLE ref_transactions ({REF_COLUMNS_SQLITE}); \
         CREATE INDEX ref_customer_date ON ref_transactions ({REF_INDEX});"
    );
    let status = Command::new("sqlite3").arg(db).arg(&setup).status()?;
    anyhow::ensure!(
        status.success(),
        "sqlite3 could not create the reference table"
    );
    let started = Instant::now();
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("PRAGMA synchronous = NORMAL;")
        .arg(".mode csv")
        .arg(format!(
            ".import --skip 1 {} ref_transactions",
            file.display()
        ))
        .output()?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        out.status.success() && out.stderr.is_empty(),
        "sqlite3 .import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(seconds)
}

const REF_COLUMNS_PG: &str = "transaction_id TEXT NOT NULL UNIQUE, customer_number TEXT NOT NULL, \
    date DATE NOT NULL, collection_point TEXT NOT NULL, cost_centre TEXT, product_code TEXT NOT NULL, \
    format TEXT, weight_class TEXT, destination TEXT, quantity BIGINT NOT NULL, unit_price NUMERIC(12,3) NOT NULL";

/// `psql -c "\copy ref_transactions FROM FILE (FORMAT csv, HEADER true)"`.
async fn measure_psql(url: &str, file: &Path) -> anyhow::Result<f64> {
    let mut c = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE ref_transactions ({REF_COLUMNS_PG}); \
         CREATE INDEX ref_customer_date ON ref_transactions ({REF_INDEX});"
    )))
    .execute(&mut c)
    .await?;
    c.close().await?;
    let started = Instant::now();
    let out = Command::new("psql")
        .arg(url)
        .arg("-v")
        .arg("ON_ERROR_STOP=1")
        .arg("-c")
        .arg(format!(
            "\\copy ref_transactions FROM '{}' WITH (FORMAT csv, HEADER true)",
            file.display()
        ))
        .output()?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        out.status.success(),
        "psql \\copy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(seconds)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn report(name: &str, reference: &str, rows: usize, ours: &[Measured], theirs: Vec<f64>) {
    let ours_s = median(ours.iter().map(|m| m.seconds).collect());
    let theirs_s = median(theirs);
    let again = median(ours.iter().map(|m| m.again_seconds).collect());
    let lock = median(ours.iter().map(|m| m.lock_millis as f64).collect());
    let probe = ours.iter().map(|m| m.worst_probe).max().unwrap_or_default();
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a rate shown in whole rows per second, rounded down"
    )]
    let rate = |s: f64| if s > 0.0 { (rows as f64 / s) as u64 } else { 0 };
    println!(
        "{name}: {} rows, median of {} rounds",
        thousands(rows as u64),
        ours.len()
    );
    println!(
        "  collectstamp import   {:>8.2} s  {:>10} rows/s",
        ours_s,
        thousands(rate(ours_s))
    );
    println!(
        "  {reference:<21} {:>8.2} s  {:>10} rows/s",
        theirs_s,
        thousands(rate(theirs_s))
    );
    println!(
        "  ratio (reference time / ours): {:.2}×",
        if ours_s > 0.0 { theirs_s / ours_s } else { 0.0 }
    );
    println!("  write lock held: {:.3} s (median)", lock / 1000.0);
    println!(
        "  worst wait of a one-row write during the import: {:.3} s",
        probe.as_secs_f64()
    );
    println!("  the same file again (all already present): {again:.2} s");
}

/// Runs the benchmark and prints the figures.
pub async fn import(options: &BenchOptions) -> anyhow::Result<()> {
    let temp;
    let dir = match &options.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let files = dir.join("files");
    std::fs::create_dir_all(&files)?;
    println!(
        "generating {} transactions of {} customers …",
        thousands(options.rows as u64),
        thousands(options.customers as u64)
    );
    let file = generate(&files, options.customers, options.rows)?;
    let bytes = std::fs::metadata(&file)?.len();
    println!("{} ({} MB)", file.display(), bytes / 1_000_000);
    if options.rounds == 0 {
        // Only the files: for measuring a separate `collectstamp import` (peak memory).
        return Ok(());
    }

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for round in 0..options.rounds {
        if options.skip_sqlite {
            break;
        }
        let run = dir.join(format!("sqlite-{round}"));
        std::fs::create_dir_all(&run)?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            run.join("collectstamp.db").display()
        );
        ours.push(measure_ours(&url, &run, &files).await?);
        theirs.push(measure_sqlite3(&run.join("reference.db"), &file)?);
        let _ = std::fs::remove_dir_all(&run);
    }
    if !options.skip_sqlite {
        report("SQLite", "sqlite3 .import", options.rows, &ours, theirs);
    }

    if let Some(admin) = &options.postgres {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for round in 0..options.rounds {
            let run = dir.join(format!("pg-{round}"));
            std::fs::create_dir_all(&run)?;
            let db = ScratchPg::create(admin, "cs_bench").await?;
            let measured = measure_ours(db.url(), &run, &files).await;
            let reference = match &measured {
                Ok(_) => measure_psql(db.url(), &file).await,
                Err(_) => Ok(0.0),
            };
            db.drop_now().await;
            ours.push(measured?);
            theirs.push(reference?);
        }
        report("PostgreSQL", "psql \\copy", options.rows, &ours, theirs);
    }
    Ok(())
}

/// The specimen's date: fixed, so that two runs write the same file.
const SPECIMEN_DATE: time::OffsetDateTime = time::macros::datetime!(2026-11-26 10:00:00 UTC);

/// Renders the PDF base's specimen of about `pages` pages (at least 3) into `out` and prints
/// the pages, the time taken and the size.
pub fn pdf(out: &Path, pages: usize) -> anyhow::Result<()> {
    let document = cs_documents::pdf::specimen(pages, SPECIMEN_DATE);
    let started = Instant::now();
    let rendered = cs_documents::pdf::render(&document)?;
    let took = started.elapsed();
    std::fs::write(out, &rendered.bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    println!(
        "pdf: {} pages, {} bytes, rendered in {:.1} ms ({:.2} ms a page) -> {}",
        rendered.pages,
        rendered.bytes.len(),
        took.as_secs_f64() * 1000.0,
        took.as_secs_f64() * 1000.0 / rendered.pages.max(1) as f64,
        out.display()
    );
    Ok(())
}
