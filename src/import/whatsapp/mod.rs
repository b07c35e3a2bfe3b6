//! WhatsApp "Export chat" (Android and iOS): a `.txt`, or a `.zip` holding `_chat.txt` /
//! `WhatsApp Chat with X.txt` and the media. See docs/formats/whatsapp.md for the grammar and
//! every quirk handled here.
//!
//! Two streaming passes over the chat text: the first learns the file's layout, its date
//! order and its authors; the second emits messages. Memory stays flat whatever the size.

pub mod dates;
pub mod header;
pub mod markers;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::{BufRead, BufReader, Read};

use chrono::NaiveTime;

use self::dates::{DateEvidence, FieldOrder};
use self::header::{strip_marks, Header, Layout};
use self::markers::Marker;
use super::zone::{self, Resolution};
use super::{
    AttachmentContent, AttachmentRecord, ConversationKind, ConversationRecord, Format,
    ImportOptions, Importer, Input, LocalTime, MessageKind, MessageRecord, ParticipantRecord,
    PositionKind, RecordSink, SourceFacts, SourceFile,
};
use crate::error::{Error, Location, Result};

pub struct WhatsApp;

pub const VERSION: u32 = 1;

/// Chat file names WhatsApp writes, by language (the part before the chat's name).
const CHAT_FILE_PREFIXES: &[&str] = &[
    "WhatsApp Chat with ",
    "WhatsApp Chat - ",
    "WhatsApp Chat mit ",
    "Chat de WhatsApp con ",
    "Discussion WhatsApp avec ",
    "Chat WhatsApp con ",
    "Conversa do WhatsApp com ",
    "Conversa no WhatsApp com ",
];

/// How many lines of a file detection looks at.
const DETECT_LINES: usize = 200;
/// Cap on repeated warnings of one kind, so a damaged file does not print a million lines.
const WARN_CAP: u32 = 20;

fn strip_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// The chat's title from the export's file name (`WhatsApp Chat with Alice.txt` -> `Alice`).
fn title_from(input_name: &str, member: Option<&str>) -> String {
    let candidates = [
        member.map(|m| m.rsplit('/').next().unwrap_or(m)),
        Some(input_name),
    ];
    for name in candidates.into_iter().flatten() {
        let stem = strip_extension(name);
        for prefix in CHAT_FILE_PREFIXES {
            if let Some(rest) = stem.strip_prefix(prefix) {
                // Browsers add " (1)" to repeated downloads.
                let rest = match rest.rfind(" (") {
                    Some(i)
                        if rest.ends_with(')')
                            && rest[i + 2..rest.len() - 1]
                                .bytes()
                                .all(|b| b.is_ascii_digit()) =>
                    {
                        &rest[..i]
                    }
                    _ => rest,
                };
                if !rest.trim().is_empty() {
                    return rest.trim().to_string();
                }
            }
        }
    }
    let stem = strip_extension(input_name);
    if stem.is_empty() {
        "WhatsApp chat".into()
    } else {
        stem.to_string()
    }
}

/// The chat text inside a zip: `_chat.txt`, a `WhatsApp Chat ….txt`, or the only `.txt`.
fn chat_member(input: &Input) -> Option<String> {
    let members = input.members();
    let base = |m: &String| m.rsplit('/').next().unwrap_or(m).to_string();
    if let Some(m) = members.iter().find(|m| base(m) == "_chat.txt") {
        return Some(m.clone());
    }
    if let Some(m) = members.iter().find(|m| {
        let b = base(m);
        b.ends_with(".txt") && CHAT_FILE_PREFIXES.iter().any(|p| b.starts_with(p))
    }) {
        return Some(m.clone());
    }
    let txts: Vec<&String> = members.iter().filter(|m| m.ends_with(".txt")).collect();
    (txts.len() == 1).then(|| txts[0].clone())
}

/// Reads lines, keeping track of line numbers and bytes; decodes a line as UTF-8 only when
/// asked ([`Lines::text`]), tolerating invalid bytes.
struct Lines<'a> {
    reader: BufReader<Box<dyn Read + 'a>>,
    buf: Vec<u8>,
    text: String,
    decoded: bool,
    line: u64,
    bytes: u64,
    invalid_utf8: u32,
    first_invalid: Option<u64>,
}

