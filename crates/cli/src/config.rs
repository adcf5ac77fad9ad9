//! Configuration (SPEC §6): `COLLECTSTAMP_*` environment variables over an optional TOML
//! file named by `COLLECTSTAMP_CONFIG`; typed and checked at start, secrets never printed.

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;
use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};
use url::Url;

/// A value that must never reach a log or a terminal.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    database_url: Option<Secret>,
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    storage_url: Option<String>,
    smtp_url: Option<Secret>,
    seal_key_file: Option<PathBuf>,
    seal_cert_file: Option<PathBuf>,
    tsa_url: Option<String>,
    receipt_retention_days: Option<i64>,
    mail_from: Option<String>,
    import_max_bytes: Option<i64>,
    secret_key_file: Option<PathBuf>,
    service_centre_phone: Option<String>,
    service_centre_email: Option<String>,
    service_centre_hours: Option<String>,
    log_format: Option<String>,
    trusted_proxies: Option<String>,
    metrics_token: Option<Secret>,
    exports_per_instance: Option<i64>,
    exports_per_customer: Option<i64>,
    export_temp_max_bytes: Option<i64>,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite:` or `postgres://` URL; may hold a password, hence secret.
    pub database_url: Secret,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// `None`: `http://` + the bound address.
    pub public_url: Option<Url>,
    pub storage_url: Url,
    pub smtp_url: Option<Secret>,
    pub seal_key_file: Option<PathBuf>,
    pub seal_cert_file: Option<PathBuf>,
    pub tsa_url: Option<Url>,
    pub receipt_retention_days: u32,
    /// The sender of the portal's e-mail (`Name <address>`); default `no-reply@` the public host.
    pub mail_from: Option<String>,
    /// The largest feed file the API and the upload page accept (default 1 GiB).
    pub import_max_bytes: u64,
    /// The key file that seals the secrets the server reads back (TOTP seeds). `None`: on
    /// SQLite, `DATA_DIR/secret.key`, created on first start; PostgreSQL requires one.
    pub secret_key_file: Option<PathBuf>,
    /// The Service Centre's contact details as configured (`SERVICE_CENTRE_PHONE`, `_EMAIL`,
    /// `_HOURS`), shown where a page or an e-mail says to call it; `serve --demo` fills the
    /// missing ones with demo values ([`Config::with_demo_service_centre`]).
    pub service_centre: cs_domain::ServiceCentre,
    /// `json` or `text` (the default); read before the rest, when logging starts.
    pub log_format: LogFormat,
    /// Addresses or CIDRs of the reverse proxies whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<String>,
    /// When set, `/metrics` asks for it as a bearer token.
    pub metrics_token: Option<Secret>,
    /// Concurrent exports per instance and per customer, and an XLSX export's temporary disk.
    pub exports: cs_app::exports::Limits,
}

