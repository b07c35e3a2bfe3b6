//! Telegram Desktop "Export chat history" / "Export Telegram data" in JSON (`result.json`): a
//! single chat (`{name, type, id, messages: [...]}`) or a whole account (`{chats: {list: [...]},
//! left_chats: {list: [...]}, ...}`). See docs/formats/telegram.md.
//!
//! The file is streamed (exports reach hundreds of MB): a serde visitor walks the document and
//! deserialises one message at a time. Two kinds of invalid JSON that real exports contain are
//! repaired on the fly, with a warning: `\xNN` escapes, and an unquoted `document_id` value.

use std::fmt;
use std::io::{self, Read};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::zone::{self};
use super::{
    AttachmentContent, AttachmentRecord, ConversationKind, ConversationRecord, Format,
    ImportOptions, Importer, Input, LocalTime, MessageKind, MessageRecord, ParticipantRecord,
    PositionKind, Reaction, RecordSink, SourceFacts, SourceFile,
};
use crate::error::{Error, Location, Result};

pub struct Telegram;

pub const VERSION: u32 = 1;

/// The JSON file of an export: the input itself, or `result.json` in a zip or folder.
fn json_member(input: &Input) -> Option<String> {
    if !input.has_members() {
        return Some(String::new());
    }
    let members = input.members();
    members
        .iter()
        .filter(|m| m.rsplit('/').next() == Some("result.json"))
        .min_by_key(|m| m.len())
        .cloned()
}

/// Repairs the invalid JSON Telegram Desktop has been seen to write, as the bytes stream past.
struct Repair<R: Read> {
    inner: R,
    out: Vec<u8>,
    pos: usize,
    in_string: bool,
    escaped: bool,
    /// A `\x` escape waiting for its two hex digits.
    hex_escape: Option<Vec<u8>>,
    after_colon: bool,
    /// Inside a bare (unquoted) value that is being quoted.
    bare: bool,
    /// A value starting like `true`/`false`/`null`, held until it is known to be one (or a
    /// bare value such as `files/x.webp`).
    word: Option<Vec<u8>>,
    fixed_escapes: u64,
    fixed_bare: u64,
    bytes: u64,
    done: bool,
}

impl<R: Read> Repair<R> {
    fn new(inner: R) -> Self {
        Repair {
            inner,
            out: Vec::with_capacity(64 * 1024),
            pos: 0,
            in_string: false,
            escaped: false,
            hex_escape: None,
            after_colon: false,
            bare: false,
            word: None,
            fixed_escapes: 0,
            fixed_bare: 0,
            bytes: 0,
            done: false,
        }
    }

    /// Ends a held word: the literal it is, or the start of a bare value being quoted.
    fn end_word(&mut self, word: Vec<u8>) {
        if matches!(word.as_slice(), b"true" | b"false" | b"null") {
            self.out.extend_from_slice(&word);
            return;
        }
        self.out.push(b'"');
        for c in word {
            if c == b'"' || c == b'\\' {
                self.out.push(b'\\');
            }
            self.out.push(c);
        }
        self.bare = true;
        self.fixed_bare += 1;
    }

