//! `holdfast.key`: the small file beside the database that holds the data key wrapped twice —
//! once under a key derived from the passphrase with Argon2id, once under the recovery key.
//! Changing the passphrase rewrites only this file; the data is never re-encrypted.

use std::fs;
use std::io::Write;
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::recovery::RecoveryKey;
use super::{open, seal, SecretKey};
use crate::error::{Error, Result};

pub const KEYFILE_NAME: &str = "holdfast.key";
const FORMAT: u32 = 1;

/// Set to `1` only in test suites: new archives then use a cheap Argon2id profile so that
/// hundreds of CLI runs stay fast. The profile is recorded in the key file, so an archive made
/// this way says so; real archives never read this variable after `init`.
pub const INSECURE_TEST_KDF_ENV: &str = "HOLDFAST_INSECURE_TEST_KDF";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    pub algorithm: String,
    pub version: u32,
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    pub salt: String,
}

/// How expensive the passphrase derivation of a new archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfProfile {
    /// RFC 9106's second recommended profile (64 MiB, 3 passes), one lane for 2-core laptops.
    Standard,
    /// 256 KiB, 1 pass: for test suites only.
    InsecureTest,
}

impl KdfProfile {
    /// `InsecureTest` when [`INSECURE_TEST_KDF_ENV`] is `1`, else `Standard`.
    pub fn from_env() -> Self {
        if std::env::var(INSECURE_TEST_KDF_ENV).is_ok_and(|v| v == "1") {
            KdfProfile::InsecureTest
        } else {
            KdfProfile::Standard
        }
    }
}

fn random_salt() -> String {
    let mut salt = [0u8; 16];
    super::fill_random(&mut salt);
    BASE64.encode(&salt)
}

impl KdfParams {
    fn new_random(profile: KdfProfile) -> Self {
        let (m_cost_kib, t_cost) = match profile {
            KdfProfile::Standard => (64 * 1024, 3),
            KdfProfile::InsecureTest => (256, 1),
        };
        KdfParams {
            algorithm: "argon2id".into(),
            version: 0x13,
            m_cost_kib,
            t_cost,
            p_cost: 1,
            salt: random_salt(),
        }
    }