impl<'a> Lines<'a> {
    fn new(r: Box<dyn Read + 'a>) -> Self {
        Lines {
            reader: BufReader::with_capacity(256 * 1024, r),
            buf: Vec::with_capacity(1024),
            text: String::new(),
            decoded: false,
            line: 0,
            bytes: 0,
            invalid_utf8: 0,
            first_invalid: None,
        }
    }

    /// Reads the next line (without its terminator); `false` at the end.
    fn advance(&mut self, file: &str) -> Result<bool> {
        if self.decoded {
            // Reuse the decoded line's allocation.
            self.buf = std::mem::take(&mut self.text).into_bytes();
            self.decoded = false;
        }
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| {
            Error::bad_input(
                Location::line(file, self.line + 1),
                format!("cannot read: {e}"),
            )
        })?;
        if n == 0 {
            return Ok(false);
        }
        self.bytes += n as u64;
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.buf.drain(..3);
        }
        Ok(true)
    }

    /// Whether the raw line could start a message (a digit, `[`, or an invisible mark first).
    fn may_be_header(&self) -> bool {
        matches!(self.buf.first(), Some(b'0'..=b'9' | b'[' | 0xE2 | 0xEF))
    }

    /// The current line as text (decoded once; invalid bytes become U+FFFD and are counted).
    fn text(&mut self) -> &str {
        if !self.decoded {
            let raw = std::mem::take(&mut self.buf);
            self.text = match String::from_utf8(raw) {
                Ok(s) => s,
                Err(e) => {
                    self.invalid_utf8 += 1;
                    self.first_invalid.get_or_insert(self.line);
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                }
            };
            self.decoded = true;
        }
        &self.text
    }
}

/// Position of the first `": "` (memchr for the colon; the common case finds it at once).
fn colon_space(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    memchr::memchr_iter(b':', b).find(|&i| b.get(i + 1) == Some(&b' '))
}

/// Splits `Author: text`. Returns `None` for system lines (no author).
fn split_author<'a>(rest: &'a str, known: &HashSet<String>) -> Option<(&'a str, &'a str)> {
    if let Some(i) = colon_space(rest) {
        let author = &rest[..i];
        if plausible_author(author) {
            return Some((author, &rest[i + 2..]));
        }
    }
    // `John Doe:.` or `Luke:` — a colon without a space, accepted for authors seen elsewhere.
    let mut from = 0;
    while let Some(off) = rest[from..].find(':') {
        let i = from + off;
        if known.contains(&rest[..i]) {
            return Some((&rest[..i], &rest[i + 1..]));
        }
        from = i + 1;
    }
    None
}

fn plausible_author(a: &str) -> bool {
    !a.is_empty()
        && (a.len() <= 100 || a.chars().count() <= 100)
        && !a.contains(['"', '“', '„', '«'])
}

fn participant(author: &str) -> ParticipantRecord {
    let name = strip_marks(author).trim();
    let is_phone = name.starts_with('+')
        && name[1..].chars().all(|c| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '\u{00A0}' | '\u{202F}')
        });
    let handle = is_phone.then(|| {
        let digits: String = name.chars().filter(char::is_ascii_digit).collect();
        format!("+{digits}")
    });
    ParticipantRecord {
        display_name: name.to_string(),
        handle,
    }
}

/// Whether an authored line is really a notice WhatsApp wrote: the encryption notice (iOS
/// attributes it to the chat), or on iOS any direction-mark-prefixed text "sent" by the chat
/// itself that is not a media, deletion or call placeholder (`Group: ‎You created group “Group”`).
fn is_notice(ios: bool, title: &str, author: &str, text: &str) -> bool {
    markers::is_attributed_system_text(text)
        || (ios
            && author == title
            && text.starts_with('\u{200E}')
            && markers::classify(text).kind == MessageKind::Text)
}

