//! The synthetic exports `holdfast-bench gen` writes (`holdfast::synth`), imported by the real
//! `holdfast` binary: every generated message arrives (none of these importers skips a
//! generated record, so the count imported is the count generated), over several conversations,
//! senders and years; importing again adds nothing; the same seed writes the same bytes and
//! another seed other bytes; the planted marker sentence is searchable and nowhere readable in
//! the archive folder. Also `holdfast-bench gen archive` and the command's own checks.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use common::*;
use holdfast::synth::{self, exports, formats, Generate};
use serde_json::Value;
use sha2::{Digest, Sha256};

const N: u64 = 2_000;
const SEED: u64 = 11;

fn whatsapp(out: &Path, messages: u64, seed: u64) -> io::Result<u64> {
    let marker = formats::marker(seed);
    synth::whatsapp_android(
        &mut std::fs::File::create(out)?,
        messages,
        seed,
        Some(&marker),
    )?;
    Ok(messages)
}

/// Every file of a generated export (a file or a folder) by relative path, with its SHA-256.
fn digest(path: &Path) -> BTreeMap<String, String> {
    let files = if path.is_dir() {
        files_under(path)
    } else {
        vec![path.to_path_buf()]
    };
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(path).unwrap().display().to_string();
            (rel, hex::encode(Sha256::digest(std::fs::read(&f).unwrap())))
        })
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

struct Expect {
    format: &'static str,
    /// Warnings every import of this format gives (signal-export: the zone assumed).
    warnings: usize,
    /// Several conversations over more than a year (WhatsApp's generator writes one chat of
    /// a few days).
    spread: bool,
}

fn check(name: &str, generate: Generate, expect: Expect) {
    let (env, _) = Env::init();
    let out = env.path(name);
    let n = generate(&out, N, SEED).unwrap();
    assert_eq!(n, N, "{name}: the generator returns what it was asked for");

    // Deterministic: the same seed gives the same bytes (this copy is imported again below),
    // another seed other bytes.
    let copy = env.path(&format!("copy of {name}"));
    assert_eq!(generate(&copy, N, SEED).unwrap(), N);
    let files = digest(&out);
    assert!(!files.is_empty());
    assert_eq!(files, digest(&copy), "{name}: same seed, same bytes");
    let other = env.path(&format!("other {name}"));
    generate(&other, N, SEED + 1).unwrap();
    assert_ne!(files, digest(&other), "{name}: another seed, other bytes");

    // Every generated message is imported.
    let report = env.import(&out, &[]);
    let source = &report["sources"][0];
    assert_eq!(source["format"], expect.format, "{report}");
    assert_eq!(source["messages_added"], n, "{name}: {report}");
    assert_eq!(source["messages_duplicate"], 0, "{report}");
    assert_eq!(
        source["warnings"].as_array().unwrap().len(),
        expect.warnings,
        "{name}: {}",
        source["warnings"]
    );
    let stats = env.stats();
    assert_eq!(stats["messages"], n, "{stats}");

    let convs = env.json(&["conversations"]);
    let convs = convs["conversations"].as_array().unwrap();
    let senders: BTreeSet<&str> = convs
        .iter()
        .flat_map(|c| c["participants"].as_array().unwrap())
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(senders.len() >= 2, "{name}: {senders:?}");
    if expect.spread {
        assert!(convs.len() >= 5, "{name}: {} conversations", convs.len());
        assert!(senders.len() >= 5, "{name}: {senders:?}");
        let days = (time(&stats["last"]) - time(&stats["first"])).num_days();
        assert!(
            days > 365 * 3,
            "{name}: the messages span {days} days: {stats}"
        );
    }

    // The marker sentence is in exactly one message, and readable nowhere on disk (nor are
    // the conversations' titles and people).
    let marker = formats::marker(SEED);
    let token = marker.split(' ').nth(4).unwrap();
    let hits = env.json(&["search", token]);
    assert_eq!(hits["total"], 1, "{name}: {hits}");
    assert!(
        hits["hits"][0]["snippet"].as_str().unwrap().contains(token),
        "{hits}"
    );
    let mut needles = vec![marker];
    needles.extend(
        convs
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_string()),
    );
    needles.extend(senders.iter().map(|s| s.to_string()));
    assert_no_plaintext(&env.archive, &needles);

    // Importing again adds nothing: the same path stops at once, and a byte-identical copy
    // elsewhere (a folder is identified by its name and files, so it is read in full) finds
    // every message already stored.
    let again = env.import(&out, &[]);
    assert_eq!(again["sources"][0]["already_imported"], true, "{again}");
    assert_eq!(again["sources"][0]["messages_added"], 0, "{again}");
    let copied = env.import(&copy, &[]);
    let s = &copied["sources"][0];
    assert_eq!(s["messages_added"], 0, "{name}: {copied}");
    if out.is_dir() {
        assert_eq!(s["already_imported"], false, "{copied}");
        assert_eq!(s["messages_duplicate"], n, "{name}: {copied}");
    }
    assert_eq!(env.stats()["messages"], n);
}

