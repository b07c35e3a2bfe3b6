//! The archive: one folder holding the key file, the SQLCipher database and the encrypted blob
//! store. Nothing in it is readable without the data key.
//!
//! ```text
//! <archive>/
//!   holdfast.key      the data key, wrapped by the passphrase and by the recovery key
//!   archive.db        SQLCipher database (+ -wal, -shm), raw 256-bit key
//!   blobs/ab/<name>   attachments and original exports, AEAD-encrypted, keyed-hash names
//!   blobs/staging/    blobs of an operation not yet committed
//!   holdfast.lock     held by the one process writing at a time
//!   audit.head        the audit log's latest entry number and hash, sealed (records/audit.rs)
//!   index/            the search index, every file encrypted (index/encdir.rs)
//! ```

pub mod blobs;
pub mod fsutil;
pub mod ingest;
pub mod query;
pub mod schema;
pub mod sqlcipher;

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::api::types::VerifyReport;
use crate::crypto::keyfile::{KdfProfile, KeyFile, KEYFILE_NAME};
use crate::crypto::recovery::RecoveryKey;
use crate::crypto::SecretKey;
use crate::error::{Error, Result};
use crate::index::search::{SearchRequest, SearchResults};
use crate::index::{IndexCheck, SearchIndex};
use blobs::BlobStore;

pub const DB_NAME: &str = "archive.db";
pub const LOCK_NAME: &str = "holdfast.lock";
/// Held shared by every open handle on the archive, for its lifetime; taken exclusively by a
/// restore, which may replace the archive only when no process has it open.
pub const OPEN_LOCK_NAME: &str = "holdfast.open";
const README_NAME: &str = "README.txt";
const README: &str =
    "This folder is a Holdfast archive. Everything in it is encrypted: the database \
(archive.db) with SQLCipher, attachments and original exports (blobs/) with XChaCha20-Poly1305. \
holdfast.key holds the data key wrapped by your passphrase and by your recovery key.\n\
Back up the whole folder. Without the passphrase or the recovery key it cannot be read.\n";

/// How to unlock an archive.
pub enum Unlock<'a> {
    Passphrase(&'a str),
    Recovery(&'a RecoveryKey),
    /// The data key itself (from the OS keychain).
    DataKey(SecretKey),
}

pub struct Archive {
    dir: PathBuf,
    conn: Connection,
    keyfile: KeyFile,
    data_key: SecretKey,
    blobs: BlobStore,
    /// The search index, opened on first use.
    index: Option<SearchIndex>,
    /// A second, read-only handle (see [`Archive::open_reader`]): never writes, never takes
    /// the write lock.
    reader: bool,
    /// The open lock, held shared while this handle lives.
    _open: File,
}

/// Held while one process writes; released on drop.
pub struct WriteLock {
    _file: File,
}

/// The platform data folder: `~/.local/share/holdfast` on Linux.
pub fn default_dir() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|b| b.data_dir().join("holdfast"))
        .ok_or_else(|| Error::InvalidArgument("no home folder found: pass --archive DIR".into()))
}

/// Whether `dir` holds an archive (its key file).
pub fn exists(dir: &Path) -> bool {
    dir.join(KEYFILE_NAME).is_file()
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

pub(crate) fn open_database(path: &Path, key: Option<&SecretKey>) -> Result<Connection> {
    let conn = sqlcipher::open(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // SQLCipher logs HMAC failures to stderr by default; errors reach the user as values.
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    if let Some(key) = key {
        conn.pragma_update(None, "key", key.sqlcipher_literal().as_str())?;
    }
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                Error::Corrupt(format!(
                    "{}: the database does not open with this archive's key (damaged, or from another archive)",
                    path.display()
                ))
            }
            other => Error::Database(other),
        })?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

impl Archive {
    /// Creates a new archive in `dir` (which must not hold one) and returns it unlocked, with
    /// the recovery key to show the user once.
    pub fn create(
        dir: &Path,
        passphrase: &str,
        profile: KdfProfile,
    ) -> Result<(Archive, RecoveryKey)> {
        if exists(dir) || dir.join(DB_NAME).exists() {
            return Err(Error::ArchiveExists(dir.to_path_buf()));
        }
        if passphrase.is_empty() {
            return Err(Error::InvalidArgument("the passphrase is empty".into()));
        }
        create_private_dir(dir)?;
        let (keyfile, data_key, recovery) = KeyFile::create(passphrase, profile)?;
        // The key file first: a database is never left without the key that opens it.
        keyfile.save(dir)?;
        fs::write(dir.join(README_NAME), README)
            .map_err(|e| Error::io(dir.join(README_NAME), e))?;
        let archive = Archive::open_with_key(dir, keyfile, data_key)?;
        Ok((archive, recovery))
    }