/// What the first pass learns.
#[derive(Default)]
struct Scan {
    layouts: HashMap<Layout, (u64, DateEvidence)>,
    authors: Vec<String>,
    author_set: HashSet<String>,
    group_event: bool,
    lines: u64,
}

impl Scan {
    fn dominant(&self) -> Option<(Layout, &DateEvidence, u64)> {
        self.layouts
            .iter()
            .max_by_key(|(_, (n, _))| *n)
            .map(|(l, (n, ev))| (*l, ev, *n))
    }
}

impl WhatsApp {
    /// Whether the input looks like a WhatsApp export (a header within the first lines).
    pub fn detect(input: &mut Input) -> Result<bool> {
        let member = if input.has_members() {
            match chat_member(input) {
                Some(m) => m,
                None => return Ok(false),
            }
        } else {
            String::new()
        };
        let display = input.member_display(&member);
        let (reader, _) = input.open_member(&member)?;
        let mut lines = Lines::new(Box::new(reader.take(256 * 1024)));
        for _ in 0..DETECT_LINES {
            if !lines.advance(&display)? {
                break;
            }
            if lines.may_be_header() && header::parse(lines.text()).is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn scan(&self, input: &mut Input, member: &str, display: &str, title: &str) -> Result<Scan> {
        let (reader, _) = input.open_member(member)?;
        let mut lines = Lines::new(reader);
        let mut scan = Scan::default();
        while lines.advance(display)? {
            if !lines.may_be_header() {
                continue;
            }
            let lineno = lines.line;
            let Some(h) = header::parse(lines.text()) else {
                continue;
            };
            let entry = scan.layouts.entry(h.layout).or_default();
            entry.0 += 1;
            entry.1.add(h.fields, h.widths, lineno);
            match colon_space(h.rest) {
                Some(i) if plausible_author(&h.rest[..i]) => {
                    let author = &h.rest[..i];
                    if !is_notice(h.layout.bracket, title, author, &h.rest[i + 2..])
                        && !scan.author_set.contains(author)
                    {
                        scan.author_set.insert(author.to_string());
                        scan.authors.push(author.to_string());
                    }
                }
                _ => {
                    if !scan.group_event && markers::is_group_event(h.rest) {
                        scan.group_event = true;
                    }
                }
            }
        }
        scan.lines = lines.line;
        Ok(scan)
    }
}

/// A message being assembled from its header line and continuation lines.
struct Pending {
    line: u64,
    local: LocalTime,
    rest: String,
}

struct Emitter<'s> {
    sink: &'s mut dyn RecordSink,
    options: &'s ImportOptions,
    title: String,
    known: HashSet<String>,
    people: HashMap<String, ParticipantRecord>,
    ios: bool,
    ambiguous_times: u64,
    skipped_times: u64,
    messages: u64,
    /// (15-minute slot of local time, local minus UTC in ms, resolution) of the last lookup.
    zone_memo: Option<(i64, i64, Resolution)>,
}

impl Emitter<'_> {
    fn attachment(&self, input: &Input, marker: Marker) -> AttachmentRecord {
        match marker {
            Marker::Omitted(what) => AttachmentRecord {
                mime: None,
                size: None,
                name: what,
                content: AttachmentContent::Omitted,
            },
            Marker::File(name) => {
                let found = input.find_attachment(&name).or_else(|| {
                    // Android audio can lose its extension: `AUD-…-WA0000.` names `AUD-…-WA0000.opus`.
                    name.ends_with('.')
                        .then(|| {
                            input
                                .members()
                                .into_iter()
                                .find(|m| m.rsplit('/').next().unwrap_or(m).starts_with(&name))
                        })
                        .flatten()
                });
                let mime = mime_guess::from_path(found.as_deref().unwrap_or(&name))
                    .first()
                    .map(|m| m.essence_str().to_string());
                AttachmentRecord {
                    mime,
                    size: None,
                    content: match found {
                        Some(member) => AttachmentContent::Member(member),
                        None => AttachmentContent::Missing,
                    },
                    name,
                }
            }
        }
    }

