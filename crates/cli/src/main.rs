//! `collectstamp`: the Collect & Stamp portal's single binary (server, migrations, demo,
//! operator bootstrap and, as their issues land, the feed, close and retention commands).

use clap::{Parser, Subcommand};
use cs_cli::{commands, config::Config, import};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "collectstamp",
    version,
    about = "The Collect & Stamp business customer portal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (migrates the database first).
    Serve {
        /// Load demo data into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load demo data into an empty database and print the logins.
    Demo,
    /// Import an operator feed (customers, cost-centres, collection-points, products, transactions, registered-items).
    Import {
        kind: String,
        file: PathBuf,
        /// Check the file and report what it would do; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace stored rows that the file gives with other values.
        #[arg(long)]
        update: bool,
        /// Test hook: stop at a phase until killed (staged | commit).
        #[arg(long, hide = true, value_parser = ["staged", "commit"])]
        hold_at: Option<String>,
    },
    /// Operator accounts of the Service Centre.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Build the invoices of a month.
    Close {
        #[arg(long, value_name = "YYYY-MM", value_parser = month_arg)]
        period: String,
    },
    /// Run the retention job.
    Purge {
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        as_of: Option<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Electronic receipts.
    Receipts {
        #[command(subcommand)]
        command: ReceiptsCommand,
    },
    /// Write a consistent copy of the database to FILE.
    Backup { file: PathBuf },
    /// Measure the portal's speed on generated data (figures for docs/PERFORMANCE.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Import a generated file of transactions, next to sqlite3 .import (and psql \copy).
    Import {
        /// Transactions in the generated file.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Customers the transactions are spread over.
        #[arg(long, default_value_t = 1_000)]
        customers: usize,
        /// Rounds; the medians are printed. 0: only write the files (into --dir).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Also measure on PostgreSQL: a URL whose server may create databases.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
        /// Folder for the generated files and databases (default: a temporary one).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Measure PostgreSQL only (with --postgres).
        #[arg(long)]
        skip_sqlite: bool,
    },
    /// Render the PDF base's specimen into FILE: the time taken and the size.
    Pdf {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// About how many pages (at least 3).
        #[arg(long, default_value_t = 3)]
        pages: usize,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator account and print its one-time link.
    Create {
        username: String,
        #[arg(long)]
        email: String,
        /// Full name (default: the username).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum ReceiptsCommand {
    /// Check a receipt PDF's seal and hash chain entry.
    Verify { file: PathBuf },
}

/// `--as-of`: the portal's one date rule (years 2000 to 2100), checked before anything runs.
fn date_arg(s: &str) -> Result<String, String> {
    cs_domain::dates::parse_date(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

/// `--period`: a month under the same rule.
fn month_arg(s: &str) -> Result<String, String> {
    cs_domain::dates::parse_month(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let not_yet = |what: &str| {
        eprintln!("collectstamp {what}: not available yet in this version.");
        ExitCode::from(commands::NOT_AVAILABLE)
    };
    let pending = match &cli.command {
        Command::Close { .. } => Some("close"),
        Command::Purge { .. } => Some("purge"),
        Command::Receipts { .. } => Some("receipts verify"),
        Command::Backup { .. } => Some("backup"),
        _ => None,
    };
    if let Some(what) = pending {
        return not_yet(what);
    }
    if let Command::Bench { command } = &cli.command {
        return bench(command, &runtime);
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Serve { demo } => commands::serve(&config, *demo).await,
            Command::Migrate => commands::migrate(&config).await,
            Command::Demo => commands::demo(&config).await,
            Command::Operator {
                command:
                    OperatorCommand::Create {
                        username,
                        email,
                        name,
                    },
            } => commands::operator_create(&config, username, email, name.as_deref()).await,
            Command::Import {
                kind,
                file,
                dry_run,
                update,
                hold_at,
            } => import_command(&config, kind, file, *dry_run, *update, hold_at.as_deref()).await,
            Command::Close { .. }
            | Command::Purge { .. }
            | Command::Receipts { .. }
            | Command::Backup { .. }
            | Command::Bench { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The command has printed its own report.
        Err(e) if e.downcast_ref::<Exit>().is_some() => {
            ExitCode::from(e.downcast_ref::<Exit>().map_or(1, |x| x.0))
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `collectstamp bench …`: measurements that need no configuration.
fn bench(command: &BenchCommand, runtime: &tokio::runtime::Runtime) -> ExitCode {
    let result = match command {
        BenchCommand::Pdf { out, pages } => cs_cli::bench::pdf(out, *pages),
        BenchCommand::Import {
            rows,
            customers,
            rounds,
            postgres,
            dir,
            skip_sqlite,
        } => {
            let options = cs_cli::bench::BenchOptions {
                rows: *rows,
                customers: (*customers).max(1),
                rounds: *rounds,
                postgres: postgres.clone(),
                dir: dir.clone(),
                skip_sqlite: *skip_sqlite,
            };
            runtime.block_on(cs_cli::bench::import(&options))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `collectstamp import KIND FILE`: the importer's report is printed by `import::run`, and its
/// exit code is the command's.
async fn import_command(
    config: &Config,
    kind: &str,
    file: &std::path::Path,
    dry_run: bool,
    update: bool,
    hold_at: Option<&str>,
) -> anyhow::Result<()> {
    let options = cs_app::imports::Options {
        dry_run,
        update,
        file_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let hold = hold_at.map(|h| match h {
        "commit" => import::HoldAt::Commit,
        _ => import::HoldAt::Staged,
    });
    let code = import::run(config, kind, file, options, hold).await;
    if code == 0 {
        Ok(())
    } else {
        Err(Exit(code).into())
    }
}

/// A command that printed its own report and ends with this exit code.
#[derive(Debug)]
struct Exit(u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.0)
    }
}

impl std::error::Error for Exit {}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=error"));
    // Colours only on a terminal: a log file or a journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // Read before the configuration, so that its own errors are logged in the chosen format;
    // an invalid value is reported with the rest of the configuration.
    let json = std::env::var("COLLECTSTAMP_LOG_FORMAT")
        .is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.with_ansi(ansi).try_init()
    };
}