    pub fn open(dir: &Path, unlock: Unlock<'_>) -> Result<Archive> {
        if !exists(dir) {
            return Err(Error::NoArchive(dir.to_path_buf()));
        }
        let keyfile = KeyFile::load(dir)?;
        let data_key = match unlock {
            Unlock::Passphrase(p) => keyfile.unlock_with_passphrase(p)?,
            Unlock::Recovery(r) => keyfile.unlock_with_recovery(r)?,
            Unlock::DataKey(k) => k,
        };
        Archive::open_with_key(dir, keyfile, data_key)
    }

    /// **Benchmarks only**: an archive whose database is plain, unencrypted SQLite, so that
    /// `holdfast-bench` can measure the cost of encryption against the same code path. Never
    /// reachable from the CLI or the desktop app.
    #[doc(hidden)]
    pub fn create_unencrypted_benchmark_baseline(dir: &Path) -> Result<Archive> {
        create_private_dir(dir)?;
        let (keyfile, data_key, _) = KeyFile::create("baseline", KdfProfile::InsecureTest)?;
        Archive::open_inner(dir, keyfile, data_key, false)
    }

    fn open_with_key(dir: &Path, keyfile: KeyFile, data_key: SecretKey) -> Result<Archive> {
        Archive::open_inner(dir, keyfile, data_key, true)
    }

    fn open_inner(
        dir: &Path,
        keyfile: KeyFile,
        data_key: SecretKey,
        encrypted: bool,
    ) -> Result<Archive> {
        let open = hold_open(dir)?;
        let mut conn = open_database(&dir.join(DB_NAME), encrypted.then_some(&data_key))?;
        let blobs = BlobStore::new(dir.join("blobs"), &data_key);
        let archive_lock = try_write_lock(dir);
        schema::migrate(&mut conn)?;
        let archive = Archive {
            dir: dir.to_path_buf(),
            conn,
            keyfile,
            data_key,
            blobs,
            index: None,
            reader: false,
            _open: open,
        };
        // Finish what a killed writer left behind, unless another process is writing now.
        if let Ok(_lock) = archive_lock {
            archive.recover()?;
            SearchIndex::remove_leftovers(dir)?;
        }
        Ok(archive)
    }

    fn recover(&self) -> Result<blobs::RecoveryReport> {
        let conn = &self.conn;
        self.blobs.recover(&|id| {
            let n: i64 = conn.query_row(
                "SELECT (SELECT count(*) FROM sources WHERE original_blob = ?1)
                      + (SELECT count(*) FROM attachments WHERE blob = ?1)
                      + (SELECT count(*) FROM source_members WHERE blob = ?1)",
                [id],
                |r| r.get(0),
            )?;
            Ok(n > 0)
        })
    }

    /// A second handle on an archive this process has open, for long read-only reports (the
    /// desktop app's disposal summary, its monthly chart) that should not queue the user's
    /// searches behind them. It never writes: it takes no write lock, so it never catches the
    /// index up or recovers anything, and every write through it is refused.
    pub fn open_reader(dir: &Path, data_key: SecretKey) -> Result<Archive> {
        let open = hold_open(dir)?;
        let keyfile = KeyFile::load(dir)?;
        let conn = open_database(&dir.join(DB_NAME), Some(&data_key))?;
        conn.pragma_update(None, "query_only", "ON")?;
        let blobs = BlobStore::new(dir.join("blobs"), &data_key);
        Ok(Archive {
            dir: dir.to_path_buf(),
            conn,
            keyfile,
            data_key,
            blobs,
            index: None,
            reader: true,
            _open: open,
        })
    }

