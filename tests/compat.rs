//! Format compatibility: every archive kept under tests/compat (one per released schema
//! version) still opens, migrates and reads back whole with this build.

mod common;

use std::path::Path;

use common::*;
use holdfast::archive::{schema, Archive, Unlock};
use holdfast::crypto::recovery::RecoveryKey;
use serde_json::Value;

/// Released schema versions; each folder was written by tests/compat/make.sh with the
/// passphrase `compat vN passphrase` and holds its recovery key in recovery-key.txt.
const VERSIONS: &[&str] = &["v1", "v2", "v3", "v4", "v5", "v6"];

/// The schema number of a `vN` folder.
fn schema_of(version: &str) -> u32 {
    version[1..].parse().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for f in files_under(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, &dest).unwrap();
    }
}

#[test]
fn every_released_archive_version_opens_and_reads_back_whole() {
    for version in VERSIONS {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/compat")
            .join(version);
        let passphrase = &format!("compat {version} passphrase");
        let recovery = std::fs::read_to_string(src.join("recovery-key.txt")).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("archive");
        copy_dir(&src.join("archive"), &dir);
        let want: Value =
            serde_json::from_slice(&std::fs::read(src.join("stats.json")).unwrap()).unwrap();

        let a = Archive::open(&dir, Unlock::Passphrase(passphrase)).unwrap();
        assert_eq!(
            schema::version(a.conn()).unwrap(),
            schema::CURRENT,
            "{version}"
        );
        let stats = serde_json::to_value(holdfast::api::stats(&a).unwrap()).unwrap();
        assert_eq!(stats, want, "{version}");
        for c in holdfast::api::conversations(&a).unwrap().conversations {
            let v = holdfast::api::show(&a, &c.id, &Default::default()).unwrap();
            assert_eq!(
                v.messages.len() as u64,
                c.messages,
                "{version}: {}",
                c.title
            );
        }
        // Every original export and attachment decrypts to the bytes whose hash was recorded.
        let mut stmt = a
            .conn()
            .prepare("SELECT original_blob, sha256 FROM sources WHERE original_blob != '' UNION ALL SELECT blob, sha256 FROM attachments WHERE blob IS NOT NULL")
            .unwrap();
        let blobs: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!blobs.is_empty(), "{version}");
        for (blob, sha) in blobs {
            let bytes = a.blobs().read_all(&blob).unwrap();
            assert_eq!(
                holdfast::crypto::sha256_hex(&bytes),
                sha,
                "{version}: blob {blob}"
            );
        }
        drop(stmt);
        // The audit log (schema 4 on) still verifies, chain and head.
        let audit = holdfast::api::records::audit_verify(&a).unwrap();
        assert!(audit.ok, "{version}: {audit:?}");
        // Imports, tags, the policy, the hold and the disposal (and from schema 5 the case).
        if schema_of(version) >= 4 {
            assert!(audit.entries >= 8, "{version}: {audit:?}");
        }
        if schema_of(version) >= 5 {
            let cases = holdfast::api::foi::foi_list(
                &mut Archive::open(&dir, Unlock::Passphrase(passphrase)).unwrap(),
            )
            .unwrap();
            assert_eq!(cases.len(), 1, "{version}");
            assert_eq!(cases[0].due.as_deref(), Some("2026-12-01"), "{version}");
        }
        drop(a);
        let key = RecoveryKey::parse(recovery.trim()).unwrap();
        assert!(
            Archive::open(&dir, Unlock::Recovery(&key)).is_ok(),
            "{version}"
        );
    }
}
