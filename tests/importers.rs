//! Telegram, Slack and e-mail end to end through the `holdfast` binary, on fixtures written
//! here: the traps of each format, and the promises every importer keeps (re-importing adds
//! nothing, a bad file changes nothing, a bad record is a warning naming where it is and the
//! rest imports, nothing readable on disk).

mod common;

use std::path::Path;

use common::*;
use serde_json::{json, Value};

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn warnings(report: &Value) -> Vec<String> {
    report["sources"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w["at"].as_str().unwrap(),
                w["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// Every message of every conversation, by conversation title.
fn messages(env: &Env) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for c in env.json(&["conversations"])["conversations"]
        .as_array()
        .unwrap()
    {
        let v = env.json(&["show", c["id"].as_str().unwrap(), "--limit", "5000"]);
        for m in v["messages"].as_array().unwrap() {
            out.push((c["title"].as_str().unwrap().to_string(), m.clone()));
        }
    }
    out
}

/// Imports, checks the promises every importer keeps, and returns the first report.
fn import_and_check_promises(env: &Env, path: &Path, format: &str) -> Value {
    let report = env.import(path, &[]);
    assert_eq!(report["sources"][0]["format"], format, "{report}");
    let texts = all_message_texts(env);
    assert_no_plaintext(&env.archive, &texts);
    let before = env.snapshot();
    let again = env.import(path, &[]);
    assert_eq!(again["sources"][0]["messages_added"], 0, "{again}");
    assert_eq!(
        all_message_texts(env),
        texts,
        "re-importing changes nothing"
    );
    let _ = before;
    report
}

/// A bad file: exit 1, an error naming the file (and where), the archive as it was.
fn assert_rejected(env: &Env, path: &Path, must_contain: &[&str]) {
    let before = env.snapshot();
    let out = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for s in must_contain {
        assert!(err.contains(s), "error should name {s:?}: {err}");
    }
    let after = env.snapshot();
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|k| after.get(*k) != before.get(*k))
        .collect();
    assert!(
        changed.is_empty(),
        "changed: {changed:?}; a failed import leaves the archive exactly as it was"
    );
    assert_eq!(
        after, before,
        "a failed import leaves the archive exactly as it was"
    );
}

// ---------------------------------------------------------------------------------------------
// Telegram

/// A whole-account export as Telegram Desktop writes it, with the invalid JSON real exports
/// carry: a `\x01` escape and an unquoted `document_id`.
fn telegram_account(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("DataExport_2024-03-05/result.json");
    let text = r#"{
 "about": "Here is the data you requested.",
 "personal_information": {"user_id": 111, "first_name": "Ada", "last_name": "Lovelace"},
 "chats": {
  "about": "This page lists all chats from this export.",
  "list": [
   {
    "name": "Falcon Tender",
    "type": "private_supergroup",
    "id": 1001,
    "messages": [
     {"id": 1, "type": "service", "date": "2024-03-01T09:00:00", "date_unixtime": "1709283600",
      "actor": "Ada Lovelace", "actor_id": "user111", "action": "create_group", "title": "Falcon Tender",
      "members": ["Ada Lovelace", "Bob Builder"], "text": "", "text_entities": []},
     {"id": 2, "type": "message", "date": "2024-03-01T09:01:00", "date_unixtime": "1709283660",
      "from": "Ada Lovelace", "from_id": "user111", "text": "Tender pack\x01 is due Friday", "text_entities": []},
     {"id": 3, "type": "message", "date": "2024-03-01T09:02:00", "date_unixtime": "1709283720",
      "from": "Bob Builder", "from_id": "user222", "reply_to_message_id": 2,
      "text": [{"type": "bold", "text": "Agreed"}, ", pricing sheet follows"],
      "text_entities": [{"type": "bold", "text": "Agreed"}, {"type": "plain", "text": ", pricing sheet follows"}]},
     {"id": 4, "type": "message", "from": "Bob Builder", "text": "this one lost its date"},
     {"id": 5, "type": "message", "date": "2024-03-01T09:04:00", "date_unixtime": "1709283840",
      "from": "Bob Builder", "from_id": "user222", "file": "(File not included. Change data exporting settings to download.)",
      "media_type": "sticker", "sticker_emoji": "👍", "document_id": stickers/sticker.webp,
      "text": "", "text_entities": []}
    ]
   },
   {
    "name": "Carol Jones",
    "type": "personal_chat",
    "id": 2002,
    "messages": [
     {"id": 10, "type": "message", "date": "2024-03-02T10:00:00", "date_unixtime": "1709373600",
      "from": "Carol Jones", "from_id": "user333", "text": "Can you send the signed contract?", "text_entities": []},
     {"id": 11, "type": "message", "date": "2024-03-02T10:05:00", "date_unixtime": "1709373900",
      "edited": "2024-03-02T10:06:00", "edited_unixtime": "1709373960",
      "from": "Ada Lovelace", "from_id": "user111", "text": "Sent it this morning", "text_entities": []}
    ]
   }
  ]
 },
 "left_chats": {
  "about": "This page lists all chats you left.",
  "list": [
   {"name": "Old Supplier Group", "type": "private_group", "id": 3003, "messages": [
     {"id": 20, "type": "message", "date": "2023-11-01T08:00:00", "date_unixtime": "1698825600",
      "from": "Dan Supplier", "from_id": "user444", "text": "Quote for steel beams attached", "text_entities": []}
   ]}
  ]
 }
}"#;
    write(&path, text);
    path
}

