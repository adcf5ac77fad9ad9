//! Starting the portal: open the database (migrating it), build the application and serve
//! it until told to stop. The tests call [`launch`] exactly as `collectstamp serve` does.

use crate::config::Config;
use anyhow::Context;
use cs_app::{
    App, Settings, demo, documents::DocumentStore, mail::Mailer, passwords::Cost,
    secret_box::SecretKeys,
};
use cs_domain::Clock;
use cs_store::{Backend, Store};
use cs_web::AppState;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use url::Url;

/// Connects to the configured database and applies pending migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database_url.expose().starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    let store = Store::connect(config.database_url.expose())
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                config.database_url_redacted()
            )
        })?;
    store
        .migrate()
        .await
        .context("cannot apply the database migrations")?;
    Ok(store)
}

/// The mail transport of the configuration: SMTP, or `.eml` files in `DATA_DIR/outbox/`.
fn mailer(config: &Config, public_url: &Url) -> anyhow::Result<Mailer> {
    let from = match &config.mail_from {
        Some(f) => f.parse().context("COLLECTSTAMP_MAIL_FROM")?,
        None => {
            let host = public_url
                .host_str()
                .filter(|h| h.contains('.') && h.parse::<std::net::IpAddr>().is_err())
                .unwrap_or("collectstamp.invalid");
            format!("Collect & Stamp <no-reply@{host}>")
                .parse()
                .context("default sender address")?
        }
    };
    Ok(match &config.smtp_url {
        Some(url) => Mailer::smtp(url.expose(), from).map_err(|e| anyhow::anyhow!(e))?,
        None => Mailer::outbox(config.data_dir.join("outbox"), from),
    })
}

/// Builds the application on an open store.
pub fn build_app(
    config: &Config,
    store: Store,
    clock: Arc<dyn Clock>,
    cost: Cost,
    public_url: Url,
) -> anyhow::Result<App> {
    let documents =
        DocumentStore::local(&config.data_dir.join("documents")).with_context(|| {
            format!(
                "cannot use the document folder under {}",
                config.data_dir.display()
            )
        })?;
    let mailer = mailer(config, &public_url)?;
    let settings = Settings {
        public_url,
        data_dir: config.data_dir.clone(),
        password_cost: cost,
        import_max_bytes: config.import_max_bytes,
        secret_keys: secret_keys(config, store.backend())?,
        metrics_token_hash: config
            .metrics_token
            .as_ref()
            .map(|t| cs_app::secrets::token_hash(t.expose())),
        exports: config.exports,
        service_centre: config.service_centre.clone().with_default_hours(),
    };
    if !settings.service_centre.reachable() {
        tracing::warn!(
            "COLLECTSTAMP_SERVICE_CENTRE_PHONE and _EMAIL are not set: pages and e-mails that \
             send people to the Service Centre cannot say how to reach it"
        );
    }
    Ok(App::new(store, clock, settings, documents, mailer))
}

/// The secret keys of `SECRET_KEY_FILE`. Without one, SQLite (one machine) uses
/// `DATA_DIR/secret.key`, created on first start with a loud warning; PostgreSQL refuses,
/// because every instance must share the same key. A key file that others may read is
/// refused: it protects the second factors of every user.
pub fn secret_keys(config: &Config, backend: Backend) -> anyhow::Result<SecretKeys> {
    let path = match (&config.secret_key_file, backend) {
        (Some(p), _) => p.clone(),
        (None, Backend::Sqlite) => {
            let p = config.data_dir.join("secret.key");
            if !p.exists() {
                std::fs::create_dir_all(&config.data_dir)?;
                crate::config::write_new_key_file(&p)?;
                tracing::warn!(
                    path = %p.display(),
                    "COLLECTSTAMP_SECRET_KEY_FILE is not set: created a new secret key in the \
                     data directory. Back it up apart from the database, and set \
                     COLLECTSTAMP_SECRET_KEY_FILE to it in production"
                );
            }
            p
        }
        (None, Backend::Postgres) => anyhow::bail!(
            "COLLECTSTAMP_SECRET_KEY_FILE is required with PostgreSQL: every instance must \
             seal and open secrets with the same key (create one with \
             `head -c 32 /dev/urandom | base64 > secret.key && chmod 600 secret.key`)"
        ),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .with_context(|| {
                format!(
                    "COLLECTSTAMP_SECRET_KEY_FILE: cannot read {}",
                    path.display()
                )
            })?
            .permissions()
            .mode();
        if mode & 0o007 != 0 {
            anyhow::bail!(
                "COLLECTSTAMP_SECRET_KEY_FILE: {} can be read by any user of the machine \
                 (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            );
        }
    }
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "COLLECTSTAMP_SECRET_KEY_FILE: cannot read {}",
            path.display()
        )
    })?;
    SecretKeys::parse(&text)
        .map_err(|e| anyhow::anyhow!("COLLECTSTAMP_SECRET_KEY_FILE: {}: {e}", path.display()))
}

fn default_public_url(addr: SocketAddr) -> anyhow::Result<Url> {
    Url::parse(&format!("http://{addr}"))
        .context("cannot form the public URL from the bind address")
}

