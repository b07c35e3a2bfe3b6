//! Backup and restore: a consistent, still-encrypted copy of the whole archive, with a manifest
//! of every file's SHA-256, and a restore that checks every hash, opens and verifies the copy
//! with the passphrase or the recovery key, and only then puts it in place.
//!
//! A backup folder is itself an archive (plus `holdfast-backup.json`): the key file, the
//! database copied page by page through SQLite's backup API into a database keyed the same way
//! (nothing is ever decrypted to disk), the blobs and the index files as they are. It is taken
//! under the archive's write lock, so the database, the blobs and the index agree: a desktop
//! app left open keeps reading meanwhile; its writes wait for the copy (they are told the
//! archive is in use).

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::archive::{self, fsutil, Archive, WriteLock, DB_NAME, LOCK_NAME};
use crate::error::{Error, Result};

/// The manifest's file name, in the backup folder.
pub const MANIFEST_NAME: &str = "holdfast-backup.json";
const FORMAT: u32 = 1;
/// The sealed head of the audit log (records/audit.rs).
const AUDIT_HEAD: &str = "audit.head";
/// How long a backup waits for another process's write to finish.
const LOCK_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestFile {
    /// Relative, with `/` separators.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub archive_id: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub schema_version: u32,
    pub files: Vec<ManifestFile>,
    /// SHA-256 of the lines `<sha256>  <path>\n` of `files`, sorted by path.
    pub root_hash: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupReport {
    pub dest: String,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    pub root_hash: String,
    pub took_ms: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreReport {
    pub archive: String,
    pub from: String,
    pub backup_created_at: String,
    #[ts(type = "number")]
    pub files: u64,
    /// Where the archive that was there before went (it is never deleted).
    pub previous_moved_to: Option<String>,
    #[ts(type = "number")]
    pub audit_entries: u64,
}

fn root_hash(files: &[ManifestFile]) -> String {
    let mut sorted: Vec<&ManifestFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut h = Sha256::new();
    for f in sorted {
        h.update(format!("{}  {}\n", f.sha256, f.path).as_bytes());
    }
    hex::encode(h.finalize())
}

/// The files of an archive folder a backup carries, relative: everything except the database
/// (copied through SQLite), the lock, and blobs still being staged by a write.
fn archive_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        let entries = fs::read_dir(&abs).map_err(|e| Error::io(&abs, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&abs, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = rel.join(&name);
            let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            let rel_s = rel_string(&rel);
            if kind.is_dir() {
                if rel_s != "blobs/staging" {
                    stack.push(rel);
                }
            } else if kind.is_file() && !skipped(&rel_s) {
                out.push(rel_s);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn skipped(rel: &str) -> bool {
    rel == LOCK_NAME
        || rel == archive::OPEN_LOCK_NAME
        || rel == AUDIT_HEAD // copied first, on its own
        || rel.ends_with(".tmp") // a file being replaced (the audit head's next version)
        || rel == MANIFEST_NAME
        || rel == DB_NAME
        || rel == format!("{DB_NAME}-wal")
        || rel == format!("{DB_NAME}-shm")
        || rel == format!("{DB_NAME}-journal")
        || rel.ends_with(".lock") // tantivy's writer and meta locks
}

fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads `path` to its end, hashing it and writing each chunk to `copy` (with its path)
/// when given; returns its size and SHA-256.
fn hash_file(path: &Path, mut copy: Option<(&mut File, &Path)>) -> Result<(u64, String)> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            break;
        }
        if let Some((dst, to)) = copy.as_mut() {
            dst.write_all(&buf[..k]).map_err(|e| Error::io(*to, e))?;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex::encode(h.finalize())))
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    hash_file(path, None)
}

/// Copies `from` to `to` (creating its folder), synced, and returns its size and SHA-256 as
/// written.
fn copy_hashed(from: &Path, to: &Path) -> Result<(u64, String)> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut dst = File::create(to).map_err(|e| Error::io(to, e))?;
    let hashed = hash_file(from, Some((&mut dst, to)))?;
    dst.sync_all().map_err(|e| Error::io(to, e))?;
    Ok(hashed)
}

/// The write lock, waiting up to [`LOCK_WAIT`] for another process's write to finish.
fn wait_for_lock(a: &Archive) -> Result<WriteLock> {
    let started = Instant::now();
    loop {
        match a.write_lock() {
            Err(Error::ArchiveInUse(_)) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

fn empty_or_absent(dir: &Path) -> Result<bool> {
    if !dir.exists() {
        return Ok(true);
    }
    Ok(fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .next()
        .is_none())
}

/// Writes a backup of `a` into `dest`, a new or empty folder.
pub fn backup(a: &mut Archive, dest: &Path) -> Result<BackupReport> {
    let started = Instant::now();
    if !empty_or_absent(dest)? {
        return Err(Error::InvalidArgument(format!(
            "{}: the folder is not empty (a backup goes into a new folder)",
            dest.display()
        )));
    }
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if absolute(dest).starts_with(absolute(a.dir())) {
        return Err(Error::InvalidArgument(format!(
            "{}: a backup cannot go inside the archive it copies",
            dest.display()
        )));
    }
    let lock = wait_for_lock(a)?;
    // The index as of the database, so the copy's index agrees with its database.
    a.catch_up_index_locked(&lock, &mut |_, _| {})?;
    // The entry goes in first, so the backup carries the record of its own making.
    crate::records::log(
        a,
        "backup",
        serde_json::json!({"to": dest.display().to_string()}),
    )?;
    archive::create_private_dir(dest)?;
    let result = (|| -> Result<BackupReport> {
        let mut files = Vec::new();
        // The audit log's head before the database: searches append to the log without the
        // write lock, and a head behind its log is fine where one ahead of it is not.
        {
            let head_lock = File::create(a.dir().join("audit.head.lock"))
                .map_err(|e| Error::io(a.dir().join("audit.head.lock"), e))?;
            head_lock
                .lock()
                .map_err(|e| Error::io(a.dir().join("audit.head.lock"), e))?;
            let head = a.dir().join(AUDIT_HEAD);
            if head.exists() {
                let (bytes, sha256) = copy_hashed(&head, &dest.join(AUDIT_HEAD))?;
                files.push(ManifestFile {
                    path: AUDIT_HEAD.into(),
                    bytes,
                    sha256,
                });
            }
        }
        // The database, page by page into a database keyed the same way: never decrypted. In
        // one step, so that another connection's writes cannot make it start over.
        {
            let target = dest.join(DB_NAME);
            let mut out = archive::open_database(&target, Some(a.data_key()))?;
            let copy = rusqlite::backup::Backup::new(a.conn(), &mut out)?;
            loop {
                use rusqlite::backup::StepResult;
                match copy.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More | StepResult::Busy | StepResult::Locked => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    other => {
                        return Err(Error::Corrupt(format!("copying the database: {other:?}")))
                    }
                }
            }
            drop(copy);
            out.pragma_update(None, "journal_mode", "DELETE")?;
            drop(out);
            let (bytes, sha256) = sha256_file(&target)?;
            files.push(ManifestFile {
                path: DB_NAME.into(),
                bytes,
                sha256,
            });
        }
        for rel in archive_files(a.dir())? {
            let (bytes, sha256) = copy_hashed(&a.dir().join(&rel), &dest.join(&rel))?;
            files.push(ManifestFile {
                path: rel,
                bytes,
                sha256,
            });
        }
        files.sort_by(|x, y| x.path.cmp(&y.path));
        let manifest = Manifest {
            format: FORMAT,
            archive_id: a.keyfile().archive_id.clone(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            schema_version: archive::schema::version(a.conn())?,
            root_hash: root_hash(&files),
            files,
        };
        // The manifest last, atomically: a folder without it is not a finished backup.
        let tmp = dest.join(format!("{MANIFEST_NAME}.tmp"));
        let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(&serde_json::to_vec_pretty(&manifest).expect("JSON"))
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, dest.join(MANIFEST_NAME)).map_err(|e| Error::io(&tmp, e))?;
        fsutil::sync_dir(dest).map_err(|e| Error::io(dest, e))?;
        Ok(BackupReport {
            dest: dest.display().to_string(),
            files: manifest.files.len() as u64,
            bytes: manifest.files.iter().map(|f| f.bytes).sum(),
            root_hash: manifest.root_hash,
            took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
        })
    })();
    drop(lock);
    if result.is_err() {
        // Nothing half-written is left to be mistaken for a backup.
        let _ = fs::remove_dir_all(dest);
    }
    result
}

/// Reads the manifest of the backup in `src` and checks every file against it: each listed
/// file present with its size and SHA-256, nothing else there, the root hash right. Needs no
/// key. The first problem is the error, naming the file.
pub fn check(src: &Path) -> Result<Manifest> {
    let path = src.join(MANIFEST_NAME);
    let text = fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!(
            "{}: no {MANIFEST_NAME} (not a Holdfast backup, or an unfinished one)",
            src.display()
        )),
        _ => Error::io(&path, e),
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        Error::Corrupt(format!(
            "{}: line {}: not a backup manifest ({e})",
            path.display(),
            e.line()
        ))
    })?;
    if manifest.format != FORMAT {
        return Err(Error::Corrupt(format!(
            "{}: backup format {} (this Holdfast reads format {FORMAT})",
            path.display(),
            manifest.format
        )));
    }
    if root_hash(&manifest.files) != manifest.root_hash {
        return Err(Error::Corrupt(format!(
            "{}: the root hash does not match the files listed (the manifest was changed)",
            path.display()
        )));
    }
    for f in &manifest.files {
        let inside = !f.path.contains(['\\', ':'])
            && Path::new(&f.path)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside || f.path.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(Error::Corrupt(format!(
                "{}: {:?} is not a path inside the backup",
                path.display(),
                f.path
            )));
        }
        let file = src.join(&f.path);
        if !file.is_file() {
            return Err(Error::Corrupt(format!(
                "{}: missing from the backup",
                file.display()
            )));
        }
        let (bytes, sha256) = sha256_file(&file)?;
        if bytes != f.bytes || sha256 != f.sha256 {
            return Err(Error::Corrupt(format!(
                "{}: damaged ({} bytes, SHA-256 {}; the manifest says {} bytes, {})",
                file.display(),
                bytes,
                &sha256[..16],
                f.bytes,
                f.sha256.get(..16).unwrap_or(&f.sha256)
            )));
        }
    }
    let listed: std::collections::BTreeSet<&str> =
        manifest.files.iter().map(|f| f.path.as_str()).collect();
    let mut present = archive_files(src)?;
    present.push(DB_NAME.into());
    if let Some(extra) = present.iter().find(|p| !listed.contains(p.as_str())) {
        return Err(Error::Corrupt(format!(
            "{}: not in the backup's manifest (added after the backup was taken)",
            src.join(extra).display()
        )));
    }
    Ok(manifest)
}

