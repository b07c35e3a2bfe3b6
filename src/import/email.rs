//! E-mail: an mbox (mboxo or mboxrd), a single `.eml`, or a folder of them (Maildir too),
//! parsed with `mail-parser`. Each thread is a conversation (References, then In-Reply-To,
//! then the subject without its `Re:`/`Fwd:`). See docs/formats/email.md.
//!
//! An mbox is read one message at a time; a message that does not parse is a warning naming
//! its line, and the rest is imported.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};

use chrono::{DateTime, NaiveDateTime, Utc};
use mail_parser::{Address, MessageParser, MimeHeaders};

use super::zone;
use super::{
    AttachmentContent, AttachmentRecord, ConversationKind, ConversationRecord, Format,
    ImportOptions, Importer, Input, MessageKind, MessageRecord, ParticipantRecord, PositionKind,
    RecordSink, SourceFacts, SourceFile,
};
use crate::error::{Error, Location, Result};

pub struct Email;

pub const VERSION: u32 = 1;

/// Header names that start a plain `.eml` file.
fn looks_like_header(line: &str) -> bool {
    match line.split_once(':') {
        Some((name, _)) => {
            !name.is_empty()
                && name.len() < 40
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        None => false,
    }
}

const KNOWN_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
    "content-type",
    "delivered-to",
    "x-",
    "in-reply-to",
    "references",
];

/// What a plain file holds, judged from its first lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Mbox,
    Eml,
}

fn shape(head: &str) -> Option<Shape> {
    let mut lines = head.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next()?;
    if first.starts_with("From ") {
        // An mbox separator, followed by headers.
        return lines
            .next()
            .filter(|l| looks_like_header(l))
            .map(|_| Shape::Mbox);
    }
    if !looks_like_header(first) {
        return None;
    }
    let known = head
        .lines()
        .take(60)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            let name = lower.split(':').next().unwrap_or("");
            l.contains(':')
                && KNOWN_HEADERS.iter().any(|h| {
                    if h.ends_with('-') {
                        name.starts_with(h)
                    } else {
                        name == *h
                    }
                })
        })
        .count();
    (known >= 1).then_some(Shape::Eml)
}

fn is_mail_member(m: &str) -> bool {
    let lower = m.to_ascii_lowercase();
    lower.ends_with(".eml")
        || lower.ends_with(".mbox")
        || m.split('/').any(|c| c == "cur" || c == "new")
}

/// `Re: Re: Fwd: Budget` -> `budget` (for grouping replies without headers).
fn thread_subject(s: &str) -> String {
    let mut t = s.trim();
    loop {
        let lower = t.to_ascii_lowercase();
        let cut = [
            "re:", "fwd:", "fw:", "aw:", "sv:", "wg:", "tr:", "rv:", "vs:",
        ]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map(|p| p.len());
        match cut {
            Some(n) => t = t[n..].trim_start(),
            None => break,
        }
    }
    t.to_lowercase()
}

