//! The key of a Signal Desktop database, and of its attachments.
//!
//! `config.json` holds the SQLCipher key as 64 hex characters: in `key` (before Signal 7.16,
//! and where no secret store is available), or in `encryptedKey`: Electron's `safeStorage`
//! ciphertext, hex-encoded. That is Chromium's "os_crypt" scheme: a `v10`/`v11` prefix, then
//! AES-128-CBC (IV of 16 spaces, PKCS#7) under PBKDF2-HMAC-SHA1(password, "saltysalt", 1 round
//! on Linux, 1003 on macOS, 16 bytes). The password is in the OS secret store: on Linux the
//! Secret Service item with `application` = `Signal` (`v11`), or Chromium's fixed `peanuts`
//! when Signal ran without one (`v10`); on macOS the Keychain item `Signal Safe Storage`.
//! Windows (DPAPI and AES-GCM) is not read here: give the key with `HOLDFAST_SIGNAL_KEY`.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Location, Result};

/// Environment variable that gives the database key directly (64 hex characters), for
/// profiles whose secret store Holdfast cannot reach.
pub const KEY_ENV: &str = "HOLDFAST_SIGNAL_KEY";

type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where the safeStorage password comes from, for error messages and tests.
pub trait SecretStore {
    /// The safeStorage password Signal keeps in the OS secret store.
    fn safe_storage_password(&self) -> Result<Zeroizing<String>>;
}

/// The secret store of this computer.
pub struct SystemStore;

impl SecretStore for SystemStore {
    #[cfg(target_os = "linux")]
    fn safe_storage_password(&self) -> Result<Zeroizing<String>> {
        use dbus_secret_service::{EncryptionType, SecretService};
        let unavailable = |e: &dyn std::fmt::Display| {
            Error::KeychainUnavailable(format!(
                "cannot reach the Secret Service to read Signal's key ({e}); unlock your keyring, or give the key with {KEY_ENV}"
            ))
        };
        let ss = SecretService::connect(EncryptionType::Dh).map_err(|e| unavailable(&e))?;
        for app in ["Signal", "Signal Beta"] {
            let found = ss
                .search_items(std::collections::HashMap::from([("application", app)]))
                .map_err(|e| unavailable(&e))?;
            let item = match (found.unlocked.first(), found.locked.first()) {
                (Some(i), _) => i,
                (None, Some(i)) => {
                    i.unlock().map_err(|e| unavailable(&e))?;
                    i
                }
                (None, None) => continue,
            };
            let secret = Zeroizing::new(item.get_secret().map_err(|e| unavailable(&e))?);
            return String::from_utf8(secret.to_vec())
                .map(Zeroizing::new)
                .map_err(|_| unavailable(&"the stored password is not text"));
        }
        Err(Error::KeychainUnavailable(format!(
            "the Secret Service has no item for Signal (application=Signal); open Signal once, or give the key with {KEY_ENV}"
        )))
    }

    #[cfg(target_os = "macos")]
    fn safe_storage_password(&self) -> Result<Zeroizing<String>> {
        keyring::Entry::new("Signal Safe Storage", "Signal Key")
            .and_then(|e| e.get_password())
            .map(Zeroizing::new)
            .map_err(|e| {
                Error::KeychainUnavailable(format!(
                    "cannot read 'Signal Safe Storage' from the Keychain ({e}); give the key with {KEY_ENV}"
                ))
            })
    }

    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    fn safe_storage_password(&self) -> Result<Zeroizing<String>> {
        Err(Error::KeychainUnavailable(format!(
            "Signal's key is protected by this system's secret store, which Holdfast does not read yet; give the key with {KEY_ENV}"
        )))
    }
}

