//! The encrypted blob store: attachments and the original bytes of every imported export.
//!
//! A blob is stored once, under `blobs/ab/<64 hex>`, named by HMAC-SHA256 of its plaintext with
//! a key derived from the data key: identical content is stored once, and names reveal nothing
//! (not even whether two archives hold the same file). Content is encrypted with the chunked
//! AEAD of [`crate::crypto::chunked`].
//!
//! Crash safety: an import writes its blobs into `blobs/staging/<import id>/` first (`*.part`
//! while being written, renamed to the blob name when complete and synced). Only after the
//! database commit are they moved into place. [`BlobStore::recover`] finishes or discards what
//! a killed process left behind: staged blobs the database refers to are moved into place,
//! the rest are deleted.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::fsutil::{sync_dir, sync_file_system};
use crate::crypto::chunked::{ChunkedReader, ChunkedWriter};
use crate::crypto::SecretKey;
use crate::error::{Error, Result};

/// Blob names are known only once the content is written, so every blob shares one context;
/// [`BlobStore::read_all`] checks the keyed hash, which binds content to name.
const BLOB_CONTEXT: &[u8] = b"holdfast blob v1";

pub struct BlobStore {
    root: PathBuf,
    enc_key: SecretKey,
    name_key: SecretKey,
}

/// A blob written into staging, not yet visible in the store.
#[derive(Debug, Clone)]
pub struct StagedBlob {
    pub id: String,
    pub sha256: String,
    pub size: u64,
}

/// Facts about content streamed into staging.
pub struct Staging<'a> {
    store: &'a BlobStore,
    dir: PathBuf,
    staged: Vec<String>,
}

