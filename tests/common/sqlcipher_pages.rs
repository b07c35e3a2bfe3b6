//! Raw, decrypted pages of the archive's SQLCipher database, free pages and WAL frames
//! included, so that a test can look for bytes a logical SQL query cannot see.
//!
//! The layout follows the SQLCipher 4 defaults of the bundled build (sqlcipher-src 4.20.0,
//! `sqlcipher/sqlcipher.c`): `cipher_page_size` 4096; AES-256-CBC without padding; a per-page
//! reserve of 80 bytes at the end of the page (16-byte IV, then the 64-byte HMAC-SHA512 of
//! ciphertext ‖ IV ‖ page number as 4 little-endian bytes); page 1 starts with the 16-byte
//! plaintext salt (`FILE_HEADER_SZ`) and is encrypted from byte 16 on. A raw key given as
//! `x'<64 hex>'` is the AES key itself; the HMAC key is PBKDF2-HMAC-SHA512(raw key,
//! salt XOR 0x3a, 2 iterations, 32 bytes). WAL frames (after the 32-byte WAL header, each a
//! 24-byte frame header, page number big-endian in bytes 0..4, then one page) hold pages
//! encrypted exactly as in the database file.
//!
//! Every page's HMAC is checked, and page 1 must also decrypt to a plausible SQLite header,
//! so a wrong key or a misread layout panics instead of silently finding nothing.

use std::path::{Path, PathBuf};

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::Sha512;

/// SQLCipher 4 `default_page_size`.
pub const PAGE_SIZE: usize = 4096;
/// `FILE_HEADER_SZ`: page 1's plaintext salt.
const SALT_LEN: usize = 16;
/// AES block length, the IV size.
const IV_LEN: usize = 16;
/// HMAC-SHA512 output.
const HMAC_LEN: usize = 64;
/// IV + HMAC, rounded up to the AES block size (already a multiple of it).
const RESERVE: usize = IV_LEN + HMAC_LEN;
/// `HMAC_SALT_MASK`.
const HMAC_SALT_MASK: u8 = 0x3a;
/// `FAST_PBKDF2_ITER`: iterations deriving the HMAC key from the cipher key.
const FAST_KDF_ITER: u32 = 2;
/// `WAL_HDRSIZE` and `WAL_FRAME_HDRSIZE`.
const WAL_HEADER: usize = 32;
const WAL_FRAME_HEADER: usize = 24;

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// Every page of an SQLCipher 4 database file, decrypted with the raw key, concatenated.
/// Each page contributes its decrypted area, `[0, 4016)` (page 1: `[16, 4016)`, after the
/// salt); the reserve (IV and HMAC) is left out. Panics if the file cannot be read, is not a
/// whole number of pages, or any page fails its HMAC / page 1 lacks an SQLite header.
pub fn decrypted_pages(db_file: &Path, raw_key: &[u8; 32]) -> Vec<u8> {
    let bytes =
        std::fs::read(db_file).unwrap_or_else(|e| panic!("cannot read {}: {e}", db_file.display()));
    assert!(
        bytes.len().is_multiple_of(PAGE_SIZE),
        "{}: {} bytes is not a whole number of {PAGE_SIZE}-byte pages",
        db_file.display(),
        bytes.len()
    );
    if bytes.is_empty() {
        return Vec::new();
    }
    let salt: [u8; SALT_LEN] = bytes[..SALT_LEN].try_into().unwrap();
    let hmac_key = hmac_key(raw_key, &salt);
    let mut out = Vec::with_capacity(bytes.len());
    for (i, page) in bytes.chunks_exact(PAGE_SIZE).enumerate() {
        let pgno = u32::try_from(i + 1).unwrap();
        let what = format!("{} page {pgno}", db_file.display());
        out.extend_from_slice(&decrypt_page(page, pgno, raw_key, Some(&hmac_key), &what));
    }
    out
}