/// Decrypts an `encryptedKey` (hex of `v10`/`v11` + AES-128-CBC ciphertext).
pub fn decrypt_safe_storage(
    blob: &[u8],
    store: &dyn SecretStore,
    at: &Location,
) -> Result<Zeroizing<String>> {
    let bad = |m: &str| Error::bad_input(at.clone(), m.to_string());
    if blob.len() < 3 + 16 {
        return Err(bad("encryptedKey is too short"));
    }
    let (prefix, ct) = blob.split_at(3);
    let (password, rounds): (Zeroizing<String>, u32) = match prefix {
        b"v10" | b"v11" if cfg!(windows) => {
            return Err(bad(
                "encryptedKey is protected by Windows (DPAPI), which Holdfast does not read: give the key with HOLDFAST_SIGNAL_KEY",
            ))
        }
        b"v11" => (store.safe_storage_password()?, 1),
        b"v10" if cfg!(target_os = "macos") => (store.safe_storage_password()?, 1003),
        b"v10" => (Zeroizing::new("peanuts".to_string()), 1),
        _ => {
            return Err(bad(
                "encryptedKey has an unknown prefix (not v10/v11): made on Windows? give the key with HOLDFAST_SIGNAL_KEY",
            ))
        }
    };
    let mut key = Zeroizing::new([0u8; 16]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), b"saltysalt", rounds, &mut *key);
    let mut buf = Zeroizing::new(ct.to_vec());
    let plain = Aes128CbcDec::new(key.as_ref().into(), &[b' '; 16].into())
        .decrypt_padded_mut::<Pkcs7>(&mut buf)
        .map_err(|_| {
            bad("encryptedKey does not decrypt with the password from the secret store (a different profile's keyring?)")
        })?;
    match std::str::from_utf8(plain) {
        Ok(s) if is_key(s) => Ok(Zeroizing::new(s.to_string())),
        _ => Err(bad(
            "encryptedKey decrypts to something that is not a database key",
        )),
    }
}

/// The database key of a profile, from its `config.json` (or [`KEY_ENV`]).
pub fn database_key(
    config: &[u8],
    at: &Location,
    store: &dyn SecretStore,
) -> Result<Zeroizing<String>> {
    if let Ok(k) = std::env::var(KEY_ENV) {
        let k = Zeroizing::new(k.trim().to_string());
        if !is_key(&k) {
            return Err(Error::InvalidArgument(format!(
                "{KEY_ENV} must be 64 hexadecimal characters"
            )));
        }
        return Ok(k);
    }
    let json: serde_json::Value = serde_json::from_slice(config)
        .map_err(|e| Error::bad_input(at.clone(), format!("not JSON: {e}")))?;
    if let Some(k) = json.get("key").and_then(|k| k.as_str()) {
        if !is_key(k) {
            return Err(Error::bad_input(
                at.clone(),
                "$.key is not a database key (64 hexadecimal characters)",
            ));
        }
        return Ok(Zeroizing::new(k.to_string()));
    }
    if let Some(hex_blob) = json.get("encryptedKey").and_then(|k| k.as_str()) {
        let blob = hex::decode(hex_blob)
            .map_err(|_| Error::bad_input(at.clone(), "$.encryptedKey is not hexadecimal"))?;
        return decrypt_safe_storage(&blob, store, at);
    }
    Err(Error::bad_input(
        at.clone(),
        "holds neither key nor encryptedKey: is this a Signal Desktop profile folder?",
    ))
}