    fn feed(&mut self, b: u8) {
        if let Some(mut word) = self.word.take() {
            let delimiter = matches!(b, b',' | b'}' | b']' | b'\n' | b'\r' | b' ' | b'\t');
            if !delimiter {
                word.push(b);
                if word.len() <= 5 && b.is_ascii_lowercase() {
                    self.word = Some(word);
                } else {
                    // Longer than any literal: a bare value (quoting continues in `bare`).
                    self.end_word(word);
                }
                return;
            }
            self.end_word(word);
        }
        let out = &mut self.out;
        if let Some(h) = &mut self.hex_escape {
            h.push(b);
            if h.len() == 2 {
                let digits = self.hex_escape.take().expect("set");
                out.extend_from_slice(b"u00");
                out.extend_from_slice(&digits);
                self.fixed_escapes += 1;
            }
            return;
        }
        if self.bare {
            if matches!(b, b',' | b'}' | b']' | b'\n' | b'\r') {
                while out.last().is_some_and(|c| *c == b' ' || *c == b'\t') {
                    out.pop();
                }
                out.push(b'"');
                self.bare = false;
            } else {
                if b == b'"' || b == b'\\' {
                    out.push(b'\\');
                }
                out.push(b);
                return;
            }
        }
        if self.in_string {
            if self.escaped {
                self.escaped = false;
                if b == b'x' {
                    self.hex_escape = Some(Vec::with_capacity(2));
                    return;
                }
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            out.push(b);
            return;
        }
        if self.after_colon && !b.is_ascii_whitespace() {
            self.after_colon = false;
            if matches!(b, b't' | b'f' | b'n') {
                self.word = Some(vec![b]);
                return;
            }
            let starts_value = matches!(b, b'"' | b'{' | b'[' | b'-' | b'0'..=b'9');
            if !starts_value {
                // `"document_id": video_files/sticker.webm` -> a string.
                out.push(b'"');
                self.bare = true;
                self.fixed_bare += 1;
                if b == b'\\' {
                    out.push(b'\\');
                }
                out.push(b);
                return;
            }
        }
        match b {
            b'"' => self.in_string = true,
            b':' => self.after_colon = true,
            _ => {}
        }
        out.push(b);
    }
}

impl<R: Read> Read for Repair<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            let mut chunk = [0u8; 32 * 1024];
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.done = true;
                if let Some(word) = self.word.take() {
                    self.end_word(word);
                }
                if self.bare {
                    self.out.push(b'"');
                    self.bare = false;
                }
                continue;
            }
            self.bytes += n as u64;
            for &b in &chunk[..n] {
                self.feed(b);
            }
        }
        let n = (self.out.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// What the visitor shares while it walks the document.
struct Walk<'a> {
    sink: &'a mut dyn RecordSink,
    input: &'a Input,
    member: String,
    display: String,
    options: &'a ImportOptions,
    /// A failure of the sink (serde errors cannot carry ours).
    failure: Option<Error>,
    messages: u64,
    chats: u64,
    used_local_dates: bool,
    bad_records: u64,
    bytes_total: u64,
    bytes_read: std::rc::Rc<std::cell::Cell<u64>>,
}

#[derive(Default, Clone)]
struct ChatMeta {
    name: Option<String>,
    kind: Option<String>,
    id: Option<String>,
}

fn text_of(v: &Value) -> (String, bool) {
    match v {
        Value::String(s) => (s.clone(), false),
        Value::Array(parts) => {
            let mut out = String::new();
            let mut rich = false;
            for p in parts {
                match p {
                    Value::String(s) => out.push_str(s),
                    Value::Object(o) => {
                        if let Some(t) = o.get("text").and_then(Value::as_str) {
                            out.push_str(t);
                        }
                        if o.get("type").and_then(Value::as_str) != Some("plain") {
                            rich = true;
                        }
                        if let Some(href) = o.get("href").and_then(Value::as_str) {
                            // A text link keeps its target readable.
                            if o.get("text").and_then(Value::as_str) != Some(href) {
                                out.push_str(&format!(" ({href})"));
                            }
                        }
                    }
                    _ => {}
                }
            }
            (out, rich)
        }
        _ => (String::new(), false),
    }
}

fn conversation_kind(t: Option<&str>) -> ConversationKind {
    match t {
        Some(t) if t.contains("channel") => ConversationKind::Channel,
        Some(t) if t.contains("group") => ConversationKind::Group,
        _ => ConversationKind::Direct,
    }
}

