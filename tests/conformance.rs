//! Conformance against real export files written by other people (../shared/corpus, used in
//! place, never copied here). Each file's `.expect.json` holds facts verified by reading it;
//! every fact that concerns what Holdfast stores is checked. Skips, saying so, when the corpus
//! is not beside this checkout.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use holdfast::import::{self, AttachmentContent, Collected, ImportOptions, MessageKind};
use serde_json::Value;

fn utc_options() -> ImportOptions {
    ImportOptions {
        zone: chrono_tz::UTC,
        zone_explicit: true,
        date_order: None,
    }
}

fn read(path: &Path) -> Collected {
    let mut c = Collected::keeping();
    import::read_export(path, None, &utc_options(), &mut c)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    c
}

/// A message's local time as the reference parses write it: `2021-12-30T22:01:00`.
fn local_naive(m: &import::MessageRecord) -> String {
    m.local_time
        .as_ref()
        .unwrap()
        .naive
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// The corpus, or `None` after saying the test skipped.
fn corpus_or_skip() -> Option<std::path::PathBuf> {
    let c = corpus();
    if c.is_none() {
        // CI has the corpus beside the checkout: there, a missing corpus is a failure.
        assert!(
            std::env::var("HOLDFAST_REQUIRE_CORPUS").as_deref() != Ok("1"),
            "HOLDFAST_REQUIRE_CORPUS=1 but ../shared/corpus is not beside this checkout"
        );
        eprintln!("skipped: ../shared/corpus not found beside this checkout");
    }
    c
}

fn whatsapp_files() -> Option<Vec<(std::path::PathBuf, Value)>> {
    let corpus = corpus_or_skip()?;
    let mut out = Vec::new();
    for f in files_under(&corpus.join("whatsapp")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".txt") {
            continue;
        }
        let expect_path = f.with_file_name(name.replace(".txt", ".expect.json"));
        let expect: Value = serde_json::from_slice(&std::fs::read(&expect_path).unwrap()).unwrap();
        out.push((f, expect));
    }
    assert!(
        out.len() >= 6,
        "expected the corpus's WhatsApp exports, found {}",
        out.len()
    );
    Some(out)
}

#[test]
fn every_corpus_whatsapp_export_imports_with_its_verified_facts() {
    let Some(files) = whatsapp_files() else {
        return;
    };
    for (file, expect) in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        // Through the real CLI into a real archive.
        let (env, _) = Env::init();
        let r = env.json(&["import", file.to_str().unwrap(), "--tz", "UTC"]);
        let s = &r["sources"][0];
        assert_eq!(
            s["messages_added"], expect["archive_messages"],
            "{name}: messages stored"
        );
        assert_eq!(
            env.stats()["messages"],
            expect["archive_messages"],
            "{name}"
        );

        let conv = &env.json(&["conversations"])["conversations"][0];
        let shown = env.json(&["show", conv["id"].as_str().unwrap(), "--limit", "5000"]);
        let msgs = shown["messages"].as_array().unwrap();
        let senders: BTreeSet<&str> = msgs.iter().filter_map(|m| m["sender"].as_str()).collect();
        let want: BTreeSet<&str> = expect["distinct_senders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(senders, want, "{name}: senders");
        let system: Vec<&str> = msgs
            .iter()
            .filter(|m| m["kind"] == "system")
            .map(|m| m["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            system.len() as u64,
            expect["system_messages"].as_u64().unwrap(),
            "{name}: system messages"
        );
        for t in expect["system_message_texts"].as_array().unwrap() {
            assert!(
                system.contains(&t.as_str().unwrap()),
                "{name}: system text {t}"
            );
        }
        let multi = msgs
            .iter()
            .filter(|m| m["text"].as_str().unwrap().contains('\n'))
            .count() as u64;
        assert_eq!(
            multi,
            expect["multi_line_messages"].as_u64().unwrap(),
            "{name}: multi-line"
        );
        let first = msgs.first().unwrap()["local_time"].as_str().unwrap();
        let last = msgs.last().unwrap()["local_time"].as_str().unwrap();
        let unbracket = |v: &Value| v.as_str().unwrap().trim_matches(['[', ']']).to_string();
        assert_eq!(
            first,
            unbracket(&expect["first_timestamp_as_written"]),
            "{name}: first"
        );
        assert_eq!(
            last,
            unbracket(&expect["last_timestamp_as_written"]),
            "{name}: last"
        );
        if let Some(body) = expect["last_message_body"].as_str() {
            // The expectation comes from a parser that keeps the file's final line break; the
            // final line break terminates the last line, it is not part of the message.
            assert_eq!(
                msgs.last().unwrap()["text"].as_str().unwrap(),
                body.strip_suffix('\n').unwrap_or(body),
                "{name}: last body"
            );
        }
        assert_eq!(
            msgs.iter()
                .map(|m| m["attachments"].as_array().unwrap().len())
                .sum::<usize>() as u64,
            expect["attachments_referenced"].as_u64().unwrap(),
            "{name}: attachments"
        );
        let mut texts = all_message_texts(&env);
        texts.retain(|t| t.len() >= 8);
        assert_no_plaintext(&env.archive, &texts);
    }
}

#[test]
fn corpus_ambiguous_file_is_read_chronologically_and_says_it_assumed() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let c = read(&corpus.join("whatsapp/android-ddmmyyyy-24h-short-group.pustur.txt"));
    assert!(c.warnings.iter().any(|w| w.message.contains("ambiguous")));
    let days: Vec<String> = c
        .messages
        .iter()
        .map(|m| m.sent_at.format("%Y-%m-%d").to_string())
        .collect();
    assert_eq!(
        days,
        [
            "2017-06-03",
            "2017-06-03",
            "2017-06-03",
            "2017-08-05",
            "2017-09-04"
        ]
    );
}