/// The log lines' format (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    /// `json` or `text`, any case; anything else is an error naming the variable.
    pub fn parse(raw: Option<&str>) -> Result<Self, ConfigError> {
        match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(invalid(
                "LOG_FORMAT",
                format!("{other:?}: expected json or text"),
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Source(String),
    #[error("configuration: COLLECTSTAMP_{name}: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("cannot write the secret key file {path}: {problem}")]
    KeyFile { path: String, problem: String },
}

fn invalid(name: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        problem: problem.into(),
    }
}

impl Config {
    /// Reads the process environment (and the TOML file it names).
    pub fn load() -> Result<Self, ConfigError> {
        let mut fig = Figment::new();
        if let Ok(path) = std::env::var("COLLECTSTAMP_CONFIG") {
            if !std::path::Path::new(&path).is_file() {
                return Err(invalid("CONFIG", format!("no such file: {path}")));
            }
            fig = fig.merge(Toml::file(path));
        }
        let fig = fig.merge(Env::prefixed("COLLECTSTAMP_").filter(|k| {
            !k.as_str().eq_ignore_ascii_case("config")
                && !k.as_str().to_ascii_lowercase().starts_with("test_")
        }));
        let raw: Raw = fig
            .extract()
            .map_err(|e| ConfigError::Source(describe(e)))?;
        Self::from_raw(raw)
    }

    /// The defaults with a data directory and database of the caller's choosing (tests and
    /// benchmarks), with a secret key file of their own in that directory.
    pub fn for_data_dir(
        data_dir: PathBuf,
        database_url: Option<String>,
    ) -> Result<Self, ConfigError> {
        let key = data_dir.join("secret.key");
        if !key.exists() {
            std::fs::create_dir_all(&data_dir).map_err(|e| key_file_error(&key, e.to_string()))?;
            write_new_key_file(&key)?;
        }
        Self::from_raw(Raw {
            data_dir: Some(data_dir),
            database_url: database_url.map(Secret),
            bind: Some("127.0.0.1:0".into()),
            secret_key_file: Some(key),
            ..Raw::default()
        })
    }

    fn from_raw(raw: Raw) -> Result<Self, ConfigError> {
        let exports = exports_limits(&raw)?;
        let service_centre = service_centre(&raw)?;
        let bind_text = raw.bind.clone().unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            invalid(
                "BIND",
                format!("{bind_text:?} is not an address like 127.0.0.1:8080"),
            )
        })?;
        let data_dir = raw
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = database_url(raw.database_url.clone(), &data_dir)?;
        let public_url = public_url(raw.public_url.as_deref())?;
        let storage_url = storage_url(raw.storage_url.as_deref())?;
        check_files_and_addresses(&raw)?;
        let tsa_url = raw
            .tsa_url
            .as_deref()
            .map(|s| Url::parse(s).map_err(|e| invalid("TSA_URL", format!("{s:?}: {e}"))))
            .transpose()?;
        let days = raw.receipt_retention_days.unwrap_or(365);
        let receipt_retention_days = u32::try_from(days)
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or_else(|| {
                invalid(
                    "RECEIPT_RETENTION_DAYS",
                    format!("{days} is not a number of days from 1 to 3650"),
                )
            })?;
        let max = raw.import_max_bytes.unwrap_or(1 << 30);
        let import_max_bytes = u64::try_from(max)
            .ok()
            .filter(|m| *m >= 1024)
            .ok_or_else(|| {
                invalid(
                    "IMPORT_MAX_BYTES",
                    format!("{max} is not a size in bytes of at least 1024"),
                )
            })?;
        Ok(Self {
            database_url,
            bind,
            data_dir,
            public_url,
            storage_url,
            smtp_url: raw.smtp_url,
            seal_key_file: raw.seal_key_file,
            seal_cert_file: raw.seal_cert_file,
            tsa_url,
            receipt_retention_days,
            mail_from: raw.mail_from,
            import_max_bytes,
            secret_key_file: raw.secret_key_file,
            service_centre,
            log_format: LogFormat::parse(raw.log_format.as_deref())?,
            trusted_proxies: trusted_proxies(raw.trusted_proxies.as_deref())?,
            metrics_token: raw.metrics_token,
            exports,
        })
    }

    /// This configuration with the demo's Service Centre contact wherever none is configured
    /// (`serve --demo`: a demo shows what a customer sees).
    pub fn with_demo_service_centre(&self) -> Self {
        let mut c = self.clone();
        c.service_centre = c.service_centre.or(cs_domain::ServiceCentre::demo());
        c
    }

    /// The database URL with any password masked, for messages.
    pub fn database_url_redacted(&self) -> String {
        match Url::parse(self.database_url.expose()) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => self.database_url.expose().to_owned(),
        }
    }
}