fn people(a: Option<&Address<'_>>) -> Vec<ParticipantRecord> {
    a.map(|a| {
        a.iter()
            .filter_map(|addr| {
                let email = addr.address.as_deref().map(str::to_ascii_lowercase);
                let name = addr
                    .name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty());
                match (name, email) {
                    (None, None) => None,
                    (n, e) => Some(ParticipantRecord {
                        display_name: n.map(str::to_string).or(e.clone()).unwrap_or_default(),
                        handle: e,
                    }),
                }
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A short digest of a Message-ID or subject: the thread maps hold these, not the strings, so
/// a mailbox of a million messages stays small in memory.
type Key = [u8; 16];

use super::short_digest as key;

/// Threads: message id -> the root of its thread; subject -> root, for replies without headers.
#[derive(Default)]
struct Threads {
    /// Each thread's root (the first Message-ID it names, or `subject:…`).
    roots: Vec<String>,
    root_index: HashMap<Key, u32>,
    /// Message-ID -> its thread.
    root_of: HashMap<Key, u32>,
    /// Subject without `Re:`/`Fwd:` -> the first thread with it.
    by_subject: HashMap<Key, u32>,
}

impl Threads {
    fn intern(&mut self, root: &str) -> u32 {
        let next = self.roots.len() as u32;
        let i = *self.root_index.entry(key(root)).or_insert(next);
        if i == next {
            self.roots.push(root.to_string());
        }
        i
    }

    fn root(
        &mut self,
        id: Option<&str>,
        refs: &[String],
        in_reply_to: Option<&str>,
        subject: &str,
    ) -> String {
        let parent = refs.first().map(String::as_str).or(in_reply_to);
        let found = parent.map(|p| match self.root_of.get(&key(p)) {
            Some(i) => *i,
            None => self.intern(p),
        });
        let subject_key = thread_subject(subject);
        let subject_key = (!subject_key.is_empty()).then(|| key(&subject_key));
        let root = match (found, subject_key.and_then(|k| self.by_subject.get(&k))) {
            (Some(r), _) => r,
            (None, Some(r)) => *r,
            (None, None) => match id {
                Some(id) => self.intern(id),
                None => self.intern(&format!("subject:{}", thread_subject(subject))),
            },
        };
        if let Some(id) = id {
            self.root_of.insert(key(id), root);
        }
        if let Some(k) = subject_key {
            self.by_subject.entry(k).or_insert(root);
        }
        self.roots[root as usize].clone()
    }
}

struct Reader<'a> {
    sink: &'a mut dyn RecordSink,
    options: &'a ImportOptions,
    threads: Threads,
    messages: u64,
    used_zone: bool,
}

impl Reader<'_> {
    /// One message; `separator_date` is the mbox `From ` line's date (local, no zone).
    fn message(
        &mut self,
        bytes: &[u8],
        separator_date: Option<NaiveDateTime>,
        display: &str,
        pos: u64,
    ) -> Result<()> {
        let at = Location::line(display, pos);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            self.sink.warning(
                &at,
                "an empty message (a separator line with nothing after it); skipped".into(),
            );
            return Ok(());
        }
        let Some(msg) = MessageParser::default().parse(bytes) else {
            self.sink.warning(
                &at,
                "not an e-mail message; skipped (the original is kept in the archive)".into(),
            );
            return Ok(());
        };
        let sent_at = match msg.date().filter(|d| d.is_valid()) {
            Some(d) => DateTime::from_timestamp(d.to_timestamp(), 0),
            None => None,
        };
        let sent_at = match (sent_at, separator_date) {
            (Some(t), _) => t,
            (None, Some(local)) => {
                self.used_zone = true;
                zone::to_utc(&self.options.zone, local).0
            }
            (None, None) => {
                let received = msg
                    .received()
                    .and_then(|r| r.date())
                    .filter(|d| d.is_valid())
                    .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0));
                match received {
                    Some(t) => t,
                    None => {
                        self.sink.warning(
                            &at,
                            "no Date header (nor a Received date): stored at 1970-01-01; the original is kept".into(),
                        );
                        DateTime::<Utc>::UNIX_EPOCH
                    }
                }
            }
        };
        let id = msg.message_id().map(str::to_string);
        let refs: Vec<String> = msg
            .references()
            .as_text_list()
            .map(|l| l.iter().map(|s| s.to_string()).collect())
            .or_else(|| msg.references().as_text().map(|s| vec![s.to_string()]))
            .unwrap_or_default();
        let in_reply_to = msg
            .in_reply_to()
            .as_text_list()
            .and_then(|l| l.first().map(|s| s.to_string()))
            .or_else(|| msg.in_reply_to().as_text().map(str::to_string));
        let subject = msg.subject().unwrap_or("").to_string();
        let root = self
            .threads
            .root(id.as_deref(), &refs, in_reply_to.as_deref(), &subject);

        let from = people(msg.from());
        let mut everyone = from.clone();
        everyone.extend(people(msg.to()));
        everyone.extend(people(msg.cc()));
        let distinct: HashSet<&Option<String>> = everyone.iter().map(|p| &p.handle).collect();
        let kind = if distinct.len() > 2 {
            ConversationKind::Group
        } else {
            ConversationKind::Direct
        };
        // The thread keeps the title its first message gave it.
        let title = if subject.trim().is_empty() {
            "(no subject)".to_string()
        } else {
            subject.trim().to_string()
        };
        self.sink.conversation(ConversationRecord {
            native_id: Some(format!("thread {root}")),
            title,
            kind,
            participants: everyone,
        })?;

        let texts: Vec<String> = msg
            .text_bodies()
            .filter(|p| !p.is_text_html())
            .filter_map(|p| p.text_contents().map(str::to_string))
            .collect();
        let html: Vec<String> = msg
            .html_bodies()
            .filter(|p| p.is_text_html())
            .filter_map(|p| p.text_contents().map(str::to_string))
            .collect();
        let mut text = texts.join("\n\n");
        if text.trim().is_empty() && !html.is_empty() {
            // HTML only: mail-parser's text rendering, for search; the HTML is kept as raw.
            text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
        }
        let body = if subject.is_empty() {
            text
        } else {
            format!("Subject: {subject}\n\n{text}")
        };
        let raw = msg.raw_message();
        let attachments: Vec<AttachmentRecord> = msg
            .attachments()
            .map(|a| AttachmentRecord {
                name: a
                    .attachment_name()
                    .map(str::to_string)
                    .or_else(|| {
                        let headers = raw.get(a.offset_header as usize..a.offset_body as usize)?;
                        name_in_headers(&String::from_utf8_lossy(headers))
                    })
                    .unwrap_or_else(|| "attachment".into()),
                mime: a.content_type().map(|c| match c.subtype() {
                    Some(s) => format!("{}/{s}", c.ctype()),
                    None => c.ctype().to_string(),
                }),
                size: Some(a.contents().len() as u64),
                content: AttachmentContent::Data(a.contents().to_vec()),
            })
            .collect();
        let record = MessageRecord {
            native_id: id,
            sender: from.into_iter().next(),
            sent_at,
            local_time: None,
            kind: if body.trim().is_empty() && !attachments.is_empty() {
                MessageKind::Media
            } else {
                MessageKind::Text
            },
            body,
            edited: false,
            reply_to: in_reply_to,
            reactions: Vec::new(),
            raw: (!html.is_empty()).then(|| html.join("\n")),
            attachments,
            pos,
        };
        self.messages += 1;
        self.sink.message(record)
    }
}

