//! Keys and encryption. Everything Holdfast writes to disk goes through here:
//! the SQLCipher data key, the wraps of that key in the key file, and the AEAD used for blobs
//! (and, later, the search index).
//!
//! Key hierarchy:
//! ```text
//! passphrase --Argon2id--> passphrase KEK --XChaCha20-Poly1305--> wraps the data key  ┐
//! recovery key --HKDF-SHA256--> recovery KEK --XChaCha20-Poly1305--> wraps the data key ┴ holdfast.key
//! data key (random 256 bit) --raw--> SQLCipher database key
//!                           --HKDF "blob-enc"--> blob encryption key
//!                           --HKDF "blob-name"--> blob naming key (HMAC-SHA256)
//! ```

pub mod chunked;
pub mod keychain;
pub mod keyfile;
pub mod recovery;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// 256-bit secret. Zeroized on drop; never printed by `Debug`.
#[derive(Clone, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        fill_random(&mut k);
        SecretKey(k)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SecretKey(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(SecretKey(arr))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SQLCipher raw-key literal `x'<64 hex>'` (no per-open PBKDF2).
    pub fn sqlcipher_literal(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        s.push_str(&Zeroizing::new(hex::encode(self.0)));
        s.push('\'');
        s
    }

    /// A subkey for one purpose (HKDF-SHA256, domain-separated by `info`).
    pub fn derive(&self, info: &str) -> SecretKey {
        let hk = Hkdf::<Sha256>::new(Some(b"holdfast v1"), &self.0);
        let mut out = [0u8; 32];
        hk.expand(info.as_bytes(), &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        SecretKey(out)
    }
}

pub fn fill_random(buf: &mut [u8]) {
    getrandom::getrandom(buf).expect("the operating system's random number generator failed");
}

pub const XNONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;

/// Authenticated encryption of a small value: returns `nonce || ciphertext+tag`.
pub fn seal(key: &SecretKey, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let mut nonce = [0u8; XNONCE_LEN];
    fill_random(&mut nonce);
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(XNONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Inverse of [`seal`]; `None` when the key is wrong or the data was altered.
pub fn open(key: &SecretKey, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < XNONCE_LEN + TAG_LEN {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let (nonce, ct) = sealed.split_at(XNONCE_LEN);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
        .map(Zeroizing::new)
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_tamper_detection() {
        let k = SecretKey::random();
        let sealed = seal(&k, b"ctx", b"hello");
        assert_eq!(open(&k, b"ctx", &sealed).unwrap().as_slice(), b"hello");
        assert!(open(&k, b"other ctx", &sealed).is_none());
        assert!(open(&SecretKey::random(), b"ctx", &sealed).is_none());
        let mut bad = sealed.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(open(&k, b"ctx", &bad).is_none());
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_are_stable() {
        let k = SecretKey::from_bytes([7; 32]);
        assert_eq!(k.derive("a").as_bytes(), k.derive("a").as_bytes());
        assert_ne!(k.derive("a").as_bytes(), k.derive("b").as_bytes());
        assert_ne!(k.derive("a").as_bytes(), k.as_bytes());
    }

    #[test]
    fn debug_never_shows_key_material() {
        let k = SecretKey::from_bytes([0xAB; 32]);
        assert!(!format!("{k:?}").contains("ab"));
        assert!(!format!("{k:?}").contains("171"));
    }
}