#[test]
fn telegram_account_export() {
    check(
        "DataExport_2025-01-01",
        formats::telegram_account,
        Expect {
            format: "telegram",
            warnings: 0,
            spread: true,
        },
    );
}

#[test]
fn signal_export_output() {
    check(
        "signal-export",
        formats::signal_export,
        Expect {
            format: "signal",
            warnings: 1,
            spread: true,
        },
    );
}

#[test]
fn maildir() {
    check(
        "Maildir",
        formats::maildir,
        Expect {
            format: "email",
            warnings: 0,
            spread: true,
        },
    );
}

#[test]
fn slack_export_sized_in_messages() {
    check(
        "Falcon Slack export",
        exports::slack_export_messages,
        Expect {
            format: "slack",
            warnings: 0,
            spread: true,
        },
    );
}

#[test]
fn mbox_sized_in_messages() {
    check(
        "All mail.mbox",
        synth::generator("mbox").unwrap(),
        Expect {
            format: "email",
            warnings: 0,
            spread: true,
        },
    );
}

#[test]
fn whatsapp_android_export() {
    check(
        "WhatsApp Chat with Falcon.txt",
        whatsapp,
        Expect {
            format: "whatsapp",
            warnings: 0,
            spread: false,
        },
    );
}

fn bench() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_holdfast-bench"));
    c.env("HOLDFAST_INSECURE_TEST_KDF", "1");
    c
}

