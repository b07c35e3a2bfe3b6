//! Helpers shared by the integration tests: a throwaway archive driven through the real
//! `holdfast` binary, and the checks every importing test makes (no plaintext on disk,
//! nothing changed after a failure).

#![allow(dead_code)]

pub mod secret_service;
pub mod sqlcipher_pages;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha2::{Digest, Sha256};

pub const PASSPHRASE: &str = "correct horse battery staple";

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// `../shared/corpus`, when this checkout sits beside it.
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

pub struct Env {
    pub tmp: tempfile::TempDir,
    pub archive: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("archive");
        Env { tmp, archive }
    }

    /// A new archive; returns the recovery key.
    pub fn init() -> (Env, String) {
        let env = Env::new();
        let v = env.json(&["init"]);
        let key = v["recovery_key"].as_str().unwrap().to_string();
        (env, key)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The binary with the archive, the test passphrase and the cheap test KDF; no keychain.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_holdfast"));
        c.arg("--archive")
            .arg(&self.archive)
            .env("HOLDFAST_PASSPHRASE", PASSPHRASE)
            .env("HOLDFAST_INSECURE_TEST_KDF", "1")
            .env_remove("HOLDFAST_ARCHIVE")
            .env_remove("HOLDFAST_RECOVERY_KEY")
            .env_remove("HOLDFAST_NEW_PASSPHRASE")
            .env("TZ", "UTC");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs with no D-Bus session (so no Secret Service) and no display to start one from.
    pub fn run_without_session_bus(&self, args: &[&str]) -> Output {
        self.cmd()
            .args(args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .output()
            .unwrap()
    }

    /// Runs with `--json`, asserts success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "holdfast {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {args:?} is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    pub fn import(&self, path: &Path, extra: &[&str]) -> Value {
        let mut args = vec!["import", path.to_str().unwrap(), "--tz", "Europe/London"];
        args.extend_from_slice(extra);
        self.json(&args)
    }

    pub fn stats(&self) -> Value {
        self.json(&["stats"])
    }

    /// Every file of the archive folder with its SHA-256 (lock and SQLite scratch files aside).
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for f in files_under(&self.archive) {
            let rel = f.strip_prefix(&self.archive).unwrap().display().to_string();
            if rel == "holdfast.lock" || rel.ends_with("-shm") || rel.ends_with("-wal") {
                continue;
            }
            out.insert(rel, hex::encode(Sha256::digest(std::fs::read(&f).unwrap())));
        }
        out
    }
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Asserts that no file under `dir` (names included) contains any of `texts` as bytes.
/// Texts shorter than 8 bytes are skipped: they occur by chance in random ciphertext.
pub fn assert_no_plaintext(dir: &Path, texts: &[String]) {
    let needles: Vec<&String> = texts.iter().filter(|t| t.len() >= 8).collect();
    assert!(!needles.is_empty(), "nothing to look for");
    for f in files_under(dir) {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.display().to_string();
        for n in &needles {
            assert!(
                !contains(&bytes, n.as_bytes()),
                "{} holds plaintext {:?}",
                f.display(),
                n
            );
            assert!(!name.contains(n.as_str()), "file name {name} holds {n:?}");
        }
    }
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// The text of every message of every conversation, read back through the CLI.
pub fn all_message_texts(env: &Env) -> Vec<String> {
    let convs = env.json(&["conversations"]);
    let mut out = Vec::new();
    for c in convs["conversations"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let v = env.json(&["show", id, "--limit", "5000"]);
        for m in v["messages"].as_array().unwrap() {
            out.push(m["text"].as_str().unwrap().to_string());
            if let Some(s) = m["sender"].as_str() {
                out.push(s.to_string());
            }
        }
    }
    out
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
