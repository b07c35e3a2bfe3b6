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

/// The corpus, or `None` after saying the test skipped.
fn corpus_or_skip() -> Option<std::path::PathBuf> {
    let c = corpus();
    if c.is_none() {
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
            .find(|m| {
                m.local_time
                    .as_ref()
                    .unwrap()
                    .naive
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string()
                    == ts
            })
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
        let local = |m: &import::MessageRecord| {
            m.local_time
                .as_ref()
                .unwrap()
                .naive
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        };
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
