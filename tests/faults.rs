//! Faults from outside: a disk that fills up during an import, and a second process using the
//! archive while one writes.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A small tmpfs at `dir`, unmounted on drop; None (after saying why) where mounting is not
/// allowed, unless HOLDFAST_REQUIRE_TMPFS=1 (scripts/test.sh sets it when run as root).
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir.to_path_buf())),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                    Err(e) => e.to_string(),
                };
                assert!(
                    std::env::var("HOLDFAST_REQUIRE_TMPFS").as_deref() != Ok("1"),
                    "HOLDFAST_REQUIRE_TMPFS=1 but a tmpfs cannot be mounted: {why}"
                );
                eprintln!("skipped: cannot mount a tmpfs here ({})", why.trim());
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_disk_that_fills_up_during_an_import_gives_a_clear_error_and_an_intact_archive() {
    let outer = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&outer.path().join("disk"), "12m") else {
        return;
    };
    let env = Env {
        tmp: tempfile::tempdir().unwrap(),
        archive: disk.0.join("archive"),
    };
    env.json(&["init"]);
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let before = env.stats();
    let snapshot = env.snapshot();

    // An export bigger than the space left: its encrypted copy and its rows cannot both fit.
    let big = env.path("WhatsApp Chat with Big.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    holdfast::synth::whatsapp_android(&mut f, 120_000, 3, Some("DISKFULLMARKER")).unwrap();
    drop(f);
    let out = env.run(&["import", big.to_str().unwrap(), "--tz", "UTC"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("No space left on device") || e.contains("disk is full"),
        "the error says the disk is full: {e}"
    );
    assert!(!e.contains("panicked"), "{e}");

    // Nothing of the failed import is kept; everything before it is.
    assert_eq!(env.stats(), before);
    assert_eq!(env.snapshot(), snapshot, "the archive's files changed");
    let v = env.run(&["verify"]);
    assert!(v.status.success(), "{}", stderr(&v));
    assert_eq!(env.json(&["audit", "verify"])["ok"], true);
    assert_no_plaintext(&env.archive, &["DISKFULLMARKER".to_string()]);
    drop(env);
}

#[test]
fn a_second_process_gets_archive_in_use_for_writes_and_a_consistent_view_for_reads() {
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let base = env.stats()["messages"].as_u64().unwrap();
    let big = env.path("WhatsApp Chat with Busy.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    holdfast::synth::whatsapp_android(&mut f, 150_000, 5, None).unwrap();
    drop(f);
    let mut writer = env
        .cmd()
        .args(["import", big.to_str().unwrap(), "--tz", "UTC", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Wait until the writer holds the archive (a write from here is refused), then check what
    // a second process sees while it works.
    let t0 = Instant::now();
    let conv = env.json(&["conversations"])["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut refused = None;
    while t0.elapsed() < Duration::from_secs(120) && writer.try_wait().unwrap().is_none() {
        let out = env.run(&["tag", "add", "business", "--conversation", &conv]);
        if !out.status.success() {
            refused = Some(out);
            break;
        }
        env.json(&["tag", "remove", "business", "--conversation", &conv]);
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = refused.expect("a write while the import runs is refused");
    assert_eq!(refused.status.code(), Some(1));
    let e = stderr(&refused);
    assert!(e.contains("in use by another Holdfast process"), "{e}");
    // Reads go on, and see the archive as it was committed: all or none of the import.
    let during = env.stats()["messages"].as_u64().unwrap();
    assert!(env.json(&["search", "membrane"])["total"].as_u64().unwrap() > 0);

    let out = writer.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let added = report["sources"][0]["messages_added"].as_u64().unwrap();
    assert_eq!(env.stats()["messages"].as_u64().unwrap(), base + added);
    assert!(
        during == base || during == base + added,
        "a reader saw part of an import: {during} (before {base}, after {})",
        base + added
    );
    // The refused write changed nothing, and the archive checks out whole.
    assert!(env.run(&["verify"]).status.success());
    assert_eq!(env.json(&["audit", "verify"])["ok"], true);
}
