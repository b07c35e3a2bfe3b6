//! The `holdfast` CLI end to end: what a user (or a script) sees, and what ends up on disk.

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use serde_json::Value;

const NORTHGATE: &str = "whatsapp/WhatsApp Chat with Northgate depot.txt";
const NORTHGATE_MESSAGES: u64 = 22;

fn zip_dir(src: &Path, dest: &Path) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    for f in files_under(src) {
        let name = f.strip_prefix(src).unwrap().display().to_string();
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&std::fs::read(&f).unwrap()).unwrap();
    }
    w.finish().unwrap();
}

fn messages_of(env: &Env, conversation: &str) -> Vec<Value> {
    env.json(&["show", conversation, "--limit", "5000"])["messages"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn import_keeps_every_message_and_nothing_is_readable_on_disk() {
    let (env, _) = Env::init();
    let file = fixture(NORTHGATE);
    let r = env.import(&file, &[]);
    let s = &r["sources"][0];
    assert_eq!(s["format"], "whatsapp");
    assert_eq!(s["messages_added"], NORTHGATE_MESSAGES);
    assert_eq!(s["messages_duplicate"], 0);
    assert_eq!(s["conversations"], 1);
    assert_eq!(
        s["sha256"],
        holdfast::crypto::sha256_hex(&std::fs::read(&file).unwrap())
    );
    let stats = env.stats();
    assert_eq!(stats["messages"], NORTHGATE_MESSAGES);
    assert_eq!(stats["by_app"]["whatsapp"], NORTHGATE_MESSAGES);
    assert_eq!(stats["sources"], 1);

    let convs = env.json(&["conversations"]);
    let c = &convs["conversations"][0];
    assert_eq!(c["title"], "Northgate depot");
    assert_eq!(c["kind"], "group");
    assert_eq!(c["first"], "2025-02-03T08:59:00Z");
    let people: Vec<&str> = c["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        people,
        [
            "+44 7700 900123",
            "Aoife Byrne",
            "Priya Shah",
            "Tom O'Neill"
        ]
    );

    let msgs = messages_of(&env, c["id"].as_str().unwrap());
    assert_eq!(msgs.len() as u64, NORTHGATE_MESSAGES);
    let kinds: Vec<&str> = msgs.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..3], ["system", "system", "system"]);
    assert!(msgs[7]["text"]
        .as_str()
        .unwrap()
        .contains("\n\n- strip and dispose: £3,450\n"));
    assert_eq!(
        msgs[7]["source"],
        "WhatsApp Chat with Northgate depot.txt:8"
    );
    assert_eq!(msgs[9]["attachments"][0]["status"], "missing");
    assert_eq!(msgs[11]["kind"], "deleted");
    assert_eq!(msgs[12]["edited"], true);
    assert_eq!(msgs[18]["text"], ".");
    assert_eq!(msgs[20]["kind"], "call");
    // 03/02/2025 09:00 in London is 09:00Z (winter).
    assert_eq!(msgs[1]["sent_at"], "2025-02-03T09:00:00Z");
    assert_eq!(msgs[1]["local_time"], "03/02/2025, 09:00");

    let mut texts = all_message_texts(&env);
    texts.push("PLOVERQUARTZ".into());
    texts.push("Northgate depot".into());
    assert_no_plaintext(&env.archive, &texts);
}

#[test]
fn the_database_does_not_open_without_the_key() {
    let (env, _) = Env::init();
    env.import(&fixture(NORTHGATE), &[]);
    let db = env.archive.join("archive.db");
    let head = std::fs::read(&db).unwrap();
    assert!(
        !head.starts_with(b"SQLite format 3"),
        "the header is plaintext"
    );
    holdfast::archive::sqlcipher::start();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let err = conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get::<_, i64>(0))
        .unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
    conn.pragma_update(None, "key", "correct horse battery staple")
        .unwrap();
    assert!(conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get::<_, i64>(0))
        .is_err());
}

