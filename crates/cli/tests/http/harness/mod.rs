//! The test harness: the real portal (as `collectstamp serve` starts it) on port 0 with a
//! fresh database per test, on SQLite or PostgreSQL, an injected clock and a small fixture.

mod http;
mod seed;

pub use http::{
    Api, Browser, Reply, error_code, error_details, error_fields, extract_csrf, form_encode,
    item_strings, send,
};
pub use seed::{Customer, RegisteredItem, Seed, Transaction, User};

use cs_app::passwords::Cost;
use cs_cli::{
    config::Config,
    server::{self, Running},
};
use cs_domain::FixedClock;
use cs_store::scratch::ScratchPg;
use reqwest::StatusCode;
use std::{collections::BTreeMap, sync::Arc};
use time::macros::datetime;

pub const PASSWORD: &str = "correct-horse-battery-staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Ids of what the fixture created.
#[derive(Debug, Clone, Default)]
pub struct Fixture {
    pub customer_a: i64,
    pub customer_b: i64,
    pub users: BTreeMap<String, i64>,
}

pub struct TestApp {
    pub running: Option<Running>,
    pub clock: FixedClock,
    pub fx: Fixture,
    pub base: String,
    pub backend: Backend,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    pg: Option<ScratchPg>,
}

impl TestApp {
    /// Starts a portal on `backend` at 2026-11-26 10:00 UTC; `None` when skipped.
    pub async fn spawn(backend: Backend, test: &str) -> Option<TestApp> {
        Self::spawn_with(backend, test, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration adjusted first (e.g. an `https://`
    /// public URL).
    pub async fn spawn_with(
        backend: Backend,
        test: &str,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        Self::launch(backend, test, adjust, false).await
    }

    /// A portal with the demo loaded (as `serve --demo`) instead of the fixture: for tests
    /// that walk every page with realistic data. The demo's logins are `NAME-demo-2026`.
    pub async fn spawn_demo(backend: Backend, test: &str) -> Option<TestApp> {
        Self::launch(backend, test, |_| {}, true).await
    }

    async fn launch(
        backend: Backend,
        test: &str,
        adjust: impl FnOnce(&mut Config),
        demo: bool,
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(ScratchPg::for_test(test, "cs_http").await?),
        };
        let mut config = Config::for_data_dir(
            dir.path().to_path_buf(),
            pg.as_ref().map(|p| p.url().to_owned()),
        )
        .expect("config");
        adjust(&mut config);
        let clock = FixedClock::new(datetime!(2026-11-26 10:00:00 UTC));
        let running = server::launch(
            &config,
            server::Options {
                clock: Arc::new(clock.clone()),
                cost: Cost::Fast,
                background_jobs: false,
            },
            demo.then(|| -> server::BeforeListen<'static> { Box::new(|_| {}) }),
        )
        .await
        .expect("launch");
        let base = running.url();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut t = TestApp {
            running: Some(running),
            clock,
            fx: Fixture::default(),
            base,
            backend,
            http,
            _dir: dir,
            pg,
        };
        if !demo {
            t.fx = t.fixture().await;
        }
        Some(t)
    }

    pub fn app(&self) -> &cs_app::App {
        &self.running.as_ref().expect("running").app
    }

    /// The address of `path` on this portal, for a request the helpers do not cover.
    #[allow(
        dead_code,
        reason = "for requests the helpers do not cover; none needs one today"
    )]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Two customers (A and B), their admins and users, an operator; one password for all.
    async fn fixture(&self) -> Fixture {
        let customers = Seed::new(self)
            .customer(Customer::new("8800001", "Alpha Printing SA"))
            .customer(Customer::new("8800002", "Beta Logistics NV"))
            .insert()
            .await;
        let (a, b) = (customers.customer("8800001"), customers.customer("8800002"));
        let people = Seed::new(self)
            .cost_centre(a, "CA1", "Finance")
            .cost_centre(a, "CA2", "Sales")
            .user(User::new(None, "op.one").role("operator"))
            .user(User::new(Some(a), "a.admin").role("admin"))
            .user(
                User::new(Some(a), "a.user")
                    .modules("transactions,invoices")
                    .limited_to("CA1"),
            )
            .user(User::new(Some(a), "a.nomod"))
            .user(
                User::new(Some(a), "a.invited")
                    .modules("transactions")
                    .status("invited"),
            )
            .user(
                User::new(Some(a), "a.disabled")
                    .modules("transactions")
                    .status("disabled"),
            )
            .user(User::new(Some(b), "b.admin").role("admin"))
            .user(User::new(Some(b), "b.user").modules("transactions,invoices"))
            .insert()
            .await;
        Fixture {
            customer_a: a,
            customer_b: b,
            users: people.users,
        }
    }

    /// A browser-like client with its own cookies and no automatic redirects.
    pub fn browser(&self) -> Browser {
        Browser::new(self.http.clone(), self.base.clone())
    }

    /// An API client sending `token` as its bearer token.
    pub fn api(&self, token: &str) -> Api {
        Api::new(self.http.clone(), self.base.clone(), Some(token.to_owned()))
    }

    /// An API client signed in as `username` (with the fixture password).
    pub async fn api_as(&self, username: &str) -> Api {
        self.api(&self.bearer(username).await)
    }

    /// An API client without credentials.
    pub fn anonymous(&self) -> Api {
        Api::new(self.http.clone(), self.base.clone(), None)
    }

    /// An anonymous GET.
    pub async fn get(&self, path: &str) -> Reply {
        self.anonymous().get(path).await
    }

    /// An anonymous POST of a JSON body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.anonymous().post_json(path, body).await
    }

