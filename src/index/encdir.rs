//! A tantivy [`Directory`] that never writes plaintext: every file tantivy writes (segment
//! components, `meta.json`, `.managed.json`) is encrypted before it reaches the disk.
//!
//! - Segment files use the chunked AEAD of [`crate::crypto::chunked`] (64 KiB chunks), with the
//!   file's name as context, so reads stay random-access and a file copied over another fails.
//! - `meta.json` and `.managed.json` are small: sealed whole, then written atomically by the
//!   underlying [`MmapDirectory`] (temp file + rename).
//! - Locks and change notifications are the underlying directory's (lock files hold no data).
//!
//! Decrypted data is kept in one bounded LRU cache per directory: single chunks (postings and
//! doc-store blocks are read by small ranges) and whole multi-chunk ranges (tantivy re-reads
//! some components, such as field norms, in full on every scored query). A chunk that fails
//! authentication is an `InvalidData` I/O error, never silently wrong bytes.

use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305};
use lru::LruCache;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

use crate::crypto::chunked::{self, ChunkedWriter, CHUNK, HEADER_LEN, MAGIC, PREFIX_LEN};
use crate::crypto::{open, seal, SecretKey, TAG_LEN};

/// Multi-chunk reads larger than this are not cached.
const MAX_CACHED_SPAN: usize = 4 * 1024 * 1024;

/// Default bound on decrypted data kept in memory.
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
enum CacheKey {
    Chunk(Arc<PathBuf>, u64),
    Span(Arc<PathBuf>, usize, usize),
}

struct Cache {
    entries: LruCache<CacheKey, OwnedBytes>,
    bytes: usize,
    capacity: usize,
}

impl Cache {
    fn get(&mut self, k: &CacheKey) -> Option<OwnedBytes> {
        self.entries.get(k).cloned()
    }

    fn put(&mut self, k: CacheKey, v: OwnedBytes) {
        let len = v.len();
        if len > self.capacity {
            return;
        }
        if let Some(old) = self.entries.put(k, v) {
            self.bytes -= old.len();
        }
        self.bytes += len;
        self.evict();
    }

    /// Drops the least recently used entries until the cache is within its bound.
    fn evict(&mut self) {
        while self.bytes > self.capacity {
            match self.entries.pop_lru() {
                Some((_, old)) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

/// The encrypting directory. Cheap to clone (tantivy clones directories freely).
#[derive(Clone)]
pub struct EncryptedDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    key: Arc<SecretKey>,
    cache: Arc<Mutex<Cache>>,
}

impl std::fmt::Debug for EncryptedDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptedDirectory({})", self.root.display())
    }
}

fn context(path: &Path) -> Vec<u8> {
    let mut c = b"holdfast index file:".to_vec();
    c.extend_from_slice(path.to_string_lossy().as_bytes());
    c
}

fn corrupt(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "search index file {} is damaged ({what}): run `holdfast reindex`",
            path.display()
        ),
    )
}

impl EncryptedDirectory {
    /// Opens (creating the folder if needed) an encrypted index directory.
    pub fn open(root: &Path, key: SecretKey, cache_bytes: usize) -> io::Result<Self> {
        std::fs::create_dir_all(root)?;
        let inner = MmapDirectory::open(root).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(EncryptedDirectory {
            inner,
            root: root.to_path_buf(),
            key: Arc::new(key),
            cache: Arc::new(Mutex::new(Cache {
                entries: LruCache::unbounded(),
                bytes: 0,
                capacity: cache_bytes,
            })),
        })
    }

    /// Changes the cache's bound (dropping what no longer fits) and returns the old one.
    pub fn set_cache_capacity(&self, bytes: usize) -> usize {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let old = std::mem::replace(&mut cache.capacity, bytes);
        cache.evict();
        old
    }

    /// Bytes of decrypted data held in the cache now.
    pub fn cached_bytes(&self) -> usize {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).bytes
    }
}

impl Directory for EncryptedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let raw = self.inner.get_file_handle(path)?;
        let handle = EncryptedFile::new(raw, path, &self.key, self.cache.clone())
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?;
        Ok(Arc::new(handle))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let inner = self.inner.open_write(path)?;
        let writer = ChunkedWriter::new(&self.key, &context(path), inner).map_err(|e| {
            OpenWriteError::IoError {
                io_error: Arc::new(e),
                filepath: path.to_path_buf(),
            }
        })?;
        Ok(io::BufWriter::with_capacity(
            CHUNK,
            Box::new(EncryptedWriter { inner: writer }),
        ))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let sealed = self.inner.atomic_read(path)?;
        open(&self.key, &context(path), &sealed)
            .map(|plain| plain.to_vec())
            .ok_or_else(|| {
                OpenReadError::wrap_io_error(
                    corrupt(path, "authentication failed"),
                    path.to_path_buf(),
                )
            })
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner
            .atomic_write(path, &seal(&self.key, &context(path), data))
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// Encrypts what tantivy writes; sealed when tantivy terminates the file.
struct EncryptedWriter {
    inner: ChunkedWriter<WritePtr>,
}

