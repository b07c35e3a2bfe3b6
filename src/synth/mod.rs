//! Synthetic exports for tests and benchmarks, deterministic from a seed: realistic enough to
//! exercise the importers (several senders, multi-line messages, system lines, media
//! placeholders, a skewed vocabulary, days above 12 so the date order is decidable), with no
//! real person's data. `holdfast-bench gen` writes them to files.

use std::io::{self, Write};

use chrono::{Duration, NaiveDate, NaiveDateTime};

pub mod exports;
pub mod formats;

/// A generator of an export sized in messages: writes it at the path (a file or a folder, as
/// the format is) from a seed, and returns how many messages it holds.
pub type Generate = fn(&std::path::Path, u64, u64) -> io::Result<u64>;

/// Every export format that can be generated, by the name `holdfast-bench gen` takes.
pub const FORMATS: &[(&str, Generate)] = &[
    ("whatsapp", whatsapp_file),
    ("telegram", formats::telegram_account),
    ("signal-export", formats::signal_export),
    ("slack", exports::slack_export_messages),
    ("mbox", mbox_file),
    ("maildir", formats::maildir),
];

/// The generator of the export format `name` (see [`FORMATS`]).
pub fn generator(name: &str) -> Option<Generate> {
    FORMATS.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

fn whatsapp_file(out: &std::path::Path, messages: u64, seed: u64) -> io::Result<u64> {
    whatsapp_android(&mut std::fs::File::create(out)?, messages, seed, None)?;
    Ok(messages)
}

fn mbox_file(out: &std::path::Path, messages: u64, seed: u64) -> io::Result<u64> {
    exports::mbox_messages(&mut std::fs::File::create(out)?, messages, seed)
}

/// SplitMix64: tiny, fast and stable across versions (so a seed always gives the same file).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Zipf-like: small indexes far more often than large ones.
    pub fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) - 1.0) as u64 % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "the",
    "to",
    "and",
    "we",
    "for",
    "on",
    "is",
    "it",
    "ok",
    "can",
    "you",
    "meeting",
    "invoice",
    "contract",
    "delivery",
    "budget",
    "thanks",
    "agreed",
    "tomorrow",
    "site",
    "quote",
    "approve",
    "draft",
    "minutes",
    "council",
    "planning",
    "report",
    "supplier",
    "deadline",
    "call",
    "lunch",
    "weekend",
    "Müller",
    "café",
    "naïve",
    "déjà",
    "über",
    "straße",
    "procurement",
    "FOI",
    "review",
    "please",
    "send",
    "check",
    "update",
    "today",
    "morning",
    "done",
    "👍",
    "🙂",
    "見積もり",
    "договор",
    "ASAP",
    "policy",
    "records",
    "retention",
    "audit",
    "schedule",
    "confirm",
    "attached",
    "figures",
];

const SENDERS: &[&str] = &[
    "Priya Shah",
    "Tom O'Neill",
    "+44 7700 900123",
    "~\u{202F}Sam Lee",
    "Aoife",
    "José Martínez",
];