#[test]
fn corpus_messages_match_chat_miner_reference_parse() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    // chat-miner keeps author messages only (newest first) and joins lines with spaces.
    let reference: Value = serde_json::from_slice(
        &std::fs::read(corpus.join("whatsapp/chat-miner-target.reference.json")).unwrap(),
    )
    .unwrap();
    let c = read(&corpus.join("whatsapp/android-ddmmyy-24h-hyphen-sep.chat-miner.txt"));
    for r in reference.as_array().unwrap() {
        let ts = r["timestamp"].as_str().unwrap();
        let m = c
            .messages
            .iter()
            .find(|m| local_naive(m) == ts)
            .unwrap_or_else(|| panic!("no message at {ts}"));
        assert_eq!(
            m.sender.as_ref().unwrap().display_name,
            r["author"].as_str().unwrap()
        );
        assert_eq!(m.body.replace('\n', " "), r["message"].as_str().unwrap());
    }
}

#[test]
fn every_corpus_line_case_parses_as_listed() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let text = std::fs::read_to_string(
        corpus.join("whatsapp/header-and-attachment-line-cases.pustur-wc-parser.jsonl"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let path = dir.path().join(format!("{id}.txt"));
        std::fs::write(&path, case["input"].as_str().unwrap()).unwrap();
        let c = read(&path);
        let e = &case["expect"];
        let local = local_naive;
        if let Some(n) = e["messages"].as_u64() {
            assert_eq!(c.messages.len() as u64, n, "{id}: messages");
        }
        let m = &c.messages[0];
        if let Some(dt) = e["datetime_local"].as_str() {
            if !dt.contains("if day-first") {
                assert_eq!(local(m), dt, "{id}: time");
            }
        }
        if let Some(list) = e["datetimes_local"].as_array() {
            let got: Vec<String> = c.messages.iter().map(local).collect();
            let want: Vec<&str> = list.iter().map(|v| v.as_str().unwrap()).collect();
            assert_eq!(got, want, "{id}: times");
        }
        match &e["author"] {
            Value::String(a) => assert_eq!(
                m.sender.as_ref().map(|s| s.display_name.as_str()),
                Some(a.as_str()),
                "{id}: author"
            ),
            Value::Null if e.get("author").is_some() => {
                assert!(m.sender.is_none(), "{id}: no author")
            }
            _ => {}
        }
        if let Some(system) = e["system"].as_bool() {
            assert_eq!(m.kind == MessageKind::System, system, "{id}: system");
        }
        if let Some(text) = e["message"].as_str() {
            if let Some(kind) = text.strip_suffix(" omitted") {
                // An omitted-media placeholder is stored as media with an omitted attachment.
                assert_eq!(m.kind, MessageKind::Media, "{id}");
                assert_eq!(m.attachments[0].content, AttachmentContent::Omitted, "{id}");
                assert_eq!(m.attachments[0].name, kind, "{id}");
            } else {
                assert_eq!(m.body, text, "{id}: text");
            }
        }
        if let Some(name) = e["attachment_file_name"].as_str() {
            assert_eq!(m.kind, MessageKind::Media, "{id}");
            assert_eq!(m.attachments[0].name, name, "{id}: attachment");
        }
        cases += 1;
    }
    assert_eq!(cases, 21);
}

