//! Records management end to end through the `holdfast` binary: holds that refuse, disposal
//! that destroys for real (database pages, index files, blobs) and proves it, a locked policy
//! that can't be weakened, and an audit log that catches every kind of tampering.

mod common;

use std::io::Write;
use std::path::Path;

use common::sqlcipher_pages::database_contains;
use common::*;
use holdfast::archive::{Archive, Unlock};
use serde_json::Value;

/// An Android-style WhatsApp export: one line per (day, time, sender, text).
fn whatsapp(lines: &[(&str, &str, &str, &str)]) -> String {
    lines
        .iter()
        .map(|(d, t, who, text)| format!("{d}, {t} - {who}: {text}\n"))
        .collect()
}

fn write_zip(dest: &Path, files: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

fn conversation_id(env: &Env, title: &str) -> String {
    let convs = env.json(&["conversations"]);
    convs["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("no conversation {title}: {convs}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn message_ids(env: &Env, conversation: &str) -> Vec<i64> {
    env.json(&["show", conversation, "--limit", "5000"])["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn audit_entries(env: &Env, prefix: &str) -> Vec<Value> {
    env.json(&["audit", "log", "--action", prefix])["entries"]
        .as_array()
        .unwrap()
        .clone()
}

fn open(env: &Env) -> Archive {
    Archive::open(&env.archive, Unlock::Passphrase(PASSPHRASE)).unwrap()
}

/// Every word the index holds, read through tantivy from the decrypted files, after checking
/// that the index folder holds no file of a segment the index no longer uses.
fn index_words(archive: &Archive) -> Vec<String> {
    let index = holdfast::index::SearchIndex::open(archive.dir(), archive.data_key()).unwrap();
    let searcher = index.reader().searcher();
    let live: Vec<String> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.segment_id().uuid_string())
        .collect();
    for f in files_under(&archive.dir().join("index")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((stem, _)) = name.split_once('.') {
            if stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
                assert!(
                    live.contains(&stem.to_string()),
                    "{name}: a dead segment's file is left"
                );
            }
        }
    }
    let mut words = Vec::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(index.fields().text).unwrap();
        let mut stream = inverted.terms().stream().unwrap();
        while stream.advance() {
            words.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    assert!(!words.is_empty(), "the index holds no word");
    words
}

/// Every stored blob, decrypted, concatenated.
fn decrypted_blobs(archive: &Archive) -> Vec<u8> {
    let mut out = Vec::new();
    for id in archive.blobs().list().unwrap() {
        out.extend(archive.blobs().read_all(&id).unwrap());
    }
    out
}

const GONE: &str = "Zebraquartz";
const KEPT: &str = "Marmalade";

/// A personal chat (with an attachment) and a business one, triaged.
fn two_chats(env: &Env) -> (String, String) {
    let personal = whatsapp(&[
        (
            "01/03/2024",
            "09:00",
            "Sam",
            "Zebraquartz party on Saturday?",
        ),
        (
            "01/03/2024",
            "09:05",
            "Ana",
            "Yes! Bring the Zebraquartz playlist",
        ),
        ("01/03/2024", "09:06", "Ana", "notes.txt (file attached)"),
    ]);
    let personal_zip = env.path("WhatsApp Chat with Sam.zip");
    write_zip(
        &personal_zip,
        &[
            ("WhatsApp Chat with Sam.txt", personal.as_bytes()),
            ("notes.txt", b"Zebraquartz shopping list: crisps"),
        ],
    );
    let business = env.path("WhatsApp Chat with Depot board.txt");
    std::fs::write(
        &business,
        whatsapp(&[
            (
                "02/03/2024",
                "10:00",
                "Priya",
                "Marmalade contract signed today",
            ),
            ("05/03/2024", "10:02", "Tom", "Filed the Marmalade contract"),
        ]),
    )
    .unwrap();
    env.import(&personal_zip, &[]);
    env.import(&business, &[]);
    let p = conversation_id(env, "Sam");
    let b = conversation_id(env, "Depot board");
    env.json(&["tag", "add", "personal", "--conversation", &p]);
    env.json(&["tag", "add", "business", "--conversation", &b]);
    (p, b)
}

#[test]
fn a_held_message_is_never_disposed_deleted_or_untagged_and_each_refusal_is_audited() {
    let (env, _) = Env::init();
    let (_, business) = two_chats(&env);
    let ids = message_ids(&env, &business);
    env.json(&["policy", "remove", "Business (default)"]);
    env.json(&[
        "policy",
        "add",
        "Board 1y",
        "--match",
        "tag:business",
        "--retain",
        "1y",
        "--then",
        "delete",
    ]);
    let hold = env.json(&[
        "hold",
        "add",
        "FOI-2026-014",
        "--conversation",
        &business,
        "--reason",
        "FOI request",
    ]);
    assert_eq!(hold["messages"], 2);

    // Due by retention (sent in 2024, kept a year), but held: shown apart, not disposed of.
    let plan = env.json(&["dispose", "--dry-run"]);
    let held = plan["held"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{plan}");
    assert_eq!(held[0]["holds"][0], "FOI-2026-014");
    assert_eq!(held[0]["messages"], 2);
    assert!(plan["review"].as_array().unwrap().iter().all(|g| g["ids"]
        .as_array()
        .unwrap()
        .iter()
        .all(|id| !ids.contains(&id.as_i64().unwrap()))));
    let out = env.run(&[
        "dispose",
        "--apply",
        "--approver",
        "Dana",
        "--as-of",
        "2040-01-01",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a disposal is never applied as of a future date"
    );
    assert!(stderr(&out).contains("future"), "{}", stderr(&out));
    let r = env.json(&[
        "dispose",
        "--apply",
        "--approver",
        "Dana",
        "--approve-reviews",
    ]);
    let cert = &r["certificate"];
    assert!(
        cert["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !ids.contains(&i["message"].as_str().unwrap().parse::<i64>().unwrap())),
        "a held message was disposed of: {cert}"
    );
    assert_eq!(
        message_ids(&env, &business),
        ids,
        "held messages are intact"
    );

    // Each refused attempt names the hold, exits 1 and is on the record.
    let id = ids[0].to_string();
    for args in [
        vec!["delete", id.as_str()],
        vec![
            "tag",
            "remove",
            "business",
            "--conversation",
            business.as_str(),
        ],
        vec!["tag", "add", "personal", "--message", id.as_str()],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("FOI-2026-014") && err.contains("held"),
            "{args:?}: {err}"
        );
    }
    let refused: Vec<Value> = env.json(&["audit", "log"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["detail"]["refused"].is_string())
        .cloned()
        .collect();
    let actions: Vec<&str> = refused
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "tag.remove", "tag.add"], "{refused:?}");

    // A hold that selects by a tag keeps its tag: it can't be deleted, renamed or taken off.
    env.json(&["tag", "add", "projectx", "--message", &id]);
    env.json(&["hold", "add", "LIT-9", "--match", "tag:projectx"]);
    for args in [
        vec!["tag", "delete", "projectx"],
        vec!["tag", "rename", "projectx", "other"],
        vec!["tag", "remove", "projectx", "--message", id.as_str()],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("LIT-9"), "{args:?}: {}", stderr(&out));
    }
    // Nor can a tag be merged into a triage class (it would move messages out of business).
    let out = env.run(&["tag", "rename", "projectx", "personal"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("triage class"), "{}", stderr(&out));
    env.json(&["hold", "release", "LIT-9"]);
    assert_eq!(message_ids(&env, &business), ids);

    // Released, explicitly and on the record: the next due run disposes of them.
    env.json(&["hold", "release", "FOI-2026-014"]);
    assert!(audit_entries(&env, "hold.release")
        .iter()
        .any(|e| e["detail"]["hold"] == "FOI-2026-014"));
    let r = env.json(&[
        "dispose",
        "--apply",
        "--approver",
        "Dana",
        "--approve-reviews",
    ]);
    let disposed: Vec<i64> = r["certificate"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message"].as_str().unwrap().parse().unwrap())
        .collect();
    for id in &ids {
        assert!(
            disposed.contains(id),
            "message {id} not disposed after release"
        );
    }
    assert_eq!(env.stats()["messages"], 0);
}

#[test]
fn disposal_destroys_the_content_everywhere_and_its_certificate_proves_what_went() {
    let (env, _) = Env::init();
    let (personal, business) = two_chats(&env);
    let gone_ids = message_ids(&env, &personal);
    let kept_ids = message_ids(&env, &business);
    let key = *open(&env).data_key().as_bytes();

    // Control: before disposal the marker is in the decrypted database, index and blobs.
    let expected: Vec<(String, String)> = {
        let a = open(&env);
        let mut v: Vec<(String, String)> = gone_ids
            .iter()
            .map(|id| {
                let h = holdfast::records::disposal::message_hash(a.conn(), *id).unwrap();
                (id.to_string(), h)
            })
            .collect();
        v.sort();
        assert!(database_contains(&env.archive, &key, GONE.as_bytes()));
        assert!(index_words(&a).iter().any(|w| w == "zebraquartz"));
        assert!(contains(&decrypted_blobs(&a), GONE.as_bytes()));
        v
    };
    assert_no_plaintext(
        &env.archive,
        &[format!("{GONE} party"), format!("{KEPT} contract")],
    );

    let plan = env.json(&["dispose", "--dry-run", "--as-of", "2025-01-01"]);
    assert_eq!(plan["due"][0]["policy"], "Personal (default)", "{plan}");
    assert_eq!(plan["due"][0]["messages"], gone_ids.len());
    let r = env.json(&[
        "dispose",
        "--apply",
        "--approver",
        "Dana Reyes",
        "--as-of",
        "2025-01-01",
    ]);
    let cert_id = r["certificate"]["id"].as_str().unwrap().to_string();
    assert_eq!(r["certificate"]["messages"], gone_ids.len());
    assert_eq!(r["certificate"]["attachments"], 1);
    assert_eq!(
        r["certificate"]["originals"], 1,
        "the personal export's original goes too"
    );

    // The certificate: listed, exportable, with each disposed message's hash and no content.
    let listed = env.json(&["certificates"]);
    assert_eq!(listed["certificates"][0]["id"], cert_id.as_str());
    let export = env.path("cert.json");
    env.json(&[
        "certificates",
        &cert_id,
        "--export",
        export.to_str().unwrap(),
    ]);
    let cert: Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    let mut got: Vec<(String, String)> = cert["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["message"].as_str().unwrap().to_string(),
                i["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got, expected,
        "certificate hashes match the messages disposed"
    );
    assert_eq!(cert["approver"], "Dana Reyes");
    assert!(!std::fs::read_to_string(&export).unwrap().contains(GONE));
    assert_eq!(audit_entries(&env, "certificate.export").len(), 1);

    // Gone: database pages (free pages included) and WAL, index files, blobs.
    let a = open(&env);
    assert!(!database_contains(&env.archive, &key, GONE.as_bytes()));
    assert!(!index_words(&a).iter().any(|w| w.contains("zebraquartz")));
    assert!(!contains(&decrypted_blobs(&a), GONE.as_bytes()));
    // The retained business records are intact, everywhere.
    assert!(database_contains(&env.archive, &key, KEPT.as_bytes()));
    assert!(index_words(&a).iter().any(|w| w == "marmalade"));
    assert!(contains(&decrypted_blobs(&a), KEPT.as_bytes()));
    drop(a);
    assert_eq!(message_ids(&env, &business), kept_ids);
    assert_eq!(env.json(&["verify"])["ok"], true);
    assert_eq!(env.json(&["search", KEPT])["total"], 2);
    assert_eq!(env.json(&["search", GONE])["total"], 0);
    let explain = env.run(&["retention", "explain", &gone_ids[0].to_string()]);
    assert!(stderr(&explain).contains(&format!("certificate {cert_id}")));

    // A later export with the same messages does not bring them back.
    let again = env.path("WhatsApp Chat with Sam.txt");
    std::fs::write(
        &again,
        whatsapp(&[
            (
                "01/03/2024",
                "09:00",
                "Sam",
                "Zebraquartz party on Saturday?",
            ),
            (
                "01/03/2024",
                "09:05",
                "Ana",
                "Yes! Bring the Zebraquartz playlist",
            ),
            ("02/03/2024", "08:00", "Sam", "See you there"),
        ]),
    )
    .unwrap();
    let r = env.import(&again, &[]);
    assert_eq!(r["sources"][0]["messages_added"], 1, "{r}");
}

#[test]
fn a_locked_policy_cannot_be_weakened_and_every_attempt_is_audited() {
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    env.json(&[
        "policy",
        "add",
        "Board minutes",
        "--match",
        "tag:board",
        "--retain",
        "6y",
        "--then",
        "review",
        "--lock",
    ]);
    for (args, why) in [
        (vec!["policy", "remove", "Board minutes"], "removed"),
        (
            vec!["policy", "set", "Board minutes", "--retain", "5y"],
            "shortened",
        ),
        (
            vec!["policy", "set", "Board minutes", "--retain", "2190d"],
            "shortened",
        ),
        (
            vec!["policy", "set", "Board minutes", "--then", "delete"],
            "weakened",
        ),
        (
            vec!["policy", "set", "Board minutes", "--disable"],
            "disabled",
        ),
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("locked") && err.contains(why),
            "{args:?}: {err}"
        );
    }
    let policies = env.json(&["policy", "list"]);
    let p = policies["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Board minutes")
        .unwrap()
        .clone();
    assert_eq!(
        (
            p["retain"].as_str(),
            p["then"].as_str(),
            p["enabled"].as_bool()
        ),
        (Some("6y"), Some("review"), Some(true))
    );
    let refused = env.json(&["audit", "log", "--action", "policy"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["detail"]["refused"].is_string())
        .count();
    assert_eq!(refused, 5);
    // Strengthening is allowed.
    let p = env.json(&[
        "policy",
        "set",
        "Board minutes",
        "--retain",
        "10y",
        "--then",
        "keep",
    ]);
    assert_eq!(
        (p["retain"].as_str(), p["then"].as_str()),
        (Some("10y"), Some("keep"))
    );
}

#[test]
fn retention_explains_itself_and_tags_follow_triage_into_search() {
    let (env, _) = Env::init();
    let (personal, business) = two_chats(&env);
    env.json(&[
        "policy",
        "add",
        "Board 6y",
        "--match",
        "tag:business",
        "--retain",
        "6y",
        "--then",
        "delete",
    ]);
    env.json(&[
        "policy",
        "add",
        "Chat 1y",
        "--match",
        "app:whatsapp",
        "--retain",
        "1y",
        "--then",
        "delete",
    ]);
    env.json(&["hold", "add", "LIT-7", "--match", KEPT]);
    let id = message_ids(&env, &business)[0].to_string();
    let e = env.json(&["retention", "explain", &id]);
    // Two labels of 6 years (review beats delete), one broad policy of a year.
    assert_eq!(e["kept_until"], "2030-03-02", "{e}");
    assert_eq!(e["then"], "review");
    assert_eq!(e["held_by"][0], "LIT-7");
    let summary = e["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("kept until 2030-03-02 by '"),
        "{summary}"
    );
    assert!(summary.ends_with("; held by LIT-7"), "{summary}");
    assert_eq!(e["policies"].as_array().unwrap().len(), 3);
    let original = e["original"].as_str().unwrap();
    assert!(
        original.contains("WhatsApp Chat with Depot board.txt") && original.contains("(2 now"),
        "{original}"
    );
    // Counted from the conversation's last activity: the first message's period ends with the
    // last one's.
    env.json(&[
        "policy",
        "add",
        "Depot chatter",
        "--match",
        "in:\"Depot board\"",
        "--retain",
        "20y",
        "--from",
        "last-activity",
        "--then",
        "review",
    ]);
    let e = env.json(&["retention", "explain", &id]);
    let p = e["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == "Depot chatter")
        .unwrap()
        .clone();
    assert_eq!(p["ends"], "2044-03-05", "{e}");
    assert_eq!(e["kept_until"], "2044-03-05");
    assert_eq!(e["retained_by"], "Depot chatter");

    // A message's own class replaces its conversation's, in search and facets too.
    let one = message_ids(&env, &personal)[0].to_string();
    assert_eq!(env.json(&["search", "tag:personal"])["total"], 3);
    env.json(&["tag", "add", "business", "--message", &one]);
    assert_eq!(env.json(&["search", "tag:personal"])["total"], 2);
    let s = env.json(&["search", "tag:business"]);
    assert_eq!(s["total"], 3);
    assert_eq!(s["facets"]["tag"]["business"], 3, "{}", s["facets"]);
    // Tags by search, renamed, merged, deleted.
    env.json(&["tag", "add", "procurment", "--match", "contract"]);
    env.json(&["tag", "rename", "procurment", "procurement"]);
    assert_eq!(env.json(&["search", "tag:procurement"])["total"], 2);
    env.json(&["tag", "add", "tender", "--message", &one]);
    env.json(&["tag", "rename", "tender", "procurement"]);
    assert_eq!(env.json(&["search", "tag:procurement"])["total"], 3);
    env.json(&["tag", "delete", "procurement"]);
    assert_eq!(env.json(&["search", "tag:procurement"])["total"], 0);
    let tags = env.json(&["tag", "list"]);
    let names: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(&names[..3], ["business", "personal", "transitory"]);
    assert_eq!(env.json(&["verify"])["ok"], true);
}

fn copy_dir(from: &Path, to: &Path) {
    for f in files_under(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, &dest).unwrap();
    }
}

#[test]
fn audit_verify_passes_on_a_real_history_and_names_each_kind_of_tampering() {
    let (env, _) = Env::init();
    let (_, business) = two_chats(&env);
    env.json(&["search", "contract"]);
    env.json(&["hold", "add", "H1", "--conversation", &business]);
    env.json(&[
        "policy",
        "add",
        "P",
        "--match",
        "app:whatsapp",
        "--retain",
        "30d",
        "--then",
        "delete",
    ]);
    assert_eq!(
        env.run(&["delete", &message_ids(&env, &business)[0].to_string()])
            .status
            .code(),
        Some(1)
    );
    env.json(&["hold", "release", "H1"]);
    env.json(&["dispose", "--apply", "--approver", "Dana"]);
    let v = env.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
    let n = v["entries"].as_u64().unwrap();
    assert!(n >= 11, "{v}");
    let actions: Vec<String> = env.json(&["audit", "log"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    for a in [
        "init",
        "import",
        "tag.add",
        "search",
        "hold.add",
        "policy.add",
        "delete",
        "hold.release",
        "dispose",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }

    let tamper = |name: &str, sql: &str, first_bad: u64| {
        let copy = Env::new();
        copy_dir(&env.archive, &copy.archive);
        let a = Archive::open(&copy.archive, Unlock::Passphrase(PASSPHRASE)).unwrap();
        a.conn()
            .execute_batch(&format!(
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
            ))
            .unwrap();
        drop(a);
        let out = copy.run(&["audit", "verify", "--json"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["ok"], false, "{name}");
        assert_eq!(v["first_bad"], first_bad, "{name}: {v}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") && err.contains("audit log"),
            "{name}: {err}"
        );
    };
    tamper(
        "edit",
        "UPDATE audit_log SET detail = replace(detail, 'contract', 'nothing') WHERE action = 'search'",
        actions.iter().position(|a| a == "search").unwrap() as u64 + 1,
    );
    tamper("delete", "DELETE FROM audit_log WHERE seq = 4", 4);
    tamper(
        "insert",
        "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3;
         UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1003;
         INSERT INTO audit_log (seq, at, actor, action, detail, prev, hash)
           SELECT 3, at, 'mallory', 'tag.add', '{}', hash, hash FROM audit_log WHERE seq = 2;",
        3,
    );
    tamper(
        "reorder",
        "UPDATE audit_log SET seq = -1 WHERE seq = 5;
         UPDATE audit_log SET seq = 5 WHERE seq = 6;
         UPDATE audit_log SET seq = 6 WHERE seq = -1;",
        5,
    );
    tamper(
        "truncate",
        &format!("DELETE FROM audit_log WHERE seq = {n}"),
        n,
    );
}

#[test]
fn a_disposal_killed_after_its_commit_is_finished_by_the_next_process() {
    let (env, _) = Env::init();
    let (personal, _) = two_chats(&env);
    let gone = message_ids(&env, &personal).len() as u64;
    let before = env.stats()["messages"].as_u64().unwrap();
    let key = *open(&env).data_key().as_bytes();
    let out = env
        .cmd()
        .env("HOLDFAST_TEST_FAULT", "after-disposal-commit")
        .args(["dispose", "--apply", "--approver", "Dana"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "the process was killed");
    // The next process (any command) finishes the job: blobs, index, free pages.
    assert_eq!(env.stats()["messages"], before - gone);
    let a = open(&env);
    assert!(!database_contains(&env.archive, &key, GONE.as_bytes()));
    assert!(!index_words(&a).iter().any(|w| w.contains("zebraquartz")));
    assert!(!contains(&decrypted_blobs(&a), GONE.as_bytes()));
    drop(a);
    assert_eq!(env.json(&["verify"])["ok"], true);
    assert_eq!(
        env.json(&["certificates"])["certificates"][0]["messages"],
        gone
    );
}

#[test]
fn the_review_queue_keeps_one_policys_items_for_longer_and_approves_anothers() {
    let (env, _) = Env::init();
    let untriaged = env.path("WhatsApp Chat with Old Untriaged.txt");
    std::fs::write(
        &untriaged,
        whatsapp(&[
            ("01/03/2020", "09:00", "Ana", "boiler service notes"),
            ("01/03/2020", "09:05", "Ben", "noted, thanks"),
        ]),
    )
    .unwrap();
    let business = env.path("WhatsApp Chat with Old Business.txt");
    std::fs::write(
        &business,
        whatsapp(&[
            ("05/01/2019", "10:00", "Cy", "signed lease for unit 4"),
            ("05/01/2019", "10:02", "Di", "filed"),
            ("05/01/2019", "10:03", "Cy", "copy to finance"),
        ]),
    )
    .unwrap();
    env.import(&untriaged, &[]);
    env.import(&business, &[]);
    let b = conversation_id(&env, "Old Business");
    env.json(&["tag", "add", "business", "--conversation", &b]);

    let review = |as_of: Option<&str>| -> Vec<(String, u64)> {
        let mut args = vec!["dispose", "--dry-run"];
        if let Some(d) = as_of {
            args.extend(["--as-of", d]);
        }
        let plan = env.json(&args);
        plan["review"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["policy"].as_str().unwrap().to_string(),
                    g["messages"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        review(None),
        vec![
            ("Business (default)".to_string(), 3),
            ("Untriaged (default)".to_string(), 2)
        ]
    );

    // Keep the untriaged ones another year: they leave the queue, and come back after it.
    let kept = env.json(&["retention", "keep", "Untriaged (default)", "--for", "1y"]);
    assert_eq!(kept["messages"], 2);
    assert_eq!(review(None), vec![("Business (default)".to_string(), 3)]);
    let next_year = (chrono::Utc::now() + chrono::Duration::days(400))
        .format("%Y-%m-%d")
        .to_string();
    assert!(review(Some(&next_year)).contains(&("Untriaged (default)".to_string(), 2)));
    let decision = audit_entries(&env, "review.keep");
    assert_eq!(decision.len(), 1);
    assert_eq!(decision[0]["detail"]["policy"], "Untriaged (default)");

    // Approving one policy's review items disposes of those alone.
    let out = env.run(&[
        "dispose",
        "--apply",
        "--approver",
        "Dana Reyes",
        "--approve-review",
        "No such policy",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("No such policy"), "{}", stderr(&out));
    let done = env.json(&[
        "dispose",
        "--apply",
        "--approver",
        "Dana Reyes",
        "--approve-review",
        "Business (default)",
    ]);
    assert_eq!(done["certificate"]["messages"], 3, "{done}");
    assert_eq!(done["awaiting_review"], 0);
    assert_eq!(env.stats()["messages"], 2, "the kept review items remain");
    assert!(review(None).is_empty());

    // A decision needs something due and a real period.
    let out = env.run(&["retention", "keep", "Business (default)", "--for", "1y"]);
    assert_eq!(out.status.code(), Some(1));
    let out = env.run(&["retention", "keep", "Untriaged (default)", "--for", "soon"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("30d, 18m, 6y"), "{}", stderr(&out));
}
