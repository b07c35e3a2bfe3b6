//! Fuzzing the importers in the test suite: real-looking exports of each format (WhatsApp text,
//! Telegram JSON, a Slack workspace zip, an mbox with MIME parts) with random bytes flipped,
//! cut, inserted or truncated, read through format detection and the importer. Whatever the
//! input, reading returns (no panic, no hang), and an error names the file it is about: the
//! checks are `holdfast::fuzzing::read_as`, the ones the cargo-fuzz targets in `fuzz/` make.
//!
//! Each property runs 64 cases here; `PROPTEST_CASES=100000 cargo test --test fuzz_importers`
//! is the longer run (docs/fuzzing.md). A failing case proptest shrinks and prints becomes a
//! fixture in `regressions` below (inputs libFuzzer finds go to `fuzz/regressions/<target>/`,
//! run by `tests/fuzz_corpora.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use holdfast::fuzzing;
use proptest::prelude::*;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One edit of an input.
#[derive(Debug, Clone)]
enum Edit {
    Flip(prop::sample::Index, u8),
    Cut(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, x)| Edit::Flip(i, x)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Edit::Cut(i, n)),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(
                prop_oneof![
                    any::<u8>(),
                    // Bytes that matter to these formats.
                    prop::sample::select(b"{}[]\",:\n\r\\/-0123456789 <>=@".to_vec()),
                ],
                1..24
            )
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        if bytes.is_empty() {
            break;
        }
        match e {
            Edit::Flip(i, x) => {
                let at = i.index(bytes.len());
                bytes[at] ^= x;
            }
            Edit::Cut(i, n) => {
                let at = i.index(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Edit::Insert(i, b) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Truncate(i) => {
                let at = i.index(bytes.len());
                bytes.truncate(at);
            }
        }
    }
    bytes
}

/// Reads `bytes` as the file `name` through detection and the importer, with the checks the
/// cargo-fuzz targets make (`holdfast::fuzzing::read_as` panics, failing the property, if an
/// error does not name the file or a kept message has no location).
fn read(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let _ = fuzzing::read_as(name, bytes);
    Ok(())
}

fn whatsapp_seed() -> Vec<u8> {
    std::fs::read(repo(
        "tests/fixtures/whatsapp/WhatsApp Chat with Northgate depot.txt",
    ))
    .unwrap()
}

fn telegram_seed() -> Vec<u8> {
    std::fs::read(repo("demo/exports/Telegram - Depot finance.json")).unwrap()
}

/// The demo Slack export as a zip; `damage` edits one member (the edits) before zipping.
fn slack_zip(edit_member: Option<(&str, &[Edit])>) -> Vec<u8> {
    let root = repo("demo/exports/Northgate Slack export Dec 1 2025 - Dec 3 2025");
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(&root).unwrap().display().to_string();
                members.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    members.sort();
    let mut out = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut out);
    for (name, bytes) in members {
        let bytes = match edit_member {
            Some((m, edits)) if name.ends_with(m) => apply(bytes, edits),
            _ => bytes,
        };
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap();
    out.into_inner()
}

fn mbox_seed() -> Vec<u8> {
    "From dana@northgate.example Tue Mar 12 14:02:09 2024\n\
From: Dana Reyes <dana@northgate.example>\n\
To: Priya Shah <priya@northgate.example>\n\
Subject: Roof membrane quote\n\
Date: Tue, 12 Mar 2024 14:02:09 +0000\n\
Message-ID: <a1@northgate.example>\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\n\
\n\
--XYZ\n\
Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
Quote attached =E2=80=94 =C2=A311,900 for the membrane.\n\
>From the supplier: valid until 28/02.\n\
--XYZ\n\
Content-Type: application/pdf; name=\"quote.pdf\"\n\
Content-Disposition: attachment; filename=\"quote.pdf\"\n\
Content-Transfer-Encoding: base64\n\
\n\
JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK\n\
--XYZ--\n\
\n\
From priya@northgate.example Tue Mar 12 15:10:00 2024\n\
From: Priya Shah <priya@northgate.example>\n\
To: Dana Reyes <dana@northgate.example>\n\
Subject: Re: Roof membrane quote\n\
Date: Tue, 12 Mar 2024 15:10:00 +0000\n\
Message-ID: <a2@northgate.example>\n\
In-Reply-To: <a1@northgate.example>\n\
Content-Type: text/plain; charset=iso-8859-1\n\
\n\
Approved. Caf\u{e9} at 10.\n"
        .into()
}

/// 64, or `PROPTEST_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// The unedited seeds are real exports of their formats: the edits start from inputs that reach
/// deep into each importer, not from ones detection turns away.
#[test]
fn every_seed_reads_whole() {
    for (name, bytes, at_least) in [
        (fuzzing::WHATSAPP_NAME, whatsapp_seed(), 20),
        (fuzzing::TELEGRAM_NAME, telegram_seed(), 3),
        (fuzzing::SLACK_ZIP_NAME, slack_zip(None), 5),
        (fuzzing::MBOX_NAME, mbox_seed(), 2),
    ] {
        let sink = fuzzing::read_as(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            sink.message_count >= at_least,
            "{name}: {} messages",
            sink.message_count
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn whatsapp_text_never_panics(edits in prop::collection::vec(edit(), 1..10)) {
        read(fuzzing::WHATSAPP_NAME, &apply(whatsapp_seed(), &edits))?;
    }

    #[test]
    fn telegram_json_never_panics(edits in prop::collection::vec(edit(), 1..10)) {
        read(fuzzing::TELEGRAM_NAME, &apply(telegram_seed(), &edits))?;
    }

    #[test]
    fn slack_members_never_panic(
        member in prop::sample::select(vec!["channels.json", "users.json", "2025-12-01.json", "2025-12-02.json"]),
        edits in prop::collection::vec(edit(), 1..10),
    ) {
        read(fuzzing::SLACK_ZIP_NAME, &slack_zip(Some((member, &edits))))?;
    }

    #[test]
    fn slack_zip_bytes_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        read(fuzzing::SLACK_ZIP_NAME, &apply(slack_zip(None), &edits))?;
    }

    #[test]
    fn mbox_never_panics(edits in prop::collection::vec(edit(), 1..10)) {
        read(fuzzing::MBOX_NAME, &apply(mbox_seed(), &edits))?;
    }
}

/// Inputs fuzzing found or that sit at the edges; each reads without a panic.
#[test]
fn regressions() {
    let cases: &[(&str, &[u8])] = &[
        ("WhatsApp Chat with Empty.txt", b""),
        ("WhatsApp Chat with Nul.txt", b"\0\0\0\0"),
        ("WhatsApp Chat with Date only.txt", b"12/03/2024, 14:02 - "),
        ("result.json", b"{\"messages\": [{\"text\": [{\"type\": 5}]}]}"),
        ("result.json", b"{\"chats\": {\"list\": [null]}}"),
        ("fuzz.mbox", b"From \n\n"),
        ("fuzz.mbox", b"From a@b Tue Mar 12 14:02:09 2024\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n"),
    ];
    for (name, bytes) in cases {
        read(name, bytes).unwrap();
    }
}
