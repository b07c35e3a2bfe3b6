//! Where the CLI gets passphrases and keys, in the order ../docs/cli.md fixes:
//! `HOLDFAST_PASSPHRASE`, `--passphrase-file`, the OS keychain (if remembered), a prompt.

use std::io::IsTerminal;
use std::path::Path;

use zeroize::Zeroizing;

use crate::archive::{Archive, Unlock};
use crate::crypto::keychain::OsKeychain;
use crate::crypto::recovery::RecoveryKey;
use crate::error::{Error, Result};
use crate::{api, archive};

pub const PASSPHRASE_ENV: &str = "HOLDFAST_PASSPHRASE";
pub const NEW_PASSPHRASE_ENV: &str = "HOLDFAST_NEW_PASSPHRASE";
pub const RECOVERY_KEY_ENV: &str = "HOLDFAST_RECOVERY_KEY";

pub type Secret = Zeroizing<String>;

/// A secret file's content without its final line break.
pub fn read_secret_file(path: &Path) -> Result<Secret> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?);
    let trimmed = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    Ok(Zeroizing::new(trimmed.to_string()))
}

fn env_secret(name: &str) -> Option<Secret> {
    std::env::var(name).ok().map(Zeroizing::new)
}

fn prompt(label: &str) -> Result<Secret> {
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|e| Error::Locked(format!("cannot read the passphrase from the terminal: {e}")))
}

fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// A passphrase from the environment or a file (never the keychain or a prompt).
fn given_passphrase(file: Option<&Path>, env: &str) -> Result<Option<Secret>> {
    if let Some(p) = env_secret(env) {
        return Ok(Some(p));
    }
    file.map(read_secret_file).transpose()
}

/// Opens the archive using the first passphrase source that is present.
pub fn unlock(dir: &Path, passphrase_file: Option<&Path>) -> Result<Archive> {
    if !archive::exists(dir) {
        return Err(Error::NoArchive(dir.to_path_buf()));
    }
    if let Some(p) = given_passphrase(passphrase_file, PASSPHRASE_ENV)? {
        return api::open(dir, Unlock::Passphrase(&p));
    }
    if api::status(dir, None).keychain_remembered {
        match api::open_with_keychain(dir, &OsKeychain) {
            Ok(a) => return Ok(a),
            Err(e @ Error::KeychainUnavailable(_)) => {
                eprintln!("warning: {e}; falling back to the passphrase");
            }
            Err(e) => return Err(e),
        }
    }
    if interactive() {
        let p = prompt("Passphrase: ")?;
        return api::open(dir, Unlock::Passphrase(&p));
    }
    Err(Error::Locked(format!(
        "set {PASSPHRASE_ENV}, pass --passphrase-file, run `holdfast keychain remember` once, or run in a terminal"
    )))
}

/// A new passphrase: from the environment, a file, or typed twice.
pub fn new_passphrase(file: Option<&Path>, env: &str, what: &str) -> Result<Secret> {
    if let Some(p) = given_passphrase(file, env)? {
        return Ok(p);
    }
    if !interactive() {
        return Err(Error::InvalidArgument(format!(
            "no {}: set {env}, pass a passphrase file, or run in a terminal",
            what.to_lowercase()
        )));
    }
    let a = prompt(&format!("{what}: "))?;
    let b = prompt(&format!("Repeat the {what}: "))?;
    if *a != *b {
        return Err(Error::InvalidArgument("the two passphrases differ".into()));
    }
    Ok(a)
}

/// The recovery key, when the user gave one.
pub fn recovery_key(file: Option<&Path>) -> Result<Option<RecoveryKey>> {
    let text = match env_secret(RECOVERY_KEY_ENV) {
        Some(t) => Some(t),
        None => file.map(read_secret_file).transpose()?,
    };
    match text {
        None => Ok(None),
        Some(t) => RecoveryKey::parse(&t)
            .map(Some)
            .ok_or(Error::WrongRecoveryKey),
    }
}
