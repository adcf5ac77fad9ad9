//! Random secrets (session ids, tokens, one-time links) and how they are stored: 256 bits
//! from the OS generator, URL-safe base64 on the wire, SHA-256 hex in the database.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A new random secret: 32 bytes from the operating system's CSPRNG, URL-safe base64.
pub fn new_token() -> Result<String, crate::AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::AppError::internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a secret.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_256_bits_url_safe_and_unique() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let t = new_token().unwrap();
            assert_eq!(t.len(), 43);
            assert!(
                t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
            assert!(seen.insert(t), "duplicate token");
        }
    }

    #[test]
    fn hash_is_stable_hex_and_comparison_exact() {
        assert_eq!(token_hash("abc").len(), 64);
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert_ne!(token_hash("abc"), token_hash("abd"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
