//! Remembering an archive's data key in the OS keychain (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows) through the `keyring` crate, so that this device can
//! unlock without the passphrase. Only on request (`holdfast keychain remember`).

use zeroize::Zeroizing;

use super::SecretKey;
use crate::error::{Error, Result};

const SERVICE: &str = "holdfast";

/// Where remembered keys live. The OS keychain in the product; tests may use another.
pub trait KeyStore {
    fn store(&self, archive_id: &str, key: &SecretKey) -> Result<()>;
    /// `Ok(None)` when nothing is remembered for this archive.
    fn load(&self, archive_id: &str) -> Result<Option<SecretKey>>;
    fn delete(&self, archive_id: &str) -> Result<()>;
}

/// The operating system's keychain.
pub struct OsKeychain;

fn entry(archive_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("archive {archive_id}")).map_err(unavailable)
}

fn unavailable(e: keyring::Error) -> Error {
    let hint = if cfg!(target_os = "linux") {
        " (no Secret Service reachable: is a keyring daemon such as gnome-keyring running and unlocked?)"
    } else {
        ""
    };
    Error::KeychainUnavailable(format!("{e}{hint}"))
}

impl KeyStore for OsKeychain {
    fn store(&self, archive_id: &str, key: &SecretKey) -> Result<()> {
        let hex = Zeroizing::new(hex::encode(key.as_bytes()));
        entry(archive_id)?.set_password(&hex).map_err(unavailable)
    }

    fn load(&self, archive_id: &str) -> Result<Option<SecretKey>> {
        match entry(archive_id)?.get_password() {
            Ok(hex) => {
                let hex = Zeroizing::new(hex);
                let bytes = Zeroizing::new(hex::decode(hex.as_bytes()).map_err(|_| {
                    Error::KeychainUnavailable("the keychain entry is not a Holdfast key".into())
                })?);
                SecretKey::from_slice(&bytes).map(Some).ok_or_else(|| {
                    Error::KeychainUnavailable("the keychain entry is not a Holdfast key".into())
                })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, archive_id: &str) -> Result<()> {
        match entry(archive_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}
