//! Entry points for fuzzing: one per cargo-fuzz target in `fuzz/` (libFuzzer, nightly), also
//! called on stable by `tests/fuzz_corpora.rs` (every seed and every regression input) and by
//! the proptest mutations in `tests/fuzz_importers.rs`. See docs/fuzzing.md.
//!
//! Each function takes any bytes and returns. It panics only when Holdfast breaks one of its
//! promises about hostile input, which is what the fuzzer looks for:
//! - reading an export returns (no panic, no hang) with `Ok`, or an error whose message names the
//!   file it is about;
//! - every message an importer emits can say where it came from (`Collected::location`);
//! - the query parser returns a tree, whose canonical text is printable, or an error at a
//!   character position inside the query.

use std::path::Path;

use crate::error::Error;
use crate::import::{read_export, Collected, ImportOptions};
use crate::index::query;

/// The file name each importer target writes its bytes to (detection reads names too).
pub const WHATSAPP_NAME: &str = "WhatsApp Chat with Fuzz.txt";
pub const TELEGRAM_NAME: &str = "result.json";
pub const SLACK_ZIP_NAME: &str = "Fuzz Slack export.zip";
pub const MBOX_NAME: &str = "fuzz.mbox";
pub const EML_NAME: &str = "message.eml";
pub const SIGNAL_MD_NAME: &str = "chat.md";
pub const SIGNAL_JSON_NAME: &str = "data.json";

/// A WhatsApp chat export (`WhatsApp Chat with ….txt`).
pub fn whatsapp(data: &[u8]) {
    let _ = read_as(WHATSAPP_NAME, data);
}

/// A Telegram Desktop JSON export (`result.json`).
pub fn telegram(data: &[u8]) {
    let _ = read_as(TELEGRAM_NAME, data);
}

/// A Slack workspace export, the bytes being the zip file.
pub fn slack_zip(data: &[u8]) {
    let _ = read_as(SLACK_ZIP_NAME, data);
}

/// E-mail: the bytes as an mbox, then as a single `.eml` message.
pub fn email(data: &[u8]) {
    let _ = read_as(MBOX_NAME, data);
    let _ = read_as(EML_NAME, data);
}

/// signal-export's output: the bytes as a `chat.md`, then as a `data.json` (JSON Lines).
pub fn signal_export(data: &[u8]) {
    let _ = read_as(SIGNAL_MD_NAME, data);
    let _ = read_as(SIGNAL_JSON_NAME, data);
}

/// The search query language (`index::query`): any text parses, or fails at a character
/// position inside it (the end of the query at most); a parsed query prints. Bytes that are not
/// UTF-8 are read as the app would receive them, with replacement characters.
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    match query::parse(text) {
        Ok(node) => {
            let _ = query::display(&node);
        }
        Err(e) => {
            let len = text.chars().count();
            assert!(
                e.position <= len,
                "query error at character {} of a {len}-character query: {e}",
                e.position
            );
        }
    }
}

/// The options every target reads with: a fixed zone, so a run does not depend on the machine.
pub fn options() -> ImportOptions {
    ImportOptions {
        zone: chrono_tz::Europe::London,
        zone_explicit: true,
        date_order: None,
    }
}

/// Writes `data` as the file `name` in a fresh temporary folder and reads it through format
/// detection and the importer into a [`Collected`] sink that keeps every message.
///
/// Panics if reading breaks a promise: an error that does not name the file, or a kept
/// message without a location. Returns what was read, or the (clean) error.
pub fn read_as(name: &str, data: &[u8]) -> Result<Collected, Error> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("writing the input");
    let result = read_at(&path, name);
    drop(dir);
    result
}

fn read_at(path: &Path, name: &str) -> Result<Collected, Error> {
    let mut sink = Collected::keeping();
    match read_export(path, None, &options(), &mut sink) {
        Ok(_) => {
            assert_eq!(
                sink.messages.len(),
                sink.message_files.len(),
                "{name}: a file index for each kept message"
            );
            for i in 0..sink.messages.len() {
                assert!(
                    sink.message_files[i] < sink.files.len(),
                    "{name}: message {i} was emitted before any file"
                );
                assert!(
                    !sink.location(i).is_empty(),
                    "{name}: message {i} has no location"
                );
            }
            Ok(sink)
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(name) || text.contains(&path.display().to_string()),
                "{name}: the error does not name the file: {text}"
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_takes_empty_and_odd_bytes() {
        for data in [
            &b""[..],
            b"\0",
            b"\xff\xfe",
            b"PK\x03\x04",
            b"{",
            b"(",
            b"\"a",
        ] {
            whatsapp(data);
            telegram(data);
            slack_zip(data);
            email(data);
            signal_export(data);
            query(data);
        }
    }

    #[test]
    fn a_small_chat_reads_with_locations() {
        let c = read_as(
            WHATSAPP_NAME,
            b"12/03/2024, 14:02 - Dana: Roof quote\n12/03/2024, 14:03 - Priya: Approved\n",
        )
        .unwrap();
        assert_eq!(c.messages.len(), 2);
        assert!(c.location(1).ends_with(":2"), "{}", c.location(1));
    }
}