/// Writes a WhatsApp Android export (`DD/MM/YYYY, HH:MM - Name: text`) of `messages` messages.
/// `marker`, when given, is put into one message in the middle (for plaintext checks).
pub fn whatsapp_android(
    out: &mut dyn Write,
    messages: u64,
    seed: u64,
    marker: Option<&str>,
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut t: NaiveDateTime = NaiveDate::from_ymd_opt(2021, 1, 13)
        .expect("valid date")
        .and_hms_opt(8, 0, 0)
        .expect("valid time");
    let mut w = io::BufWriter::with_capacity(1 << 20, out);
    writeln!(
        w,
        "{} - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
        t.format("%d/%m/%Y, %H:%M")
    )?;
    for i in 1..messages {
        t += Duration::seconds(rng.below(600) as i64);
        let stamp = t.format("%d/%m/%Y, %H:%M");
        let roll = rng.below(1000);
        if roll < 5 {
            writeln!(
                w,
                "{stamp} - Priya Shah added {}",
                SENDERS[rng.below(SENDERS.len() as u64) as usize]
            )?;
            continue;
        }
        let sender = SENDERS[rng.skewed(SENDERS.len() as u64) as usize];
        write!(w, "{stamp} - {sender}: ")?;
        if marker.is_some() && i == messages / 2 {
            writeln!(w, "the code word is {}", marker.unwrap_or_default())?;
            continue;
        }
        if roll < 30 {
            writeln!(w, "<Media omitted>")?;
            continue;
        }
        if roll < 35 {
            writeln!(w, "This message was deleted")?;
            continue;
        }
        let words = 3 + rng.below(14);
        for k in 0..words {
            if k > 0 {
                w.write_all(if rng.below(40) == 0 { b"\n" } else { b" " })?;
            }
            w.write_all(WORDS[rng.skewed(WORDS.len() as u64) as usize].as_bytes())?;
        }
        if roll < 45 {
            w.write_all(b" <This message was edited>")?;
        }
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// Words any business chat has, most frequent first (the head of the Zipf distribution).
const COMMON: &[&str] = &[
    "the",
    "to",
    "and",
    "a",
    "of",
    "in",
    "is",
    "for",
    "on",
    "we",
    "it",
    "you",
    "that",
    "with",
    "this",
    "be",
    "are",
    "at",
    "will",
    "can",
    "ok",
    "have",
    "not",
    "do",
    "from",
    "please",
    "thanks",
    "meeting",
    "today",
    "tomorrow",
    "invoice",
    "budget",
    "contract",
    "site",
    "report",
    "draft",
    "review",
    "quote",
    "delivery",
    "supplier",
    "approved",
    "schedule",
    "council",
    "planning",
    "minutes",
    "agenda",
    "deadline",
    "update",
    "call",
    "email",
    "project",
    "office",
    "team",
    "client",
    "payment",
    "order",
    "week",
    "monday",
    "friday",
    "procurement",
    "records",
    "retention",
    "policy",
    "audit",
    "request",
    "information",
    "freedom",
    "legal",
    "finance",
];

/// Phrases planted in a known share of messages, so phrase queries have answers.
pub const PHRASES: &[&str] = &[
    "site meeting",
    "invoice approved",
    "budget review",
    "planning application",
];

const LATIN: &[&str] = &[
    "ka", "ro", "mi", "ten", "sa", "lo", "vé", "dü", "ber", "an", "ti", "gor", "na", "el", "qua",
    "ré", "po", "ši", "ma", "tur", "ø", "lin", "ça", "de",
];
const CYRILLIC: &[&str] = &["до", "го", "вор", "ра", "ни", "ст", "ол", "ка", "пе", "ре"];
const CJK: &[char] = &[
    '見', '積', '会', '議', '予', '算', '契', '約', '報', '告', '日', '程', '承', '認',
];

/// A Zipf-distributed vocabulary in several scripts, deterministic from the generator.
pub struct Vocabulary {
    pub words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocabulary {
    pub fn new(rng: &mut Rng, size: usize) -> Vocabulary {
        let mut words: Vec<String> = COMMON.iter().map(|w| w.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        // Scripts are drawn per attempt, so a script whose combinations run out cannot stall
        // the loop (Latin alone has far more than enough).
        while words.len() < size {
            let w: String = match rng.below(10) {
                0..=6 => (0..2 + rng.below(3))
                    .map(|_| LATIN[rng.below(LATIN.len() as u64) as usize])
                    .collect(),
                7 | 8 => (0..2 + rng.below(3))
                    .map(|_| CYRILLIC[rng.below(CYRILLIC.len() as u64) as usize])
                    .collect(),
                _ => (0..2 + rng.below(2))
                    .map(|_| CJK[rng.below(CJK.len() as u64) as usize])
                    .collect(),
            };
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut cdf = Vec::with_capacity(size);
        let mut acc = 0.0;
        for r in 1..=size {
            acc += 1.0 / r as f64;
            cdf.push(acc);
        }
        Vocabulary { words, cdf }
    }

    /// A word drawn with probability proportional to 1 / rank.
    pub fn draw(&self, rng: &mut Rng) -> &str {
        let total = *self.cdf.last().expect("non-empty");
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self
            .cdf
            .partition_point(|c| *c < u)
            .min(self.words.len() - 1);
        &self.words[i]
    }
}

/// Apps a generated archive spreads its conversations over.
pub const APPS: &[&str] = &["whatsapp", "signal", "telegram", "slack", "email"];

/// Fills an (empty or not) archive database with `messages` generated messages over several
/// apps, conversations and people, three years, a Zipf vocabulary in Latin, Cyrillic and CJK
/// scripts, planted phrases, and some attachments. Straight into the database (no importer):
/// for search benchmarks.
pub fn fill_archive(
    conn: &mut rusqlite::Connection,
    messages: u64,
    seed: u64,
) -> rusqlite::Result<()> {
    use rusqlite::params;
    let mut rng = Rng::new(seed);
    let vocab = Vocabulary::new(&mut rng, 30_000);
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO sources (format, file_name, sha256, size, original_blob, importer, imported_at)
         VALUES ('synthetic', 'generated', ?1, 0, '', 'synth 1', 0)",
        [format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())],
    )?;
    let source = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO source_files (source_id, path, positions) VALUES (?1, 'generated', 'line')",
        [source],
    )?;
    let file = tx.last_insert_rowid();
    let people: Vec<i64> = (0..300)
        .map(|i| {
            tx.execute(
                "INSERT INTO participants (app, display_name, handle) VALUES (?1, ?2, '')",
                params![
                    APPS[i % APPS.len()],
                    format!("{} {}", vocab.words[100 + i], vocab.words[400 + i])
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
        .collect::<rusqlite::Result<_>>()?;
    let convs: Vec<i64> = (0..200)
        .map(|i| {
            tx.execute(
                "INSERT INTO conversations (app, title, kind, created_at) VALUES (?1, ?2, 'group', 0)",
                params![APPS[i % APPS.len()], format!("{} {} {i}", vocab.words[60 + i % 40], vocab.words[700 + i])],
            )?;
            Ok(tx.last_insert_rowid())
        })
        .collect::<rusqlite::Result<_>>()?;
    let start = 1_640_995_200_000i64; // 2022-01-01
    let span = 3 * 365 * 86_400_000i64;
    {
        let mut ins = tx.prepare(
            "INSERT INTO messages (conversation_id, ident, sender_id, sent_at, kind, body, source_file, source_pos)
             VALUES (?1, ?2, ?3, ?4, 'text', ?5, ?6, ?7)",
        )?;
        let mut att = tx.prepare(
            "INSERT INTO attachments (message_id, name, status) VALUES (?1, ?2, 'omitted')",
        )?;
        let mut body = String::new();
        for i in 0..messages {
            body.clear();
            let n = 3 + rng.below(18);
            for k in 0..n {
                if k > 0 {
                    body.push(' ');
                }
                if rng.below(100) < 2 {
                    body.push_str(PHRASES[rng.below(PHRASES.len() as u64) as usize]);
                } else if rng.below(200) == 0 {
                    body.push_str("receive");
                } else {
                    body.push_str(vocab.draw(&mut rng));
                }
            }
            let c = convs[rng.skewed(convs.len() as u64) as usize];
            let p = people[rng.below(people.len() as u64) as usize];
            let t = start
                + (span as f64 * i as f64 / messages.max(1) as f64) as i64
                + rng.below(60_000) as i64;
            let ident = [rng.next_u64().to_le_bytes(), rng.next_u64().to_le_bytes()].concat();
            ins.execute(params![c, ident, p, t, body, file, i as i64 + 1])?;
            if rng.below(50) == 0 {
                att.execute(params![
                    tx.last_insert_rowid(),
                    format!("{}.pdf", vocab.draw(&mut rng))
                ])?;
            }
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_large_distinct_and_skewed() {
        let mut rng = Rng::new(1);
        let v = Vocabulary::new(&mut rng, 30_000);
        let distinct: std::collections::HashSet<&String> = v.words.iter().collect();
        assert_eq!(distinct.len(), 30_000);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..100_000 {
            *counts.entry(v.draw(&mut rng).to_string()).or_insert(0u32) += 1;
        }
        // Zipf: the first word is drawn far more often than the 1000th.
        assert!(counts[&v.words[0]] > 50 * counts.get(&v.words[999]).copied().unwrap_or(1));
    }

    #[test]
    fn same_seed_same_file_and_the_count_is_exact() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        whatsapp_android(&mut a, 500, 7, Some("MARKER")).unwrap();
        whatsapp_android(&mut b, 500, 7, Some("MARKER")).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        let headers = text
            .lines()
            .filter(|l| crate::import::whatsapp::header::parse(l).is_some())
            .count();
        assert_eq!(headers, 500);
        assert!(text.contains("the code word is MARKER"));
    }
}
