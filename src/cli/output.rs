//! Human-readable output of the CLI (with `--json` the API types are printed instead).

use chrono::{DateTime, Local};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::api::{
    ConversationList, ConversationView, ImportProgress, ImportReport, InitResult, KeychainStatus,
    ReindexReport, SearchResults, Stats, VerifyReport,
};
use crate::import::MessageKind;

/// Thousands separators: 1234567 -> 1,234,567.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An RFC 3339 time in this computer's zone: `2024-03-12 09:00`.
fn local(t: &str) -> String {
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| t.to_string())
}

pub fn init(r: &InitResult) {
    println!("Created an encrypted archive at {}", r.archive);
    println!();
    println!(
        "Recovery key (shown only this once; keep it somewhere safe, away from this computer):"
    );
    println!();
    println!("    {}", r.recovery_key);
    println!();
    println!("It unlocks the archive if the passphrase is forgotten: holdfast passwd with HOLDFAST_RECOVERY_KEY set.");
}

pub fn import(r: &ImportReport) {
    for s in &r.sources {
        if s.already_imported {
            println!(
                "{}: already imported (same file, sha256 {}…): nothing added",
                s.path,
                &s.sha256[..12]
            );
            continue;
        }
        println!(
            "{}: {} — {} message(s) added, {} already in the archive, {} attachment(s) stored, {} conversation(s)",
            s.path,
            s.format.name(),
            thousands(s.messages_added),
            thousands(s.messages_duplicate),
            thousands(s.attachments_added),
            s.conversations
        );
        for w in &s.warnings {
            println!("  warning: {}: {}", w.at, w.message);
        }
    }
}

pub fn stats(s: &Stats) {
    println!("sources        {:>12}", thousands(s.sources));
    println!("conversations  {:>12}", thousands(s.conversations));
    println!("messages       {:>12}", thousands(s.messages));
    println!("attachments    {:>12}", thousands(s.attachments));
    for (app, n) in &s.by_app {
        println!("  {app:<12} {:>12}", thousands(*n));
    }
    if let (Some(a), Some(b)) = (&s.first, &s.last) {
        println!("from {} to {}", local(a), local(b));
    }
}

pub fn conversations(l: &ConversationList) {
    if l.conversations.is_empty() {
        println!("No conversations yet: import an export with `holdfast import FILE`.");
        return;
    }
    println!(
        "{:>5}  {:<9} {:>9}  {:<16}  title",
        "id", "app", "messages", "last"
    );
    for c in &l.conversations {
        println!(
            "{:>5}  {:<9} {:>9}  {:<16}  {}",
            c.id,
            c.app,
            thousands(c.messages),
            c.last.as_deref().map(local).unwrap_or_default(),
            c.title
        );
    }
}

pub fn show(v: &ConversationView) {
    let c = &v.conversation;
    println!(
        "{} ({}, {}; {} messages; showing {}–{})",
        c.title,
        c.app,
        c.kind.name(),
        thousands(v.total),
        v.offset + 1,
        v.offset + v.messages.len() as u64
    );
    for m in &v.messages {
        let who = match (&m.sender, m.kind) {
            (_, MessageKind::System) | (None, _) => "·".to_string(),
            (Some(s), _) => s.clone(),
        };
        let mut marks = String::new();
        if m.edited {
            marks.push_str(" (edited)");
        }
        if m.kind == MessageKind::Deleted {
            marks.push_str(" (deleted)");
        }
        println!(
            "[{}] #{} {}: {}{}",
            local(&m.sent_at),
            m.id,
            who,
            m.text,
            marks
        );
        for a in &m.attachments {
            println!("    📎 {} ({})", a.name, a.status.name());
        }
    }
}

/// Marks `highlights` (character ranges) in `text` with `[` `]`, or bold on a terminal.
fn marked(text: &str, highlights: &[[u32; 2]], terminal: bool) -> String {
    let (open, close) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut out = String::with_capacity(text.len() + 8 * highlights.len());
    for (i, c) in text.chars().enumerate() {
        let i = i as u32;
        if highlights.iter().any(|h| h[0] == i) {
            out.push_str(open);
        }
        out.push(if c == '\n' { ' ' } else { c });
        if highlights.iter().any(|h| h[1] == i + 1) {
            out.push_str(close);
        }
    }
    out
}