#[test]
fn telegram_account_export_with_broken_escapes_imports_with_a_warning_and_the_right_count() {
    let (env, _) = Env::init();
    let path = telegram_account(env.tmp.path());
    let report = import_and_check_promises(&env, &path, "telegram");
    // 8 messages in three chats (one left); the one without a date is a warning.
    assert_eq!(report["sources"][0]["messages_added"], 7, "{report}");
    assert_eq!(report["sources"][0]["conversations"], 3, "{report}");
    let w = warnings(&report);
    assert!(
        w.iter().any(|w| w.contains("result.json")
            && w.contains("repaired invalid JSON")
            && w.contains("1 \\x escape(s), 1 unquoted value(s)")),
        "{w:?}"
    );
    assert!(
        w.iter().any(
            |w| w.contains("result.json: $.chats.list[0].messages[3]") && w.contains("no date")
        ),
        "the bad record's warning names its JSON path: {w:?}"
    );
    let msgs = messages(&env);
    let falcon: Vec<&Value> = msgs
        .iter()
        .filter(|(t, _)| t == "Falcon Tender")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(falcon[0]["kind"], "system");
    assert_eq!(falcon[1]["text"], "Tender pack\u{1} is due Friday");
    assert_eq!(falcon[2]["text"], "Agreed, pricing sheet follows");
    assert_eq!(
        falcon[2]["reply_to"], falcon[1]["id"],
        "the reply links to its message"
    );
    assert_eq!(falcon[3]["attachments"][0]["status"], "omitted");
    let carol: Vec<&Value> = msgs
        .iter()
        .filter(|(t, _)| t == "Carol Jones")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(carol[1]["edited"], true);
    assert!(msgs
        .iter()
        .any(|(t, m)| t == "Old Supplier Group" && m["sender"] == "Dan Supplier"));
}

#[test]
fn telegram_truncated_file_is_rejected_with_its_line() {
    let (env, _) = Env::init();
    let good = telegram_account(env.tmp.path());
    let text = std::fs::read_to_string(&good).unwrap();
    let cut = env.path("cut/result.json");
    write(&cut, &text[..text.len() / 2]);
    assert_rejected(&env, &cut, &["result.json", "line"]);
}

/// The index is built alongside the import: a file that fails after some of its messages were
/// handed to the index leaves an existing index byte for byte as it was, and still right.
#[test]
fn a_file_failing_half_way_leaves_an_existing_index_as_it_was() {
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let searched = |q: &str| env.json(&["search", q])["total"].as_u64().unwrap();
    let depot = searched("depot");
    assert!(depot > 0);
    let good = telegram_account(env.tmp.path());
    let text = std::fs::read_to_string(&good).unwrap();
    let cut = env.path("cut/result.json");
    write(&cut, &text[..text.len() * 9 / 10]);
    assert_rejected(&env, &cut, &["result.json", "line"]);
    assert_eq!(searched("depot"), depot);
    let v = env.json(&["verify"]);
    assert_eq!(v["ok"], true, "{v}");
}

// ---------------------------------------------------------------------------------------------
// Slack