#[test]
fn wrong_passphrase_is_exit_1_and_changes_nothing() {
    let (env, _) = Env::init();
    env.import(&fixture(NORTHGATE), &[]);
    let before = env.snapshot();
    for args in [
        vec!["stats"],
        vec!["import", fixture(NORTHGATE).to_str().unwrap()],
        vec!["passwd"],
    ] {
        let out = env
            .cmd()
            .args(&args)
            .env("HOLDFAST_PASSPHRASE", "not it")
            .env("HOLDFAST_NEW_PASSPHRASE", "whatever")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), "error: wrong passphrase\n", "{args:?}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn the_recovery_key_unlocks_and_sets_a_new_passphrase() {
    let (env, recovery) = Env::init();
    env.import(&fixture(NORTHGATE), &[]);
    let out = env
        .cmd()
        .args(["passwd", "--json"])
        .env("HOLDFAST_PASSPHRASE", "forgotten")
        .env("HOLDFAST_RECOVERY_KEY", recovery.to_lowercase())
        .env("HOLDFAST_NEW_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unlocked_with"], "recovery_key");
    // The old passphrase no longer opens it; the new one does, with the data intact.
    assert_eq!(env.run(&["stats"]).status.code(), Some(1));
    let out = env
        .cmd()
        .args(["stats", "--json"])
        .env("HOLDFAST_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["messages"], NORTHGATE_MESSAGES);
    // A wrong recovery key is refused.
    let out = env
        .cmd()
        .args(["passwd"])
        .env(
            "HOLDFAST_RECOVERY_KEY",
            "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA",
        )
        .env("HOLDFAST_NEW_PASSPHRASE", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "error: wrong recovery key\n");
}

#[test]
fn passwd_with_the_current_passphrase_keeps_the_recovery_key_working() {
    let (env, recovery) = Env::init();
    let out = env
        .cmd()
        .arg("passwd")
        .env("HOLDFAST_NEW_PASSPHRASE", "second passphrase")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.run(&["stats"]).status.code(), Some(1));
    let out = env
        .cmd()
        .arg("passwd")
        .env("HOLDFAST_PASSPHRASE", "nope")
        .env("HOLDFAST_RECOVERY_KEY", &recovery)
        .env("HOLDFAST_NEW_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.run(&["stats"]).status.success());
}

