//! The `collectstamp` binary as a user runs it: configuration errors, unreachable
//! databases, the operator bootstrap, the demo and commands not available yet.
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

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

fn collectstamp(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_collectstamp"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COLLECTSTAMP_DATA_DIR", dir)
        .env("RUST_LOG", "warn");
    c
}

#[test]
fn invalid_configuration_names_the_variable_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, expected) in [
        ("COLLECTSTAMP_BIND", "localhost", "COLLECTSTAMP_BIND"),
        (
            "COLLECTSTAMP_DATABASE_URL",
            "mysql://db",
            "COLLECTSTAMP_DATABASE_URL",
        ),
        (
            "COLLECTSTAMP_RECEIPT_RETENTION_DAYS",
            "forever",
            "COLLECTSTAMP_RECEIPT_RETENTION_DAYS",
        ),
        ("COLLECTSTAMP_BINDD", "127.0.0.1:1", "COLLECTSTAMP_BINDD"),
    ] {
        let out = collectstamp(dir.path())
            .env(var, value)
            .arg("migrate")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{var}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn an_unreachable_database_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out = collectstamp(dir.path())
        .env(
            "COLLECTSTAMP_DATABASE_URL",
            "postgres://nobody:secret-pw@127.0.0.1:1/none",
        )
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the database"), "{err}");
    assert!(
        !err.contains("secret-pw"),
        "the password must not be printed: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn commands_of_later_issues_say_so_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let broken = collectstamp(dir.path())
        .env("COLLECTSTAMP_BIND", "nonsense")
        .arg("purge")
        .output()
        .unwrap();
    assert_eq!(
        broken.status.code(),
        Some(3),
        "even with a broken configuration"
    );
    for args in [
        vec!["close", "--period", "2026-10"],
        vec!["purge"],
        vec!["receipts", "verify", "r.pdf"],
        vec!["backup", "b.db"],
    ] {
        let out = collectstamp(dir.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not available yet"),
            "{args:?}"
        );
    }
}

#[test]
fn dates_on_the_command_line_follow_the_one_date_rule() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["close", "--period", "1999-12"],
        vec!["close", "--period", "2026-13"],
        vec!["purge", "--as-of", "0000-01-01"],
        vec!["purge", "--as-of", "2101-01-01"],
    ] {
        let out = collectstamp(dir.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("2000 to 2100"),
            "{args:?}"
        );
    }
    let ok = collectstamp(dir.path())
        .args(["purge", "--as-of", "2026-11-30"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(3), "a good date reaches the command");
}

#[test]
fn operator_create_prints_a_one_time_link_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let run = |user: &str, email: &str| {
        collectstamp(dir.path())
            .env("COLLECTSTAMP_PUBLIC_URL", "https://portal.example/cs/")
            .args(["operator", "create", user, "--email", email])
            .output()
            .unwrap()
    };
    let out = run("sc.first", "first@operator.example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let prefix = "https://portal.example/cs/password/set?token=";
    let link = stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .expect(&stdout);
    assert!(
        link.len() > prefix.len() + 40,
        "a path in PUBLIC_URL is kept: {link}"
    );
    let dup = run("SC.First", "other@operator.example");
    assert_eq!(dup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already taken"));
    let bad = run("sc.second", "not-an-email");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("email"));
}

#[test]
fn serve_demo_prints_the_logins_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = collectstamp(dir.path())
        .env("COLLECTSTAMP_BIND", "127.0.0.1:0")
        .args(["serve", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut logins = Vec::new();
    let mut listening = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("Collect & Stamp portal listening on ") {
            listening = Some(url.to_owned());
            break;
        }
        if let Some((user, password)) = line.split_once(" / ")
            && !user.contains(' ')
        {
            logins.push((user.to_owned(), password.to_owned()));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening.is_some(), "the server never said it listens");
    let users: Vec<_> = logins.iter().map(|(u, _)| u.as_str()).collect();
    assert!(users.contains(&"operator"), "{users:?}");
    assert!(users.iter().any(|u| u.ends_with(".admin")), "{users:?}");
    assert!(users.iter().any(|u| u.ends_with(".user")), "{users:?}");
    assert!(logins.iter().all(|(_, p)| p.chars().count() >= 12));
}

#[test]
fn a_toml_file_named_by_collectstamp_config_is_read_and_variables_win() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("from-file");
    let from_env = dir.path().join("from-env");
    let toml = dir.path().join("portal.toml");
    std::fs::write(
        &toml,
        format!(
            "data_dir = {:?}\nreceipt_retention_days = 730\n",
            from_file.display().to_string()
        ),
    )
    .unwrap();
    let run = |extra: &[(&str, &str)]| {
        let mut c = collectstamp(dir.path());
        c.env_remove("COLLECTSTAMP_DATA_DIR")
            .env("COLLECTSTAMP_CONFIG", &toml);
        for (k, v) in extra {
            c.env(k, v);
        }
        c.arg("migrate").output().unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        from_file.join("collectstamp.db").exists(),
        "the file's data_dir is used"
    );
    let out = run(&[("COLLECTSTAMP_DATA_DIR", from_env.to_str().unwrap())]);
    assert!(out.status.success());
    assert!(
        from_env.join("collectstamp.db").exists(),
        "a variable overrides the file"
    );
    let missing = collectstamp(dir.path())
        .env("COLLECTSTAMP_CONFIG", dir.path().join("nope.toml"))
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("COLLECTSTAMP_CONFIG"));
}
