//! The core API: one function per user action, taking and returning serde types. The CLI and
//! the desktop app are thin shells over these functions and hold no logic of their own.

pub mod attachments;
pub mod foi;
pub mod records;
pub mod types;

use std::path::{Path, PathBuf};

use crate::archive::ingest::{self, Progress};
use crate::archive::{self, query, Archive, Unlock};
use crate::crypto::keychain::KeyStore;
use crate::crypto::keyfile::{KdfProfile, KeyFile};
use crate::error::{Error, Result};
use crate::import::{self, zone};
pub use crate::index::search::{SearchHit, SearchRequest, SearchResults, SortOrder};
pub use types::*;

/// What the app shows before and after unlocking.
pub fn status(dir: &Path, open: Option<&Archive>) -> ArchiveStatus {
    let keychain_remembered = match open {
        Some(a) => a.keyfile().keychain_remembered,
        None => KeyFile::load(dir).is_ok_and(|k| k.keychain_remembered),
    };
    ArchiveStatus {
        path: dir.display().to_string(),
        exists: archive::exists(dir),
        unlocked: open.is_some(),
        keychain_remembered,
    }
}

/// Creates an archive; the recovery key in the result is shown to the user once.
pub fn init(dir: &Path, passphrase: &str) -> Result<(Archive, InitResult)> {
    let (mut archive, recovery) = Archive::create(dir, passphrase, KdfProfile::from_env())?;
    crate::records::log(&mut archive, "init", serde_json::json!({}))?;
    let result = InitResult {
        archive: dir.display().to_string(),
        recovery_key: recovery.display().to_string(),
    };
    Ok((archive, result))
}

/// Opens an archive. (The desktop app puts each unlock on the record with
/// [`record_unlock`]; a CLI command is on the record through what it changes.)
pub fn open(dir: &Path, unlock: Unlock<'_>) -> Result<Archive> {
    finish(Archive::open(dir, unlock)?)
}

/// Finishes a disposal a killed process committed but did not complete (unless another
/// process is writing: it will).
fn finish(mut a: Archive) -> Result<Archive> {
    match crate::records::disposal::finish_pending(&mut a) {
        Ok(()) | Err(Error::ArchiveInUse(_)) => Ok(a),
        Err(e) => Err(e),
    }
}

/// Puts an unlock of the desktop app on the audit record (`how`: passphrase, keychain).
pub fn record_unlock(a: &mut Archive, how: &str) -> Result<()> {
    crate::records::log(a, "unlock", serde_json::json!({ "with": how }))?;
    Ok(())
}

/// Opens with the key this device's keychain remembers.
pub fn open_with_keychain(dir: &Path, store: &dyn KeyStore) -> Result<Archive> {
    let kf = match KeyFile::load(dir) {
        Ok(kf) => kf,
        Err(Error::Io { .. }) => return Err(Error::NoArchive(dir.to_path_buf())),
        Err(e) => return Err(e),
    };
    if !kf.keychain_remembered {
        return Err(Error::Locked(
            "this device's keychain does not remember the archive's key".into(),
        ));
    }
    match store.load(&kf.archive_id)? {
        Some(key) => finish(Archive::open(dir, Unlock::DataKey(key))?),
        None => Err(Error::KeychainUnavailable(
            "the keychain has no key for this archive any more: unlock with the passphrase and run `holdfast keychain remember` again".into(),
        )),
    }
}

pub fn stats(a: &Archive) -> Result<Stats> {
    query::stats(a.conn())
}