    fn derive(&self, passphrase: &str) -> Result<SecretKey> {
        if self.algorithm != "argon2id" || self.version != 0x13 {
            return Err(Error::Corrupt(format!(
                "key file uses an unknown key derivation ({} v{})",
                self.algorithm, self.version
            )));
        }
        let salt = BASE64
            .decode(self.salt.as_bytes())
            .map_err(|_| Error::Corrupt("key file salt is not base64".into()))?;
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| Error::Corrupt(format!("key file has invalid Argon2 parameters: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
            .map_err(|e| Error::Corrupt(format!("key derivation failed: {e}")))?;
        Ok(SecretKey::from_bytes(*out))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: u32,
    /// Random id naming this archive in the OS keychain and binding the wraps to it.
    pub archive_id: String,
    pub kdf: KdfParams,
    /// base64(nonce || XChaCha20-Poly1305(data key)) under the passphrase key.
    pub passphrase_wrap: String,
    /// The same under the recovery key.
    pub recovery_wrap: String,
    /// Whether the user asked this device's keychain to remember the data key.
    #[serde(default)]
    pub keychain_remembered: bool,
}

fn aad(archive_id: &str, which: &str) -> Vec<u8> {
    format!("holdfast keyfile v{FORMAT}|{archive_id}|{which}").into_bytes()
}

impl KeyFile {
    /// Wraps a fresh data key; returns the key file, the data key and the recovery key.
    pub fn create(
        passphrase: &str,
        profile: KdfProfile,
    ) -> Result<(KeyFile, SecretKey, RecoveryKey)> {
        let data_key = SecretKey::random();
        let recovery = RecoveryKey::generate();
        let archive_id = uuid::Uuid::new_v4().to_string();
        let kdf = KdfParams::new_random(profile);
        let kek = kdf.derive(passphrase)?;
        let kf = KeyFile {
            format: FORMAT,
            passphrase_wrap: BASE64.encode(&seal(
                &kek,
                &aad(&archive_id, "passphrase"),
                data_key.as_bytes(),
            )),
            recovery_wrap: BASE64.encode(&seal(
                &recovery.kek(),
                &aad(&archive_id, "recovery"),
                data_key.as_bytes(),
            )),
            archive_id,
            kdf,
            keychain_remembered: false,
        };
        Ok((kf, data_key, recovery))
    }

    fn unwrap_with(&self, kek: &SecretKey, which: &str, wrap: &str) -> Option<SecretKey> {
        let sealed = BASE64.decode(wrap.as_bytes()).ok()?;
        let plain = open(kek, &aad(&self.archive_id, which), &sealed)?;
        SecretKey::from_slice(&plain)
    }

    pub fn unlock_with_passphrase(&self, passphrase: &str) -> Result<SecretKey> {
        let kek = self.kdf.derive(passphrase)?;
        self.unwrap_with(&kek, "passphrase", &self.passphrase_wrap)
            .ok_or(Error::WrongPassphrase)
    }

    pub fn unlock_with_recovery(&self, recovery: &RecoveryKey) -> Result<SecretKey> {
        self.unwrap_with(&recovery.kek(), "recovery", &self.recovery_wrap)
            .ok_or(Error::WrongRecoveryKey)
    }

    /// Re-wraps the data key under a new passphrase (new salt); the recovery wrap is kept.
    pub fn rewrap_passphrase(&mut self, data_key: &SecretKey, new_passphrase: &str) -> Result<()> {
        let kdf = KdfParams {
            // Keep the archive's cost profile; only the salt is new.
            salt: random_salt(),
            ..self.kdf.clone()
        };
        let kek = kdf.derive(new_passphrase)?;
        self.passphrase_wrap = BASE64.encode(&seal(
            &kek,
            &aad(&self.archive_id, "passphrase"),
            data_key.as_bytes(),
        ));
        self.kdf = kdf;
        Ok(())
    }

    pub fn load(dir: &Path) -> Result<KeyFile> {
        let path = dir.join(KEYFILE_NAME);
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let kf: KeyFile = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Corrupt(format!("{}: not a valid key file: {e}", path.display()))
        })?;
        if kf.format != FORMAT {
            return Err(Error::Corrupt(format!(
                "{}: key file format {} is newer than this Holdfast understands",
                path.display(),
                kf.format
            )));
        }
        Ok(kf)
    }

    /// Writes the key file atomically (temp file, fsync, rename, fsync the folder).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(KEYFILE_NAME);
        let tmp = dir.join(format!("{KEYFILE_NAME}.tmp"));
        let json = serde_json::to_vec_pretty(self).expect("key file serialises");
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            crate::archive::fsutil::sync_dir(dir)
        };
        write().map_err(|e| Error::io(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfProfile = KdfProfile::InsecureTest;

    #[test]
    fn passphrase_and_recovery_both_unwrap_the_same_key() {
        let (kf, key, recovery) = KeyFile::create("correct horse", FAST).unwrap();
        assert_eq!(
            kf.unlock_with_passphrase("correct horse")
                .unwrap()
                .as_bytes(),
            key.as_bytes()
        );
        assert_eq!(
            kf.unlock_with_recovery(&recovery).unwrap().as_bytes(),
            key.as_bytes()
        );
        assert!(matches!(
            kf.unlock_with_passphrase("wrong"),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(
            kf.unlock_with_recovery(&RecoveryKey::generate()),
            Err(Error::WrongRecoveryKey)
        ));
    }

    #[test]
    fn rewrap_changes_passphrase_and_keeps_recovery() {
        let (mut kf, key, recovery) = KeyFile::create("old one", FAST).unwrap();
        let old_salt = kf.kdf.salt.clone();
        kf.rewrap_passphrase(&key, "new one").unwrap();
        assert_ne!(kf.kdf.salt, old_salt);
        assert!(kf.unlock_with_passphrase("old one").is_err());
        assert_eq!(
            kf.unlock_with_passphrase("new one").unwrap().as_bytes(),
            key.as_bytes()
        );
        assert_eq!(
            kf.unlock_with_recovery(&recovery).unwrap().as_bytes(),
            key.as_bytes()
        );
    }

    #[test]
    fn wraps_are_bound_to_their_archive() {
        let (mut a, _, _) = KeyFile::create("pw", FAST).unwrap();
        let (b, _, _) = KeyFile::create("pw", FAST).unwrap();
        a.archive_id = b.archive_id.clone();
        assert!(a.unlock_with_passphrase("pw").is_err());
    }

    #[test]
    fn save_and_load_round_trip_without_the_key_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let (kf, key, _) = KeyFile::create("pw", FAST).unwrap();
        kf.save(dir.path()).unwrap();
        let text = std::fs::read(dir.path().join(KEYFILE_NAME)).unwrap();
        let key_hex = hex::encode(key.as_bytes());
        assert!(!String::from_utf8_lossy(&text).contains(&key_hex));
        assert!(!text.windows(32).any(|w| w == key.as_bytes()));
        let back = KeyFile::load(dir.path()).unwrap();
        assert_eq!(
            back.unlock_with_passphrase("pw").unwrap().as_bytes(),
            key.as_bytes()
        );
    }
}