fn id_string(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The readable line for a service message.
fn service_text(m: &Value, actor: &str) -> (MessageKind, String) {
    let action = m.get("action").and_then(Value::as_str).unwrap_or("");
    let list = |key: &str| -> String {
        m.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let title = m.get("title").and_then(Value::as_str).unwrap_or("");
    match action {
        "create_group" | "create_channel" => (
            MessageKind::System,
            format!("{actor} created the group «{title}»"),
        ),
        "invite_members" => (
            MessageKind::System,
            format!("{actor} added {}", list("members")),
        ),
        "remove_members" => (
            MessageKind::System,
            format!("{actor} removed {}", list("members")),
        ),
        "join_group_by_link" => (MessageKind::System, format!("{actor} joined by link")),
        "edit_group_title" => (
            MessageKind::System,
            format!("{actor} renamed the group to «{title}»"),
        ),
        "edit_group_photo" => (
            MessageKind::System,
            format!("{actor} changed the group photo"),
        ),
        "pin_message" => (
            MessageKind::System,
            format!(
                "{actor} pinned message {}",
                id_string(m.get("message_id")).unwrap_or_default()
            ),
        ),
        "migrate_from_group" | "migrate_to_supergroup" => {
            (MessageKind::System, format!("{actor} upgraded the group"))
        }
        "phone_call" | "group_call" => {
            let secs = m.get("duration_seconds").and_then(Value::as_u64);
            let reason = m.get("discard_reason").and_then(Value::as_str);
            let mut s = format!("{actor}: call");
            if let Some(d) = secs {
                s.push_str(&format!(", {d} s"));
            }
            if let Some(r) = reason {
                s.push_str(&format!(" ({r})"));
            }
            (MessageKind::Call, s)
        }
        "" => (MessageKind::System, format!("{actor}: (service message)")),
        other => (
            MessageKind::System,
            format!("{actor}: {}", other.replace('_', " ")),
        ),
    }
}

const NOT_INCLUDED: &str = "(File not included";

impl Walk<'_> {
    fn progress(&mut self) {
        let done = self.bytes_read.get();
        self.sink.progress(done, self.bytes_total);
    }

    fn time(
        &mut self,
        m: &Value,
    ) -> std::result::Result<(DateTime<Utc>, Option<LocalTime>), String> {
        if let Some(unix) = m.get("date_unixtime").and_then(|v| match v {
            Value::String(s) => s.parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        }) {
            let t = DateTime::from_timestamp(unix, 0).ok_or("date_unixtime out of range")?;
            let local = m.get("date").and_then(Value::as_str).and_then(|d| {
                NaiveDateTime::parse_from_str(d, "%Y-%m-%dT%H:%M:%S")
                    .ok()
                    .map(|naive| LocalTime {
                        naive,
                        text: d.to_string(),
                    })
            });
            return Ok((t, local));
        }
        let d = m
            .get("date")
            .and_then(Value::as_str)
            .ok_or("no date_unixtime or date")?;
        let naive = NaiveDateTime::parse_from_str(d, "%Y-%m-%dT%H:%M:%S")
            .map_err(|_| format!("date '{d}' is not YYYY-MM-DDTHH:MM:SS"))?;
        self.used_local_dates = true;
        let (t, _) = zone::to_utc(&self.options.zone, naive);
        Ok((
            t,
            Some(LocalTime {
                naive,
                text: d.to_string(),
            }),
        ))
    }

    fn attachment(&self, m: &Value) -> Option<AttachmentRecord> {
        let (key, path) = ["photo", "file", "thumbnail"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str).map(|p| (*k, p)))?;
        let mime = m
            .get("mime_type")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| (key == "photo").then(|| "image/jpeg".to_string()));
        let size = m.get("file_size").and_then(Value::as_u64);
        if path.starts_with(NOT_INCLUDED) {
            let name = m
                .get("file_name")
                .and_then(Value::as_str)
                .or_else(|| m.get("media_type").and_then(Value::as_str))
                .unwrap_or(key)
                .to_string();
            return Some(AttachmentRecord {
                name,
                mime,
                size,
                content: AttachmentContent::Omitted,
            });
        }
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let content = match self.input.resolve_relative(&self.member, path) {
            Some(member) => AttachmentContent::Member(member),
            None => AttachmentContent::Missing,
        };
        Some(AttachmentRecord {
            name,
            mime,
            size,
            content,
        })
    }

    fn message(&mut self, m: &Value, index: u64) -> std::result::Result<MessageRecord, String> {
        let obj = m.as_object().ok_or("not an object")?;
        let (sent_at, local_time) = self.time(m)?;
        let kind_field = obj.get("type").and_then(Value::as_str).unwrap_or("message");
        let (text, rich) = obj.get("text").map(text_of).unwrap_or_default();
        let mut record = MessageRecord {
            native_id: id_string(obj.get("id")),
            sender: None,
            sent_at,
            local_time,
            kind: MessageKind::Text,
            body: text,
            edited: obj.contains_key("edited") || obj.contains_key("edited_unixtime"),
            reply_to: id_string(obj.get("reply_to_message_id")),
            reactions: Vec::new(),
            raw: None,
            attachments: Vec::new(),
            pos: index,
        };
        let person = |name_key: &str, id_key: &str| {
            obj.get(name_key)
                .and_then(Value::as_str)
                .map(|n| ParticipantRecord {
                    display_name: n.to_string(),
                    handle: obj.get(id_key).and_then(Value::as_str).map(str::to_string),
                })
        };
        match kind_field {
            "service" => {
                let actor = obj
                    .get("actor")
                    .and_then(Value::as_str)
                    .unwrap_or("Someone");
                let (kind, line) = service_text(m, actor);
                record.kind = kind;
                if record.body.is_empty() {
                    record.body = line;
                } else {
                    record.body = format!("{line}: {}", record.body);
                }
                record.raw = Some(m.to_string());
            }
            "unsupported" => {
                record.kind = MessageKind::System;
                record.sender = person("from", "from_id");
                record.body = "(a message this Telegram version could not export)".into();
                record.raw = Some(m.to_string());
            }
            _ => {
                record.sender = person("from", "from_id");
                if let Some(a) = self.attachment(m) {
                    record.kind = MessageKind::Media;
                    record.attachments.push(a);
                }
                let mut extra = Vec::new();
                if let Some(f) = obj.get("forwarded_from").and_then(Value::as_str) {
                    extra.push(format!("forwarded from {f}"));
                }
                if let Some(p) = obj.get("poll") {
                    let q = p.get("question").and_then(Value::as_str).unwrap_or("");
                    let answers: Vec<&str> = p
                        .get("answers")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.get("text").and_then(Value::as_str))
                                .collect()
                        })
                        .unwrap_or_default();
                    extra.push(format!("poll: {q} [{}]", answers.join(" / ")));
                }
                if let Some(l) = obj.get("location_information") {
                    extra.push(format!(
                        "location: {}, {}",
                        l.get("latitude").map(Value::to_string).unwrap_or_default(),
                        l.get("longitude").map(Value::to_string).unwrap_or_default()
                    ));
                }
                if let Some(c) = obj.get("contact_information") {
                    extra.push(format!(
                        "contact: {} {} {}",
                        c.get("first_name").and_then(Value::as_str).unwrap_or(""),
                        c.get("last_name").and_then(Value::as_str).unwrap_or(""),
                        c.get("phone_number").and_then(Value::as_str).unwrap_or("")
                    ));
                }
                if let Some(e) = obj.get("sticker_emoji").and_then(Value::as_str) {
                    if record.body.is_empty() {
                        extra.push(format!("sticker {e}"));
                    }
                }
                if !extra.is_empty() {
                    let joined = extra.join("\n");
                    record.body = if record.body.is_empty() {
                        joined
                    } else {
                        format!("{}\n{joined}", record.body)
                    };
                }
                if rich || !extra.is_empty() {
                    record.raw = Some(m.to_string());
                }
            }
        }
        if let Some(rs) = obj.get("reactions").and_then(Value::as_array) {
            for r in rs {
                let emoji = r
                    .get("emoji")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string();
                let recent = r.get("recent").and_then(Value::as_array);
                match recent {
                    Some(people) if !people.is_empty() => {
                        for p in people {
                            record.reactions.push(Reaction {
                                emoji: emoji.clone(),
                                by: p
                                    .get("from")
                                    .and_then(Value::as_str)
                                    .unwrap_or("someone")
                                    .to_string(),
                            });
                        }
                    }
                    _ => {
                        let n = r.get("count").and_then(Value::as_u64).unwrap_or(1);
                        for _ in 0..n {
                            record.reactions.push(Reaction {
                                emoji: emoji.clone(),
                                by: "someone".into(),
                            });
                        }
                    }
                }
            }
        }
        Ok(record)
    }

    fn start_chat(&mut self, meta: &ChatMeta, path: String) -> Result<()> {
        self.chats += 1;
        self.sink.file(SourceFile {
            path: self.display.clone(),
            positions: PositionKind::JsonIndex(path),
        })?;
        let title = meta
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| match meta.kind.as_deref() {
                Some("saved_messages") => "Saved Messages".into(),
                _ => "Telegram chat".into(),
            });
        self.sink.conversation(ConversationRecord {
            native_id: meta.id.as_ref().map(|id| format!("chat {id}")),
            title,
            kind: conversation_kind(meta.kind.as_deref()),
            participants: Vec::new(),
        })
    }
}