/// Messages per month (UTC), oldest first.
pub fn messages_by_month(a: &Archive) -> Result<Vec<MonthCount>> {
    let mut stmt = a.conn().prepare(
        "SELECT strftime('%Y-%m', sent_at / 1000, 'unixepoch') AS m, count(*) FROM messages
         GROUP BY m ORDER BY m",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(MonthCount {
            month: r.get(0)?,
            messages: r.get::<_, i64>(1)? as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn conversations(a: &Archive) -> Result<ConversationList> {
    query::conversations(a.conn())
}

pub fn show(a: &Archive, conversation: &str, opts: &ShowOptions) -> Result<ConversationView> {
    query::show(a.conn(), conversation, opts)
}

fn import_options(opts: &ImportOptions) -> Result<import::ImportOptions> {
    let (zone, zone_explicit) = match &opts.tz {
        Some(name) => (zone::parse_zone(name)?, true),
        None => (zone::system_zone().unwrap_or(chrono_tz::UTC), false),
    };
    Ok(import::ImportOptions {
        zone,
        zone_explicit,
        date_order: opts.date_order,
    })
}

/// Imports each path as its own source. Each is atomic: a path that fails leaves the archive as
/// it was before that path (earlier paths stay imported).
pub fn import(
    a: &mut Archive,
    paths: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport> {
    let options = import_options(opts)?;
    let mut sources = Vec::with_capacity(paths.len());
    let mut result = Ok(());
    for path in paths {
        match ingest::import_file(
            a,
            path,
            opts.format,
            &options,
            opts.tag.as_deref(),
            progress,
        ) {
            Ok(s) => sources.push(s),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // The database is committed; now the index follows (a process killed here is caught up
    // by the next one that opens the index).
    if !sources.is_empty() {
        fault_point("after-db-commit");
        a.catch_up_index(&mut |done, total| {
            progress.report(ImportProgress::Indexing { done, total })
        })?;
    }
    result.map(|()| ImportReport { sources })
}

/// Test hook: `HOLDFAST_TEST_FAULT=<point>` kills the process there with SIGKILL, as a crash
/// or a power cut would (used by the crash tests; never set in normal use).
pub(crate) fn fault_point(point: &str) {
    if std::env::var("HOLDFAST_TEST_FAULT").as_deref() == Ok(point) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &std::process::id().to_string()])
            .status();
        std::process::abort();
    }
}

/// Runs a search; every search is on the record (who, when, the query, how many hits: R3).
pub fn search(a: &mut Archive, req: &SearchRequest) -> Result<SearchResults> {
    let results = a.search(req)?;
    crate::records::log(
        a,
        "search",
        serde_json::json!({ "query": req.query, "hits": results.total }),
    )?;
    Ok(results)
}

pub fn reindex(a: &mut Archive, progress: &mut dyn FnMut(u64, u64)) -> Result<ReindexReport> {
    let t = std::time::Instant::now();
    let messages = a.rebuild_index(progress)?;
    Ok(ReindexReport {
        messages,
        took_ms: (t.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
    })
}

pub fn verify(a: &mut Archive) -> Result<VerifyReport> {
    a.verify()
}

pub fn change_passphrase(a: &mut Archive, new_passphrase: &str) -> Result<()> {
    a.change_passphrase(new_passphrase)?;
    crate::records::log(a, "passphrase.change", serde_json::json!({}))?;
    Ok(())
}

pub fn keychain_remember(a: &mut Archive, store: &dyn KeyStore) -> Result<KeychainStatus> {
    store.store(&a.keyfile().archive_id, a.data_key())?;
    a.set_keychain_remembered(true)?;
    Ok(KeychainStatus {
        archive: a.dir().display().to_string(),
        remembered: true,
    })
}

/// Forgets the key on this device; needs no unlocking.
pub fn keychain_forget(dir: &Path, store: &dyn KeyStore) -> Result<KeychainStatus> {
    let mut kf = KeyFile::load(dir)?;
    let deleted = store.delete(&kf.archive_id);
    if kf.keychain_remembered {
        kf.keychain_remembered = false;
        kf.save(dir)?;
    }
    deleted?;
    Ok(KeychainStatus {
        archive: dir.display().to_string(),
        remembered: false,
    })
}

/// A backup of the archive into `dest` (a new or empty folder): see [`crate::backup`].
pub fn backup(a: &mut Archive, dest: &Path) -> Result<crate::backup::BackupReport> {
    crate::backup::backup(a, dest)
}

/// Restores the backup in `from` as the archive `target`, opening the copy with `unlock`.
pub fn restore(
    from: &Path,
    target: &Path,
    unlock: &mut dyn FnMut(&Path) -> Result<Archive>,
) -> Result<crate::backup::RestoreReport> {
    crate::backup::restore(from, target, unlock)
}

/// What the archive takes on disk, by part.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct StorageUsed {
    /// The database with its write-ahead log.
    #[ts(type = "number")]
    pub database: u64,
    /// Attachments and original exports.
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub index: u64,
    /// Everything in the archive folder.
    #[ts(type = "number")]
    pub total: u64,
}

fn bytes_under(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// The archive's size on disk, by part (files removed while it counts are skipped).
pub fn storage_used(a: &Archive) -> StorageUsed {
    let dir = a.dir();
    let db = |suffix: &str| {
        std::fs::metadata(dir.join(format!("{}{suffix}", archive::DB_NAME))).map_or(0, |m| m.len())
    };
    StorageUsed {
        database: db("") + db("-wal"),
        files: bytes_under(&dir.join("blobs")),
        index: bytes_under(&dir.join(crate::index::INDEX_DIR)),
        total: bytes_under(dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_used_counts_the_database_the_stored_files_and_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        let (mut a, _) = Archive::create(&path, "pw", KdfProfile::InsecureTest).unwrap();
        let before = storage_used(&a);
        assert_eq!(before.files, 0);
        let chat = dir.path().join("WhatsApp Chat with Roofers.txt");
        std::fs::write(
            &chat,
            "12/03/2024, 14:02 - Dev: roof membrane quote\n".repeat(200),
        )
        .unwrap();
        let opts = ImportOptions {
            tz: Some("UTC".into()),
            ..Default::default()
        };
        import(&mut a, &[chat], &opts, &mut |_| {}).unwrap();
        let after = storage_used(&a);
        assert!(after.files > 0, "the original export is stored: {after:?}");
        assert!(after.index > 0 && after.database > 0, "{after:?}");
        assert!(after.total >= after.database + after.files + after.index);
    }
}
