//! Password hashing with Argon2id (PHC strings with a random salt per hash), run off the
//! async threads. A dummy verification for unknown users keeps sign-in timing even.

use crate::AppError;
use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use std::sync::OnceLock;

/// How expensive a hash is. `Production` follows OWASP's Argon2id minimum (19 MiB, t=2, p=1);
/// `Fast` is for test suites only, chosen by the harness, never by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Production,
    Fast,
}

fn hasher(cost: Cost) -> Result<Argon2<'static>, AppError> {
    let params = match cost {
        Cost::Production => Params::new(19 * 1024, 2, 1, None),
        Cost::Fast => Params::new(256, 1, 1, None),
    }
    .map_err(|e| AppError::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$m=…`).
pub async fn hash(cost: Cost, password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let h = hasher(cost)?
            .hash_password(password.as_bytes())
            .map_err(|e| AppError::internal(format!("argon2 hash: {e}")))?;
        Ok(h.to_string())
    })
    .await
    .map_err(|e| AppError::internal(format!("hash task: {e}")))?
}

/// Checks `password` against a stored PHC string; `None` runs a dummy check of the same cost
/// (unknown user) and answers false.
pub async fn verify(
    cost: Cost,
    password: String,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let dummy = dummy_hash(cost)?;
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (dummy.as_str(), false),
        };
        let parsed = PasswordHash::new(phc)
            .map_err(|e| AppError::internal(format!("stored hash does not parse: {e}")))?;
        let ok = hasher(cost)?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await
    .map_err(|e| AppError::internal(format!("verify task: {e}")))?
}

fn dummy_hash(cost: Cost) -> Result<String, AppError> {
    static PROD: OnceLock<String> = OnceLock::new();
    static FAST: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        Cost::Production => &PROD,
        Cost::Fast => &FAST,
    };
    if let Some(h) = cell.get() {
        return Ok(h.clone());
    }
    let h = hasher(cost)?
        .hash_password(b"no such user: dummy password")
        .map_err(|e| AppError::internal(format!("argon2 hash: {e}")))?
        .to_string();
    Ok(cell.get_or_init(|| h).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_argon2id_phc_with_unique_salts() {
        let a = hash(Cost::Production, "correct horse battery".into())
            .await
            .unwrap();
        let b = hash(Cost::Production, "correct horse battery".into())
            .await
            .unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "same password, different salts");
        assert!(
            verify(
                Cost::Production,
                "correct horse battery".into(),
                Some(a.clone())
            )
            .await
            .unwrap()
        );
        assert!(
            !verify(Cost::Production, "correct horse batter".into(), Some(a))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(
            !verify(Cost::Fast, "no such user: dummy password".into(), None)
                .await
                .unwrap()
        );
    }
}
