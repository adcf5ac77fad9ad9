//! `collectstamp import` as an operator runs it: exit codes, the report on standard error, and
//! what a `kill -9` at each phase leaves behind (nothing) and what the re-run then gives (the
//! exact result of a clean import), on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]
#![allow(
    clippy::too_many_lines,
    clippy::cognitive_complexity,
    clippy::cast_possible_truncation,
    reason = "a test reads top to bottom as one scenario, on small data"
)]

use cs_store::scratch::ScratchPg;
use sqlx::Connection;
use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
};

fn collectstamp(dir: &Path, database_url: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_collectstamp"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COLLECTSTAMP_DATA_DIR", dir)
        .env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        // PostgreSQL wants the instances' shared secret key named (SQLite makes its own).
        let key = dir.join("secret.key");
        if !key.exists() {
            cs_cli::config::write_new_key_file(&key).unwrap();
        }
        c.env("COLLECTSTAMP_DATABASE_URL", url)
            .env("COLLECTSTAMP_SECRET_KEY_FILE", &key);
    }
    c
}

const CUSTOMERS: &str = "\
customer_number,name,vat_number,language,street,postcode,city,country
8800123,Van Damme Logistics,BE0428759497,nl,Kaai 12,9000,Gent,BE
8800456,Ville de Namur,BE0207519226,fr,Rue de Fer 1,5000,Namur,BE
";
const POINTS: &str = "\
customer_number,code,name,street,postcode,city
8800123,KAAI,Kaai,Kaai 12,9000,Gent
8800456,HOTEL,Hôtel de ville,Rue de Fer 1,5000,Namur
";
const CENTRES: &str = "\
customer_number,code,name
8800123,LOG,Logistics
8800456,FIN,Finances
";
const PRODUCTS: &str = "\
code,kind,vat_rate,name_fr,name_nl,name_de,name_en
PRIOR-BE,postage,0,Prior,Prior,Prior,Prior
";

fn transactions(rows: usize) -> String {
    let mut s = String::from(
        "transaction_id,customer_number,date,collection_point,cost_centre,product_code,format,weight_class,destination,quantity,unit_price\n",
    );
    for i in 0..rows {
        let (c, p, cc) = if i % 3 == 0 {
            ("8800456", "HOTEL", "FIN")
        } else {
            ("8800123", "KAAI", "")
        };
        s.push_str(&format!(
            "K{i:07},{c},2026-10-{:02},{p},{cc},PRIOR-BE,small,0-50g,BE,{},1.{:03}\n",
            i % 28 + 1,
            i % 50 + 1,
            i % 1000
        ));
    }
    s
}

/// A database for one test: a fresh SQLite file, or a fresh PostgreSQL database.
struct Db {
    pg: Option<ScratchPg>,
}

impl Db {
    async fn postgres(test: &str) -> Option<Db> {
        let pg = ScratchPg::for_test(test, "cs_import").await?;
        Some(Db { pg: Some(pg) })
    }

    fn sqlite() -> Db {
        Db { pg: None }
    }

    fn url(&self, dir: &Path) -> String {
        match &self.pg {
            Some(pg) => pg.url().to_owned(),
            None => format!("sqlite://{}", dir.join("collectstamp.db").display()),
        }
    }

    /// What the feed tables hold, summarised so that any difference shows.
    async fn checksum(&self, dir: &Path) -> Vec<i64> {
        let url = self.url(dir);
        let mut out = Vec::new();
        let queries = [
            "SELECT COUNT(*) FROM customers",
            "SELECT COUNT(*) FROM cost_centres",
            "SELECT COUNT(*) FROM collection_points",
            "SELECT COUNT(*) FROM products",
            "SELECT COUNT(*) FROM transactions",
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions",
            "SELECT CAST(COALESCE(SUM(quantity * LENGTH(transaction_id)), 0) AS BIGINT) FROM transactions",
            "SELECT COUNT(*) FROM transactions WHERE cost_centre_id IS NULL",
            "SELECT COUNT(*) FROM registered_items",
        ];
        if url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            for q in queries {
                out.push(
                    sqlx::query_scalar::<_, i64>(q)
                        .fetch_one(&mut c)
                        .await
                        .unwrap(),
                );
            }
        } else {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            for q in queries {
                out.push(
                    sqlx::query_scalar::<_, i64>(q)
                        .fetch_one(&mut c)
                        .await
                        .unwrap(),
                );
            }
        }
        out
    }

    async fn drop(self) {
        if let Some(pg) = self.pg {
            pg.drop_now().await;
        }
    }
}