/// Imports one corpus export into a fresh archive through the CLI; returns the archive and
/// every message shown for every conversation.
fn import_corpus(path: &Path, extra: &[&str]) -> (Env, Vec<Value>, Value) {
    let (env, _) = Env::init();
    let mut args = vec!["import", path.to_str().unwrap(), "--tz", "UTC"];
    args.extend_from_slice(extra);
    let report = env.json(&args);
    let mut msgs = Vec::new();
    for c in env.json(&["conversations"])["conversations"]
        .as_array()
        .unwrap()
    {
        let v = env.json(&["show", c["id"].as_str().unwrap(), "--limit", "5000"]);
        msgs.extend(v["messages"].as_array().unwrap().iter().cloned());
    }
    (env, msgs, report)
}

fn expect(path: &Path) -> Value {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let stem = match name.rsplit_once('.') {
        Some((s, ext)) if ["json", "txt", "mbox", "eml"].contains(&ext) => s.to_string(),
        _ => name,
    };
    serde_json::from_slice(
        &std::fs::read(path.with_file_name(format!("{stem}.expect.json"))).unwrap(),
    )
    .unwrap()
}

/// Imports a corpus file and checks what every .expect.json states: the format, the message
/// count and the distinct senders. Returns the archive, its messages and the expectations.
fn import_with_facts(path: &Path, format: &str) -> (Env, Vec<Value>, Value) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let e = expect(path);
    let (env, msgs, report) = import_corpus(path, &[]);
    assert_eq!(report["sources"][0]["format"], format, "{name}");
    assert_eq!(
        msgs.len() as u64,
        e["archive_messages"].as_u64().unwrap(),
        "{name}"
    );
    let want: BTreeSet<String> = e["distinct_senders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(senders(&msgs), want, "{name}");
    (env, msgs, e)
}

fn senders(msgs: &[Value]) -> BTreeSet<String> {
    msgs.iter()
        .filter(|m| m["kind"] != "system")
        .filter_map(|m| m["sender"].as_str().map(str::to_string))
        .collect()
}

fn assert_stored_encrypted(env: &Env, msgs: &[Value]) {
    let mut texts: Vec<String> = msgs
        .iter()
        .filter_map(|m| m["text"].as_str())
        .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| l.len() >= 12)
        .collect();
    texts.sort();
    texts.dedup();
    if !texts.is_empty() {
        assert_no_plaintext(&env.archive, &texts);
    }
}

#[test]
fn corpus_telegram_exports_import_with_their_facts() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    for name in [
        "single-chat-result.chat-miner.json",
        "full-account-export-result.chat-miner.json",
    ] {
        let path = corpus.join("telegram").join(name);
        let (env, msgs, _) = import_with_facts(&path, "telegram");
        let times: Vec<&str> = msgs
            .iter()
            .map(|m| m["sent_at"].as_str().unwrap())
            .collect();
        assert_eq!(
            times,
            ["2018-12-05T10:39:10Z", "2018-12-05T10:49:24Z"],
            "{name}"
        );
        // Entity arrays are flattened: "Link:" in bold, then the link.
        assert_eq!(msgs[1]["text"], "Link:https://telegram.org/", "{name}");
        assert_stored_encrypted(&env, &msgs);
    }
}

