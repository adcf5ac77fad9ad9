//! The subcommands of `collectstamp` (SPEC §6): each parses its arguments, calls the use
//! cases and prints plainly; failures become a message and a non-zero exit code.

use crate::{config::Config, server};
use anyhow::Context;
use cs_app::{
    RequestMeta, auth,
    demo::{self, DemoOutcome},
    passwords::Cost,
};
use cs_domain::{Clock, SystemClock};
use std::sync::Arc;

/// Exit code of commands whose capability has not landed yet.
pub const NOT_AVAILABLE: u8 = 3;

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// Prints the demo's logins, one per line as `username / password`.
pub fn print_demo(outcome: &DemoOutcome) {
    match outcome {
        DemoOutcome::Loaded {
            logins,
            transactions,
            registered_items,
        } => {
            println!(
                "Demo data loaded: {transactions} transactions, {registered_items} registered items."
            );
            println!("Demo logins (username / password):");
            for l in logins {
                println!("{} / {}", l.username, l.password);
            }
            println!("Roles:");
            for l in logins {
                match &l.customer {
                    Some(c) => println!("  {}: {} of customer {c}", l.username, l.role),
                    None => println!("  {}: {} (Service Centre)", l.username, l.role),
                }
            }
        }
        DemoOutcome::NotEmpty => {
            println!(
                "The database already holds data: the demo was not loaded; serving what is there."
            );
        }
    }
}

pub async fn serve(config: &Config, with_demo: bool) -> anyhow::Result<()> {
    let announce: Option<server::BeforeListen<'_>> = if with_demo {
        Some(Box::new(print_demo))
    } else {
        None
    };
    // A demo shows the Service Centre's contact as a customer would see it.
    let config = if with_demo {
        config.with_demo_service_centre()
    } else {
        config.clone()
    };
    let running = server::launch(&config, server::Options::production(), announce).await?;
    println!(
        "Collect & Stamp portal listening on {}",
        running.app.settings.public_url
    );
    tracing::info!(addr = %running.addr, "listening");
    running.until_signal().await
}

pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = server::open_store(config).await?;
    let n = cs_store::Store::migration_versions(store.backend()).len();
    println!(
        "Database {} is up to date ({n} migrations).",
        config.database_url_redacted()
    );
    store.close().await;
    Ok(())
}

pub async fn demo(config: &Config) -> anyhow::Result<()> {
    let store = server::open_store(config).await?;
    let app = server::build_app(
        config,
        store,
        clock(),
        Cost::Production,
        public_url(config)?,
    )?;
    let outcome = demo::load(&app)
        .await
        .map_err(|e| anyhow::anyhow!("cannot load the demo: {e}"))?;
    print_demo(&outcome);
    app.store.close().await;
    Ok(())
}

pub async fn operator_create(
    config: &Config,
    username: &str,
    email: &str,
    name: Option<&str>,
) -> anyhow::Result<()> {
    let store = server::open_store(config).await?;
    let app = server::build_app(
        config,
        store,
        clock(),
        Cost::Production,
        public_url(config)?,
    )?;
    let link = auth::create_operator(&app, &RequestMeta::cli(), username, email, name)
        .await
        .map_err(|e| match e {
            cs_app::AppError::Validation(d) => anyhow::anyhow!(
                "{}",
                d.iter()
                    .map(|d| format!("{}: {}", d.field.as_deref().unwrap_or("input"), d.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            e => anyhow::anyhow!("{e}"),
        })?;
    println!(
        "Operator {username} created. Send this one-time link (valid 72 hours) to set the password:"
    );
    println!("{link}");
    app.store.close().await;
    Ok(())
}

pub(crate) fn public_url(config: &Config) -> anyhow::Result<url::Url> {
    match &config.public_url {
        Some(u) => Ok(u.clone()),
        None => url::Url::parse(&format!("http://{}", config.bind))
            .context("public URL from bind address"),
    }
}