fn import(dir: &Path, db: &Db, kind: &str, file: &Path, extra: &[&str]) -> std::process::Output {
    collectstamp(dir, db.pg.as_ref().map(ScratchPg::url))
        .args(["import", kind])
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

/// Loads the reference feeds; returns the transactions file.
fn prepare(dir: &Path, db: &Db, rows: usize) -> std::path::PathBuf {
    for (kind, body) in [
        ("customers", CUSTOMERS),
        ("collection-points", POINTS),
        ("cost-centres", CENTRES),
        ("products", PRODUCTS),
    ] {
        let file = dir.join(format!("{kind}.csv"));
        std::fs::write(&file, body).unwrap();
        let out = import(dir, db, kind, &file, &[]);
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let file = dir.join("transactions.csv");
    std::fs::write(&file, transactions(rows)).unwrap();
    file
}

/// Starts the import held at `phase`, waits until it says so, and kills it with SIGKILL.
fn kill_at(dir: &Path, db: &Db, file: &Path, phase: &str) {
    let mut child = collectstamp(dir, db.pg.as_ref().map(ScratchPg::url))
        .args(["import", "transactions"])
        .arg(file)
        .args(["--hold-at", phase])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let held = line.starts_with("holding at");
        seen.push(line);
        if held {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL: no clean-up code runs
    let status = child.wait().unwrap();
    assert!(
        seen.iter().any(|l| l.starts_with("holding at")),
        "the import never reached {phase}: {seen:?}"
    );
    assert!(!status.success());
}

async fn a_kill_leaves_nothing_and_the_rerun_is_exact(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let file = prepare(dir.path(), &db, 5_000);
    let before = db.checksum(dir.path()).await;
    for phase in ["staged", "commit"] {
        kill_at(dir.path(), &db, &file, phase);
        assert_eq!(
            db.checksum(dir.path()).await,
            before,
            "killed at {phase}: the database must be as before the file"
        );
    }
    let out = import(dir.path(), &db, "transactions", &file, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("5,000 read, 5,000 inserted"), "{summary}");
    let after = db.checksum(dir.path()).await;

    // The same files into a database that never saw a kill.
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = if db.pg.is_some() {
        Db::postgres("kill_9_clean_twin").await.unwrap()
    } else {
        Db::sqlite()
    };
    let clean_file = prepare(clean_dir.path(), &clean, 5_000);
    let out = import(clean_dir.path(), &clean, "transactions", &clean_file, &[]);
    assert!(out.status.success());
    assert_eq!(after, clean.checksum(clean_dir.path()).await);
    clean.drop().await;

    // The staging files of the killed runs were swept by the next import.
    if db.pg.is_none() {
        let left: Vec<_> = std::fs::read_dir(dir.path().join("imports"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
    db.drop().await;
}

#[tokio::test]
async fn sqlite_kill_9_at_any_phase_leaves_the_database_as_before() {
    a_kill_leaves_nothing_and_the_rerun_is_exact(Db::sqlite()).await;
}

#[tokio::test]
async fn postgres_kill_9_at_any_phase_leaves_the_database_as_before() {
    if let Some(db) =
        Db::postgres("postgres_kill_9_at_any_phase_leaves_the_database_as_before").await
    {
        a_kill_leaves_nothing_and_the_rerun_is_exact(db).await;
    }
}

#[tokio::test]
async fn exit_codes_and_the_report_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::sqlite();
    let file = prepare(dir.path(), &db, 10);

    // A dry run says what it would do and changes nothing.
    let out = import(dir.path(), &db, "transactions", &file, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("10 would be inserted"), "{stdout}");
    assert_eq!(db.checksum(dir.path()).await[4], 0);

    // A bad row: exit 1, the line and column on standard error, nothing imported.
    let bad = dir.path().join("bad.csv");
    let body =
        transactions(5).replace("K0000003,8800456,2026-10-04", "K0000003,8800456,2026-10-40");
    std::fs::write(&bad, body).unwrap();
    let out = import(dir.path(), &db, "transactions", &bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 5, column date:"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(db.checksum(dir.path()).await[4], 0);

    // Usage errors: exit 2 with a clear message.
    let out = import(dir.path(), &db, "stamps", &file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown feed"));
    let out = import(
        dir.path(),
        &db,
        "transactions",
        &dir.path().join("none.csv"),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));

    // Not a terminal: plain progress lines, no bar escape codes.
    let out = import(dir.path(), &db, "transactions", &file, &[]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("read 10 rows (100 %)"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[tokio::test]
async fn a_row_stored_otherwise_names_the_command_lines_update_option() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::sqlite();
    prepare(dir.path(), &db, 1);
    let changed = dir.path().join("products-changed.csv");
    std::fs::write(
        &changed,
        PRODUCTS.replace(",Prior,Prior,", ",Prior national,Prior,"),
    )
    .unwrap();

    let out = import(dir.path(), &db, "products", &changed, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "line 2, column name_fr: code PRIOR-BE is already stored with another name_fr; \
             import with --update to replace it"
        ),
        "{stderr}"
    );

    // The run's record keeps what is wrong and the remedy apart, so that the portal, which
    // shows the run too, says it in its own words.
    let url = db.url(dir.path());
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let errors: String =
        sqlx::query_scalar("SELECT errors FROM import_runs ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert!(!errors.contains("--update"), "{errors}");
    assert!(errors.contains(r#""remedy":"update""#), "{errors}");

    let out = import(dir.path(), &db, "products", &changed, &["--update"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