fn slack_export(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("Falcon Slack export Mar 1 2024 - Mar 2 2024");
    write(
        &root.join("users.json"),
        json!([
            {"id": "U01ADA", "name": "ada", "real_name": "Ada Lovelace", "profile": {"real_name": "Ada Lovelace", "display_name": "ada"}},
            {"id": "U02BOB", "name": "bob", "real_name": "Bob Builder", "profile": {"real_name": "Bob Builder", "display_name": "bob"}}
        ])
        .to_string(),
    );
    write(
        &root.join("channels.json"),
        json!([{"id": "C01FALCON", "name": "falcon", "created": 1709283600, "members": ["U01ADA", "U02BOB"]}]).to_string(),
    );
    write(
        &root.join("falcon/2024-03-01.json"),
        json!([
            {"type": "message", "user": "U01ADA", "text": "Thread: tender questions for <@U02BOB>", "ts": "1709283600.000100",
             "thread_ts": "1709283600.000100", "reply_count": 2, "replies": [{"user": "U02BOB", "ts": "1709370000.000200"}]},
            {"type": "message", "user": "U02BOB", "text": "this line has no timestamp"},
            {"type": "message", "user": "U02BOB", "text": "Same-day answer in the thread", "ts": "1709287200.000300",
             "thread_ts": "1709283600.000100", "parent_user_id": "U01ADA"}
        ])
        .to_string(),
    );
    write(
        &root.join("falcon/2024-03-02.json"),
        json!([
            {"type": "message", "user": "U02BOB", "text": "Next-day answer, see <https://example.org/tender|the portal>",
             "ts": "1709370000.000200", "thread_ts": "1709283600.000100", "parent_user_id": "U01ADA",
             "edited": {"user": "U02BOB", "ts": "1709370100.000000"},
             "reactions": [{"name": "thumbsup", "users": ["U01ADA"], "count": 1}]},
            {"type": "message", "subtype": "channel_join", "user": "U02BOB", "text": "<@U02BOB> has joined the channel", "ts": "1709371000.000100"}
        ])
        .to_string(),
    );
    root
}

#[test]
fn slack_thread_replies_in_later_day_files_link_to_their_parent() {
    let (env, _) = Env::init();
    let root = slack_export(env.tmp.path());
    let report = import_and_check_promises(&env, &root, "slack");
    assert_eq!(report["sources"][0]["messages_added"], 4, "{report}");
    let w = warnings(&report);
    assert!(
        w.iter()
            .any(|w| w.contains("falcon/2024-03-01.json: $[1]") && w.contains("no ts")),
        "{w:?}"
    );
    let msgs: Vec<Value> = messages(&env).into_iter().map(|(_, m)| m).collect();
    assert_eq!(msgs[0]["text"], "Thread: tender questions for @Bob Builder");
    assert_eq!(msgs[1]["reply_to"], msgs[0]["id"]);
    assert_eq!(
        msgs[2]["text"],
        "Next-day answer, see the portal (https://example.org/tender)"
    );
    assert_eq!(
        msgs[2]["reply_to"], msgs[0]["id"],
        "a reply stored in the next day's file is linked to its parent"
    );
    assert_eq!(msgs[2]["edited"], true);
    assert_eq!(msgs[2]["reactions"][0]["by"], "Ada Lovelace");
    assert_eq!(msgs[2]["reactions"][0]["emoji"], "👍");
    assert_eq!(msgs[3]["kind"], "system");
}

#[test]
fn slack_unreadable_users_file_is_rejected_with_its_line() {
    let (env, _) = Env::init();
    let root = slack_export(env.tmp.path());
    write(
        &root.join("users.json"),
        "[{\"id\": \"U01ADA\",\n \"name\": }]",
    );
    assert_rejected(&env, &root, &["users.json", "line 2"]);
}

// ---------------------------------------------------------------------------------------------
// E-mail

fn mbox(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("Falcon.mbox");
    write(
        &path,
        "From ada@example.org Fri Mar  1 09:00:00 2024\n\
From: Ada Lovelace <ada@example.org>\n\
To: Bob Builder <bob@example.org>\n\
Subject: Falcon tender pricing\n\
Date: Fri, 01 Mar 2024 09:00:00 +0000\n\
Message-ID: <tender-1@example.org>\n\
\n\
Bob, the pricing sheet is attached below.\n\
>From the steering group: go ahead.\n\
>>From the minutes, quoted.\n\
\n\
From bob@example.org Fri Mar  1 10:00:00 2024\n\
\n\
From bob@example.org Fri Mar  1 11:00:00 2024\n\
From: Bob Builder <bob@example.org>\n\
To: Ada Lovelace <ada@example.org>\n\
Subject: Re: Falcon tender pricing\n\
Date: Fri, 01 Mar 2024 11:00:00 +0000\n\
Message-ID: <tender-2@example.org>\n\
In-Reply-To: <tender-1@example.org>\n\
References: <tender-1@example.org>\n\
\n\
Thanks Ada, reviewing the pricing now.\n",
    );
    path
}