/// `holdfast-bench gen FORMAT` writes what the library writes, and says how many messages.
#[test]
fn bench_gen_writes_each_format_and_refuses_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cases = synth::FORMATS;
    for (format, generate) in cases {
        let cli = dir.path().join(format!("{format}-cli"));
        let out = bench()
            .args(["gen", format, "--messages", "300", "--seed", "4", "--out"])
            .arg(&cli)
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("300 messages"), "{format}: {said}");
        let lib = dir.path().join(format!("{format}-lib"));
        generate(&lib, 300, 4).unwrap();
        assert_eq!(digest(&cli), digest(&lib), "{format}");
    }
    // Slack and mbox can still be sized in bytes.
    let mb = dir.path().join("one.mbox");
    let out = bench()
        .args(["gen", "mbox", "--megabytes", "1", "--out"])
        .arg(&mb)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::metadata(&mb).unwrap().len() >= 1 << 20);

    let out = bench()
        .args(["gen", "discord", "--messages", "10", "--out"])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown format 'discord'")
            && err.contains("whatsapp, telegram, signal-export, slack, mbox, maildir, archive"),
        "{err}"
    );
    let out = bench()
        .args(["gen", "telegram", "--megabytes", "1", "--out"])
        .arg(dir.path().join("y"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--messages"), "{}", stderr(&out));
}

/// `holdfast-bench gen archive`: an encrypted archive the `holdfast` binary opens with the
/// passphrase given, filled, indexed, verified, and nothing readable in it.
#[test]
fn bench_gen_archive_is_filled_indexed_and_encrypted() {
    let env = Env::new();
    let out = bench()
        .args([
            "gen",
            "archive",
            "--messages",
            "2000",
            "--seed",
            "5",
            "--passphrase",
            PASSPHRASE,
            "--out",
        ])
        .arg(&env.archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2000 messages"));
    let stats = env.stats();
    assert_eq!(stats["messages"], 2000, "{stats}");
    assert!(stats["conversations"].as_u64().unwrap() > 10, "{stats}");
    let verify = env.json(&["verify"]);
    assert_eq!(verify["ok"], true, "{verify}");
    let hits = env.json(&["search", "invoice"]);
    assert!(
        hits["total"].as_u64().unwrap() > 10,
        "the index is built: {hits}"
    );
    let convs = env.json(&["conversations"]);
    let needles: Vec<String> = convs["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            std::iter::once(c["title"].as_str().unwrap().to_string()).chain(
                c["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string()),
            )
        })
        .collect();
    assert_no_plaintext(&env.archive, &needles);
    // A second run refuses to overwrite it.
    let again = bench()
        .args(["gen", "archive", "--messages", "10", "--out"])
        .arg(&env.archive)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
}

fn options() -> holdfast::import::ImportOptions {
    holdfast::import::ImportOptions {
        zone: chrono_tz::Europe::London,
        zone_explicit: true,
        date_order: None,
    }
}

/// What an importer made of a generated export, read in this process.
fn read(path: &Path) -> holdfast::import::Collected {
    let mut c = holdfast::import::Collected::keeping();
    holdfast::import::read_export(path, None, &options(), &mut c).unwrap();
    c
}

/// Counts of what the messages hold, by feature.
#[derive(Debug, Default)]
struct Features {
    kinds: BTreeMap<&'static str, u64>,
    edited: u64,
    replies: u64,
    reactions: u64,
    stored: u64,
    omitted: u64,
    missing: u64,
    emoji: u64,
    cyrillic: u64,
    cjk: u64,
    multiline: u64,
}

fn features(c: &holdfast::import::Collected) -> Features {
    use holdfast::import::AttachmentContent;
    let mut f = Features::default();
    for m in &c.messages {
        *f.kinds.entry(m.kind.name()).or_default() += 1;
        f.edited += u64::from(m.edited);
        f.replies += u64::from(m.reply_to.is_some());
        f.reactions += u64::from(!m.reactions.is_empty());
        for a in &m.attachments {
            match a.content {
                AttachmentContent::Member(_) | AttachmentContent::Data(_) => f.stored += 1,
                AttachmentContent::Omitted => f.omitted += 1,
                AttachmentContent::Missing => f.missing += 1,
            }
        }
        let b = &m.body;
        f.emoji += u64::from(b.chars().any(|c| ('\u{1F300}'..='\u{1FAFF}').contains(&c)));
        f.cyrillic += u64::from(b.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)));
        f.cjk += u64::from(b.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)));
        f.multiline += u64::from(b.trim().contains('\n'));
    }
    f
}

