//! Chunked authenticated encryption for files of any size, readable at random offsets.
//!
//! Layout: `MAGIC (4) || prefix (16 random bytes) || chunk_0 || chunk_1 || ...` where every
//! chunk is XChaCha20-Poly1305 over at most [`CHUNK`] plaintext bytes plus a 16-byte tag, with
//! nonce `prefix || index (u64 LE)` and associated data
//! `MAGIC || prefix || len(context) (u32 LE) || context || [is_last]`.
//! The last-chunk flag makes truncation detectable; the index in the nonce makes reordering
//! detectable; the context (what the file is, e.g. an index file's name) makes a file copied
//! over another one fail authentication. The writer always keeps at least one byte back, so the final chunk is empty only
//! when the whole plaintext is.

use std::io::{self, Read, Seek, SeekFrom, Write};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroize;

use super::{SecretKey, TAG_LEN};

pub const MAGIC: &[u8; 4] = b"HFC1";
pub const PREFIX_LEN: usize = 16;
pub const HEADER_LEN: usize = MAGIC.len() + PREFIX_LEN;
pub const CHUNK: usize = 64 * 1024;
const SEALED_CHUNK: usize = CHUNK + TAG_LEN;

pub(crate) fn nonce(prefix: &[u8; PREFIX_LEN], index: u64) -> XNonce {
    let mut n = [0u8; 24];
    n[..PREFIX_LEN].copy_from_slice(prefix);
    n[PREFIX_LEN..].copy_from_slice(&index.to_le_bytes());
    XNonce::from(n)
}

/// The associated data of every chunk but its final flag byte.
pub(crate) fn aad_base(prefix: &[u8; PREFIX_LEN], context: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(HEADER_LEN + 5 + context.len());
    a.extend_from_slice(MAGIC);
    a.extend_from_slice(prefix);
    a.extend_from_slice(&(context.len() as u32).to_le_bytes());
    a.extend_from_slice(context);
    a.push(0);
    a
}