/// Restores the backup in `src` as the archive `target`. Every file is checked against the
/// manifest, copied beside `target` and checked again as written; the copy is opened with
/// `unlock` (the passphrase or the recovery key: nothing else is needed on a new machine), its
/// database, blobs, index and audit log verified, and the restore recorded in its audit log.
/// Only then does it take `target`'s place; an archive already there is moved aside, never
/// deleted. Any failure before that leaves `target` exactly as it was.
pub fn restore(
    src: &Path,
    target: &Path,
    unlock: &mut dyn FnMut(&Path) -> Result<Archive>,
) -> Result<RestoreReport> {
    let manifest = check(src)?;
    let name = target
        .file_name()
        .ok_or_else(|| Error::InvalidArgument(format!("{}: not a folder name", target.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    // An archive open in another process (the desktop app, idle or not) is not replaced
    // under it: every open handle holds the archive's open lock shared.
    let _target_lock = if archive::exists(target) {
        Some((archive::lock_closed(target)?, archive::lock_dir(target)?))
    } else if !empty_or_absent(target)? {
        return Err(Error::InvalidArgument(format!(
            "{}: the folder holds files but no archive; restore into a new folder",
            target.display()
        )));
    } else {
        None
    };
    let staging = parent.join(format!(".{name}.restoring-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let staged = (|| -> Result<u64> {
        archive::create_private_dir(&staging)?;
        for f in &manifest.files {
            let (bytes, sha256) = copy_hashed(&src.join(&f.path), &staging.join(&f.path))?;
            if bytes != f.bytes || sha256 != f.sha256 {
                return Err(Error::Corrupt(format!(
                    "{}: changed while it was being restored",
                    src.join(&f.path).display()
                )));
            }
        }
        let mut a = unlock(&staging)?;
        a.catch_up_index(&mut |_, _| {})?;
        let report = a.verify()?;
        if !report.ok {
            return Err(Error::Corrupt(format!(
                "{}: the restored archive does not verify (database: {}; damaged files: {}; index: {})",
                src.display(),
                report.database,
                report.blobs_damaged.len(),
                if report.index.ok { "ok" } else { "damaged" }
            )));
        }
        let audit = crate::records::verify_audit(&a)?;
        if !audit.ok {
            return Err(Error::Corrupt(format!(
                "{}: the audit log is broken at entry {}: {}",
                src.display(),
                audit.first_bad.unwrap_or(0),
                audit.problem.unwrap_or_default()
            )));
        }
        crate::records::log(
            &mut a,
            "restore",
            serde_json::json!({
                "from": src.display().to_string(),
                "backup_created_at": manifest.created_at,
                "root_hash": manifest.root_hash,
            }),
        )?;
        Ok(audit.entries + 1)
    })();
    let audit_entries = match staged {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let previous = if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = parent.join(format!("{name}.before-restore-{stamp}"));
        fs::rename(target, &aside).map_err(|e| Error::io(target, e))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = fs::rename(&staging, target) {
        // Put the previous archive back before saying so.
        if let Some(aside) = &previous {
            let _ = fs::rename(aside, target);
        }
        return Err(Error::io(target, e));
    }
    let _ = fsutil::sync_dir(&parent);
    Ok(RestoreReport {
        archive: target.display().to_string(),
        from: src.display().to_string(),
        backup_created_at: manifest.created_at,
        files: manifest.files.len() as u64,
        previous_moved_to: previous.map(|p| p.display().to_string()),
        audit_entries,
    })
}