/// Each format carries what the issue asks of it (several scripts, emoji, attachments beside
/// the export, edits, replies, reactions, calls and service messages where the format has
/// them), every attachment it names is there, and nothing is warned about.
#[test]
fn generated_exports_carry_each_formats_features() {
    let dir = tempfile::tempdir().unwrap();
    let kind = |f: &Features, k: &str| f.kinds.get(k).copied().unwrap_or(0);

    let root = dir.path().join("telegram");
    formats::telegram_account(&root, N, 21).unwrap();
    let c = read(&root);
    let f = features(&c);
    assert_eq!(c.message_count, N);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.conversations.len() >= 8, "{}", c.conversations.len());
    for k in ["text", "media", "system", "call"] {
        assert!(kind(&f, k) > 5, "telegram {k}: {f:?}");
    }
    assert!(f.edited > 20 && f.replies > 50 && f.reactions > 20, "{f:?}");
    assert!(f.stored > 50 && f.omitted > 5 && f.missing == 0, "{f:?}");
    assert!(c
        .messages
        .iter()
        .any(|m| m.body.contains("forwarded from ")));
    assert!(c
        .messages
        .iter()
        .any(|m| m.raw.is_some() && m.body.contains("https://example.org/docs/")));
    assert!(
        f.emoji > 20 && f.cyrillic > 100 && f.cjk > 100 && f.multiline > 10,
        "{f:?}"
    );

    let root = dir.path().join("signal");
    formats::signal_export(&root, N, 21).unwrap();
    let c = read(&root);
    let f = features(&c);
    assert_eq!(c.message_count, N);
    assert_eq!(c.warnings.len(), 1, "only the zone: {:?}", c.warnings);
    assert!(c.conversations.len() >= 6);
    for k in ["text", "media", "deleted", "call"] {
        assert!(kind(&f, k) > 5, "signal {k}: {f:?}");
    }
    assert!(f.reactions > 20 && f.stored > 20 && f.missing == 0, "{f:?}");
    // Quotes are put before the body (signal-export has no reply ids).
    assert!(
        c.messages
            .iter()
            .filter(|m| m.body.contains("\n\n"))
            .count()
            > 50
    );
    assert!(f.emoji > 20 && f.cyrillic > 100 && f.cjk > 100, "{f:?}");

    let root = dir.path().join("Maildir");
    formats::maildir(&root, N, 21).unwrap();
    let c = read(&root);
    let f = features(&c);
    assert_eq!(c.message_count, N);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.conversations.len() > 100);
    assert!(f.replies > 500 && f.stored > 100, "{f:?}");
    assert!(
        c.messages.iter().filter(|m| m.raw.is_some()).count() > 100,
        "HTML parts"
    );
    assert!(f.emoji > 20 && f.cyrillic > 100 && f.cjk > 100, "{f:?}");

    let root = dir.path().join("slack");
    exports::slack_export_messages(&root, N, 21).unwrap();
    let f = features(&read(&root));
    assert!(f.edited > 5 && f.replies > 50 && f.reactions > 5, "{f:?}");
}

/// Tiny sizes are exact too (fewer messages than conversations, a single message, none).
#[test]
fn tiny_sizes_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    // Every export but WhatsApp's (one chat, no conversations to spread over).
    let cases = synth::FORMATS
        .iter()
        .filter(|(name, _)| *name != "whatsapp");
    for (name, generate) in cases {
        for n in [0u64, 1, 3, 50] {
            let path = dir.path().join(format!("{name}-{n}"));
            assert_eq!(generate(&path, n, 9).unwrap(), n, "{name} {n}");
            if n > 0 {
                assert_eq!(read(&path).message_count, n, "{name} {n}");
            }
        }
    }
}

/// The Maildir's files are mail as clients write it: Maildir names with the size and flags,
/// folded encoded words, quoted-printable and base64 that decode, every In-Reply-To naming a
/// message of the Maildir, several years of Date headers.
#[test]
fn maildir_files_are_well_formed_mail() {
    use mail_parser::{MessageParser, MimeHeaders};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Maildir");
    formats::maildir(&root, 800, 3).unwrap();
    let files = files_under(&root);
    assert_eq!(files.len(), 800);
    let (mut encoded, mut qp, mut attachments, mut html) = (0, 0, 0, 0);
    let mut ids = BTreeSet::new();
    let mut parents = Vec::new();
    let mut years = BTreeSet::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let name = f.file_name().unwrap().to_str().unwrap();
        let folder = f.parent().unwrap().file_name().unwrap().to_str().unwrap();
        assert!(folder == "cur" || folder == "new", "{}", f.display());
        let size: usize = name
            .split(",S=")
            .nth(1)
            .and_then(|s| s.split(':').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(size, bytes.len(), "{name}");
        assert_eq!(folder == "cur", name.contains(":2,"), "{name}");
        let text = std::str::from_utf8(&bytes).unwrap();
        let (head, _) = text.split_once("\n\n").unwrap();
        for line in head.lines() {
            if line.contains("=?UTF-8?B?") {
                assert!(line.len() <= 78, "{line}");
                encoded += 1;
            }
        }
        assert!(text.lines().all(|l| l.len() <= 998));
        qp += u64::from(text.contains("quoted-printable"));
        let m = MessageParser::default().parse(&bytes).unwrap();
        let subject = m.subject().unwrap();
        assert!(!subject.contains("=?") && !subject.is_empty(), "{subject}");
        assert!(!m
            .from()
            .unwrap()
            .first()
            .unwrap()
            .name()
            .unwrap()
            .contains("=?"));
        ids.insert(m.message_id().unwrap().to_string());
        if let Some(p) = m.in_reply_to().as_text() {
            parents.push(p.to_string());
        }
        years.insert(m.date().unwrap().year);
        let body = m.body_text(0).unwrap();
        assert!(body.starts_with("Hi "), "{body}");
        assert!(!body.contains("=\n") && !body.contains("=C3"), "{body}");
        html += m.html_bodies().filter(|p| p.is_text_html()).count();
        for a in m.attachments() {
            attachments += 1;
            assert!(a.attachment_name().is_some());
            assert!(a.contents().len() > 40);
        }
    }
    assert!(
        encoded > 50 && qp > 10 && attachments > 50 && html > 100,
        "{encoded} {qp} {attachments} {html}"
    );
    assert!(parents.len() > 200);
    assert!(
        parents.iter().all(|p| ids.contains(p)),
        "replies name messages of the Maildir"
    );
    assert!(years.len() >= 4, "{years:?}");
}