/// The Prometheus recorder is process-wide; installed once, shared by every server.
fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .clone()
}

/// A portal serving on a socket.
pub struct Running {
    pub addr: SocketAddr,
    pub app: App,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and waits for the server to finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.context("server task")?.context("server")?;
        self.app.store.close().await;
        Ok(())
    }

    /// Serves until the process is interrupted (Ctrl-C or SIGTERM).
    pub async fn until_signal(mut self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.context("server task")?.context("server")?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// What to do between opening the database and listening (the demo and its logins).
pub type BeforeListen<'a> = Box<dyn FnOnce(&demo::DemoOutcome) + Send + 'a>;

/// Opens the database, optionally loads the demo (calling `announce` with the outcome
/// before the socket listens), then serves in a background task.
/// How a portal runs beyond its configuration: chosen by `serve`, and by the tests.
pub struct Options {
    pub clock: Arc<dyn Clock>,
    pub cost: Cost,
    /// Run queued jobs (e-mail) and the scheduler tick of periodic jobs in the background.
    /// Tests turn it off and call `cs_app::jobs::tick` and `cs_app::jobs::drain`
    /// themselves, so they never wait on a timer.
    pub background_jobs: bool,
}

impl Options {
    pub fn production() -> Self {
        Self {
            clock: Arc::new(cs_domain::SystemClock),
            cost: Cost::Production,
            background_jobs: true,
        }
    }
}

pub async fn launch(
    config: &Config,
    options: Options,
    demo: Option<BeforeListen<'_>>,
) -> anyhow::Result<Running> {
    let Options {
        clock,
        cost,
        background_jobs,
    } = options;
    // Port 0 (tests) is only known once bound; otherwise bind after the demo is announced.
    let early = if config.bind.port() == 0 {
        Some(bind(config.bind).await?)
    } else {
        None
    };
    let addr = match &early {
        Some(l) => l.local_addr().context("bound address")?,
        None => config.bind,
    };
    let public_url = match &config.public_url {
        Some(u) => u.clone(),
        None => default_public_url(addr)?,
    };
    let store = open_store(config).await?;
    let app = build_app(config, store, clock, cost, public_url)?;
    cs_app::signin::seal_stored_totp_secrets(&app)
        .await
        .map_err(|e| anyhow::anyhow!("cannot seal the stored second-factor secrets: {e}"))?;
    if let Some(announce) = demo {
        let outcome = demo::load(&app)
            .await
            .map_err(|e| anyhow::anyhow!("cannot load the demo: {e}"))?;
        announce(&outcome);
    }
    let listener = match early {
        Some(l) => l,
        None => bind(config.bind).await?,
    };
    let addr = listener.local_addr().context("bound address")?;
    let router = cs_web::router(AppState {
        app: app.clone(),
        metrics: metrics_handle(),
    });
    let scheduler = background_jobs.then(|| tokio::spawn(scheduler(app.clone())));
    let worker = background_jobs.then(|| tokio::spawn(cs_app::jobs::worker(app.clone())));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await;
        for task in [scheduler, worker].into_iter().flatten() {
            task.abort();
        }
        served
    });
    Ok(Running {
        addr,
        app,
        stop: Some(stop),
        task,
    })
}

/// The scheduler tick: every minute, queues the current slot of each periodic job (the
/// hourly housekeeping). The slot is the job's unique key, so with several instances one
/// queues it and the others' ticks are no-ops; the worker then runs it like any job.
async fn scheduler(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        match cs_app::jobs::tick(&app).await {
            Ok(slots) => {
                for (key, done) in slots {
                    if let cs_app::jobs::Enqueued::Queued(id) = done {
                        tracing::debug!(job = id, %key, "periodic job queued");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
    }
}

async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another program using it? set COLLECTSTAMP_BIND)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(dir: &std::path::Path) -> Config {
        let mut c = Config::for_data_dir(dir.to_path_buf(), None).unwrap();
        c.secret_key_file = None;
        c
    }

    #[test]
    fn sqlite_creates_its_own_key_once_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let c = config_in(&data);
        std::fs::remove_file(data.join("secret.key")).unwrap();
        let first = secret_keys(&c, Backend::Sqlite).unwrap();
        let path = data.join("secret.key");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let sealed = first.seal("p", "s").unwrap();
        let again = secret_keys(&c, Backend::Sqlite).unwrap();
        assert_eq!(
            again.open("p", &sealed).unwrap(),
            "s",
            "the same key next time"
        );
    }

    #[test]
    fn postgres_needs_a_key_file_and_nobody_else_may_read_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut c = config_in(dir.path());
        let e = secret_keys(&c, Backend::Postgres).unwrap_err().to_string();
        assert!(
            e.contains("COLLECTSTAMP_SECRET_KEY_FILE is required"),
            "{e}"
        );
        let key = dir.path().join("secret.key");
        c.secret_key_file = Some(key.clone());
        assert!(secret_keys(&c, Backend::Postgres).is_ok());
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = secret_keys(&c, Backend::Postgres).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&key, "not a key\n").unwrap();
        let e = secret_keys(&c, Backend::Postgres).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