/// Decrypts an attachment file Signal encrypted at rest (version 2 and later): IV (16) ‖
/// AES-256-CBC ‖ HMAC-SHA256 (32) over IV ‖ ciphertext, under `localKey` (base64 of 32 bytes
/// of AES key then 32 of MAC key). The plaintext is padded; `size` is its real length.
pub fn decrypt_attachment(
    data: &[u8],
    local_key_b64: &str,
    size: u64,
) -> std::result::Result<Vec<u8>, String> {
    let keys = Zeroizing::new(
        data_encoding::BASE64
            .decode(local_key_b64.as_bytes())
            .map_err(|_| "localKey is not base64".to_string())?,
    );
    if keys.len() != 64 {
        return Err(format!("localKey is {} bytes, not 64", keys.len()));
    }
    if data.len() < 16 + 32 || !(data.len() - 48).is_multiple_of(16) {
        return Err("file is too short or not whole cipher blocks".into());
    }
    let (body, tag) = data.split_at(data.len() - 32);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&keys[32..]).expect("any key length");
    mac.update(body);
    mac.verify_slice(tag)
        .map_err(|_| "its authentication code does not match (damaged, or not this key)")?;
    let (iv, ct) = body.split_at(16);
    let mut buf = ct.to_vec();
    let plain = Aes256CbcDec::new(keys[..32].into(), iv.into())
        .decrypt_padded_mut::<aes::cipher::block_padding::NoPadding>(&mut buf)
        .map_err(|_| "cannot decrypt".to_string())?;
    if (plain.len() as u64) < size {
        return Err(format!(
            "decrypts to {} bytes, fewer than its size {size}",
            plain.len()
        ));
    }
    let n = plain.len().min(size as usize);
    buf.truncate(n);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;

    struct Fixed(&'static str);
    impl SecretStore for Fixed {
        fn safe_storage_password(&self) -> Result<Zeroizing<String>> {
            Ok(Zeroizing::new(self.0.to_string()))
        }
    }

    fn seal(prefix: &[u8], password: &str, plain: &str) -> Vec<u8> {
        let mut key = [0u8; 16];
        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), b"saltysalt", 1, &mut key);
        let ct = cbc::Encryptor::<aes::Aes128>::new(&key.into(), &[b' '; 16].into())
            .encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes());
        [prefix, &ct].concat()
    }

    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn chromium_known_key_for_peanuts() {
        // Chromium's os_crypt_linux.cc documents the v10 key derived from "peanuts".
        let mut key = [0u8; 16];
        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(b"peanuts", b"saltysalt", 1, &mut key);
        assert_eq!(hex::encode(key), "fd621fe5a2b402539dfa147ca9272778");
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn both_prefixes_decrypt() {
        let at = Location::file("config.json");
        let v10 = seal(b"v10", "peanuts", KEY);
        assert_eq!(
            *decrypt_safe_storage(&v10, &Fixed("unused"), &at).unwrap(),
            KEY
        );
        let v11 = seal(b"v11", "s3cret", KEY);
        assert_eq!(
            *decrypt_safe_storage(&v11, &Fixed("s3cret"), &at).unwrap(),
            KEY
        );
        let wrong = decrypt_safe_storage(&v11, &Fixed("other"), &at).unwrap_err();
        assert!(wrong.to_string().starts_with("config.json: "), "{wrong}");
        let windows = decrypt_safe_storage(b"DPAPI-something-long", &Fixed("x"), &at);
        assert!(windows
            .unwrap_err()
            .to_string()
            .contains("HOLDFAST_SIGNAL_KEY"));
    }

    #[test]
    fn config_errors_name_the_file() {
        let at = Location::file("Signal/config.json");
        let e = database_key(br#"{"key": "nothex"}"#, &at, &Fixed("x")).unwrap_err();
        assert!(e.to_string().contains("Signal/config.json") && e.to_string().contains("$.key"));
        let e = database_key(b"{}", &at, &Fixed("x")).unwrap_err();
        assert!(e.to_string().contains("neither key nor encryptedKey"));
        assert_eq!(
            *database_key(format!(r#"{{"key":"{KEY}"}}"#).as_bytes(), &at, &Fixed("x")).unwrap(),
            KEY
        );
    }

    #[test]
    fn attachment_round_trip_and_tamper() {
        let keys: Vec<u8> = (0u8..64).collect();
        let plain = b"hello attachment";
        let mut padded = plain.to_vec();
        padded.resize(32, 0);
        let iv = [7u8; 16];
        let ct = cbc::Encryptor::<aes::Aes256>::new(keys[..32].into(), &iv.into())
            .encrypt_padded_vec_mut::<aes::cipher::block_padding::NoPadding>(&padded);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&keys[32..]).unwrap();
        mac.update(&iv);
        mac.update(&ct);
        let file = [&iv[..], &ct, &mac.finalize().into_bytes()].concat();
        let b64 = data_encoding::BASE64.encode(&keys);
        assert_eq!(
            decrypt_attachment(&file, &b64, plain.len() as u64).unwrap(),
            plain
        );
        let mut bad = file.clone();
        bad[20] ^= 1;
        assert!(decrypt_attachment(&bad, &b64, 16)
            .unwrap_err()
            .contains("authentication"));
    }
}
