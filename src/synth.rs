//! Synthetic exports for tests and benchmarks, deterministic from a seed: realistic enough to
//! exercise the importers (several senders, multi-line messages, system lines, media
//! placeholders, a skewed vocabulary, days above 12 so the date order is decidable), with no
//! real person's data. `holdfast-bench gen` writes them to files.

use std::io::{self, Write};

use chrono::{Duration, NaiveDate, NaiveDateTime};

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

#[cfg(test)]
mod tests {
    use super::*;

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