    /// Takes the archive's write lock, or says another process holds it.
    pub fn write_lock(&self) -> Result<WriteLock> {
        if self.reader {
            return Err(Error::Refused(
                "this is a read-only handle on the archive".into(),
            ));
        }
        try_write_lock(&self.dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    pub fn keyfile(&self) -> &KeyFile {
        &self.keyfile
    }

    pub fn data_key(&self) -> &SecretKey {
        &self.data_key
    }

    /// The search index, opened (and created) on first use. It is caught up with the archive
    /// when this process can write; otherwise it answers from what it holds (the process that
    /// is writing brings it up to date).
    pub fn search_index(&mut self) -> Result<&SearchIndex> {
        if let (true, Some(idx)) = (self.reader, &self.index) {
            // A reader sees the writer's commits at once, not after the watcher's delay.
            idx.reader()
                .reload()
                .map_err(|e| Error::Corrupt(format!("search index: {e}")))?;
        }
        if self.index.is_none() {
            let idx = SearchIndex::open(&self.dir, &self.data_key)?;
            if let Ok(_lock) = self.write_lock() {
                idx.catch_up(&self.conn, &mut |_, _| {})?;
            }
            self.index = Some(idx);
        }
        Ok(self.index.as_ref().expect("just opened"))
    }

    /// The index (opened by [`Archive::search_index`] first) beside the database connection.
    pub fn index_and_conn(&self) -> (&SearchIndex, &Connection) {
        (
            self.index
                .as_ref()
                .expect("search_index() opens the index first"),
            &self.conn,
        )
    }

    /// Adds what the archive holds beyond the index; `progress` gets (done, total).
    pub fn catch_up_index(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        let lock = self.write_lock()?;
        self.catch_up_index_locked(&lock, progress)
    }

    /// The same, for a caller that holds the write lock already.
    pub fn catch_up_index_locked(
        &mut self,
        _lock: &WriteLock,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        if self.index.is_none() {
            self.index = Some(SearchIndex::open(&self.dir, &self.data_key)?);
        }
        let idx = self.index.as_ref().expect("just opened");
        idx.catch_up(&self.conn, progress)
    }

    /// Runs a search (catching the index up first when this process can write).
    pub fn search(&mut self, req: &SearchRequest) -> Result<SearchResults> {
        self.search_index()?;
        let idx = self.index.as_ref().expect("opened above");
        idx.search(&self.conn, req)
    }

    /// Checks the database, every stored blob and the search index against the archive.
    pub fn verify(&mut self) -> Result<VerifyReport> {
        let check: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let mut blobs_damaged = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT original_blob, sha256, 'the original of ' || file_name FROM sources WHERE original_blob != ''
             UNION ALL SELECT blob, sha256, 'attachment ' || name FROM attachments WHERE blob IS NOT NULL
             UNION ALL SELECT blob, sha256, 'the original of ' || path FROM source_members",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        for (blob, sha, what) in &rows {
            match self.blobs.read_all(blob) {
                Ok(bytes) if crate::crypto::sha256_hex(&bytes) == *sha => {}
                Ok(_) => blobs_damaged.push(format!("{what}: content does not match its SHA-256")),
                Err(e) => blobs_damaged.push(format!("{what}: {e}")),
            }
        }
        // Opened as a search opens it: a writer killed between its commit and the index's is
        // caught up first (the index is derived data; lagging is not damage).
        let index = match self.search_index() {
            Ok(_) => {
                let (idx, conn) = self.index_and_conn();
                idx.verify(conn)?
            }
            Err(e) => IndexCheck::unreadable(e.to_string()),
        };
        let database_ok = check == "ok";
        Ok(VerifyReport {
            ok: database_ok && blobs_damaged.is_empty() && index.ok,
            database: check,
            blobs_checked: rows.len() as u64,
            blobs_damaged,
            index,
        })
    }

    /// Throws the search index away and builds it again from the archive.
    pub fn rebuild_index(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        let _lock = self.write_lock()?;
        self.index = None;
        let (idx, n) = SearchIndex::rebuild(&self.dir, &self.data_key, &self.conn, progress)?;
        self.index = Some(idx);
        Ok(n)
    }

    /// Re-wraps the data key under a new passphrase; the data itself is untouched.
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<()> {
        if new_passphrase.is_empty() {
            return Err(Error::InvalidArgument("the new passphrase is empty".into()));
        }
        let _lock = self.write_lock()?;
        let mut kf = self.keyfile.clone();
        kf.rewrap_passphrase(&self.data_key, new_passphrase)?;
        kf.save(&self.dir)?;
        self.keyfile = kf;
        Ok(())
    }

    /// Records whether this device's keychain remembers the key (the flag lives in the key file).
    pub fn set_keychain_remembered(&mut self, remembered: bool) -> Result<()> {
        let _lock = self.write_lock()?;
        let mut kf = self.keyfile.clone();
        kf.keychain_remembered = remembered;
        kf.save(&self.dir)?;
        self.keyfile = kf;
        Ok(())
    }
}

/// The write lock of the archive in `dir`, without opening it (a restore replacing it).
pub(crate) fn lock_dir(dir: &Path) -> Result<WriteLock> {
    try_write_lock(dir)
}

/// The lock file `name` of the archive in `dir`, locked without waiting (shared or
/// exclusive); another process holding it the other way is "archive in use".
fn lock_file(dir: &Path, name: &str, shared: bool) -> Result<File> {
    let path = dir.join(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    let locked = if shared {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match locked {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::ArchiveInUse(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// The open lock, shared: refused only while a restore is replacing the archive.
fn hold_open(dir: &Path) -> Result<File> {
    lock_file(dir, OPEN_LOCK_NAME, true)
}

/// The open lock, exclusive: the archive in `dir` is open in no process (a restore may
/// replace it). Released on drop.
pub(crate) fn lock_closed(dir: &Path) -> Result<File> {
    lock_file(dir, OPEN_LOCK_NAME, false)
}

fn try_write_lock(dir: &Path) -> Result<WriteLock> {
    Ok(WriteLock {
        _file: lock_file(dir, LOCK_NAME, false)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfProfile = KdfProfile::InsecureTest;

    #[test]
    fn a_reader_handle_refuses_writes_and_sees_the_writers_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        let (mut a, _) = Archive::create(&path, "pw", FAST).unwrap();
        let mut r = Archive::open_reader(&path, a.data_key().clone()).unwrap();
        assert!(matches!(r.write_lock(), Err(Error::Refused(_))));
        let search = |x: &mut Archive| {
            let req = SearchRequest {
                query: "membrane".into(),
                ..Default::default()
            };
            x.search(&req).unwrap().total
        };
        assert_eq!(search(&mut r), 0);
        let chat = dir.path().join("WhatsApp Chat with Roofers.txt");
        fs::write(
            &chat,
            "12/03/2024, 14:02 - Dev: roof membrane quote attached\n",
        )
        .unwrap();
        let opts = crate::api::ImportOptions {
            tz: Some("UTC".into()),
            ..Default::default()
        };
        crate::api::import(&mut a, &[chat], &opts, &mut |_| {}).unwrap();
        // The writer indexed it; the reader, opened before, finds it at once.
        assert_eq!(search(&mut a), 1);
        assert_eq!(search(&mut r), 1);
        assert!(r.write_lock().is_err(), "still read-only");
    }

    #[test]
    fn create_then_open_with_passphrase_and_recovery_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        let (a, recovery) = Archive::create(&path, "pw one", FAST).unwrap();
        assert_eq!(schema::version(a.conn()).unwrap(), schema::CURRENT);
        drop(a);
        assert!(Archive::open(&path, Unlock::Passphrase("pw one")).is_ok());
        assert!(matches!(
            Archive::open(&path, Unlock::Passphrase("nope")),
            Err(Error::WrongPassphrase)
        ));
        let mut a = Archive::open(&path, Unlock::Recovery(&recovery)).unwrap();
        a.change_passphrase("pw two").unwrap();
        drop(a);
        assert!(Archive::open(&path, Unlock::Passphrase("pw one")).is_err());
        assert!(Archive::open(&path, Unlock::Passphrase("pw two")).is_ok());
    }

    #[test]
    fn refuses_to_overwrite_and_explains_a_missing_archive() {
        let dir = tempfile::tempdir().unwrap();
        Archive::create(dir.path(), "pw", FAST).unwrap();
        assert!(matches!(
            Archive::create(dir.path(), "pw", FAST),
            Err(Error::ArchiveExists(_))
        ));
        let empty = tempfile::tempdir().unwrap();
        let e = Archive::open(empty.path(), Unlock::Passphrase("pw"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("holdfast init"), "{e}");
    }

    #[test]
    fn the_database_does_not_open_without_the_key() {
        let dir = tempfile::tempdir().unwrap();
        drop(Archive::create(dir.path(), "pw", FAST).unwrap());
        let plain = Connection::open(dir.path().join(DB_NAME)).unwrap();
        assert!(plain
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err());
        let e = open_database(&dir.path().join(DB_NAME), Some(&SecretKey::random()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("does not open"), "{e}");
    }

    #[test]
    fn only_one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Archive::create(dir.path(), "pw", FAST).unwrap();
        let lock = a.write_lock().unwrap();
        let b = Archive::open(dir.path(), Unlock::Passphrase("pw")).unwrap();
        assert!(matches!(b.write_lock(), Err(Error::ArchiveInUse(_))));
        drop(lock);
        assert!(b.write_lock().is_ok());
    }
}
