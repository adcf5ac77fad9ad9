//! The one storage interface for documents (receipts, exports, address images): an
//! object store, on the local file system under the data directory by default.

use object_store::{ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem, path::Path};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Documents {
    inner: Arc<dyn ObjectStore>,
}

#[derive(Debug, thiserror::Error)]
#[error("document storage: {0}")]
pub struct DocumentError(#[from] object_store::Error);

impl Documents {
    /// Documents kept as files below `root` (created when missing).
    pub fn local(root: &std::path::Path) -> Result<Self, std::io::Error> {
        std::fs::create_dir_all(root)?;
        let fs = LocalFileSystem::new_with_prefix(root).map_err(std::io::Error::other)?;
        Ok(Self {
            inner: Arc::new(fs),
        })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), DocumentError> {
        self.inner
            .put(&Path::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, DocumentError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), DocumentError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_delete_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let docs = Documents::local(dir.path()).unwrap();
        docs.put("receipts/2026/11/R1.pdf", b"%PDF-1.7".to_vec())
            .await
            .unwrap();
        assert_eq!(
            docs.get("receipts/2026/11/R1.pdf")
                .await
                .unwrap()
                .as_deref(),
            Some(&b"%PDF-1.7"[..])
        );
        assert!(dir.path().join("receipts/2026/11/R1.pdf").exists());
        docs.delete("receipts/2026/11/R1.pdf").await.unwrap();
        docs.delete("receipts/2026/11/R1.pdf").await.unwrap();
        assert_eq!(docs.get("receipts/2026/11/R1.pdf").await.unwrap(), None);
    }
}
