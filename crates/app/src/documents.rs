//! The one port for stored documents (receipts, invoices, annexes, reports): each object in
//! an object store (files under the data directory), recorded with its SHA-256 and size.
//!
//! [`DocumentStore::put`] records the document in the caller's transaction first, then
//! writes the object: the row's unique key makes two writers of one key wait for each
//! other (PostgreSQL) or take turns (SQLite's single writer), and only the one holding the
//! row writes the object. A transaction that rolls back after that leaves an object no row
//! names; a later put of the same key overwrites it, and nothing ever serves it.
//! [`DocumentStore::get`] reads a document only for its owner (or the portal itself) and
//! only when its bytes still have the recorded SHA-256 and size: a mismatch is logged and
//! answered as an internal error, never served.

use crate::{AppError, error::AppResult};
use cs_store::{
    Conn,
    repo::documents::{self as repo, NewDocument},
};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem, path::Path};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use time::OffsetDateTime;

/// What a stored document is; the kind is recorded with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Receipt,
    Invoice,
    Annex,
    Report,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt",
            DocumentKind::Invoice => "invoice",
            DocumentKind::Annex => "annex",
            DocumentKind::Report => "report",
        }
    }
}

/// Whose a document is, when it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Customer(i64),
    /// The Service Centre's own (a report across customers).
    ServiceCentre,
}

/// Who reads a document: a customer reads only its own; the portal (an operator's request,
/// a job) reads any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Customer(i64),
    Portal,
}

/// A document as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub id: i64,
    pub key: String,
    /// Lowercase hex.
    pub sha256: String,
    pub size_bytes: u64,
}

/// The object store that holds the documents' bytes, and the record of them.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    objects: Arc<dyn ObjectStore>,
}