#[test]
fn passphrase_file_is_read_without_its_line_break() {
    let (env, _) = Env::init();
    let pf = env.path("pass.txt");
    std::fs::write(&pf, format!("{PASSPHRASE}\n")).unwrap();
    let out = env
        .cmd()
        .args(["--passphrase-file", pf.to_str().unwrap(), "stats"])
        .env_remove("HOLDFAST_PASSPHRASE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn without_any_passphrase_source_the_archive_is_locked() {
    let (env, _) = Env::init();
    let out = env
        .cmd()
        .arg("stats")
        .env_remove("HOLDFAST_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.starts_with("error: archive is locked: "), "{e}");
    assert!(e.contains("HOLDFAST_PASSPHRASE"), "{e}");
}

#[test]
fn missing_archive_and_usage_errors() {
    let env = Env::new();
    let out = env.run(&["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("holdfast init"), "{}", stderr(&out));
    let out = env.run(&["import"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let (env, _) = Env::init();
    let out = env.run(&["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"));
}

#[test]
fn reimport_adds_nothing_and_a_longer_export_adds_only_the_new_messages() {
    let (env, _) = Env::init();
    let full = std::fs::read_to_string(fixture(NORTHGATE)).unwrap();
    // The first half: every line up to the 11th message.
    let cut = full.match_indices("\n04/02/2025, 07:58").next().unwrap().0;
    let half = env.path("WhatsApp Chat with Northgate depot (1).txt");
    std::fs::write(&half, &full[..cut + 1]).unwrap();
    let r = env.import(&half, &[]);
    assert_eq!(r["sources"][0]["messages_added"], 10);
    let r = env.import(&half, &[]);
    assert_eq!(r["sources"][0]["already_imported"], true);
    assert_eq!(r["sources"][0]["messages_added"], 0);
    let r = env.import(&fixture(NORTHGATE), &[]);
    assert_eq!(r["sources"][0]["messages_added"], NORTHGATE_MESSAGES - 10);
    assert_eq!(r["sources"][0]["messages_duplicate"], 10);
    let stats = env.stats();
    assert_eq!(stats["messages"], NORTHGATE_MESSAGES);
    assert_eq!(stats["conversations"], 1, "both halves are one chat");
    assert_eq!(stats["sources"], 2);
    // The same chat text under another name (a copy) adds nothing either.
    let copy = env.path("copy.txt");
    std::fs::write(&copy, full.replace("\n", "\r\n")).unwrap();
    let r = env.import(&copy, &[]);
    assert_eq!(r["sources"][0]["messages_added"], 0);
    assert_eq!(r["sources"][0]["messages_duplicate"], NORTHGATE_MESSAGES);
    assert_eq!(env.stats()["messages"], NORTHGATE_MESSAGES);
}

#[test]
fn identical_messages_in_the_same_minute_are_both_kept_once() {
    let (env, _) = Env::init();
    let chat = "10/01/2024, 09:00 - A: ok\n10/01/2024, 09:00 - A: ok\n10/01/2024, 09:00 - B: ok\n10/01/2024, 09:01 - A: done\n";
    let f = env.path("dupes.txt");
    std::fs::write(&f, chat).unwrap();
    assert_eq!(env.import(&f, &[])["sources"][0]["messages_added"], 4);
    let longer = env.path("dupes2.txt");
    std::fs::write(&longer, format!("{chat}10/01/2024, 09:02 - B: ok\n")).unwrap();
    let r = env.import(&longer, &[]);
    assert_eq!(r["sources"][0]["messages_added"], 1);
    assert_eq!(env.stats()["messages"], 5);
}

fn expect_failure(env: &Env, path: &Path, must_contain: &str) {
    let before = env.snapshot();
    let out = env
        .cmd()
        .args(["import", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", path.display());
    let e = stderr(&out);
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(e.starts_with(&format!("error: {name}")), "{e}");
    assert!(e.contains(must_contain), "{e}");
    assert_eq!(env.snapshot(), before, "the archive changed after {e}");
}

#[test]
fn bad_inputs_are_clear_errors_and_leave_the_archive_as_it_was() {
    let (env, _) = Env::init();
    env.import(&fixture(NORTHGATE), &[]);
    let empty = env.path("empty.txt");
    std::fs::write(&empty, "").unwrap();
    expect_failure(&env, &empty, "file is empty");
    let binary = env.path("photo.jpg");
    std::fs::write(
        &binary,
        [0xFFu8, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', 0, 0, 1],
    )
    .unwrap();
    expect_failure(&env, &binary, "binary file");
    let notes = env.path("notes.txt");
    std::fs::write(&notes, "Shopping list\n- milk\n- bread\n").unwrap();
    expect_failure(&env, &notes, "notes.txt:1: no chat message found");
    let good_zip = env.path("good.zip");
    zip_dir(&fixture("whatsapp/ios"), &good_zip);
    let bytes = std::fs::read(&good_zip).unwrap();
    let truncated = env.path("WhatsApp Chat - Facilities board.zip");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    expect_failure(&env, &truncated, "zip");
    assert_eq!(env.stats()["messages"], NORTHGATE_MESSAGES);
}

#[test]
fn ios_zip_media_are_stored_encrypted_and_missing_ones_recorded() {
    let (env, _) = Env::init();
    let z = env.path("WhatsApp Chat - Facilities board.zip");
    zip_dir(&fixture("whatsapp/ios"), &z);
    let r = env.import(&z, &[]);
    let s = &r["sources"][0];
    assert_eq!(s["messages_added"], 9);
    assert_eq!(s["attachments_added"], 1);
    let conv = &env.json(&["conversations"])["conversations"][0];
    assert_eq!(conv["title"], "Facilities board");
    let msgs = messages_of(&env, conv["id"].as_str().unwrap());
    assert_eq!(msgs[0]["kind"], "system");
    assert_eq!(msgs[1]["kind"], "system");
    assert!(msgs[1]["sender"].is_null());
    let statuses: Vec<String> = msgs
        .iter()
        .flat_map(|m| m["attachments"].as_array().unwrap().iter())
        .map(|a| {
            format!(
                "{}:{}",
                a["name"].as_str().unwrap(),
                a["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "00000003-PHOTO-2024-11-14-18-03-52.jpg:stored",
            "00000005-Lease draft v2.pdf:missing",
            "image:omitted"
        ]
    );
    assert_eq!(msgs[5]["text"], "Draft lease");
    assert_eq!(
        msgs[8]["text"],
        "Lift contractor confirmed for 2 December\nthey need the keys by 08:00"
    );
    // Original zip and the photo: two blobs, neither readable.
    let blobs: Vec<_> = files_under(&env.archive.join("blobs"));
    assert_eq!(blobs.len(), 2, "{blobs:?}");
    let mut texts = all_message_texts(&env);
    texts.push("AGENDA-PHOTO-BYTES-ZQX".into());
    texts.push("00000003-PHOTO".into());
    assert_no_plaintext(&env.archive, &texts);
}

#[test]
fn a_later_export_with_media_fills_in_what_an_earlier_one_left_out() {
    let (env, _) = Env::init();
    let chat = "10/01/2024, 09:00 - A: <Media omitted>\n10/01/2024, 09:05 - B: nice\n";
    let without = env.path("without.txt");
    std::fs::write(&without, chat).unwrap();
    env.import(&without, &[]);
    let dir = env.path("with");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("WhatsApp Chat with A.txt"),
        "10/01/2024, 09:00 - A: IMG-20240110-WA0000.jpg (file attached)\n10/01/2024, 09:05 - B: nice\n",
    )
    .unwrap();
    std::fs::write(dir.join("IMG-20240110-WA0000.jpg"), b"\xFF\xD8 photo bytes").unwrap();
    let z = env.path("with.zip");
    zip_dir(&dir, &z);
    let r = env.import(&z, &[]);
    assert_eq!(r["sources"][0]["messages_added"], 0);
    assert_eq!(r["sources"][0]["attachments_added"], 1);
    let conv = &env.json(&["conversations"])["conversations"][0];
    let msgs = messages_of(&env, conv["id"].as_str().unwrap());
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(msgs[0]["attachments"][0]["status"], "stored");
    assert_eq!(msgs[0]["attachments"][0]["name"], "IMG-20240110-WA0000.jpg");
}

#[test]
fn ambiguous_date_order_is_a_warning_and_the_user_can_decide() {
    let (env, _) = Env::init();
    let f = env.path("short.txt");
    std::fs::write(
        &f,
        "06/03/2017, 00:45 - A: one\n08/05/2017, 01:48 - B: two\n",
    )
    .unwrap();
    let r = env.import(&f, &[]);
    let warnings = r["sources"][0]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["message"].as_str().unwrap().contains("ambiguous")
            && w["at"] == "short.txt"),
        "{warnings:?}"
    );
    let (env2, _) = Env::init();
    let r = env2.import(&f, &["--date-order", "dmy"]);
    assert!(!r["sources"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["message"].as_str().unwrap().contains("ambiguous")));
    let c = &env2.json(&["conversations"])["conversations"][0];
    assert_eq!(c["first"], "2017-03-06T00:45:00Z");
    let out = env2.run(&["import", f.to_str().unwrap(), "--date-order", "iso"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn show_pages_and_context() {
    let (env, _) = Env::init();
    env.import(&fixture(NORTHGATE), &[]);
    let id = env.json(&["conversations"])["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = env.json(&["show", &id, "--offset", "5", "--limit", "3"]);
    assert_eq!(page["total"], NORTHGATE_MESSAGES);
    assert_eq!(page["offset"], 5);
    let all = messages_of(&env, &id);
    assert_eq!(page["messages"].as_array().unwrap()[..], all[5..8]);
    let mid = all[10]["id"].as_str().unwrap();
    let ctx = env.json(&["show", &id, "--around", mid, "--context", "2"]);
    let ids: Vec<&str> = ctx["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = all[8..13]
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, want);
    let out = env.run(&["show", "999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no conversation"));
}

#[test]
fn human_output_is_readable() {
    let (env, _) = Env::init();
    let out = env
        .cmd()
        .args([
            "import",
            fixture(NORTHGATE).to_str().unwrap(),
            "--tz",
            "UTC",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("22 message(s) added"), "{text}");
    let out = env.run(&["stats"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("messages") && text.contains("22"), "{text}");
}

#[test]
fn tag_on_import_and_unknown_zone() {
    let (env, _) = Env::init();
    let out = env.run(&[
        "import",
        fixture(NORTHGATE).to_str().unwrap(),
        "--tz",
        "Mars/Base",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown time zone 'Mars/Base'"));
    env.import(&fixture(NORTHGATE), &["--tag", "depot"]);
    let a = holdfast::api::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let n: i64 = a
        .conn()
        .query_row(
            "SELECT count(*) FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = 'depot'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}
