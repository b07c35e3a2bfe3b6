//! Backup and restore through the CLI: a backup taken while another process has the archive
//! open restores onto a new machine with only the passphrase or the recovery key; a damaged,
//! incomplete or padded backup is refused naming the file, and the archive in place is left
//! exactly as it was.

mod common;

use std::path::Path;

use common::*;

const MARKER: &str = "BACKUPMARKER roof membrane quote";

/// An archive with a WhatsApp chat (with a message to look for), a tag and a hold.
fn archive_with_records() -> (Env, String) {
    let (env, recovery) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let extra = env.path("WhatsApp Chat with Marker.txt");
    std::fs::write(
        &extra,
        format!("12/03/2024, 14:02 - Priya Shah: {MARKER}\n12/03/2024, 14:05 - Tom: ok\n"),
    )
    .unwrap();
    env.import(&extra, &[]);
    let c = env.json(&["conversations"]);
    let id = c["conversations"][0]["id"].as_str().unwrap().to_string();
    env.json(&["tag", "add", "business", "--conversation", &id]);
    env.json(&[
        "hold",
        "add",
        "Smith v Northgate",
        "--match",
        "roof",
        "--reason",
        "claim",
    ]);
    (env, recovery)
}

fn search_total(env: &Env, q: &str) -> u64 {
    env.json(&["search", q])["total"].as_u64().unwrap()
}

#[test]
fn a_backup_taken_while_the_archive_is_open_restores_on_a_new_machine() {
    let (env, recovery) = archive_with_records();
    let before = env.stats();
    let texts = all_message_texts(&env);

    // Another process (the desktop app) has the archive open while the backup runs.
    let reader = holdfast::archive::Archive::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let dest = env.path("usb/holdfast-backup");
    let b = env.json(&["backup", dest.to_str().unwrap()]);
    drop(reader);
    assert_eq!(b["root_hash"].as_str().unwrap().len(), 64);
    assert!(dest.join("holdfast-backup.json").is_file());
    // Still encrypted: no message text, no sender, in any file of the backup.
    assert_no_plaintext(&dest, &texts);
    let head = std::fs::read(dest.join("archive.db")).unwrap();
    assert!(
        !head.starts_with(b"SQLite format 3"),
        "the copy's header is plaintext"
    );

    // A new machine: nothing but the backup and the passphrase.
    let machine = Env::new();
    let restored = machine.json(&["restore", dest.to_str().unwrap()]);
    assert_eq!(restored["previous_moved_to"], serde_json::Value::Null);
    assert_eq!(machine.stats(), before);
    assert_eq!(search_total(&machine, &format!("\"{MARKER}\"")), 1);
    assert_eq!(
        search_total(&machine, "tag:business"),
        search_total(&env, "tag:business")
    );
    assert!(machine.json(&["verify"])["ok"].as_bool().unwrap());
    let audit = machine.json(&["audit", "verify"]);
    assert_eq!(audit["ok"], true, "{audit}");
    let log = machine.json(&["audit", "log"]);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"backup") && actions.contains(&"restore"),
        "{actions:?}"
    );
    // The hold came along and still protects what it covers.
    let holds = machine.json(&["hold", "list"]);
    assert!(holds.to_string().contains("Smith v Northgate"), "{holds}");
    assert_no_plaintext(&machine.archive, &texts);

    // The recovery key alone opens it too, on another machine.
    let other = Env::new();
    let out = other
        .cmd()
        .args(["restore", dest.to_str().unwrap(), "--json"])
        .env_remove("HOLDFAST_PASSPHRASE")
        .env("HOLDFAST_RECOVERY_KEY", &recovery)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(other.stats(), before);
}