    /// Local time to UTC, remembering the offset per 15-minute slot of local time (every
    /// zone changes offset on a quarter hour, so a slot has one answer).
    fn instant_of(
        &mut self,
        local: chrono::NaiveDateTime,
    ) -> (chrono::DateTime<chrono::Utc>, Resolution) {
        let ms = local.and_utc().timestamp_millis();
        let slot = ms.div_euclid(900_000);
        if let Some((s, shift, res)) = self.zone_memo {
            if s == slot {
                let t = chrono::DateTime::from_timestamp_millis(ms - shift).unwrap_or_default();
                return (t, res);
            }
        }
        let (t, res) = zone::to_utc(&self.options.zone, local);
        self.zone_memo = Some((slot, ms - t.timestamp_millis(), res));
        (t, res)
    }

    fn emit(&mut self, input: &Input, p: Pending) -> Result<()> {
        let (sent_at, res) = self.instant_of(p.local.naive);
        match res {
            Resolution::Exact => {}
            Resolution::Ambiguous => self.ambiguous_times += 1,
            Resolution::Skipped => self.skipped_times += 1,
        }
        let mut record = MessageRecord {
            native_id: None,
            sender: None,
            sent_at,
            local_time: Some(p.local),
            kind: MessageKind::System,
            body: String::new(),
            edited: false,
            reply_to: None,
            reactions: Vec::new(),
            raw: None,
            attachments: Vec::new(),
            pos: p.line,
        };
        match split_author(&p.rest, &self.known) {
            Some((author, text)) if !is_notice(self.ios, &self.title, author, text) => {
                let c = markers::classify(text);
                let person = match self.people.get(author) {
                    Some(p) => p.clone(),
                    None => {
                        let p = participant(author);
                        self.people.insert(author.to_string(), p.clone());
                        p
                    }
                };
                record.sender = Some(person);
                record.kind = c.kind;
                record.body = c.body;
                record.edited = c.edited;
                record.attachments = c
                    .markers
                    .into_iter()
                    .map(|m| self.attachment(input, m))
                    .collect();
            }
            Some((_, text)) => record.body = strip_marks(text).to_string(),
            None => record.body = strip_marks(&p.rest).to_string(),
        }
        self.messages += 1;
        self.sink.message(record)
    }
}

