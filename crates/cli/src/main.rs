//! `collectstamp`: the Collect & Stamp portal's single binary (server, migrations, demo,
//! operator bootstrap and, as their issues land, the feed, close and retention commands).

use clap::{Parser, Subcommand};
use cs_cli::{commands, config::Config};
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
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        update: bool,
    },
    /// Operator accounts of the Service Centre.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Build the invoices of a month.
    Close {
        #[arg(long, value_name = "YYYY-MM")]
        period: String,
    },
    /// Run the retention job.
    Purge {
        #[arg(long, value_name = "DATE")]
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
        Command::Import { .. } => Some("import"),
        Command::Close { .. } => Some("close"),
        Command::Purge { .. } => Some("purge"),
        Command::Receipts { .. } => Some("receipts verify"),
        Command::Backup { .. } => Some("backup"),
        _ => None,
    };
    if let Some(what) = pending {
        return not_yet(what);
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
            Command::Import { .. }
            | Command::Close { .. }
            | Command::Purge { .. }
            | Command::Receipts { .. }
            | Command::Backup { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only on a terminal: a log file or a journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}