/// Telegram's structure: ids and times in order within a chat, replies and pins to earlier
/// messages of the same chat, `text` and `text_entities` saying the same, media paths beside
/// the JSON, the service actions and chat types asked for.
#[test]
fn telegram_result_json_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    formats::telegram_account(&root, 3_000, 8).unwrap();
    let v: Value =
        serde_json::from_slice(&std::fs::read(root.join("result.json")).unwrap()).unwrap();
    assert!(v["about"].is_string() && v["personal_information"]["user_id"].is_u64());
    assert_eq!(
        v["chats"]["about"],
        "This page lists all chats from this export."
    );
    let chats: Vec<&Value> = v["chats"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["left_chats"]["list"].as_array().unwrap())
        .collect();
    assert!(!v["left_chats"]["list"].as_array().unwrap().is_empty());
    let mut types = BTreeSet::new();
    let mut actions = BTreeSet::new();
    let mut total = 0;
    for chat in chats {
        types.insert(chat["type"].as_str().unwrap().to_string());
        let mut seen = BTreeSet::new();
        let mut last = (0, 0);
        for m in chat["messages"].as_array().unwrap() {
            total += 1;
            let id = m["id"].as_u64().unwrap();
            let t: i64 = m["date_unixtime"].as_str().unwrap().parse().unwrap();
            assert!(id > last.0 && t >= last.1, "{m}");
            last = (id, t);
            for key in ["reply_to_message_id", "message_id"] {
                if let Some(r) = m[key].as_u64() {
                    assert!(seen.contains(&r), "{key} {r} in {m}");
                }
            }
            seen.insert(id);
            if let Some(a) = m["action"].as_str() {
                actions.insert(a.to_string());
            }
            for key in ["photo", "file"] {
                if let Some(p) = m[key].as_str() {
                    assert!(
                        p.starts_with("(File not included") || root.join(p).is_file(),
                        "{p}"
                    );
                }
            }
            let flat = |v: &Value| -> String {
                match v {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .map(|p| p.as_str().or(p["text"].as_str()).unwrap().to_string())
                        .collect(),
                    _ => panic!("{v}"),
                }
            };
            assert_eq!(flat(&m["text"]), flat(&m["text_entities"]), "{m}");
        }
    }
    assert_eq!(total, 3_000);
    for t in [
        "personal_chat",
        "private_group",
        "private_supergroup",
        "public_channel",
    ] {
        assert!(types.contains(t), "{types:?}");
    }
    for a in [
        "create_group",
        "create_channel",
        "invite_members",
        "pin_message",
        "phone_call",
    ] {
        assert!(actions.contains(a), "{actions:?}");
    }
}