fn valid_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl BlobStore {
    pub fn new(root: PathBuf, data_key: &SecretKey) -> Self {
        BlobStore {
            root,
            enc_key: data_key.derive("holdfast blob-enc v1"),
            name_key: data_key.derive("holdfast blob-name v1"),
        }
    }

    fn path_of(&self, id: &str) -> PathBuf {
        self.root.join(&id[..2]).join(id)
    }

    fn staging_root(&self) -> PathBuf {
        self.root.join("staging")
    }

    pub fn exists(&self, id: &str) -> bool {
        valid_id(id) && self.path_of(id).is_file()
    }

    /// Destroys a stored blob (disposal): its file is overwritten with zeros, then removed.
    /// Returns whether there was one.
    pub fn remove(&self, id: &str) -> Result<bool> {
        if !valid_id(id) {
            return Err(Error::Corrupt(format!("invalid blob name {id:?}")));
        }
        let path = self.path_of(id);
        let len = match fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(Error::io(&path, e)),
        };
        {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            let zeros = vec![0u8; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(zeros.len() as u64) as usize;
                f.write_all(&zeros[..n]).map_err(|e| Error::io(&path, e))?;
                left -= n as u64;
            }
            f.sync_all().map_err(|e| Error::io(&path, e))?;
        }
        fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir).map_err(|e| Error::io(dir, e))?;
        }
        Ok(true)
    }

    /// Opens a stored blob for reading (random access, authenticated).
    pub fn open(&self, id: &str) -> Result<ChunkedReader<File>> {
        if !valid_id(id) {
            return Err(Error::Corrupt(format!("invalid blob name {id:?}")));
        }
        let path = self.path_of(id);
        let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
        ChunkedReader::new(&self.enc_key, BLOB_CONTEXT, f)
            .map_err(|e| Error::Corrupt(format!("blob {id}: {e}")))
    }

    /// The whole blob, checked against its name (a blob copied over another is refused).
    pub fn read_all(&self, id: &str) -> Result<Vec<u8>> {
        let data = self
            .open(id)?
            .read_all()
            .map_err(|e| Error::Corrupt(format!("blob {id}: {e}")))?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.name_key.as_bytes())
            .expect("HMAC accepts any key length");
        mac.update(&data);
        if hex::encode(mac.finalize().into_bytes()) != id {
            return Err(Error::Corrupt(format!(
                "blob {id}: its content does not match its name"
            )));
        }
        Ok(data)
    }

    /// Starts staging the blobs of one operation.
    pub fn staging(&self) -> Result<Staging<'_>> {
        let dir = self.staging_root().join(uuid::Uuid::new_v4().to_string());
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            store: self,
            dir,
            staged: Vec::new(),
        })
    }

    /// Finishes or discards what a killed process left in staging. `referenced` tells whether
    /// the database refers to a blob id.
    pub fn recover(&self, referenced: &dyn Fn(&str) -> Result<bool>) -> Result<RecoveryReport> {
        let mut report = RecoveryReport::default();
        let root = self.staging_root();
        let Ok(entries) = fs::read_dir(&root) else {
            return Ok(report);
        };
        for op in entries.flatten() {
            let op_dir = op.path();
            if !op_dir.is_dir() {
                continue;
            }
            for f in fs::read_dir(&op_dir)
                .map_err(|e| Error::io(&op_dir, e))?
                .flatten()
            {
                let name = f.file_name().to_string_lossy().into_owned();
                let path = f.path();
                if valid_id(&name) && referenced(&name)? {
                    if let Some(dir) = self.place(&path, &name)? {
                        sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
                    }
                    report.promoted += 1;
                } else {
                    fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                    report.discarded += 1;
                }
            }
            fs::remove_dir(&op_dir).map_err(|e| Error::io(&op_dir, e))?;
        }
        Ok(report)
    }

    /// Moves a staged blob into place; returns the folder to sync if it was renamed there.
    fn place(&self, staged: &Path, id: &str) -> Result<Option<PathBuf>> {
        let dest = self.path_of(id);
        let dir = dest.parent().expect("blob path has a parent");
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if dest.exists() {
            fs::remove_file(staged).map_err(|e| Error::io(staged, e))?;
            Ok(None)
        } else {
            fs::rename(staged, &dest).map_err(|e| Error::io(&dest, e))?;
            Ok(Some(dir.to_path_buf()))
        }
    }

    /// Makes the renames into these folders durable, each folder once.
    fn sync_dirs(dirs: std::collections::BTreeSet<PathBuf>) -> Result<()> {
        for dir in dirs {
            sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(())
    }

    /// Every blob file in the store (for verification and tests).
    pub fn list(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let Ok(entries) = fs::read_dir(&self.root) else {
            return Ok(out);
        };
        for d in entries.flatten() {
            if d.file_name() == "staging" || !d.path().is_dir() {
                continue;
            }
            for f in fs::read_dir(d.path())
                .map_err(|e| Error::io(d.path(), e))?
                .flatten()
            {
                let name = f.file_name().to_string_lossy().into_owned();
                if valid_id(&name) {
                    out.push(name);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryReport {
    pub promoted: u64,
    pub discarded: u64,
}

/// Computes the blob name and SHA-256 while encrypting.
struct HashingWriter<W: Write> {
    inner: ChunkedWriter<W>,
    mac: Hmac<Sha256>,
    sha: Sha256,
    size: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.mac.update(&buf[..n]);
        self.sha.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Staging<'_> {
    /// Streams `content` into staging and returns its blob facts.
    pub fn put(&mut self, content: &mut dyn Read) -> Result<StagedBlob> {
        let part = self.dir.join(format!("{}.part", uuid::Uuid::new_v4()));
        let file = File::create(&part).map_err(|e| Error::io(&part, e))?;
        let mut w = HashingWriter {
            inner: ChunkedWriter::new(
                &self.store.enc_key,
                BLOB_CONTEXT,
                BufWriter::with_capacity(256 * 1024, file),
            )
            .map_err(|e| Error::io(&part, e))?,
            mac: <Hmac<Sha256> as Mac>::new_from_slice(self.store.name_key.as_bytes())
                .expect("HMAC accepts any key length"),
            sha: Sha256::new(),
            size: 0,
        };
        io::copy(content, &mut w).map_err(|e| Error::io(&part, e))?;
        let HashingWriter {
            inner,
            mac,
            sha,
            size,
            ..
        } = w;
        let file = inner
            .finish()
            .and_then(|bw| bw.into_inner().map_err(|e| e.into_error()))
            .map_err(|e| Error::io(&part, e))?;
        drop(file);
        let id = hex::encode(mac.finalize().into_bytes());
        let sha256 = hex::encode(sha.finalize());
        let dest = self.dir.join(&id);
        if self.store.exists(&id) || dest.exists() {
            fs::remove_file(&part).map_err(|e| Error::io(&part, e))?;
        } else {
            fs::rename(&part, &dest).map_err(|e| Error::io(&dest, e))?;
            self.staged.push(id.clone());
        }
        Ok(StagedBlob { id, sha256, size })
    }

    /// Makes every staged blob durable (call before the database commit). Beyond a few blobs
    /// (a Maildir's thousands of originals), one flush of the file system replaces an fsync
    /// per file.
    pub fn sync(&self) -> Result<()> {
        if self.staged.len() > 8 && sync_file_system(&self.dir).is_ok() {
            return Ok(());
        }
        for id in &self.staged {
            let p = self.dir.join(id);
            File::open(&p)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&p, e))?;
        }
        sync_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))
    }

    /// Moves the staged blobs into the store (call after the database commit), syncing each
    /// folder that received one once.
    pub fn publish(self) -> Result<()> {
        let mut dirs = std::collections::BTreeSet::new();
        for id in &self.staged {
            dirs.extend(self.store.place(&self.dir.join(id), id)?);
        }
        BlobStore::sync_dirs(dirs)?;
        fs::remove_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))
    }

    /// Takes over the blobs staged by `other` (staged on another thread for the same
    /// operation), so that they are synced, published or discarded with this staging's.
    pub fn adopt(&mut self, other: Staging<'_>) -> Result<()> {
        for id in &other.staged {
            let from = other.dir.join(id);
            let to = self.dir.join(id);
            if to.exists() {
                fs::remove_file(&from).map_err(|e| Error::io(&from, e))?;
            } else {
                fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
                self.staged.push(id.clone());
            }
        }
        fs::remove_dir(&other.dir).map_err(|e| Error::io(&other.dir, e))
    }

    /// Throws the staged blobs away (the operation failed).
    pub fn discard(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, BlobStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::new(dir.path().join("blobs"), &SecretKey::random());
        (dir, s)
    }

    fn all_bytes_under(dir: &Path) -> Vec<u8> {
        let mut out = Vec::new();
        for e in walk(dir) {
            out.extend(fs::read(e).unwrap());
        }
        out
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(rd) = fs::read_dir(dir) {
            for e in rd.flatten() {
                if e.path().is_dir() {
                    out.extend(walk(&e.path()));
                } else {
                    out.push(e.path());
                }
            }
        }
        out
    }

    #[test]
    fn same_content_is_stored_once_under_an_opaque_name() {
        let (dir, s) = store();
        let mut st = s.staging().unwrap();
        let a = st.put(&mut &b"PLAINTEXT-MARKER contract"[..]).unwrap();
        let b = st.put(&mut &b"PLAINTEXT-MARKER contract"[..]).unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(
            a.sha256,
            crate::crypto::sha256_hex(b"PLAINTEXT-MARKER contract")
        );
        assert_ne!(a.id, a.sha256, "names are keyed, not plain hashes");
        st.sync().unwrap();
        st.publish().unwrap();
        assert_eq!(s.list().unwrap(), vec![a.id.clone()]);
        assert_eq!(s.read_all(&a.id).unwrap(), b"PLAINTEXT-MARKER contract");
        let bytes = all_bytes_under(dir.path());
        assert!(!bytes.windows(16).any(|w| w == b"PLAINTEXT-MARKER"));
    }

    #[test]
    fn discarded_staging_leaves_nothing() {
        let (dir, s) = store();
        let mut st = s.staging().unwrap();
        st.put(&mut &b"abc"[..]).unwrap();
        st.discard();
        assert!(s.list().unwrap().is_empty());
        assert!(walk(dir.path()).is_empty());
    }

    #[test]
    fn recovery_promotes_referenced_and_drops_the_rest() {
        let (_dir, s) = store();
        let mut st = s.staging().unwrap();
        let keep = st.put(&mut &b"committed"[..]).unwrap();
        let drop_ = st.put(&mut &b"not committed"[..]).unwrap();
        st.sync().unwrap();
        // The process dies here: nothing published.
        std::mem::forget(st);
        let r = s.recover(&|id| Ok(id == keep.id)).unwrap();
        assert_eq!(
            r,
            RecoveryReport {
                promoted: 1,
                discarded: 1
            }
        );
        assert_eq!(s.list().unwrap(), vec![keep.id.clone()]);
        assert!(!s.exists(&drop_.id));
        assert!(fs::read_dir(s.staging_root()).unwrap().next().is_none());
    }

    #[test]
    fn a_blob_copied_over_another_is_refused() {
        let (_dir, s) = store();
        let mut st = s.staging().unwrap();
        let a = st.put(&mut &b"first"[..]).unwrap();
        let b = st.put(&mut &b"second"[..]).unwrap();
        st.sync().unwrap();
        st.publish().unwrap();
        fs::copy(s.path_of(&a.id), s.path_of(&b.id)).unwrap();
        let e = s.read_all(&b.id).unwrap_err().to_string();
        assert!(e.contains("does not match its name"), "{e}");
    }

    #[test]
    fn a_damaged_blob_is_an_error_not_wrong_data() {
        let (_dir, s) = store();
        let mut st = s.staging().unwrap();
        let b = st.put(&mut &b"important"[..]).unwrap();
        st.sync().unwrap();
        st.publish().unwrap();
        let p = s.path_of(&b.id);
        let mut bytes = fs::read(&p).unwrap();
        let n = bytes.len();
        bytes[n - 20] ^= 0x40;
        fs::write(&p, bytes).unwrap();
        assert!(s.read_all(&b.id).is_err());
    }
}