impl Write for EncryptedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for EncryptedWriter {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.inner.seal_final()?.terminate_ref(token)
    }
}

/// Random-access, authenticated reads of one encrypted file.
struct EncryptedFile {
    raw: Arc<dyn FileHandle>,
    path: Arc<PathBuf>,
    cipher: XChaCha20Poly1305,
    prefix: [u8; PREFIX_LEN],
    aad: Vec<u8>,
    len: usize,
    chunks: u64,
    cache: Arc<Mutex<Cache>>,
}

impl std::fmt::Debug for EncryptedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptedFile({})", self.path.display())
    }
}

impl EncryptedFile {
    fn new(
        raw: Arc<dyn FileHandle>,
        path: &Path,
        key: &SecretKey,
        cache: Arc<Mutex<Cache>>,
    ) -> io::Result<Self> {
        let header = raw.read_bytes(0..HEADER_LEN.min(raw.len()))?;
        if header.len() < HEADER_LEN || &header.as_slice()[..4] != MAGIC {
            return Err(corrupt(path, "not an encrypted index file"));
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header.as_slice()[4..HEADER_LEN]);
        let len = chunked::plaintext_len(raw.len() as u64)
            .map_err(|_| corrupt(path, "truncated"))? as usize;
        let chunks = if len == 0 {
            1
        } else {
            (len as u64).div_ceil(CHUNK as u64)
        };
        Ok(EncryptedFile {
            raw,
            path: Arc::new(path.to_path_buf()),
            cipher: XChaCha20Poly1305::new(key.as_bytes().into()),
            aad: chunked::aad_base(&prefix, &context(path)),
            prefix,
            len,
            chunks,
            cache,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decrypts chunk `index` (not cached).
    fn decrypt_chunk(&self, index: u64) -> io::Result<Vec<u8>> {
        let last = index + 1 == self.chunks;
        let plain_len = if last {
            self.len - index as usize * CHUNK
        } else {
            CHUNK
        };
        let start = HEADER_LEN + index as usize * (CHUNK + TAG_LEN);
        let sealed = self.raw.read_bytes(start..start + plain_len + TAG_LEN)?;
        let (body, tag) = sealed.as_slice().split_at(plain_len);
        let mut data = body.to_vec();
        let mut aad = self.aad.clone();
        self.cipher
            .decrypt_in_place_detached(
                &chunked::nonce(&self.prefix, index),
                chunked::aad(&mut aad, last),
                &mut data,
                Tag::from_slice(tag),
            )
            .map_err(|_| corrupt(&self.path, "a chunk failed authentication"))?;
        Ok(data)
    }

    fn chunk(&self, index: u64) -> io::Result<OwnedBytes> {
        let key = CacheKey::Chunk(self.path.clone(), index);
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit);
        }
        let bytes = OwnedBytes::new(self.decrypt_chunk(index)?);
        self.lock().put(key, bytes.clone());
        Ok(bytes)
    }
}

impl HasLen for EncryptedFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for EncryptedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.len || range.start > range.end {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "read of {range:?} beyond the end of {} ({} bytes)",
                    self.path.display(),
                    self.len
                ),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let first = (range.start / CHUNK) as u64;
        let last = ((range.end - 1) / CHUNK) as u64;
        if first == last {
            let base = first as usize * CHUNK;
            return Ok(self
                .chunk(first)?
                .slice(range.start - base..range.end - base));
        }
        // A range over several chunks: assemble it once and keep the whole range.
        let key = CacheKey::Span(self.path.clone(), range.start, range.end);
        if let Some(hit) = self.lock().get(&key) {
            return Ok(hit);
        }
        let mut out = Vec::with_capacity(range.len());
        for index in first..=last {
            let data = self.decrypt_chunk(index)?;
            let base = index as usize * CHUNK;
            let from = range.start.max(base) - base;
            let to = range.end.min(base + data.len()) - base;
            out.extend_from_slice(&data[from..to]);
        }
        let bytes = OwnedBytes::new(out);
        // Whole components that queries re-read (field norms) are small; large spans are
        // merges and verification passes, read once: keep them out of the cache.
        if bytes.len() <= MAX_CACHED_SPAN {
            self.lock().put(key, bytes.clone());
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::directory::TerminatingWrite;

    fn dir() -> (tempfile::TempDir, EncryptedDirectory) {
        let t = tempfile::tempdir().unwrap();
        let d =
            EncryptedDirectory::open(t.path(), SecretKey::from_bytes([3; 32]), 1 << 20).unwrap();
        (t, d)
    }

    fn write(d: &EncryptedDirectory, name: &str, data: &[u8]) {
        let mut w = d.open_write(Path::new(name)).unwrap();
        w.write_all(data).unwrap();
        w.terminate().unwrap();
    }

    #[test]
    fn files_round_trip_at_any_offset_and_hold_no_plaintext() {
        let (t, d) = dir();
        let data: Vec<u8> = (0..(3 * CHUNK + 123))
            .map(|i| b"SECRETWORD "[i % 11])
            .collect();
        write(&d, "seg.idx", &data);
        let raw = std::fs::read(t.path().join("seg.idx")).unwrap();
        assert!(!raw.windows(10).any(|w| w == b"SECRETWORD"));
        let h = d.get_file_handle(Path::new("seg.idx")).unwrap();
        assert_eq!(h.len(), data.len());
        for r in [
            0..1,
            5..CHUNK + 7,
            CHUNK - 1..CHUNK + 1,
            0..data.len(),
            2 * CHUNK..3 * CHUNK + 123,
        ] {
            assert_eq!(h.read_bytes(r.clone()).unwrap().as_slice(), &data[r]);
        }
        // Served again from the cache.
        assert_eq!(h.read_bytes(0..data.len()).unwrap().as_slice(), &data[..]);
        assert!(d.cached_bytes() > 0);
    }

    #[test]
    fn meta_files_are_sealed_and_atomic() {
        let (t, d) = dir();
        d.atomic_write(Path::new("meta.json"), b"{\"segments\":[\"SECRETWORD\"]}")
            .unwrap();
        let raw = std::fs::read(t.path().join("meta.json")).unwrap();
        assert!(!raw.windows(10).any(|w| w == b"SECRETWORD"));
        assert_eq!(
            d.atomic_read(Path::new("meta.json")).unwrap(),
            b"{\"segments\":[\"SECRETWORD\"]}"
        );
    }

    #[test]
    fn tampering_swapping_and_wrong_keys_are_errors() {
        let (t, d) = dir();
        write(&d, "a.idx", &vec![1u8; CHUNK * 2]);
        write(&d, "b.idx", &vec![2u8; CHUNK * 2]);
        // Flip a byte in the second chunk.
        let p = t.path().join("a.idx");
        let mut raw = std::fs::read(&p).unwrap();
        raw[HEADER_LEN + CHUNK + TAG_LEN + 10] ^= 1;
        std::fs::write(&p, raw).unwrap();
        let h = d.get_file_handle(Path::new("a.idx")).unwrap();
        assert!(h.read_bytes(0..10).is_ok());
        let e = h.read_bytes(CHUNK..CHUNK + 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("holdfast reindex"), "{e}");
        // A file copied over another.
        std::fs::copy(t.path().join("b.idx"), t.path().join("c.idx")).unwrap();
        let h = d.get_file_handle(Path::new("c.idx")).unwrap();
        assert!(h.read_bytes(0..10).is_err());
        // Another key.
        let other =
            EncryptedDirectory::open(t.path(), SecretKey::from_bytes([4; 32]), 1 << 20).unwrap();
        let h = other.get_file_handle(Path::new("b.idx")).unwrap();
        assert!(h.read_bytes(0..10).is_err());
        d.atomic_write(Path::new("meta.json"), b"{}").unwrap();
        assert!(other.atomic_read(Path::new("meta.json")).is_err());
    }

    #[test]
    fn the_cache_stays_within_its_bound() {
        let t = tempfile::tempdir().unwrap();
        let d =
            EncryptedDirectory::open(t.path(), SecretKey::from_bytes([3; 32]), 3 * CHUNK).unwrap();
        write(&d, "big.idx", &vec![7u8; 10 * CHUNK]);
        let h = d.get_file_handle(Path::new("big.idx")).unwrap();
        for i in 0..10 {
            h.read_bytes(i * CHUNK..i * CHUNK + 100).unwrap();
            assert!(d.cached_bytes() <= 3 * CHUNK);
        }
        // A smaller bound (an import's) drops what no longer fits at once, and is given back.
        assert_eq!(d.cached_bytes(), 3 * CHUNK);
        assert_eq!(d.set_cache_capacity(CHUNK), 3 * CHUNK);
        assert_eq!(d.cached_bytes(), CHUNK);
        assert_eq!(d.set_cache_capacity(3 * CHUNK), CHUNK);
        for i in 0..3 {
            h.read_bytes(i * CHUNK..i * CHUNK + 100).unwrap();
        }
        assert_eq!(d.cached_bytes(), 3 * CHUNK);
    }
}