#[test]
fn email_threads_and_a_bad_message_inside_a_good_mbox() {
    let (env, _) = Env::init();
    let path = mbox(env.tmp.path());
    let report = import_and_check_promises(&env, &path, "email");
    assert_eq!(report["sources"][0]["messages_added"], 2, "{report}");
    let w = warnings(&report);
    assert!(
        w.iter().any(|w| w.contains("Falcon.mbox:12")),
        "the empty message is a warning at its line: {w:?}"
    );
    let msgs = messages(&env);
    assert_eq!(msgs.len(), 2);
    assert!(
        msgs.iter().all(|(t, _)| t == "Falcon tender pricing"),
        "one thread: {msgs:?}"
    );
    assert_eq!(msgs[1].1["reply_to"], msgs[0].1["id"]);
    // mboxrd quoting: one `>` comes off each quoted `From ` line.
    let text = msgs[0].1["text"].as_str().unwrap();
    assert!(
        text.contains("\nFrom the steering group: go ahead.\n>From the minutes, quoted."),
        "{text}"
    );
}

#[test]
fn email_binary_file_is_rejected() {
    let (env, _) = Env::init();
    let path = env.path("photo.eml");
    write(&path, [0u8, 159, 146, 150, 0, 1, 2, 3]);
    assert_rejected(&env, &path, &["photo.eml", "binary"]);
}

// ---------------------------------------------------------------------------------------------
// Originals (copied while the importer reads)

/// Each source's original as kept in the archive: (path, bytes) of a file source, or of each
/// member of a folder source, decrypted from the blob store.
fn originals(env: &Env) -> Vec<(String, Vec<u8>)> {
    let a = holdfast::archive::Archive::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let mut rows: Vec<(String, String)> = a
        .conn()
        .prepare(
            "SELECT s.file_name, s.original_blob FROM sources s
             WHERE NOT EXISTS (SELECT 1 FROM source_members m WHERE m.source_id = s.id)
             UNION ALL SELECT path, blob FROM source_members",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.sort();
    rows.into_iter()
        .map(|(path, blob)| (path, a.blobs().read_all(&blob).unwrap()))
        .collect()
}

#[test]
fn a_folder_source_keeps_an_exact_copy_of_every_file_it_read() {
    let (env, _) = Env::init();
    let root = slack_export(env.tmp.path());
    // A file the importer does not read is not part of the source.
    write(&root.join("notes.txt"), "not part of the export");
    env.import(&root, &[]);
    let kept = originals(&env);
    let names: Vec<&str> = kept.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "channels.json",
            "falcon/2024-03-01.json",
            "falcon/2024-03-02.json",
            "users.json"
        ]
    );
    for (path, bytes) in &kept {
        assert_eq!(
            bytes,
            &std::fs::read(root.join(path)).unwrap(),
            "{path} is kept byte for byte"
        );
    }
    assert_eq!(env.json(&["verify"])["ok"], true);
}

#[test]
fn a_new_file_the_size_of_an_imported_one_is_still_imported() {
    let (env, _) = Env::init();
    let dir = env.tmp.path();
    let first = mbox(dir);
    let bytes = std::fs::read(&first).unwrap();
    // The same length, other content: the reply's Message-ID changed, so it is a new message.
    let at = bytes.windows(9).position(|w| w == b"tender-2@").unwrap();
    let mut other = bytes.clone();
    other[at + 7] = b'3';
    let second = dir.join("other.mbox");
    write(&second, &other);
    let a = env.import(&first, &[]);
    let b = env.import(&second, &[]);
    assert_eq!(b["sources"][0]["already_imported"], false, "{b}");
    assert_eq!(b["sources"][0]["messages_added"], 1, "{b}");
    assert_ne!(a["sources"][0]["sha256"], b["sources"][0]["sha256"]);
    // The file itself again is recognised before it is read.
    let again = env.import(&second, &[]);
    assert_eq!(again["sources"][0]["already_imported"], true, "{again}");
    let kept = originals(&env);
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().any(|(_, k)| k == &bytes));
    assert!(kept.iter().any(|(_, k)| k == &other));
}