/// A file name in a part's raw headers when a malformed (folded, unterminated) header hid it
/// from the parser: `filename="x.png"`, `name=x.png`, or the Content-ID's local part.
fn name_in_headers(headers: &str) -> Option<String> {
    let lower = headers.to_ascii_lowercase();
    for key in ["filename=", "name="] {
        if let Some(i) = lower.find(key) {
            let rest = headers[i + key.len()..].trim_start();
            let value: String = match rest.strip_prefix('"') {
                Some(q) => q.split('"').next().unwrap_or("").to_string(),
                None => rest
                    .split(|c: char| c == ';' || c.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_string(),
            };
            if !value.is_empty() {
                return Some(value);
            }
        }
    }
    let i = lower.find("content-id:")?;
    let id = headers[i + 11..].trim_start().strip_prefix('<')?;
    let local = id.split(['@', '>']).next()?;
    (!local.is_empty()).then(|| local.to_string())
}

/// `From sender Fri Nov 12 12:28:33 2010` -> the date (local, no zone).
fn separator_date(line: &str) -> Option<NaiveDateTime> {
    let rest = line.strip_prefix("From ")?;
    let (_, date) = rest.split_once(' ')?;
    let date = date.trim();
    ["%a %b %e %H:%M:%S %Y", "%a %b %d %H:%M:%S %Y"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(date, f).ok())
}

impl Email {
    pub fn detect(input: &mut Input) -> Result<bool> {
        if input.has_members() {
            let members = input.members();
            return Ok(input.is_dir()
                && !members.is_empty()
                && members.iter().filter(|m| is_mail_member(m)).count() * 2 >= members.len());
        }
        let head = input.head("", 16 * 1024)?;
        Ok(shape(&String::from_utf8_lossy(&head)).is_some())
    }

    fn read_mbox(reader: &mut Reader<'_>, input: &mut Input, member: &str) -> Result<()> {
        let display = input.member_display(member);
        reader.sink.file(SourceFile {
            path: display.clone(),
            positions: PositionKind::Line,
        })?;
        let (r, total) = input.open_member(member)?;
        let mut lines = BufReader::with_capacity(256 * 1024, r);
        let mut line = Vec::with_capacity(256);
        let mut current: Option<(u64, Option<NaiveDateTime>, Vec<u8>)> = None;
        let (mut lineno, mut bytes, mut previous_blank) = (0u64, 0u64, true);
        loop {
            line.clear();
            let n = lines.read_until(b'\n', &mut line).map_err(|e| {
                Error::bad_input(
                    Location::line(&display, lineno + 1),
                    format!("cannot read: {e}"),
                )
            })?;
            if n == 0 {
                break;
            }
            lineno += 1;
            bytes += n as u64;
            let blank = line.iter().all(|b| b.is_ascii_whitespace());
            // A separator starts a message only after a blank line (or at the start): a body
            // line that begins "From " in an mboxo file is not cut into a new message.
            if line.starts_with(b"From ") && previous_blank {
                if let Some((pos, date, msg)) = current.take() {
                    reader.message(&msg, date, &display, pos)?;
                    reader.sink.progress(bytes, total);
                }
                let text = String::from_utf8_lossy(&line);
                current = Some((lineno, separator_date(text.trim_end()), Vec::new()));
            } else if let Some((_, _, msg)) = current.as_mut() {
                // mboxrd: `>From ` and `>>From ` lose one `>`.
                let quoted = line.iter().position(|b| *b != b'>').unwrap_or(0);
                if quoted > 0 && line[quoted..].starts_with(b"From ") {
                    msg.extend_from_slice(&line[1..]);
                } else {
                    msg.extend_from_slice(&line);
                }
            } else if !blank {
                return Err(Error::bad_input(
                    Location::line(&display, lineno),
                    "an mbox must start with a 'From ' separator line",
                ));
            }
            previous_blank = blank;
        }
        if let Some((pos, date, msg)) = current.take() {
            reader.message(&msg, date, &display, pos)?;
        }
        reader.sink.progress(bytes, total);
        Ok(())
    }

    fn read_eml(reader: &mut Reader<'_>, input: &mut Input, member: &str) -> Result<()> {
        let display = input.member_display(member);
        reader.sink.file(SourceFile {
            path: display.clone(),
            positions: PositionKind::Line,
        })?;
        let bytes = input.read_member(member)?;
        reader.message(&bytes, None, &display, 1)
    }
}

impl Importer for Email {
    fn format(&self) -> Format {
        Format::Email
    }

    fn version(&self) -> u32 {
        VERSION
    }

    fn import(
        &self,
        input: &mut Input,
        options: &ImportOptions,
        sink: &mut dyn RecordSink,
    ) -> Result<SourceFacts> {
        let mut reader = Reader {
            sink,
            options,
            threads: Threads::default(),
            messages: 0,
            used_zone: false,
        };
        if input.has_members() {
            let members: Vec<String> = input
                .members()
                .into_iter()
                .filter(|m| is_mail_member(m))
                .collect();
            let (mut done, total) = (0u64, members.len() as u64);
            for m in members {
                let head = input.head(&m, 4096)?;
                match shape(&String::from_utf8_lossy(&head)) {
                    Some(Shape::Mbox) => Email::read_mbox(&mut reader, input, &m)?,
                    Some(Shape::Eml) => Email::read_eml(&mut reader, input, &m)?,
                    None => reader.sink.warning(
                        &Location::file(input.member_display(&m)),
                        "not an e-mail message; skipped".into(),
                    ),
                }
                done += 1;
                reader.sink.progress(done, total);
            }
        } else {
            let head = input.head("", 16 * 1024)?;
            match shape(&String::from_utf8_lossy(&head)) {
                Some(Shape::Mbox) => Email::read_mbox(&mut reader, input, "")?,
                _ => Email::read_eml(&mut reader, input, "")?,
            }
        }
        if reader.messages == 0 {
            return Err(Error::bad_input(
                Location::file(input.display_name()),
                "no e-mail message found",
            ));
        }
        if reader.used_zone {
            reader.sink.warning(
                &Location::file(input.display_name()),
                format!(
                    "some messages have no Date header: the mbox separator's time was read as {}",
                    options.zone.name()
                ),
            );
        }
        Ok(SourceFacts {
            zone: reader.used_zone.then(|| options.zone.name().to_string()),
            date_order: None,
            messages: reader.messages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            shape("From a@b Fri Nov 12 12:28:33 2010\nFrom: a@b\n"),
            Some(Shape::Mbox)
        );
        assert_eq!(shape("Content-Type: text/plain\n\nhi"), Some(Shape::Eml));
        assert_eq!(shape("Received: from x\nSubject: y\n\nz"), Some(Shape::Eml));
        assert_eq!(shape("Shopping list\n- milk"), None);
        assert_eq!(shape("20/01/2020, 10:00 - A: hi"), None);
        assert_eq!(shape("Note: remember\nthe milk"), None);
    }

    #[test]
    fn subjects_group_replies() {
        assert_eq!(thread_subject("Re: RE: Fwd: Budget 2024"), "budget 2024");
        let mut t = Threads::default();
        let a = t.root(Some("<1@x>"), &[], None, "Budget");
        let b = t.root(Some("<2@x>"), &[], Some("<1@x>"), "Re: Budget");
        let c = t.root(
            Some("<3@x>"),
            &["<1@x>".into(), "<2@x>".into()],
            Some("<2@x>"),
            "Re: Budget",
        );
        let d = t.root(None, &[], None, "Re: Re: Budget");
        let e = t.root(Some("<9@x>"), &[], None, "Other");
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str(), d.as_str()),
            ("<1@x>", "<1@x>", "<1@x>", "<1@x>")
        );
        assert_eq!(e, "<9@x>");
    }

    #[test]
    fn names_hidden_by_malformed_headers() {
        assert_eq!(
            name_in_headers("Content-Type: image/png\nContent-Disposition: ;\n        filename=\"image001.png\"\n").as_deref(),
            Some("image001.png")
        );
        assert_eq!(
            name_in_headers("Content-Type: text/plain; name=a.txt\n").as_deref(),
            Some("a.txt")
        );
        assert_eq!(
            name_in_headers("Content-ID: <part1@x>\n").as_deref(),
            Some("part1")
        );
        assert_eq!(name_in_headers("Content-Type: image/png\n"), None);
    }

    #[test]
    fn separator_dates() {
        assert_eq!(
            separator_date("From test@example.com Fri Nov 12 12:28:33 2010")
                .unwrap()
                .to_string(),
            "2010-11-12 12:28:33"
        );
        assert_eq!(
            separator_date("From x@y Sat Jan  1 01:02:03 2011")
                .unwrap()
                .to_string(),
            "2011-01-01 01:02:03"
        );
    }
}
