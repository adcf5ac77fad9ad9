//! Secrets the server must read back (TOTP seeds), sealed with keys kept outside the
//! database (`COLLECTSTAMP_SECRET_KEY_FILE`): XChaCha20-Poly1305, each bound to its purpose.
//!
//! The key file holds one key per line (32 bytes, base64), `#` comments allowed. The first
//! key seals; every key opens. Rotation: put a new key on the first line and restart; the
//! start-up re-seals every stored secret with it, after which the old line can go.
//! A sealed value reads `sealed:v1:<key id>:<base64 of nonce and ciphertext>`.

use crate::AppError;
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use sha2::{Digest, Sha256};
use std::fmt;

const PREFIX: &str = "sealed:v1:";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The keys of the key file, the sealing one first.
#[derive(Clone)]
pub struct SecretKeys {
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "SecretKeys({ids:?})")
    }
}

/// What is wrong with a key file, by line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error("line {line}: not a key: expected 32 bytes in base64")]
    NotAKey { line: usize },
    #[error("the file holds no key")]
    Empty,
}

fn key_id(key: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"collectstamp secret key id\0")
        .chain_update(key)
        .finalize();
    hex::encode(&digest[..4])
}

impl SecretKeys {
    /// Reads a key file's text.
    pub fn parse(text: &str) -> Result<Self, KeyFileError> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bytes = STANDARD
                .decode(line)
                .or_else(|_| URL_SAFE_NO_PAD.decode(line))
                .ok()
                .filter(|b| b.len() == KEY_LEN)
                .ok_or(KeyFileError::NotAKey { line: i + 1 })?;
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| KeyFileError::NotAKey { line: i + 1 })?;
            keys.push((key_id(&bytes), cipher));
        }
        if keys.is_empty() {
            return Err(KeyFileError::Empty);
        }
        Ok(Self { keys })
    }

    /// The text of a new key file with one fresh key.
    pub fn new_file_text() -> Result<String, AppError> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
        Ok(format!(
            "# Collect & Stamp secret key: seals the secrets the server reads back (TOTP seeds).\n\
             # Keep it apart from the database backups. To rotate: put a new key on the first\n\
             # line, restart, then remove the old line.\n{}\n",
            STANDARD.encode(key)
        ))
    }

    /// Seals `plain` for `purpose` (e.g. `totp:user:42`) with the first key.
    pub fn seal(&self, purpose: &str, plain: &str) -> Result<String, AppError> {
        let (id, cipher) = self
            .keys
            .first()
            .ok_or_else(|| AppError::internal("no secret key"))?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: purpose.as_bytes(),
        };
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), payload)
            .map_err(|_| AppError::internal("cannot seal a secret"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{id}:{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens a value sealed for `purpose` by any of the keys. A value that is not sealed, was
    /// sealed for another purpose, by an unknown key, or altered, is an internal error: the
    /// database does not hold what the server wrote.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, AppError> {
        let broken = |why: &str| AppError::internal(format!("sealed secret ({purpose}): {why}"));
        let rest = sealed
            .strip_prefix(PREFIX)
            .ok_or_else(|| broken("not sealed"))?;
        let (id, body) = rest.split_once(':').ok_or_else(|| broken("malformed"))?;
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| broken("sealed by a key that is not in the key file"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| broken("malformed"))?;
        if bytes.len() < NONCE_LEN {
            return Err(broken("malformed"));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| broken("malformed"))?;
        let payload = Payload {
            msg: ciphertext,
            aad: purpose.as_bytes(),
        };
        let plain = cipher
            .decrypt(&XNonce::from(nonce), payload)
            .map_err(|_| broken("does not open: altered, or sealed for another purpose"))?;
        String::from_utf8(plain).map_err(|_| broken("not text"))
    }

    /// Whether `value` is sealed with the current (first) key; anything else is re-sealed
    /// at start-up.
    pub fn is_current(&self, value: &str) -> bool {
        let current = self.keys.first().map(|(id, _)| id.as_str());
        value
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| Some(id) == current)
    }

    /// Whether `value` is sealed at all (by any key); older databases hold clear values.
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SecretKeys {
        SecretKeys::parse(&SecretKeys::new_file_text().unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_for_its_purpose_only() {
        let k = keys();
        let sealed = k.seal("totp:user:1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("totp:user:1", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(
            k.open("totp:user:2", &sealed).is_err(),
            "moved to another user"
        );
        assert_ne!(
            sealed,
            k.seal("totp:user:1", "JBSWY3DPEHPK3PXP").unwrap(),
            "fresh nonce"
        );
    }

    #[test]
    fn altered_unknown_and_clear_values_do_not_open() {
        let k = keys();
        let sealed = k.seal("p", "secret").unwrap();
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(k.open("p", &String::from_utf8(altered).unwrap()).is_err());
        assert!(keys().open("p", &sealed).is_err(), "another key file");
        assert!(k.open("p", "secret").is_err());
        assert!(k.open("p", "sealed:v1:").is_err());
        assert!(k.open("p", "sealed:v1:00:AA").is_err());
    }

    #[test]
    fn rotation_opens_old_values_and_seals_with_the_new_key() {
        let old = SecretKeys::new_file_text().unwrap();
        let new = SecretKeys::new_file_text().unwrap();
        let before = SecretKeys::parse(&old).unwrap();
        let sealed = before.seal("p", "s").unwrap();
        let rotated = SecretKeys::parse(&format!("{new}{old}")).unwrap();
        assert!(!rotated.is_current(&sealed));
        assert_eq!(rotated.open("p", &sealed).unwrap(), "s");
        let resealed = rotated.seal("p", "s").unwrap();
        assert!(rotated.is_current(&resealed));
        assert!(before.open("p", &resealed).is_err());
    }

    #[test]
    fn key_files_say_which_line_is_wrong() {
        assert_eq!(
            SecretKeys::parse("# only a comment\n").unwrap_err(),
            KeyFileError::Empty
        );
        let good = SecretKeys::new_file_text().unwrap();
        assert_eq!(
            SecretKeys::parse(&format!("{good}\nnot base64!\n")).unwrap_err(),
            KeyFileError::NotAKey { line: 6 }
        );
        assert_eq!(
            SecretKeys::parse("c2hvcnQ=").unwrap_err(),
            KeyFileError::NotAKey { line: 1 }
        );
        assert!(!format!("{:?}", SecretKeys::parse(&good).unwrap()).contains('='));
    }
}