/// Visits a chat object (or the top level of a single-chat export).
struct ChatSeed<'w, 'a> {
    walk: &'w mut Walk<'a>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for ChatSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChatSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Telegram export object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let walk = self.walk;
        let mut meta = ChatMeta::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "name" => meta.name = map.next_value::<Option<String>>()?,
                "type" => meta.kind = map.next_value::<Option<String>>()?,
                "id" => meta.id = id_string(Some(&map.next_value::<Value>()?)),
                "messages" => {
                    let path = format!("{}.messages", self.path);
                    if let Err(e) = walk.start_chat(&meta, path.clone()) {
                        walk.failure = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                    map.next_value_seed(MessagesSeed {
                        walk: &mut *walk,
                        path,
                    })?;
                }
                "chats" | "left_chats" => {
                    let path = format!("{}.{key}", self.path);
                    map.next_value_seed(ListHolderSeed {
                        walk: &mut *walk,
                        path,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `{about, list: [chat, ...]}`
struct ListHolderSeed<'w, 'a> {
    walk: &'w mut Walk<'a>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for ListHolderSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListHolderSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with a list of chats")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let walk = self.walk;
        while let Some(key) = map.next_key::<String>()? {
            if key == "list" {
                let path = format!("{}.list", self.path);
                map.next_value_seed(ChatListSeed {
                    walk: &mut *walk,
                    path,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct ChatListSeed<'w, 'a> {
    walk: &'w mut Walk<'a>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for ChatListSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ChatListSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of chats")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let walk = self.walk;
        let mut i = 0;
        loop {
            let path = format!("{}[{i}]", self.path);
            let seed = ChatSeed {
                walk: &mut *walk,
                path,
            };
            if seq.next_element_seed(seed)?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(())
    }
}

struct MessagesSeed<'w, 'a> {
    walk: &'w mut Walk<'a>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for MessagesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MessagesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of messages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let walk = self.walk;
        let mut i: u64 = 0;
        while let Some(m) = seq.next_element::<Value>()? {
            let w = &mut *walk;
            match w.message(&m, i) {
                Ok(record) => {
                    w.messages += 1;
                    if let Err(e) = w.sink.message(record) {
                        w.failure = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                }
                Err(why) => {
                    w.bad_records += 1;
                    let at = Location::file(format!("{}: {}[{i}]", w.display, self.path));
                    w.sink.warning(
                        &at,
                        format!("message skipped: {why} (the original is kept in the archive)"),
                    );
                }
            }
            if w.messages.is_multiple_of(1000) {
                w.progress();
            }
            i += 1;
        }
        Ok(())
    }
}

impl Telegram {
    /// A JSON file (or a zip/folder holding `result.json`) that looks like a Telegram export.
    pub fn detect(input: &mut Input) -> Result<bool> {
        let Some(member) = json_member(input) else {
            return Ok(false);
        };
        let head = input.head(&member, 64 * 1024)?;
        let text = String::from_utf8_lossy(&head);
        let t = text.trim_start_matches('\u{FEFF}').trim_start();
        Ok(t.starts_with('{')
            && (t.contains("\"messages\"")
                || t.contains("\"chats\"")
                || t.contains("\"personal_information\""))
            && (t.contains("\"date_unixtime\"")
                || t.contains("\"date\"")
                || t.contains("\"about\"")))
    }
}

impl Importer for Telegram {
    fn format(&self) -> Format {
        Format::Telegram
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
        let member = json_member(input).ok_or_else(|| Error::UnsupportedFormat {
            location: Location::file(input.display_name()),
            message: "holds no result.json (a Telegram Desktop JSON export)".into(),
        })?;
        let display = input.member_display(&member);
        let attachments = input.reopen()?;
        let (reader, total) = input.open_member(&member)?;
        let bytes_read = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let counter = CountingRead {
            inner: reader,
            count: bytes_read.clone(),
        };
        let mut repair = Repair::new(std::io::BufReader::with_capacity(256 * 1024, counter));
        let mut walk = Walk {
            sink,
            input: &attachments,
            member: member.clone(),
            display: display.clone(),
            options,
            failure: None,
            messages: 0,
            chats: 0,
            used_local_dates: false,
            bad_records: 0,
            bytes_total: total,
            bytes_read,
        };
        let result = {
            let mut de = serde_json::Deserializer::from_reader(&mut repair);
            let r = ChatSeed {
                walk: &mut walk,
                path: "$".into(),
            }
            .deserialize(&mut de);
            r.and_then(|()| de.end())
        };
        if let Some(e) = walk.failure.take() {
            return Err(e);
        }
        if let Err(e) = result {
            return Err(Error::bad_input(
                Location::line(&display, e.line() as u64),
                format!("not valid JSON (column {}): {e}", e.column()),
            ));
        }
        walk.progress();
        let file = Location::file(&display);
        if walk.chats == 0 {
            return Err(Error::bad_input(
                file,
                "no chat found: a Telegram export has \"messages\" (one chat) or \"chats\": {\"list\": [...]} (a whole account)",
            ));
        }
        if repair.fixed_escapes > 0 || repair.fixed_bare > 0 {
            walk.sink.warning(
                &file,
                format!(
                    "repaired invalid JSON that Telegram Desktop writes: {} \\x escape(s), {} unquoted value(s); the original file is kept unchanged",
                    repair.fixed_escapes, repair.fixed_bare
                ),
            );
        }
        if walk.used_local_dates {
            walk.sink.warning(
                &file,
                format!(
                    "some messages have only a local 'date' (exports before Telegram 3.7.6): read as {}{}",
                    options.zone.name(),
                    if options.zone_explicit { "" } else { " (this computer's zone); use --tz if the export was made elsewhere" }
                ),
            );
        }
        Ok(SourceFacts {
            zone: walk
                .used_local_dates
                .then(|| options.zone.name().to_string()),
            date_order: None,
            messages: walk.messages,
        })
    }
}

struct CountingRead<R: Read> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for CountingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(s: &str) -> (String, u64, u64) {
        let mut r = Repair::new(s.as_bytes());
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        (out, r.fixed_escapes, r.fixed_bare)
    }

    #[test]
    fn repairs_x_escapes_and_bare_values_and_leaves_good_json_alone() {
        let good = r#"{"a": "x\\y \"q\" \u0001", "b": [1, -2.5, true, null], "c": {"d": "e:f"}}"#;
        assert_eq!(repaired(good), (good.to_string(), 0, 0));
        let (out, e, b) = repaired(r#"{"text": "bad \x01 here"}"#);
        assert_eq!((e, b), (1, 0));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["text"], "bad \u{1} here");
        let (out, e, b) = repaired("{\"document_id\": video_files/sticker.webm,\n \"x\": 1}");
        assert_eq!((e, b), (0, 1));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["document_id"], "video_files/sticker.webm");
        assert_eq!(v["x"], 1);
        // Bare values that start like the literals, and the literals themselves.
        let (out, _, b) = repaired("{\"a\": files/x.webp, \"b\": true, \"c\": null}");
        assert_eq!(b, 1);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (v["a"].as_str(), v["b"].as_bool(), v["c"].is_null()),
            (Some("files/x.webp"), Some(true), true)
        );
        let (out, _, b) = repaired("{\"a\": falsehood\n}");
        assert_eq!(b, 1);
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap()["a"],
            "falsehood"
        );
    }

    #[test]
    fn entity_arrays_flatten_with_link_targets_kept() {
        let v: Value = serde_json::from_str(
            r#"[{"type":"bold","text":"Link:"}," see ",{"type":"text_link","text":"here","href":"https://x.example"}]"#,
        )
        .unwrap();
        let (t, rich) = text_of(&v);
        assert_eq!(t, "Link: see here (https://x.example)");
        assert!(rich);
    }
}