/// An object store's failure, with the key it was about.
#[track_caller]
fn storage(key: &str, e: &object_store::Error) -> AppError {
    AppError::internal(format!("document storage ({key}): {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The object path of a key: parts separated by `/`, none empty, `.` or `..`. A key is the
/// caller's (never a user's input), so a bad one is a bug.
fn object_path(key: &str) -> AppResult<Path> {
    let bad = || AppError::internal(format!("document key {key:?} is not a plain relative path"));
    if key.is_empty() || key.starts_with('/') || key.ends_with('/') {
        return Err(bad());
    }
    let path = Path::parse(key).map_err(|_| bad())?;
    if path.as_ref() != key || key.split('/').any(|part| part == "." || part == "..") {
        return Err(bad());
    }
    Ok(path)
}

impl DocumentStore {
    /// Documents kept as files below `root` (created when missing).
    pub fn local(root: &std::path::Path) -> Result<Self, std::io::Error> {
        std::fs::create_dir_all(root)?;
        let fs = LocalFileSystem::new_with_prefix(root).map_err(std::io::Error::other)?;
        Ok(Self {
            objects: Arc::new(fs),
        })
    }

    /// Stores `bytes` under `key` and records them (kind, SHA-256, size, owner, `at`) on
    /// `conn`: pass the transaction of the change the document belongs to, so that both
    /// commit together. A key already recorded is a conflict (`document_exists`): a
    /// document is written once.
    pub async fn put(
        &self,
        conn: &mut Conn<'_>,
        kind: DocumentKind,
        key: &str,
        owner: Owner,
        bytes: Vec<u8>,
        at: OffsetDateTime,
    ) -> AppResult<StoredDocument> {
        let path = object_path(key)?;
        let sha256 = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        let size_bytes = i64::try_from(size)
            .map_err(|_| AppError::internal(format!("document {key} is too large")))?;
        let new = NewDocument {
            kind: kind.as_str(),
            object_key: key,
            sha256: &sha256,
            size_bytes,
            customer_id: match owner {
                Owner::Customer(id) => Some(id),
                Owner::ServiceCentre => None,
            },
            created_at: at,
        };
        let id = match repo::insert(conn, &new).await {
            Ok(id) => id,
            Err(e) if e.is_conflict() => {
                return Err(AppError::Conflict {
                    code: crate::ErrorCode::DocumentExists,
                    message: format!("a document is already stored as {key}"),
                });
            }
            Err(e) => return Err(e.into()),
        };
        if let Err(e) = self.objects.put(&path, PutPayload::from(bytes)).await {
            // Outside a transaction the row is already committed: take it back.
            if let Err(undo) = repo::delete(conn, id).await {
                tracing::error!(key, error = %undo, "a document's record outlived its failed write");
            }
            return Err(storage(key, &e));
        }
        Ok(StoredDocument {
            id,
            key: key.to_owned(),
            sha256,
            size_bytes: size,
        })
    }

    /// The bytes of the document stored under `key`, for `reader`. Not recorded, or
    /// another customer's: not found. Recorded but missing, or no longer of its recorded
    /// SHA-256 and size: logged, and an internal error.
    pub async fn get(&self, conn: &mut Conn<'_>, key: &str, reader: Reader) -> AppResult<Vec<u8>> {
        let path = object_path(key)?;
        let row = repo::by_key(conn, key).await?.ok_or(AppError::NotFound)?;
        if let Reader::Customer(customer) = reader
            && row.customer_id != Some(customer)
        {
            return Err(AppError::NotFound);
        }
        let bytes = match self.objects.get(&path).await {
            Ok(r) => r.bytes().await.map_err(|e| storage(key, &e))?.to_vec(),
            Err(object_store::Error::NotFound { .. }) => {
                tracing::error!(key, "a recorded document's object is missing");
                return Err(AppError::internal(format!(
                    "document {key} is recorded but its object is missing"
                )));
            }
            Err(e) => return Err(storage(key, &e)),
        };
        let sha256 = sha256_hex(&bytes);
        if sha256 != row.sha256 || u64::try_from(row.size_bytes) != Ok(bytes.len() as u64) {
            tracing::error!(
                key,
                recorded_sha256 = %row.sha256,
                read_sha256 = %sha256,
                recorded_size = row.size_bytes,
                read_size = bytes.len(),
                "a stored document does not match its record: not served"
            );
            return Err(AppError::internal(format!(
                "document {key} does not match its recorded SHA-256"
            )));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cs_store::{
        Store,
        repo::customers::{self, NewCustomer},
    };
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-11-26 10:00:00 UTC);

    async fn store(dir: &std::path::Path) -> Store {
        let url = format!("sqlite://{}?mode=rwc", dir.join("portal.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    async fn customer(store: &Store, number: &str) -> i64 {
        let mut c = store.acquire().await.unwrap();
        customers::insert(
            &mut c.conn(),
            &NewCustomer {
                customer_number: number,
                name: "Alpha Printing SA",
                vat_number: "BE0428759497",
                language: "fr",
                street: "",
                postcode: "",
                city: "",
                country: "BE",
                collection_days: "",
                created_at: AT,
            },
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn put_records_the_hash_and_get_serves_the_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let alpha = customer(&store, "8800001").await;
        let beta = customer(&store, "8800002").await;
        let docs = DocumentStore::local(&dir.path().join("documents")).unwrap();
        let key = "receipts/2026-11/R-0001.pdf";

        let mut tx = store.begin().await.unwrap();
        let stored = docs
            .put(
                &mut tx.conn(),
                DocumentKind::Receipt,
                key,
                Owner::Customer(alpha),
                b"%PDF-1.7".to_vec(),
                AT,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(stored.size_bytes, 8);
        assert_eq!(stored.sha256, sha256_hex(b"%PDF-1.7"));
        assert!(dir.path().join("documents").join(key).exists());

        let mut c = store.acquire().await.unwrap();
        let row = repo::by_key(&mut c.conn(), key).await.unwrap().unwrap();
        assert_eq!(
            (row.kind.as_str(), row.sha256.as_str(), row.size_bytes),
            ("receipt", stored.sha256.as_str(), 8)
        );
        assert_eq!(row.customer_id, Some(alpha));

        for reader in [Reader::Customer(alpha), Reader::Portal] {
            let bytes = docs.get(&mut c.conn(), key, reader).await.unwrap();
            assert_eq!(bytes, b"%PDF-1.7", "{reader:?}");
        }
        let other = docs.get(&mut c.conn(), key, Reader::Customer(beta)).await;
        assert!(matches!(other, Err(AppError::NotFound)), "{other:?}");
        let unknown = docs
            .get(&mut c.conn(), "receipts/none.pdf", Reader::Portal)
            .await;
        assert!(matches!(unknown, Err(AppError::NotFound)), "{unknown:?}");

        // Written once: the same key again is a conflict and leaves the first intact.
        let again = docs
            .put(
                &mut c.conn(),
                DocumentKind::Receipt,
                key,
                Owner::ServiceCentre,
                b"other".to_vec(),
                AT,
            )
            .await;
        assert_eq!(again.unwrap_err().code(), "document_exists");
        let bytes = docs.get(&mut c.conn(), key, Reader::Portal).await.unwrap();
        assert_eq!(bytes, b"%PDF-1.7");
    }

    #[tokio::test]
    async fn a_changed_or_missing_object_is_never_served() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let root = dir.path().join("documents");
        let docs = DocumentStore::local(&root).unwrap();
        let mut c = store.acquire().await.unwrap();
        for key in ["reports/a.pdf", "reports/b.pdf", "reports/c.pdf"] {
            docs.put(
                &mut c.conn(),
                DocumentKind::Report,
                key,
                Owner::ServiceCentre,
                b"report".to_vec(),
                AT,
            )
            .await
            .unwrap();
        }
        // Same size, other bytes; other size; gone.
        std::fs::write(root.join("reports/a.pdf"), b"REPORT").unwrap();
        std::fs::write(root.join("reports/b.pdf"), b"report!").unwrap();
        std::fs::remove_file(root.join("reports/c.pdf")).unwrap();
        for key in ["reports/a.pdf", "reports/b.pdf", "reports/c.pdf"] {
            let e = docs
                .get(&mut c.conn(), key, Reader::Portal)
                .await
                .unwrap_err();
            assert_eq!(e.code(), "internal", "{key}: {e:?}");
        }
    }

    #[tokio::test]
    async fn a_rolled_back_put_leaves_no_record_and_the_key_free() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let docs = DocumentStore::local(&dir.path().join("documents")).unwrap();
        let key = "invoices/2026-11/F-1.pdf";
        let mut tx = store.begin().await.unwrap();
        docs.put(
            &mut tx.conn(),
            DocumentKind::Invoice,
            key,
            Owner::ServiceCentre,
            b"first try".to_vec(),
            AT,
        )
        .await
        .unwrap();
        drop(tx);
        let mut c = store.acquire().await.unwrap();
        let e = docs
            .get(&mut c.conn(), key, Reader::Portal)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::NotFound),
            "the object alone is not served"
        );
        // The retry overwrites the orphaned object and is served.
        docs.put(
            &mut c.conn(),
            DocumentKind::Invoice,
            key,
            Owner::ServiceCentre,
            b"second try".to_vec(),
            AT,
        )
        .await
        .unwrap();
        let bytes = docs.get(&mut c.conn(), key, Reader::Portal).await.unwrap();
        assert_eq!(bytes, b"second try");
    }

    #[tokio::test]
    async fn keys_are_plain_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let docs = DocumentStore::local(&dir.path().join("documents")).unwrap();
        let mut c = store.acquire().await.unwrap();
        for bad in ["", "/abs.pdf", "a/../b.pdf", "a//b.pdf", "dir/", "./a.pdf"] {
            let e = docs
                .put(
                    &mut c.conn(),
                    DocumentKind::Report,
                    bad,
                    Owner::ServiceCentre,
                    b"x".to_vec(),
                    AT,
                )
                .await
                .unwrap_err();
            assert_eq!(e.code(), "internal", "{bad:?}");
        }
    }
}