/// `TRUSTED_PROXIES`: comma-separated addresses or CIDRs (`10.0.0.5, 10.1.0.0/16`).
fn trusted_proxies(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for entry in raw.unwrap_or("").split(',').map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let (addr, prefix) = entry.split_once('/').unwrap_or((entry, ""));
        let ip: std::net::IpAddr = addr.parse().map_err(|_| {
            invalid(
                "TRUSTED_PROXIES",
                format!("{entry:?} is not an address or CIDR like 10.0.0.0/8"),
            )
        })?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        if !prefix.is_empty() && !prefix.parse::<u8>().is_ok_and(|p| p <= max) {
            return Err(invalid(
                "TRUSTED_PROXIES",
                format!("{entry:?}: the prefix length must be 0 to {max}"),
            ));
        }
        out.push(entry.to_owned());
    }
    Ok(out)
}

/// `SERVICE_CENTRE_PHONE`, `_EMAIL` and `_HOURS`, checked (hours as `mon-fri 08:00-18:00`).
fn service_centre(raw: &Raw) -> Result<cs_domain::ServiceCentre, ConfigError> {
    cs_domain::ServiceCentre::parse(
        raw.service_centre_phone.as_deref(),
        raw.service_centre_email.as_deref(),
        raw.service_centre_hours.as_deref(),
    )
    .map_err(|e| invalid(e.setting(), e.to_string()))
}

fn key_file_error(path: &std::path::Path, problem: String) -> ConfigError {
    ConfigError::KeyFile {
        path: path.display().to_string(),
        problem,
    }
}

/// Writes a new secret key file readable by its owner only (0600), refusing to overwrite.
pub fn write_new_key_file(path: &std::path::Path) -> Result<(), ConfigError> {
    use std::io::Write;
    let text = cs_app::secret_box::SecretKeys::new_file_text()
        .map_err(|e| key_file_error(path, e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| key_file_error(path, e.to_string()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| key_file_error(path, e.to_string()))
}

/// The database URL as given (only SQLite and PostgreSQL), or SQLite in the data folder.
fn database_url(given: Option<Secret>, data_dir: &Path) -> Result<Secret, ConfigError> {
    match given {
        Some(u) => {
            let s = u.expose();
            if s.starts_with("sqlite:")
                || s.starts_with("postgres://")
                || s.starts_with("postgresql://")
            {
                Ok(u)
            } else {
                Err(invalid(
                    "DATABASE_URL",
                    "expected sqlite:PATH or postgres://USER@HOST/DB",
                ))
            }
        }
        None => Ok(Secret(format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("collectstamp.db").display()
        ))),
    }
}

/// The public address of the portal, when given: http or https, with a host.
fn public_url(given: Option<&str>) -> Result<Option<Url>, ConfigError> {
    let Some(s) = given else { return Ok(None) };
    let u = Url::parse(s).map_err(|e| invalid("PUBLIC_URL", format!("{s:?}: {e}")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
        return Err(invalid(
            "PUBLIC_URL",
            format!("{s:?}: expected http:// or https:// with a host"),
        ));
    }
    Ok(Some(u))
}

/// Where documents are stored: `file://` (the data folder) in this version.
fn storage_url(given: Option<&str>) -> Result<Url, ConfigError> {
    let text = given.unwrap_or("file://");
    let url = Url::parse(text).map_err(|e| invalid("STORAGE_URL", format!("{text:?}: {e}")))?;
    match url.scheme() {
        "file" => Ok(url),
        "s3" => Err(invalid(
            "STORAGE_URL",
            "s3:// storage is not available in this version yet; use file://",
        )),
        other => Err(invalid(
            "STORAGE_URL",
            format!("unknown scheme {other:?}: expected file:// or s3://"),
        )),
    }
}

/// The settings that are only checked: the SMTP URL's scheme, that the key and certificate
/// files exist, the sender's address, a metrics token long enough.
fn check_files_and_addresses(raw: &Raw) -> Result<(), ConfigError> {
    if let Some(s) = &raw.smtp_url {
        let u = Url::parse(s.expose())
            .map_err(|_| invalid("SMTP_URL", "not a URL like smtps://user:pass@host:465"))?;
        if !matches!(u.scheme(), "smtp" | "smtps") {
            return Err(invalid("SMTP_URL", "expected smtp:// or smtps://"));
        }
    }
    for (name, p) in [
        ("SEAL_KEY_FILE", &raw.seal_key_file),
        ("SEAL_CERT_FILE", &raw.seal_cert_file),
        ("SECRET_KEY_FILE", &raw.secret_key_file),
    ] {
        if let Some(p) = p
            && !p.is_file()
        {
            return Err(invalid(name, format!("no such file: {}", p.display())));
        }
    }
    if let Some(from) = &raw.mail_from
        && from.parse::<lettre::message::Mailbox>().is_err()
    {
        return Err(invalid(
            "MAIL_FROM",
            format!("{from:?} is not an address like \"Collect & Stamp <no-reply@example.com>\""),
        ));
    }
    if let Some(t) = &raw.metrics_token
        && t.expose().trim().chars().count() < 16
    {
        return Err(invalid(
            "METRICS_TOKEN",
            "is shorter than 16 characters: use a long random value",
        ));
    }
    Ok(())
}

/// The caps on exports (defaults in [`cs_app::exports::Limits`]).
fn exports_limits(raw: &Raw) -> Result<cs_app::exports::Limits, ConfigError> {
    let d = cs_app::exports::Limits::default();
    let count = |name: &'static str, v: Option<i64>, default: usize| {
        v.map_or(Ok(default), |n| {
            usize::try_from(n)
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| invalid(name, format!("{n} is not a number from 1 to 1000")))
        })
    };
    let per_instance = count(
        "EXPORTS_PER_INSTANCE",
        raw.exports_per_instance,
        d.per_instance,
    )?;
    let per_customer = count(
        "EXPORTS_PER_CUSTOMER",
        raw.exports_per_customer,
        d.per_customer,
    )?;
    let bytes = raw
        .export_temp_max_bytes
        .unwrap_or(i64::try_from(d.xlsx_temp_max_bytes).unwrap_or(i64::MAX));
    let xlsx_temp_max_bytes = u64::try_from(bytes)
        .ok()
        .filter(|b| *b >= 1 << 20)
        .ok_or_else(|| {
            invalid(
                "EXPORT_TEMP_MAX_BYTES",
                format!("{bytes} is not a size in bytes of at least 1048576"),
            )
        })?;
    Ok(cs_app::exports::Limits {
        per_instance,
        per_customer,
        xlsx_temp_max_bytes,
    })
}

