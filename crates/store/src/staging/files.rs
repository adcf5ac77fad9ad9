//! The SQLite staging file of a run: a database of its own beside the main one, with a lock
//! file held for the run's life, so that files left by a crash can be told and swept.

use crate::StoreError;
use std::{
    fs::File,
    path::{Path, PathBuf},
};

/// The staging file of a SQLite import and its liveness lock (see [`sweep_orphans`]).
pub(super) struct StagingFile {
    pub(super) db: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl Drop for StagingFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

impl StagingFile {
    /// A new staging file's name and its lock, taken, in `imports/` beside the database file;
    /// orphans found there are swept first.
    pub(super) fn create(main_db: &Path) -> Result<Self, StoreError> {
        let dir = staging_dir(main_db);
        std::fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, &e))?;
        sweep_orphans(&dir);
        let run = uuid::Uuid::new_v4().simple().to_string();
        let lock_path = dir.join(format!("{run}.lock"));
        let lock = File::create(&lock_path).map_err(|e| io("cannot create", &lock_path, &e))?;
        lock.lock().map_err(|e| io("cannot lock", &lock_path, &e))?;
        Ok(StagingFile {
            db: dir.join(format!("{run}.db")),
            lock_path,
            _lock: lock,
        })
    }
}

/// The folder of SQLite staging files: `imports/` beside the database file.
fn staging_dir(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("imports")
}

fn io(what: &str, path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io(format!("{what} {}: {e}", path.display()))
}

/// Removes the staging files of runs that are no longer alive: a run holds its `.lock` file
/// locked for its whole life and the OS releases that lock when the process dies, so a lock
/// that can be taken marks an orphan (left by a crash or a `kill -9`). Returns how many.
pub fn sweep_orphans(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("lock") {
            continue;
        }
        let Ok(lock) = File::options().read(true).write(true).open(&path) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let db = path.with_extension("db");
            let _ = std::fs::remove_file(&db);
            let _ = std::fs::remove_file(path.with_extension("db-journal"));
            let _ = std::fs::remove_file(&path);
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_that_can_be_taken_marks_an_orphan() {
        let dir = tempfile::tempdir().unwrap();
        let alive = dir.path().join("alive.lock");
        let held = File::create(&alive).unwrap();
        held.lock().unwrap();
        std::fs::write(dir.path().join("alive.db"), b"x").unwrap();
        std::fs::write(dir.path().join("dead.lock"), b"").unwrap();
        std::fs::write(dir.path().join("dead.db"), b"x").unwrap();
        assert_eq!(sweep_orphans(dir.path()), 1);
        assert!(dir.path().join("alive.db").exists());
        assert!(!dir.path().join("dead.db").exists());
        assert!(!dir.path().join("dead.lock").exists());
    }
}
