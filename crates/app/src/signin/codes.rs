//! The second factor's codes: TOTP (RFC 6238) from secrets sealed per user, single-use
//! recovery codes stored hashed, and checking and consuming either as one sign-in's factor.

use super::TOTP_ISSUER;
use crate::{App, AppError, error::AppResult};
use cs_domain::UserId;
use cs_store::{
    Conn,
    repo::{security, users},
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// What a user's TOTP secret is sealed for: it opens for that user only.
pub(super) fn totp_purpose(user_id: UserId) -> String {
    format!("totp:user:{user_id}")
}

pub(super) fn open_totp_secret(app: &App, user_id: UserId, sealed: &str) -> AppResult<String> {
    app.settings
        .secret_keys
        .open(&totp_purpose(user_id), sealed)
}

/// Seals every stored TOTP secret with the current key: secrets stored in clear by earlier
/// versions, and secrets sealed by an older key after a rotation. Run at start-up, before
/// any request; a value that moved under it is left for the next start. Returns how many
/// were sealed.
pub async fn seal_stored_totp_secrets(app: &App) -> AppResult<u64> {
    let keys = &app.settings.secret_keys;
    let mut conn = app.store.acquire().await?;
    let stored = security::totp_secrets(&mut conn.conn()).await?;
    drop(conn);
    let mut sealed = 0;
    for (user_id, value) in stored {
        if keys.is_current(&value) {
            continue;
        }
        let plain = if crate::secret_box::SecretKeys::is_sealed(&value) {
            keys.open(&totp_purpose(UserId::new(user_id)), &value)?
        } else {
            value.clone()
        };
        let resealed = keys.seal(&totp_purpose(UserId::new(user_id)), &plain)?;
        let mut tx = app.store.begin().await?;
        if security::replace_totp_secret(&mut tx.conn(), user_id, &value, &resealed).await? {
            sealed += 1;
        }
        tx.commit().await?;
    }
    if sealed > 0 {
        tracing::info!(
            sealed,
            "second-factor secrets sealed with the current secret key"
        );
    }
    Ok(sealed)
}

/// The TOTP of a stored base32 secret: SHA-1, 6 digits, 30 s, one step of skew either way.
pub(super) fn totp(secret_b32: &str, username: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AppError::internal(format!("stored TOTP secret: {e}")))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(username.replace(':', "_"))
        .with_issuer(Some(TOTP_ISSUER))
        .build()
        .map_err(|e| AppError::internal(format!("TOTP: {e}")))
}

pub(super) fn unix(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0)
}

/// A six-digit code, spaces allowed (`123 456`): `Some(digits)`; anything else is taken
/// for a recovery code.
pub(super) fn as_totp_code(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Recovery codes are compared without case, spaces or dashes.
pub(super) fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What the database keeps of a recovery code: SHA-256 over the user id and the code. The
/// codes carry 60 random bits, so a fast hash is enough (a slow one would cost ten Argon2
/// runs per attempt).
pub(super) fn recovery_code_hash(user_id: UserId, normalized: &str) -> String {
    hex::encode(Sha256::digest(format!("{user_id}:{normalized}").as_bytes()))
}

/// Alphabet of recovery codes: lower-case letters and digits without the look-alikes
/// (0/o, 1/l); 32 symbols, so 5 bits each.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A new recovery code, `xxxx-xxxx-xxxx` (60 bits from the OS CSPRNG).
pub(super) fn new_recovery_code() -> AppResult<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| RECOVERY_ALPHABET[usize::from(b & 31)] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Checks a second-factor input (a TOTP code or a recovery code) of an enrolled user and
/// consumes it on `conn`: the TOTP step is recorded so the code never works twice, a
/// recovery code is marked used. `Some(method)` when accepted.
pub(super) async fn consume_second_factor(
    app: &App,
    conn: &mut Conn<'_>,
    user: &users::UserRow,
    input: &str,
    now: OffsetDateTime,
) -> AppResult<Option<&'static str>> {
    let Some(state) = security::totp_state(conn, user.id).await? else {
        return Ok(None);
    };
    let (Some(sealed), Some(_)) = (state.totp_secret, state.totp_enabled_at) else {
        return Ok(None);
    };
    let secret = open_totp_secret(app, UserId::new(user.id), &sealed)?;
    if let Some(code) = as_totp_code(input) {
        let Some(step) = totp(&secret, &user.username)?.check(&code, unix(now)) else {
            return Ok(None);
        };
        let step = i64::try_from(step).map_err(|_| AppError::internal("TOTP step"))?;
        let fresh = security::accept_totp_step(conn, user.id, step).await?;
        return Ok(fresh.then_some("totp"));
    }
    let normalized = normalize_recovery_code(input);
    if normalized.is_empty() {
        return Ok(None);
    }
    let used = security::use_recovery_code(
        conn,
        user.id,
        &recovery_code_hash(UserId::new(user.id), &normalized),
        now,
    )
    .await?;
    Ok(used.then_some("recovery_code"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_60_bits_in_three_groups_and_normalise() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let c = new_recovery_code().unwrap();
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(c.matches('-').count(), 2);
            assert!(
                c.chars()
                    .all(|ch| ch == '-' || RECOVERY_ALPHABET.contains(&(ch as u8)))
            );
            assert!(seen.insert(c));
        }
        assert_eq!(normalize_recovery_code(" ABCD-efgh ijkm "), "abcdefghijkm");
        assert_ne!(
            recovery_code_hash(UserId::new(1), "abc"),
            recovery_code_hash(UserId::new(2), "abc")
        );
    }

    #[test]
    fn six_digits_are_a_totp_code_anything_else_a_recovery_code() {
        assert_eq!(as_totp_code("123456").as_deref(), Some("123456"));
        assert_eq!(as_totp_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(as_totp_code("12345"), None);
        assert_eq!(as_totp_code("abcd-efgh-ijkm"), None);
    }

    #[test]
    fn codes_follow_rfc_6238_with_one_step_of_skew() {
        // RFC 6238 appendix B's SHA-1 secret, "12345678901234567890".
        let secret = Secret::new(b"12345678901234567890".to_vec().into_boxed_slice()).to_base32();
        let t = totp(&secret, "someone").unwrap();
        // At 59 s the RFC's 8-digit code is 94287082: its last six digits.
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.check("287082", 59), Some(1));
        assert_eq!(
            t.check("287082", 59 + 30),
            Some(1),
            "one step late is accepted"
        );
        assert_eq!(t.check("287082", 59 + 60), None, "two steps late is not");
        let uri = t.to_url().unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Collect%20%26%20Stamp:someone?"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Collect%20%26%20Stamp"), "{uri}");
    }
}
