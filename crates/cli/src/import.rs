//! `collectstamp import KIND FILE`: runs the importer on a file and shows its progress — a bar
//! on a terminal, a plain line every few seconds otherwise — then the summary or the errors.

use crate::{config::Config, server};
use cs_app::{
    RequestMeta,
    audit::Who,
    imports::{self, Outcome, Phase, Progress},
    passwords::Cost,
};
use cs_domain::{SystemClock, feeds::FeedKind};
use indicatif::{ProgressBar, ProgressStyle};
use std::{
    io::IsTerminal,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Exit code of a file refused for its content (every problem is printed).
pub const REJECTED: u8 = 1;
/// Exit code of a usage or I/O error (unknown kind, unreadable file, database down).
pub const FAILED: u8 = 2;

/// Where a test may hold the import to kill it (a hidden option of the command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldAt {
    /// Every row is staged, the checks have not run.
    Staged,
    /// Every row is written inside the publish transaction, before its commit.
    Commit,
}

/// The CLI's progress: an indicatif bar in bytes of the file on a terminal, else plain lines.
struct CliProgress {
    total_bytes: u64,
    bar: Option<ProgressBar>,
    plain: Mutex<(Instant, u64)>,
    started: Instant,
    hold: Option<HoldAt>,
}

impl CliProgress {
    fn new(total_bytes: u64, hold: Option<HoldAt>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total_bytes);
            let style = ProgressStyle::with_template(
                "{spinner} {msg:12} [{bar:40}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let now = Instant::now();
        Self {
            total_bytes,
            bar,
            plain: Mutex::new((now, 0)),
            started: now,
            hold,
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(text.to_owned()),
            None => eprintln!("{text}"),
        }
    }

    /// Holds here until killed: what the kill tests need to find each phase deterministically.
    fn hold(&self, at: HoldAt) {
        if self.hold == Some(at) {
            eprintln!("holding at {at:?}");
            loop {
                std::thread::park();
            }
        }
    }
}

impl Progress for CliProgress {
    fn phase(&self, phase: Phase) {
        match phase {
            Phase::Reading => self.line("reading"),
            Phase::Checking => {
                self.hold(HoldAt::Staged);
                self.line("checking");
            }
            Phase::Publishing => self.line("publishing"),
            Phase::Committing => {
                self.hold(HoldAt::Commit);
                self.line("committing");
            }
            Phase::Done => {
                if let Some(bar) = &self.bar {
                    bar.finish_and_clear();
                }
            }
        }
    }

    fn advance(&self, bytes: u64, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            return;
        }
        let Ok(mut last) = self.plain.lock() else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(last.0) >= Duration::from_secs(5) || last.1 == 0 {
            let millis = now.duration_since(self.started).as_millis().max(1);
            let per_second = u128::from(rows) * 1000 / millis;
            let percent = bytes
                .saturating_mul(100)
                .checked_div(self.total_bytes)
                .unwrap_or(0);
            eprintln!(
                "read {} rows ({percent} %), {} rows/s",
                imports::thousands(rows),
                imports::thousands(u64::try_from(per_second).unwrap_or(u64::MAX))
            );
            *last = (now, rows.max(1));
        }
    }
}

/// Runs the import and prints its outcome; returns the process's exit code.
pub async fn run(
    config: &Config,
    kind: &str,
    file: &Path,
    options: imports::Options,
    hold: Option<HoldAt>,
) -> u8 {
    let kind: FeedKind = match kind.parse() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return FAILED;
        }
    };
    let (source, size) = match std::fs::File::open(file).and_then(|f| {
        let size = f.metadata()?.len();
        Ok((f, size))
    }) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return FAILED;
        }
    };
    let app = match open(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e:#}");
            return FAILED;
        }
    };
    let progress = Arc::new(CliProgress::new(size, hold));
    let source = Box::new(std::io::BufReader::with_capacity(1 << 16, source));
    let outcome = imports::import(
        &app,
        &Who::system("cli"),
        &RequestMeta::cli(),
        kind,
        source,
        &options,
        progress.clone(),
    )
    .await;
    progress.phase(Phase::Done);
    app.store.close().await;
    match outcome {
        Ok(Outcome::Imported(summary)) => {
            println!("{summary}");
            0
        }
        Ok(Outcome::Rejected(r)) => {
            // The command line's own words: a remedy names its options (`--update`).
            for e in &r.errors {
                eprintln!("{}", e.command_line());
            }
            if r.more() > 0 {
                eprintln!("… and {} more errors", imports::thousands(r.more()));
            }
            eprintln!(
                "{}: {} rows read, {} errors: nothing was imported.",
                r.kind,
                imports::thousands(r.rows_read),
                imports::thousands(r.error_count)
            );
            REJECTED
        }
        Err(e) => {
            eprintln!("error: {e}");
            FAILED
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<cs_app::App> {
    let store = server::open_store(config).await?;
    server::build_app(
        config,
        store,
        Arc::new(SystemClock),
        Cost::Production,
        crate::commands::public_url(config)?,
    )
}