pub fn search(r: &SearchResults) {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    println!(
        "{} message(s) match ({} ms){}",
        thousands(r.total),
        r.took_ms,
        if r.offset > 0 {
            format!("; from #{}", r.offset + 1)
        } else {
            String::new()
        }
    );
    for h in &r.hits {
        println!(
            "[{}] {} · {} · {} (message {} in conversation {})",
            local(&h.sent_at),
            h.app,
            h.conversation,
            h.sender.as_deref().unwrap_or("·"),
            h.message_id,
            h.conversation_id
        );
        println!("    {}", marked(&h.snippet, &h.highlights, terminal));
    }
    let shown = r.offset + r.hits.len() as u64;
    if shown < r.total {
        println!(
            "… {} more: use --offset {shown}",
            thousands(r.total - shown)
        );
    }
}

pub fn reindex(r: &ReindexReport) {
    println!(
        "Search index rebuilt: {} messages in {} ms.",
        thousands(r.messages),
        r.took_ms
    );
}

pub fn backup(r: &crate::backup::BackupReport) {
    println!(
        "Backed up to {}: {} files, {} bytes, in {} ms.\nRoot hash {} (every file's SHA-256 is in holdfast-backup.json).",
        r.dest,
        thousands(r.files),
        thousands(r.bytes),
        r.took_ms,
        r.root_hash
    );
}

pub fn restore(r: &crate::backup::RestoreReport) {
    println!(
        "Restored {} from the backup of {} ({} files checked; the archive verified, {} audit entries intact).",
        r.archive,
        r.backup_created_at,
        thousands(r.files),
        thousands(r.audit_entries)
    );
    if let Some(p) = &r.previous_moved_to {
        println!("The archive that was there is kept at {p}.");
    }
}

pub fn verify(r: &VerifyReport) {
    println!("database: {}", r.database);
    println!(
        "blobs: {} checked, {} damaged",
        thousands(r.blobs_checked),
        r.blobs_damaged.len()
    );
    for b in &r.blobs_damaged {
        println!("  {b}");
    }
    let i = &r.index;
    println!(
        "search index: {} of {} messages indexed; {} missing, {} extra, {} damaged file(s)",
        thousands(i.indexed_messages),
        thousands(i.archive_messages),
        thousands(i.missing_from_index),
        thousands(i.extra_in_index),
        i.damaged_files.len()
    );
    for e in i.examples.iter().chain(&i.damaged_files) {
        println!("  {e}");
    }
    if r.ok {
        println!("All checks passed.");
    } else {
        println!("Problems found. `holdfast reindex` rebuilds the search index from the archive.");
    }
}

pub fn keychain(k: &KeychainStatus) {
    if k.remembered {
        println!("This device's keychain remembers the key of {}.", k.archive);
    } else {
        println!(
            "This device's keychain does not remember the key of {}.",
            k.archive
        );
    }
}

/// The progress bar of `holdfast import` (drawn on stderr, only on a terminal).
pub struct ImportBar {
    bar: Option<ProgressBar>,
}

impl ImportBar {
    pub fn new(terminal: bool) -> Self {
        ImportBar {
            bar: terminal.then(|| {
                let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
                b.set_style(
                    ProgressStyle::with_template(
                        "{spinner} {wide_msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                );
                b
            }),
        }
    }

    pub fn update(&mut self, e: ImportProgress) {
        let Some(bar) = &self.bar else { return };
        match e {
            ImportProgress::Scanning { path } => {
                bar.reset();
                bar.set_message(format!("reading {path}"));
            }
            ImportProgress::Importing {
                path,
                bytes_done,
                bytes_total,
                messages,
            } => {
                bar.set_length(bytes_total);
                bar.set_position(bytes_done);
                bar.set_message(format!("{path}: {} messages", thousands(messages)));
            }
            ImportProgress::Done { .. } => bar.set_position(bar.length().unwrap_or(0)),
            ImportProgress::Indexing { done, total } => {
                bar.set_length(total);
                bar.set_position(done);
                bar.set_message(format!("indexing for search: {} messages", thousands(done)));
            }
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