pub(crate) fn aad(base: &mut [u8], last: bool) -> &[u8] {
    *base.last_mut().expect("aad has a flag byte") = u8::from(last);
    base
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Plaintext length of an encrypted file of `file_len` bytes.
pub fn plaintext_len(file_len: u64) -> io::Result<u64> {
    let body = file_len
        .checked_sub(HEADER_LEN as u64)
        .ok_or_else(|| corrupt("encrypted file too short"))?;
    if body < TAG_LEN as u64 {
        return Err(corrupt("encrypted file too short"));
    }
    let chunks = body.div_ceil(SEALED_CHUNK as u64);
    Ok(body - chunks * TAG_LEN as u64)
}

/// Encrypts everything written to it into `inner`. Call [`ChunkedWriter::finish`] to seal
/// the last chunk: dropping without `finish` leaves a file that fails authentication.
pub struct ChunkedWriter<W: Write> {
    /// Always `Some` until `finish` takes it.
    inner: Option<W>,
    cipher: XChaCha20Poly1305,
    prefix: [u8; PREFIX_LEN],
    aad: Vec<u8>,
    buf: Vec<u8>,
    index: u64,
    written: u64,
}

impl<W: Write> ChunkedWriter<W> {
    /// `context` names what is being written; the reader must give the same.
    pub fn new(key: &SecretKey, context: &[u8], mut inner: W) -> io::Result<Self> {
        let mut prefix = [0u8; PREFIX_LEN];
        super::fill_random(&mut prefix);
        inner.write_all(MAGIC)?;
        inner.write_all(&prefix)?;
        Ok(ChunkedWriter {
            inner: Some(inner),
            cipher: XChaCha20Poly1305::new(key.as_bytes().into()),
            prefix,
            aad: aad_base(&prefix, context),
            buf: Vec::with_capacity(SEALED_CHUNK + 1),
            index: 0,
            written: 0,
        })
    }

    fn seal_chunk(&mut self, len: usize, last: bool) -> io::Result<()> {
        let mut chunk: Vec<u8> = self.buf.drain(..len).collect();
        let tag = self
            .cipher
            .encrypt_in_place_detached(
                &nonce(&self.prefix, self.index),
                aad(&mut self.aad, last),
                &mut chunk,
            )
            .map_err(|_| corrupt("encryption failed"))?;
        let inner = self.inner.as_mut().expect("writer not finished");
        inner.write_all(&chunk)?;
        inner.write_all(&tag)?;
        chunk.zeroize();
        self.index += 1;
        Ok(())
    }

    /// Seals the final chunk and returns the inner writer (not yet synced).
    pub fn finish(mut self) -> io::Result<W> {
        let len = self.buf.len();
        self.seal_chunk(len, true)?;
        let mut inner = self.inner.take().expect("writer not finished");
        inner.flush()?;
        Ok(inner)
    }

    /// Seals the final chunk and returns the inner writer, left in place (for wrappers that
    /// must terminate it themselves). Writing afterwards is an error.
    pub fn seal_final(&mut self) -> io::Result<&mut W> {
        let len = self.buf.len();
        self.seal_chunk(len, true)?;
        let inner = self.inner.as_mut().expect("writer not finished");
        inner.flush()?;
        Ok(inner)
    }

    /// Plaintext bytes accepted so far.
    pub fn plaintext_written(&self) -> u64 {
        self.written
    }
}

impl<W: Write> Write for ChunkedWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        self.written += data.len() as u64;
        // Keep at least one byte back so that `finish` never seals an empty final chunk
        // after a full one.
        while self.buf.len() > CHUNK {
            self.seal_chunk(CHUNK, false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.inner.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl<W: Write> Drop for ChunkedWriter<W> {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// Random-access reader over an encrypted file. Implements `Read + Seek` over the plaintext.
pub struct ChunkedReader<R: Read + Seek> {
    inner: R,
    cipher: XChaCha20Poly1305,
    prefix: [u8; PREFIX_LEN],
    aad: Vec<u8>,
    len: u64,
    pos: u64,
    /// The chunk most recently decrypted: (index, plaintext).
    cached: Option<(u64, Vec<u8>)>,
}

impl<R: Read + Seek> ChunkedReader<R> {
    /// `context` must be what the writer was given.
    pub fn new(key: &SecretKey, context: &[u8], mut inner: R) -> io::Result<Self> {
        let file_len = inner.seek(SeekFrom::End(0))?;
        inner.seek(SeekFrom::Start(0))?;
        let mut header = [0u8; HEADER_LEN];
        inner
            .read_exact(&mut header)
            .map_err(|_| corrupt("encrypted file too short"))?;
        if &header[..4] != MAGIC {
            return Err(corrupt("not a Holdfast encrypted file"));
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[4..]);
        let len = plaintext_len(file_len)?;
        Ok(ChunkedReader {
            inner,
            cipher: XChaCha20Poly1305::new(key.as_bytes().into()),
            prefix,
            aad: aad_base(&prefix, context),
            len,
            pos: 0,
            cached: None,
        })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn chunk_count(&self) -> u64 {
        if self.len == 0 {
            1
        } else {
            self.len.div_ceil(CHUNK as u64)
        }
    }

    fn load_chunk(&mut self, index: u64) -> io::Result<()> {
        if matches!(&self.cached, Some((i, _)) if *i == index) {
            return Ok(());
        }
        let last = index + 1 == self.chunk_count();
        let plain_len = if last {
            (self.len - index * CHUNK as u64) as usize
        } else {
            CHUNK
        };
        let offset = HEADER_LEN as u64 + index * SEALED_CHUNK as u64;
        self.inner.seek(SeekFrom::Start(offset))?;
        let mut data = match self.cached.take() {
            Some((_, mut v)) => {
                v.zeroize();
                v.clear();
                v
            }
            None => Vec::with_capacity(CHUNK),
        };
        data.resize(plain_len, 0);
        self.inner.read_exact(&mut data)?;
        let mut tag = [0u8; TAG_LEN];
        self.inner.read_exact(&mut tag)?;
        self.cipher
            .decrypt_in_place_detached(
                &nonce(&self.prefix, index),
                aad(&mut self.aad, last),
                &mut data,
                Tag::from_slice(&tag),
            )
            .map_err(|_| corrupt("chunk authentication failed (wrong key or damaged file)"))?;
        self.cached = Some((index, data));
        Ok(())
    }

    /// Reads the whole plaintext (for small files).
    pub fn read_all(mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.len as usize);
        self.read_to_end(&mut out)?;
        Ok(out)
    }
}

impl<R: Read + Seek> Read for ChunkedReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || out.is_empty() {
            // An empty file still has one sealed chunk: authenticate it once so that a
            // tampered empty blob is an error, not silently empty.
            if self.len == 0 && self.cached.is_none() {
                self.load_chunk(0)?;
            }
            return Ok(0);
        }
        let index = self.pos / CHUNK as u64;
        self.load_chunk(index)?;
        let within = (self.pos - index * CHUNK as u64) as usize;
        let chunk = &self.cached.as_ref().expect("chunk just loaded").1;
        let n = (chunk.len() - within).min(out.len());
        out[..n].copy_from_slice(&chunk[within..within + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for ChunkedReader<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => p as i128,
            SeekFrom::End(d) => self.len as i128 + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        if new < 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before start",
            ));
        }
        self.pos = new as u64;
        Ok(self.pos)
    }
}

impl<R: Read + Seek> Drop for ChunkedReader<R> {
    fn drop(&mut self) {
        if let Some((_, v)) = self.cached.as_mut() {
            v.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    fn encrypt(key: &SecretKey, data: &[u8], pieces: usize) -> Vec<u8> {
        let mut w = ChunkedWriter::new(key, b"test", Vec::new()).unwrap();
        let step = (data.len() / pieces.max(1)).max(1);
        for part in data.chunks(step) {
            w.write_all(part).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn sizes_around_chunk_boundaries_round_trip() {
        let key = SecretKey::random();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let enc = encrypt(&key, &data, 3);
            assert_eq!(plaintext_len(enc.len() as u64).unwrap(), len as u64);
            let r = ChunkedReader::new(&key, b"test", Cursor::new(&enc)).unwrap();
            assert_eq!(r.len(), len as u64);
            assert_eq!(r.read_all().unwrap(), data, "len {len}");
        }
    }

    #[test]
    fn ciphertext_does_not_contain_plaintext() {
        let key = SecretKey::random();
        let data = b"MARKERWORD ".repeat(10_000);
        let enc = encrypt(&key, &data, 7);
        assert!(!enc.windows(10).any(|w| w == b"MARKERWORD"));
    }

    #[test]
    fn truncation_reordering_and_wrong_key_are_errors() {
        let key = SecretKey::random();
        let data = vec![5u8; 3 * CHUNK];
        let enc = encrypt(&key, &data, 1);
        // Drop the last sealed chunk: the new last chunk was not sealed as last.
        let truncated = &enc[..HEADER_LEN + 2 * SEALED_CHUNK];
        let r = ChunkedReader::new(&key, b"test", Cursor::new(truncated)).unwrap();
        assert!(r.read_all().is_err());
        // Swap two chunks.
        let mut swapped = enc.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + SEALED_CHUNK);
        let first: Vec<u8> = swapped[a..b].to_vec();
        let second: Vec<u8> = swapped[b..b + SEALED_CHUNK].to_vec();
        swapped[a..b].copy_from_slice(&second);
        swapped[b..b + SEALED_CHUNK].copy_from_slice(&first);
        assert!(ChunkedReader::new(&key, b"test", Cursor::new(&swapped))
            .unwrap()
            .read_all()
            .is_err());
        assert!(
            ChunkedReader::new(&SecretKey::random(), b"test", Cursor::new(&enc))
                .unwrap()
                .read_all()
                .is_err()
        );
        // The same bytes presented as another file are refused.
        assert!(ChunkedReader::new(&key, b"other", Cursor::new(&enc))
            .unwrap()
            .read_all()
            .is_err());
        // A tampered empty file is detected too.
        let mut empty = encrypt(&key, b"", 1);
        let n = empty.len();
        empty[n - 1] ^= 1;
        assert!(ChunkedReader::new(&key, b"test", Cursor::new(&empty))
            .unwrap()
            .read_all()
            .is_err());
    }

    proptest! {
        #[test]
        fn random_access_reads_match_plaintext(len in 0usize..(3 * CHUNK), start in 0usize..(3 * CHUNK), n in 0usize..(CHUNK + 100)) {
            let key = SecretKey::from_bytes([9; 32]);
            let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let enc = encrypt(&key, &data, 2);
            let mut r = ChunkedReader::new(&key, b"test", Cursor::new(&enc)).unwrap();
            let start = start.min(len);
            r.seek(SeekFrom::Start(start as u64)).unwrap();
            let mut out = vec![0u8; n];
            let mut got = 0;
            while got < n {
                let k = r.read(&mut out[got..]).unwrap();
                if k == 0 { break; }
                got += k;
            }
            let end = (start + n).min(len);
            prop_assert_eq!(&out[..got], &data[start..end]);
        }
    }
}
