//! The test harness: the real portal (as `collectstamp serve` starts it) on port 0 with a
//! fresh database per test, on SQLite or PostgreSQL, an injected clock and a small fixture.

use cs_app::passwords::{self, Cost};
use cs_cli::{
    config::Config,
    server::{self, Running},
};
use cs_domain::FixedClock;
use cs_store::{
    repo::{customers, users},
    scratch::ScratchPg,
};
use reqwest::{Method, StatusCode, header};
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
    pub users: BTreeMap<&'static str, i64>,
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
            None,
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
        t.fx = t.fixture().await;
        Some(t)
    }

    pub fn app(&self) -> &cs_app::App {
        &self.running.as_ref().expect("running").app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Two customers (A and B), their admins and users, an operator; one password for all.
    async fn fixture(&self) -> Fixture {
        let app = self.app();
        let now = app.now();
        let hash = passwords::hash(Cost::Fast, PASSWORD.into())
            .await
            .expect("hash");
        let mut tx = app.store.begin().await.expect("tx");
        let mut fx = Fixture::default();
        for (number, name) in [
            ("8800001", "Alpha Printing SA"),
            ("8800002", "Beta Logistics NV"),
        ] {
            let id = customers::insert(
                &mut tx.conn(),
                &customers::NewCustomer {
                    customer_number: number,
                    name,
                    vat_number: "BE0428759497",
                    language: "en",
                    street: "Rue 1",
                    postcode: "1000",
                    city: "Bruxelles",
                    country: "BE",
                    collection_days: "mon",
                    created_at: now,
                },
            )
            .await
            .expect("customer");
            if number == "8800001" {
                fx.customer_a = id
            } else {
                fx.customer_b = id
            }
        }
        let cc_a1 = customers::insert_cost_centre(&mut tx.conn(), fx.customer_a, "CA1", "Finance")
            .await
            .expect("cc");
        customers::insert_cost_centre(&mut tx.conn(), fx.customer_a, "CA2", "Sales")
            .await
            .expect("cc");
        let people: [(&'static str, Option<i64>, &str, &str, &str); 8] = [
            ("op.one", None, "operator", "", "active"),
            ("a.admin", Some(fx.customer_a), "admin", "", "active"),
            (
                "a.user",
                Some(fx.customer_a),
                "user",
                "transactions,invoices",
                "active",
            ),
            ("a.nomod", Some(fx.customer_a), "user", "", "active"),
            (
                "a.invited",
                Some(fx.customer_a),
                "user",
                "transactions",
                "invited",
            ),
            (
                "a.disabled",
                Some(fx.customer_a),
                "user",
                "transactions",
                "disabled",
            ),
            ("b.admin", Some(fx.customer_b), "admin", "", "active"),
            (
                "b.user",
                Some(fx.customer_b),
                "user",
                "transactions,invoices",
                "active",
            ),
        ];
        for (username, customer_id, role, modules, status) in people {
            let id = users::insert(
                &mut tx.conn(),
                &users::NewUser {
                    customer_id,
                    username,
                    username_key: username,
                    full_name: &format!("Name of {username}"),
                    email: &format!("{username}@example.com"),
                    language: "en",
                    role,
                    modules,
                    status,
                    password_hash: (status != "invited").then_some(hash.as_str()),
                    created_at: now,
                },
            )
            .await
            .expect("user");
            fx.users.insert(username, id);
        }
        users::limit_to_cost_centre(&mut tx.conn(), fx.users["a.user"], cc_a1)
            .await
            .expect("limit");
        tx.commit().await.expect("commit");
        fx
    }

    /// A browser-like client with its own cookies and no automatic redirects.
    pub fn browser(&self) -> Browser {
        Browser {
            http: self.http.clone(),
            base: self.base.clone(),
            cookies: BTreeMap::new(),
        }
    }

    /// A browser signed in as `username` (with the fixture password).
    pub async fn signed_in(&self, username: &str) -> Browser {
        let mut b = self.browser();
        let r = b.sign_in(username, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {username} failed"
        );
        b
    }

    pub async fn bearer(&self, username: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("token request");
        assert_eq!(r.status(), StatusCode::OK);
        let v: serde_json::Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_owned()
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

    /// The one-time link (`…/password/set?token=…`) of the newest message to `to`.
    pub async fn link_sent_to(&self, to: &str) -> String {
        let mail = self.mail().await;
        let (_, eml) = mail
            .iter()
            .rev()
            .find(|(_, m)| m.contains(&format!("<{to}>")))
            .unwrap_or_else(|| panic!("no mail to {to}"));
        eml.lines()
            .map(str::trim)
            .find(|l| l.starts_with(&self.base) && l.contains("/password/set?token="))
            .unwrap_or_else(|| panic!("no link in the mail to {to}:\n{eml}"))
            .to_owned()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Runs a query on the test database (for checks and for tampering).
    pub async fn count(&self, sql: &'static str) -> i64 {
        let mut c = self.app().store.acquire().await.expect("conn");
        cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(x)
            .await)
        .expect("count")
    }

    pub async fn exec(&self, sql: &'static str) {
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

/// A cookie-keeping client that behaves like a browser on our pages.
#[derive(Clone)]
pub struct Browser {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                if val.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies.insert(k.trim().to_owned(), val.to_owned());
                }
            }
        }
    }

    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> reqwest::Response {
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            rb = rb.header(header::COOKIE, self.cookie_header());
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(f) = form {
            rb = rb.form(f);
        }
        let r = rb.send().await.expect("request");
        self.remember(&r);
        r
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        self.request(Method::GET, path, &[], None).await
    }

    /// The CSRF token of the current page state (session or anonymous cookie).
    pub async fn csrf(&mut self) -> String {
        let body = self.get("/login").await.text().await.expect("body");
        let body = if body.contains("name=\"_csrf\"") {
            body
        } else {
            self.get("/").await.text().await.expect("body")
        };
        extract_csrf(&body).expect("csrf field")
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.request(Method::POST, path, &[], Some(&all)).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> reqwest::Response {
        self.get("/login").await;
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_owned())
}

/// Generates one test per backend for an `async fn(TestApp)`.
#[macro_export]
macro_rules! on_both {
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