/// Restores `backup` over `env`'s archive expecting failure; returns stderr after checking
/// that the archive in place is byte for byte as before.
fn refused(env: &Env, backup: &Path) -> String {
    let before = env.snapshot();
    let out = env.run(&["restore", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(env.snapshot(), before, "the archive in place changed");
    let parent = env.archive.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.contains("before-restore"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    stderr(&out)
}

fn copy_tree(from: &Path, to: &Path) {
    for f in files_under(from) {
        let rel = f.strip_prefix(from).unwrap();
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&f, to.join(rel)).unwrap();
    }
}

#[test]
fn damaged_missing_or_extra_files_are_refused_and_the_archive_stays_as_it_was() {
    let (env, _) = archive_with_records();
    let good = env.path("good-backup");
    env.json(&["backup", good.to_str().unwrap()]);
    // The archive moves on after the backup: a restore that fails must not touch it.
    env.json(&["tag", "add", "contract", "--match", "roof"]);

    // One flipped byte in a stored file.
    let flipped = env.path("flipped");
    copy_tree(&good, &flipped);
    let blob = files_under(&flipped.join("blobs"))
        .into_iter()
        .next()
        .expect("the backup holds blobs");
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let e = refused(&env, &flipped);
    assert!(
        e.contains(blob.to_str().unwrap()) && e.contains("damaged"),
        "{e}"
    );

    // A file gone.
    let missing = env.path("missing");
    copy_tree(&good, &missing);
    std::fs::remove_file(missing.join("holdfast.key")).unwrap();
    let e = refused(&env, &missing);
    assert!(e.contains("holdfast.key") && e.contains("missing"), "{e}");

    // A file added after the backup was taken.
    let padded = env.path("padded");
    copy_tree(&good, &padded);
    std::fs::write(padded.join("blobs/extra"), b"x").unwrap();
    let e = refused(&env, &padded);
    assert!(
        e.contains("extra") && e.contains("not in the backup"),
        "{e}"
    );

    // Not a backup (an unfinished one has no manifest).
    let unfinished = env.path("unfinished");
    copy_tree(&good, &unfinished);
    std::fs::remove_file(unfinished.join("holdfast-backup.json")).unwrap();
    let e = refused(&env, &unfinished);
    assert!(e.contains("holdfast-backup.json"), "{e}");

    // The wrong passphrase: checked, copied aside, but it does not open; nothing replaced.
    let out = env
        .cmd()
        .args(["restore", good.to_str().unwrap()])
        .env("HOLDFAST_PASSPHRASE", "not the passphrase")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).to_lowercase().contains("passphrase"),
        "{}",
        stderr(&out)
    );

    // Not while another process has the archive open (an idle desktop app included): its
    // open files would go on pointing at the archive moved aside.
    let app = holdfast::archive::Archive::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let e = refused(&env, &good);
    assert!(e.contains("in use by another Holdfast process"), "{e}");
    drop(app);

    // The good backup replaces the archive; the one that was there is kept aside.
    let tagged_after = search_total(&env, "tag:contract");
    assert!(tagged_after > 0);
    let r = env.json(&["restore", good.to_str().unwrap()]);
    let aside = r["previous_moved_to"]
        .as_str()
        .expect("moved aside")
        .to_string();
    assert_eq!(search_total(&env, "tag:contract"), 0, "the backup's state");
    let kept = holdfast::archive::Archive::open(
        Path::new(&aside),
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    );
    assert!(kept.is_ok(), "the previous archive still opens at {aside}");
}

#[test]
fn a_backup_goes_only_into_a_new_folder_and_waits_for_a_writer() {
    let (env, _) = archive_with_records();
    let busy = env.path("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), b"mine").unwrap();
    let out = env.run(&["backup", busy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert_eq!(std::fs::read(busy.join("notes.txt")).unwrap(), b"mine");

    // Another process is writing: the backup waits for it, then copies.
    let a = holdfast::archive::Archive::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let lock = a.write_lock().unwrap();
    let dest = env.path("waited");
    let child = env
        .cmd()
        .args(["backup", dest.to_str().unwrap(), "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        !dest.join("holdfast-backup.json").exists(),
        "the backup did not wait for the writer"
    );
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dest.join("holdfast-backup.json").is_file());
}