    /// A browser signed in as `username` (with the fixture password).
    pub async fn signed_in(&self, username: &str) -> Browser {
        let mut b = self.browser();
        let r = b.sign_in(username, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in of {username} failed: {}",
            r.text
        );
        b
    }

    /// A bearer token of `username` (with the fixture password).
    pub async fn bearer(&self, username: &str) -> String {
        let r = self
            .token(&serde_json::json!({"username": username, "password": PASSWORD}))
            .await;
        r.assert_status(StatusCode::OK);
        r.json()["token"].as_str().expect("token").to_owned()
    }

    /// `POST /api/v1/auth/token` with `body` (username, password and perhaps a code).
    pub async fn token(&self, body: &serde_json::Value) -> Reply {
        self.post_json("/api/v1/auth/token", body).await
    }

    /// `POST /api/v1/auth/password`: sets a password with a one-time token.
    pub async fn set_password(&self, token: &str, password: &str) -> Reply {
        let body = serde_json::json!({"token": token, "password": password});
        self.post_json("/api/v1/auth/password", &body).await
    }

    /// Runs every queued job (e-mail) now, then returns the outbox: (file name, content),
    /// oldest first.
    pub async fn mail(&self) -> Vec<(String, String)> {
        cs_app::jobs::drain(self.app()).await.expect("jobs");
        let dir = self._dir.path().join("outbox");
        let mut files: Vec<(String, String)> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .map(|e| e.expect("entry").path())
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read_to_string(&p).expect("eml"),
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files
    }

    /// Every message to `to` in the outbox (after running the queue), oldest first.
    pub async fn mails_to(&self, to: &str) -> Vec<String> {
        let needle = format!("<{to}>");
        let mail = self.mail().await;
        mail.into_iter()
            .filter(|(_, m)| m.contains(&needle))
            .map(|(_, m)| m)
            .collect()
    }

    /// The newest message to `to`, as written in the outbox.
    pub async fn mail_to(&self, to: &str) -> String {
        let mut mail = self.mails_to(to).await;
        mail.pop().unwrap_or_else(|| panic!("no mail to {to}"))
    }

    /// The one-time link (`…/password/set?token=…`) of the newest message to `to`.
    pub async fn link_sent_to(&self, to: &str) -> String {
        let eml = self.mail_to(to).await;
        eml.lines()
            .map(str::trim)
            .find(|l| l.starts_with(&self.base) && l.contains("/password/set?token="))
            .unwrap_or_else(|| panic!("no link in the mail to {to}:\n{eml}"))
            .to_owned()
    }

    /// The one-time token of the newest message to `to`.
    pub async fn token_sent_to(&self, to: &str) -> String {
        token_of(&self.link_sent_to(to).await).to_owned()
    }

    /// The portal's HTTP client (no redirects followed), for a request the helpers do not
    /// cover.
    #[allow(
        dead_code,
        reason = "for requests the helpers do not cover; none needs one today"
    )]
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The number a query on the test database yields (for checks).
    pub async fn count(&self, sql: impl AsRef<str>) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.as_ref().to_owned());
        let mut c = self.app().store.acquire().await.expect("conn");
        cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(x)
            .await)
        .expect("count")
    }

    /// The text a query on the test database yields (for checks).
    pub async fn text(&self, sql: impl AsRef<str>) -> String {
        let sql = sqlx::AssertSqlSafe(sql.as_ref().to_owned());
        let mut c = self.app().store.acquire().await.expect("conn");
        cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar::<_, String>(sql)
            .fetch_one(x)
            .await)
        .expect("text")
    }

    /// Runs a statement on the test database (for set-ups and for tampering).
    pub async fn exec(&self, sql: impl AsRef<str>) {
        let sql = sqlx::AssertSqlSafe(sql.as_ref().to_owned());
        let mut c = self.app().store.acquire().await.expect("conn");
        cs_store::execute!(&mut c.conn(), sqlx::query(sql)).expect("exec");
    }

    pub async fn finish(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.expect("stop");
        }
        if let Some(db) = self.pg.take() {
            db.drop_now().await;
        }
    }
}

/// The one-time token of a `…?token=…` link.
#[track_caller]
pub fn token_of(link: &str) -> &str {
    link.split("token=").nth(1).expect("a link with a token")
}

/// Generates one test per backend for an `async fn(TestApp)`.
#[macro_export]
macro_rules! on_both {
    (demo: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(t) = $crate::harness::TestApp::spawn_demo($crate::harness::Backend::Sqlite, stringify!($name)).await {
                        super::$name(&t).await;
                        t.finish().await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(t) = $crate::harness::TestApp::spawn_demo($crate::harness::Backend::Postgres, stringify!($name)).await {
                        super::$name(&t).await;
                        t.finish().await;
                    }
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(t) = $crate::harness::TestApp::spawn($crate::harness::Backend::Sqlite, stringify!($name)).await {
                        super::$name(&t).await;
                        t.finish().await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(t) = $crate::harness::TestApp::spawn($crate::harness::Backend::Postgres, stringify!($name)).await {
                        super::$name(&t).await;
                        t.finish().await;
                    }
                }
            )*
        }
    };
}