impl Importer for WhatsApp {
    fn format(&self) -> Format {
        Format::Whatsapp
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
        let member = if input.has_members() {
            chat_member(input).ok_or_else(|| Error::UnsupportedFormat {
                location: Location::file(input.display_name()),
                message: "this zip holds no WhatsApp chat (expected _chat.txt or 'WhatsApp Chat with ….txt')".into(),
            })?
        } else {
            String::new()
        };
        let display = input.member_display(&member);
        let title = title_from(
            input.display_name(),
            (!member.is_empty()).then_some(member.as_str()),
        );
        let scan = self.scan(input, &member, &display, &title)?;
        let Some((layout, evidence, header_count)) = scan.dominant() else {
            return Err(Error::bad_input(
                Location::file(&display),
                "no WhatsApp message line found: lines should start like '31/12/2023, 23:59 - Name: text' or '[31/12/2023, 23:59:59] Name: text'",
            ));
        };
        let decision = dates::decide(evidence, options.date_order, &display)?;
        let order: FieldOrder = decision.order;
        let file_loc = Location::file(&display);
        if let Some(assumed) = &decision.assumed {
            sink.warning(&file_loc, assumed.clone());
        }
        let other_layouts: u64 = scan.layouts.values().map(|(n, _)| n).sum::<u64>() - header_count;

        let participants: Vec<ParticipantRecord> =
            scan.authors.iter().map(|a| participant(a)).collect();
        let kind = if scan.group_event || participants.len() > 2 {
            ConversationKind::Group
        } else {
            ConversationKind::Direct
        };
        sink.conversation(ConversationRecord {
            native_id: None,
            title: title.clone(),
            kind,
            participants,
        })?;
        if !options.zone_explicit {
            sink.warning(
                &file_loc,
                format!(
                    "WhatsApp exports have no time zone: times were read as {} (this computer's zone); use --tz if the phone was set to another zone",
                    options.zone.name()
                ),
            );
        }

        sink.file(SourceFile {
            path: display.clone(),
            positions: PositionKind::Line,
        })?;
        let mut em = Emitter {
            sink,
            options,
            title,
            known: scan.author_set,
            people: HashMap::default(),
            ios: layout.bracket,
            ambiguous_times: 0,
            skipped_times: 0,
            messages: 0,
            zone_memo: None,
        };
        let attachments_input = input.reopen()?;
        let (reader, total) = input.open_member(&member)?;
        let mut lines = Lines::new(reader);
        let mut pending: Option<Pending> = None;
        let mut preamble: Option<(u64, u64)> = None;
        let (mut other_layout_warnings, mut bad_date_warnings) = (0u32, 0u32);
        let mut next_progress = 0u64;
        while lines.advance(&display)? {
            let lineno = lines.line;
            let bytes_read = lines.bytes;
            let line = lines.text();
            let header: Option<Header> = header::parse(line);
            let mut started = false;
            if let Some(h) = header {
                if h.layout == layout {
                    let date = order.date(h.fields);
                    let time = NaiveTime::from_hms_opt(h.hour, h.minute, h.second);
                    if let (Some(date), Some(time)) = (date, time) {
                        if let Some(p) = pending.take() {
                            em.emit(&attachments_input, p)?;
                        }
                        pending = Some(Pending {
                            line: lineno,
                            local: LocalTime {
                                naive: date.and_time(time),
                                text: h.timestamp.to_string(),
                            },
                            rest: h.rest.to_string(),
                        });
                        started = true;
                    } else if bad_date_warnings < WARN_CAP {
                        bad_date_warnings += 1;
                        em.sink.warning(
                            &Location::line(&display, lineno),
                            format!(
                                "'{}' is not a real date when read as {}; the line is kept as text of the previous message",
                                h.timestamp,
                                order.pattern()
                            ),
                        );
                    }
                } else if other_layouts > 0 && other_layout_warnings < WARN_CAP {
                    other_layout_warnings += 1;
                    em.sink.warning(
                        &Location::line(&display, lineno),
                        "this line starts like a message but in another timestamp layout than the rest of the file; it is kept as text of the previous message".to_string(),
                    );
                }
            }
            if !started {
                match pending.as_mut() {
                    Some(p) => {
                        p.rest.push('\n');
                        p.rest.push_str(line);
                    }
                    None => {
                        let range = preamble.get_or_insert((lineno, lineno));
                        range.1 = lineno;
                    }
                }
            }
            if bytes_read >= next_progress {
                em.sink.progress(bytes_read, total);
                next_progress = bytes_read + 256 * 1024;
            }
        }
        if let Some(p) = pending.take() {
            em.emit(&attachments_input, p)?;
        }
        em.sink.progress(lines.bytes, total);

        if let Some((a, b)) = preamble {
            em.sink.warning(
                &Location::line(&display, a),
                format!("lines {a}-{b} come before the first message and belong to none; they are kept only in the stored original export"),
            );
        }
        if lines.invalid_utf8 > 0 {
            em.sink.warning(
                &Location::line(&display, lines.first_invalid.unwrap_or(1)),
                format!(
                    "{} line(s) are not valid UTF-8; undecodable bytes were replaced with U+FFFD (the original bytes are kept)",
                    lines.invalid_utf8
                ),
            );
        }
        if em.ambiguous_times > 0 {
            em.sink.warning(&file_loc, format!(
                "{} message time(s) fall in the hour repeated when clocks went back in {}; the earlier of the two instants was used",
                em.ambiguous_times, options.zone.name()
            ));
        }
        if em.skipped_times > 0 {
            em.sink.warning(&file_loc, format!(
                "{} message time(s) fall in the hour skipped when clocks went forward in {}; they were moved forward by the gap",
                em.skipped_times, options.zone.name()
            ));
        }
        Ok(SourceFacts {
            zone: Some(options.zone.name().to_string()),
            date_order: Some(order.pattern()),
            messages: em.messages,
        })
    }
}

#[cfg(test)]
mod tests;