/// The pages of every frame of a WAL file, decrypted and concatenated as in
/// [`decrypted_pages`] (page number from each frame header). Empty when the file is missing
/// or empty; a torn last frame is ignored. The HMAC key's salt comes from the database file
/// beside it (the WAL path without `-wal`) or else from a page-1 frame; with neither, only
/// page-1 frames can be checked.
pub fn decrypted_wal_frames(wal_file: &Path, raw_key: &[u8; 32]) -> Vec<u8> {
    let bytes = match std::fs::read(wal_file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => panic!("cannot read {}: {e}", wal_file.display()),
    };
    if bytes.is_empty() {
        return Vec::new();
    }
    assert!(
        bytes.len() >= WAL_HEADER,
        "{}: {} bytes is shorter than a WAL header",
        wal_file.display(),
        bytes.len()
    );
    let magic = u32::from_be_bytes(bytes[0..4].try_into().unwrap());
    assert!(
        magic == 0x377f_0682 || magic == 0x377f_0683,
        "{}: not a WAL file (magic {magic:#x})",
        wal_file.display()
    );
    let page_size = u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize;
    assert_eq!(
        page_size,
        PAGE_SIZE,
        "{}: WAL page size is not SQLCipher's {PAGE_SIZE}",
        wal_file.display()
    );
    let frames = bytes[WAL_HEADER..].chunks_exact(WAL_FRAME_HEADER + PAGE_SIZE);
    let salt = sibling_db_salt(wal_file).or_else(|| {
        frames.clone().find_map(|f| {
            (frame_pgno(f) == 1).then(|| f[WAL_FRAME_HEADER..][..SALT_LEN].try_into().unwrap())
        })
    });
    let hmac_key = salt.map(|s| hmac_key(raw_key, &s));
    let mut out = Vec::new();
    for (i, frame) in frames.enumerate() {
        let pgno = frame_pgno(frame);
        assert!(
            pgno != 0,
            "{}: frame {} has page number 0",
            wal_file.display(),
            i + 1
        );
        let what = format!("{} frame {} (page {pgno})", wal_file.display(), i + 1);
        let page = &frame[WAL_FRAME_HEADER..];
        out.extend_from_slice(&decrypt_page(page, pgno, raw_key, hmac_key.as_ref(), &what));
    }
    out
}

/// Does `needle` occur anywhere in the decrypted pages of `archive_dir/archive.db` or the
/// decrypted frames of its WAL? Panics if the database file is missing.
pub fn database_contains(archive_dir: &Path, raw_key: &[u8; 32], needle: &[u8]) -> bool {
    let db = archive_dir.join(holdfast::archive::DB_NAME);
    let wal = wal_path(&db);
    super::contains(&decrypted_pages(&db, raw_key), needle)
        || super::contains(&decrypted_wal_frames(&wal, raw_key), needle)
}

fn wal_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

fn sibling_db_salt(wal_file: &Path) -> Option<[u8; SALT_LEN]> {
    let name = wal_file.as_os_str().to_str()?;
    let db = name.strip_suffix("-wal")?;
    let bytes = std::fs::read(db).ok()?;
    bytes.get(..SALT_LEN).map(|s| s.try_into().unwrap())
}

fn frame_pgno(frame: &[u8]) -> u32 {
    u32::from_be_bytes(frame[0..4].try_into().unwrap())
}

/// PBKDF2-HMAC-SHA512(cipher key, salt XOR 0x3a, 2 iterations, 32 bytes).
fn hmac_key(raw_key: &[u8; 32], salt: &[u8; SALT_LEN]) -> [u8; 32] {
    let mut masked = *salt;
    for b in &mut masked {
        *b ^= HMAC_SALT_MASK;
    }
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha512>(raw_key, &masked, FAST_KDF_ITER, &mut out);
    out
}

/// Decrypts one encrypted page (`PAGE_SIZE` bytes) and returns its decrypted area
/// (page 1: after the salt).
fn decrypt_page(
    page: &[u8],
    pgno: u32,
    raw_key: &[u8; 32],
    hmac_key: Option<&[u8; 32]>,
    what: &str,
) -> Vec<u8> {
    assert_eq!(page.len(), PAGE_SIZE);
    let start = if pgno == 1 { SALT_LEN } else { 0 };
    let end = PAGE_SIZE - RESERVE;
    let iv = &page[end..end + IV_LEN];
    if let Some(hk) = hmac_key {
        let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(hk).unwrap();
        mac.update(&page[start..end + IV_LEN]);
        mac.update(&pgno.to_le_bytes());
        assert!(
            mac.verify_slice(&page[end + IV_LEN..end + IV_LEN + HMAC_LEN])
                .is_ok(),
            "{what} does not decrypt with this key (HMAC-SHA512 mismatch)"
        );
    }
    let mut buf = page[start..end].to_vec();
    Aes256CbcDec::new(raw_key.into(), iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .unwrap_or_else(|e| panic!("{what}: AES-CBC decryption failed: {e}"));
    if pgno == 1 {
        // `buf[0]` is file offset 16: page size (big-endian u16), then at offsets 21..24 the
        // max/min embedded payload fractions and leaf payload fraction, 64/32/32.
        let page_size = u16::from_be_bytes([buf[0], buf[1]]) as usize;
        assert!(
            page_size == PAGE_SIZE && buf[5..8] == [64, 32, 32],
            "{what} does not decrypt with this key (no SQLite header: page size {page_size}, \
             payload fractions {:?})",
            &buf[5..8]
        );
    }
    buf
}