/// figment's messages name keys in lower case; say the variable the user actually sets.
fn describe(e: figment::Error) -> String {
    e.into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let mut msg = e.kind.to_string();
            if let figment::error::Kind::UnknownField(field, _) = &e.kind {
                msg = format!(
                    "unknown setting COLLECTSTAMP_{}",
                    field.to_ascii_uppercase()
                );
            } else if !key.is_empty() {
                msg = format!("COLLECTSTAMP_{}: {msg}", key.to_ascii_uppercase());
            }
            msg
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> Raw {
        Raw::default()
    }

    #[test]
    fn defaults_follow_the_spec() {
        let c = Config::from_raw(raw()).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(
            c.database_url
                .expose()
                .starts_with("sqlite://./data/collectstamp.db")
        );
        assert_eq!(c.storage_url.scheme(), "file");
        assert_eq!(c.receipt_retention_days, 365);
        assert!(c.public_url.is_none());
        assert_eq!(c.exports.per_instance, 4);
        assert_eq!(c.exports.per_customer, 2);
    }

    #[test]
    fn export_caps_are_read_and_checked() {
        let c = Config::from_raw(Raw {
            exports_per_instance: Some(8),
            exports_per_customer: Some(3),
            export_temp_max_bytes: Some(1 << 24),
            ..raw()
        })
        .unwrap();
        assert_eq!(
            (
                c.exports.per_instance,
                c.exports.per_customer,
                c.exports.xlsx_temp_max_bytes
            ),
            (8, 3, 1 << 24)
        );
        for (r, name) in [
            (
                Raw {
                    exports_per_instance: Some(0),
                    ..raw()
                },
                "COLLECTSTAMP_EXPORTS_PER_INSTANCE",
            ),
            (
                Raw {
                    exports_per_customer: Some(-1),
                    ..raw()
                },
                "COLLECTSTAMP_EXPORTS_PER_CUSTOMER",
            ),
            (
                Raw {
                    export_temp_max_bytes: Some(10),
                    ..raw()
                },
                "COLLECTSTAMP_EXPORT_TEMP_MAX_BYTES",
            ),
        ] {
            let e = Config::from_raw(r).unwrap_err();
            assert!(e.to_string().contains(name), "{e}");
        }
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = Config::from_raw(Raw {
            bind: Some("localhost".into()),
            ..raw()
        })
        .unwrap_err();
        assert!(e.to_string().contains("COLLECTSTAMP_BIND"), "{e}");
        let e = Config::from_raw(Raw {
            database_url: Some(Secret("mysql://x".into())),
            ..raw()
        })
        .unwrap_err();
        assert!(e.to_string().contains("COLLECTSTAMP_DATABASE_URL"), "{e}");
        let e = Config::from_raw(Raw {
            receipt_retention_days: Some(0),
            ..raw()
        })
        .unwrap_err();
        assert!(e.to_string().contains("RECEIPT_RETENTION_DAYS"), "{e}");
        let e = Config::from_raw(Raw {
            public_url: Some("ftp://x".into()),
            ..raw()
        })
        .unwrap_err();
        assert!(e.to_string().contains("PUBLIC_URL"), "{e}");
    }

    #[test]
    fn the_service_centre_contact_is_checked_and_the_demo_fills_the_gaps() {
        let c = Config::from_raw(raw()).unwrap();
        assert_eq!(c.service_centre, cs_domain::ServiceCentre::default());
        let demo = c.with_demo_service_centre().service_centre;
        assert_eq!(demo, cs_domain::ServiceCentre::demo());
        let own = Config::from_raw(Raw {
            service_centre_phone: Some("02 201 00 00".into()),
            service_centre_hours: Some("mon-thu 08:00-16:00".into()),
            ..raw()
        })
        .unwrap()
        .with_demo_service_centre()
        .service_centre;
        assert_eq!(own.phone.unwrap().tel_uri(), "tel:022010000");
        assert_eq!(own.email, cs_domain::ServiceCentre::demo().email);
        assert_eq!(own.hours.unwrap().spans().len(), 1);
        for (r, name) in [
            (
                Raw {
                    service_centre_phone: Some("call us".into()),
                    ..raw()
                },
                "COLLECTSTAMP_SERVICE_CENTRE_PHONE",
            ),
            (
                Raw {
                    service_centre_email: Some("desk".into()),
                    ..raw()
                },
                "COLLECTSTAMP_SERVICE_CENTRE_EMAIL",
            ),
            (
                Raw {
                    service_centre_hours: Some("9 to 5".into()),
                    ..raw()
                },
                "COLLECTSTAMP_SERVICE_CENTRE_HOURS",
            ),
        ] {
            let e = Config::from_raw(r).unwrap_err();
            assert!(e.to_string().contains(name), "{e}");
        }
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_raw(Raw {
            database_url: Some(Secret("postgres://app:hunter2hunter2@db/cs".into())),
            smtp_url: Some(Secret("smtps://mail:s3cr3t-pass@smtp.example:465".into())),
            ..raw()
        })
        .unwrap();
        let shown = format!("{c:?} {}", c.database_url_redacted());
        assert!(
            !shown.contains("hunter2hunter2") && !shown.contains("s3cr3t-pass"),
            "{shown}"
        );
    }
}