#[test]
fn corpus_slack_export_imports_with_its_facts() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let path = corpus.join("slack/slack-export-viewer-testarchive");
    let e: Value = serde_json::from_slice(
        &std::fs::read(corpus.join("slack/slack-export-viewer-testarchive.expect.json")).unwrap(),
    )
    .unwrap();
    let before = files_under(&path)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect::<Vec<_>>();
    let (env, msgs, report) = import_corpus(&path, &[]);
    assert_eq!(report["sources"][0]["format"], "slack");
    assert_eq!(msgs.len() as u64, e["archive_messages"].as_u64().unwrap());
    let convs = env.json(&["conversations"]);
    let mut per_channel: Vec<(String, u64)> = convs["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap().to_string(),
                c["messages"].as_u64().unwrap(),
            )
        })
        .collect();
    per_channel.sort();
    assert_eq!(
        per_channel,
        [
            (
                "#enrique".to_string(),
                e["channels"]["enrique"]["messages"].as_u64().unwrap()
            ),
            (
                "#traveling-sailor".to_string(),
                e["channels"]["traveling-sailor"]["messages"]
                    .as_u64()
                    .unwrap()
            ),
        ]
    );
    // Joins and integrations added are system messages: 4 + 2 and 4 + 1.
    assert_eq!(msgs.iter().filter(|m| m["kind"] == "system").count(), 11);
    // Every user and bot that wrote is there, under its name (users) or id (bots).
    let a = holdfast::api::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let mut stmt = a
        .conn()
        .prepare(
            "SELECT DISTINCT p.handle FROM messages m JOIN participants p ON p.id = m.sender_id",
        )
        .unwrap();
    let handles: BTreeSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|h| h.unwrap())
        .collect();
    let mut want: BTreeSet<String> = e["distinct_senders"]["users"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    want.extend(
        e["distinct_senders"]["bots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap().to_string()),
    );
    assert_eq!(handles, want);
    let first = &msgs
        .iter()
        .map(|m| m["sent_at"].as_str().unwrap())
        .min()
        .unwrap();
    assert_eq!(*first, "2016-01-15T05:55:18Z");
    // Files are recorded (name, type, size) but not in the export; no access token is stored.
    let files: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM attachments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(files, 4);
    let tokens: i64 = a
        .conn()
        .query_row(
            "SELECT count(*) FROM messages WHERE body LIKE '%xoxe%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tokens, 0);
    drop(stmt);
    // The export is read, never written.
    for (f, bytes) in before {
        assert_eq!(std::fs::read(&f).unwrap(), bytes, "{} changed", f.display());
    }
    assert_stored_encrypted(&env, &msgs);
}

#[test]
fn corpus_email_files_import_without_loss() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("email");
    let mbox = dir.join("mboxrd-3-messages-from-quoting.random-message.mbox");
    let (env, msgs, _) = import_with_facts(&mbox, "email");
    let subjects: Vec<String> = msgs
        .iter()
        .map(|m| {
            m["text"]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .trim_start_matches("Subject: ")
                .to_string()
        })
        .collect();
    assert_eq!(
        subjects,
        ["testsubject", "Re: testsubject", "Re: Re: testsubject"]
    );
    // mboxrd: one '>' comes off each quoted From line, nothing else changes.
    let first = msgs[0]["text"].as_str().unwrap();
    assert!(
        first.contains("\nFrom Line 2\n")
            && first.contains("\n>From Line 4\n")
            && first.contains("\n>>From Line 6\n"),
        "{first}"
    );
    assert_eq!(msgs[0]["sent_at"], "2010-11-12T10:28:33Z");
    // One thread: the replies follow their subject.
    assert_eq!(env.stats()["conversations"], 1);
    assert_stored_encrypted(&env, &msgs);

    for (name, text, attachment) in [
        (
            "qp-base64-utf8-garbage-parts.mail-parser-thirdparty-002.eml",
            "päivää",
            None,
        ),
        (
            "nested-signed-alternative.mail-parser-thirdparty-006.eml",
            "Search me, and Find me here",
            None,
        ),
        (
            "folded-content-type-image-attachment.mail-parser-malformed-017.eml",
            "hello world",
            Some("image001.png"),
        ),
        (
            "crlf-multipart-related-inline-image.mail-parser-malformed-020.eml",
            "Plain Text",
            None,
        ),
    ] {
        let path = dir.join(name);
        let e = expect(&path);
        let (env, msgs, _) = import_corpus(&path, &[]);
        assert_eq!(
            msgs.len() as u64,
            e["archive_messages"].as_u64().unwrap(),
            "{name}"
        );
        assert!(
            msgs[0]["text"].as_str().unwrap().contains(text),
            "{name}: {}",
            msgs[0]["text"]
        );
        if let Some(file) = attachment {
            assert_eq!(msgs[0]["attachments"][0]["name"], file, "{name}");
            assert_eq!(msgs[0]["attachments"][0]["status"], "stored", "{name}");
        }
        assert_stored_encrypted(&env, &msgs);
    }
}

#[test]
fn corpus_signal_export_imports_with_its_facts() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    for f in files_under(&corpus.join("signal")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".txt") {
            continue;
        }
        let (env, msgs, e) = import_with_facts(&f, "signal");
        let multi = msgs
            .iter()
            .filter(|m| m["text"].as_str().unwrap().contains('\n'))
            .count() as u64;
        assert_eq!(multi, e["multi_line_messages"].as_u64().unwrap(), "{name}");
        let first = e["first_timestamp_as_written"].as_str().unwrap();
        assert_eq!(
            format!("[{}]", msgs[0]["local_time"].as_str().unwrap()),
            first,
            "{name}"
        );
        assert_stored_encrypted(&env, &msgs);
    }
}
