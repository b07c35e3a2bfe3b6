//! A killed import leaves the archive exactly as it was: SIGKILL at points spread over the
//! import of a large generated export, then reopen and check; then a clean import gives the
//! exact count.

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use common::*;

const MESSAGES: u64 = 200_000;

/// Bytes a process has read so far (Linux).
fn read_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("rchar: ")
                    .and_then(|v| v.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

fn blob_files(env: &Env) -> BTreeSet<String> {
    files_under(&env.archive.join("blobs"))
        .into_iter()
        .map(|p| p.strip_prefix(&env.archive).unwrap().display().to_string())
        .collect()
}

#[test]
fn sigkill_during_import_leaves_the_archive_intact_and_a_new_import_is_exact() {
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let big = env.path("WhatsApp Chat with Big.txt");
    let mut f = std::fs::File::create(&big).unwrap();
    holdfast::synth::whatsapp_android(&mut f, MESSAGES, 42, Some("KILLTESTMARKER")).unwrap();
    drop(f);

    let base_stats = env.stats();
    let base_blobs = blob_files(&env);

    // Kill points are set by progress, not by time: the import reads the export three times
    // (the encrypted copy, the layout pass, the message pass), so the bytes the process has read
    // (/proc/PID/io rchar) say how far it got, whatever the machine's speed.
    let size = std::fs::metadata(&big).unwrap().len();
    let mut killed = 0;
    for fraction in [0.02, 0.2, 0.35, 0.5, 0.7, 0.9, 0.99] {
        let mut child = env
            .cmd()
            .args(["import", big.to_str().unwrap(), "--tz", "UTC"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let target = (3.0 * size as f64 * fraction) as u64;
        let t0 = Instant::now();
        while read_bytes(child.id()) < target {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the import ended before reading {fraction} of its input"
            );
            assert!(t0.elapsed().as_secs() < 300, "the import stalled");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        killed += 1;

        // The archive opens, holds exactly what it held, and no trace of the killed source.
        let stats = env.stats();
        assert_eq!(
            stats, base_stats,
            "after a kill at {fraction} of the import"
        );
        assert_eq!(
            blob_files(&env),
            base_blobs,
            "blobs after a kill at {fraction}"
        );
        assert!(
            !env.archive.join("blobs/staging").exists()
                || std::fs::read_dir(env.archive.join("blobs/staging"))
                    .unwrap()
                    .next()
                    .is_none(),
            "staging was not cleaned up"
        );
    }
    assert_eq!(killed, 7);

    let r = env.json(&["import", big.to_str().unwrap(), "--tz", "UTC"]);
    assert_eq!(r["sources"][0]["messages_added"], MESSAGES);
    let stats = env.stats();
    assert_eq!(
        stats["messages"].as_u64().unwrap(),
        base_stats["messages"].as_u64().unwrap() + MESSAGES
    );
    assert_eq!(stats["sources"], 2);
    assert_no_plaintext(&env.archive, &["KILLTESTMARKER".to_string()]);
}
