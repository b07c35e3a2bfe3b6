//! Importers turn an export (a file, a zip, a folder) into a stream of normalised records.
//! They are pure: they read bytes and call a [`RecordSink`]; they never touch the archive.
//! That keeps each one testable on fixtures alone and fuzzable.
//!
//! One file (or folder) per format; [`detect`] picks the importer for a path.

pub mod email;
pub mod input;
pub mod signal;
pub mod slack;
pub mod telegram;
pub mod whatsapp;
pub mod zone;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Location, Result};
pub use input::Input;

/// A 16-byte digest of a string (SHA-256, truncated): what in-memory maps keyed by long ids
/// (Message-IDs, native conversation ids) hold instead of the strings, so that an export of a
/// million messages stays small in memory.
pub fn short_digest(s: &str) -> [u8; 16] {
    use sha2::Digest;
    let d = sha2::Sha256::digest(s.as_bytes());
    d[..16].try_into().expect("16 of 32 bytes")
}

/// The formats Holdfast reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Format {
    Whatsapp,
    Telegram,
    Slack,
    Email,
    Signal,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Whatsapp => "whatsapp",
            Format::Telegram => "telegram",
            Format::Slack => "slack",
            Format::Email => "email",
            Format::Signal => "signal",
        }
    }

    /// The app a conversation of this format belongs to.
    pub fn app(self) -> &'static str {
        self.name()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DateOrder {
    Dmy,
    Mdy,
    Ymd,
}

impl DateOrder {
    pub fn name(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "dmy" => Some(DateOrder::Dmy),
            "mdy" => Some(DateOrder::Mdy),
            "ymd" => Some(DateOrder::Ymd),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::Dmy => "day/month/year",
            DateOrder::Mdy => "month/day/year",
            DateOrder::Ymd => "year/month/day",
        }
    }
}

/// What the user decided for an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Zone for exports that write local times without an offset.
    pub zone: chrono_tz::Tz,
    /// Whether `zone` was chosen by the user (otherwise it is the system zone).
    pub zone_explicit: bool,
    /// Date field order for exports whose order depends on the phone's locale.
    pub date_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConversationKind {
    Direct,
    Group,
    Channel,
}

impl ConversationKind {
    pub fn name(self) -> &'static str {
        match self {
            ConversationKind::Direct => "direct",
            ConversationKind::Group => "group",
            ConversationKind::Channel => "channel",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(ConversationKind::Direct),
            "group" => Some(ConversationKind::Group),
            "channel" => Some(ConversationKind::Channel),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageKind {
    Text,
    System,
    Media,
    Deleted,
    Call,
}

impl MessageKind {
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::System => "system",
            MessageKind::Media => "media",
            MessageKind::Deleted => "deleted",
            MessageKind::Call => "call",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(MessageKind::Text),
            "system" => Some(MessageKind::System),
            "media" => Some(MessageKind::Media),
            "deleted" => Some(MessageKind::Deleted),
            "call" => Some(MessageKind::Call),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParticipantRecord {
    pub display_name: String,
    /// Phone number, email address or user handle when the export has one.
    pub handle: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// The app's own id for the conversation, when the export has one.
    pub native_id: Option<String>,
    pub title: String,
    pub kind: ConversationKind,
    pub participants: Vec<ParticipantRecord>,
}

/// A time as the export wrote it, in local wall-clock time without a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalTime {
    pub naive: NaiveDateTime,
    /// The timestamp text exactly as written (`01/02/19, 11:25`).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentContent {
    /// A file inside the export (a zip member or a file beside the chat), by its path there.
    Member(String),
    /// The export was made without media: only a placeholder remains.
    Omitted,
    /// The export refers to a file it does not contain.
    Missing,
    /// The content itself, decoded by the importer (an e-mail part, a decrypted Signal file).
    Data(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub name: String,
    pub mime: Option<String>,
    /// Size in bytes when the export states it (a file it does not contain).
    pub size: Option<u64>,
    pub content: AttachmentContent,
}

/// A reaction to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Reaction {
    pub emoji: String,
    /// Who reacted, as the export names them.
    pub by: String,
}

/// How positions inside a file of an export are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PositionKind {
    /// 1-based line numbers: `chat.txt:418`.
    Line,
    /// 0-based indexes into a JSON array at this path: `result.json: $.messages[3]`.
    JsonIndex(String),
    /// Row ids of a database table: `sql/db.sqlite: messages rowid 12`.
    Row(String),
}

impl PositionKind {
    /// As stored in the archive: `line`, or the JSON path.
    pub fn encode(&self) -> &str {
        match self {
            PositionKind::Line => "line",
            PositionKind::JsonIndex(path) => path,
            PositionKind::Row(table) => table,
        }
    }

    pub fn decode(s: &str) -> PositionKind {
        match s {
            "line" => PositionKind::Line,
            path if path.starts_with('$') => PositionKind::JsonIndex(path.to_string()),
            table => PositionKind::Row(table.to_string()),
        }
    }

    /// `chat.txt:418` or `result.json: $.messages[3]`.
    pub fn locate(&self, file: &str, pos: u64) -> String {
        match self {
            PositionKind::Line => format!("{file}:{pos}"),
            PositionKind::JsonIndex(path) => format!("{file}: {path}[{pos}]"),
            PositionKind::Row(table) => format!("{file}: {table} rowid {pos}"),
        }
    }
}

/// A file of the export that messages come from (a zip member, or the file itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// As shown to the user: `chat.zip/_chat.txt`.
    pub path: String,
    pub positions: PositionKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    pub native_id: Option<String>,
    /// `None` for system messages.
    pub sender: Option<ParticipantRecord>,
    pub sent_at: DateTime<Utc>,
    pub local_time: Option<LocalTime>,
    pub kind: MessageKind,
    pub body: String,
    pub edited: bool,
    pub reply_to: Option<String>,
    pub reactions: Vec<Reaction>,
    /// The text exactly as the export wrote it, when `body` is a rendering of it (Slack mrkdwn,
    /// Telegram entities, e-mail HTML).
    pub raw: Option<String>,
    pub attachments: Vec<AttachmentRecord>,
    /// Where the message starts in the current [`SourceFile`]: a line, or an array index.
    pub pos: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportWarning {
    /// `chat.txt:418`, or the file alone when the warning is about the whole file.
    pub at: String,
    pub message: String,
}

/// Where importers send what they read.
pub trait RecordSink {
    /// The file the messages that follow come from.
    fn file(&mut self, file: SourceFile) -> Result<()>;
    /// Starts a conversation; the messages that follow belong to it.
    fn conversation(&mut self, conversation: ConversationRecord) -> Result<()>;
    fn message(&mut self, message: MessageRecord) -> Result<()>;
    fn warning(&mut self, at: &Location, message: String);
    /// Bytes of the export read so far (for progress bars).
    fn progress(&mut self, bytes_done: u64, bytes_total: u64);
}

/// Decisions an importer made that the archive records on the source (provenance).
#[derive(Debug, Clone, Default)]
pub struct SourceFacts {
    /// The IANA zone local times were read in, when the format has local times.
    pub zone: Option<String>,
    /// The date field order decided for the file (`d/m/y`, `m/d/y`, ...), when it varies.
    pub date_order: Option<String>,
    pub messages: u64,
}

pub trait Importer {
    fn format(&self) -> Format;
    /// Version of this importer, recorded on every source it produced.
    fn version(&self) -> u32;
    fn import(
        &self,
        input: &mut Input,
        options: &ImportOptions,
        sink: &mut dyn RecordSink,
    ) -> Result<SourceFacts>;
}

/// A sink that keeps everything in memory: for tests, the conformance suite and the parse-only
/// benchmark (which sets `keep_messages` to false and only counts).
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<SourceFile>,
    pub conversations: Vec<ConversationRecord>,
    pub messages: Vec<MessageRecord>,
    /// For each kept message, the index of its file in `files`.
    pub message_files: Vec<usize>,
    pub warnings: Vec<ImportWarning>,
    pub message_count: u64,
    pub keep_messages: bool,
}

impl Collected {
    pub fn keeping() -> Self {
        Collected {
            keep_messages: true,
            ..Default::default()
        }
    }

    /// Where the `i`-th kept message came from: `chat.txt:418`.
    pub fn location(&self, i: usize) -> String {
        let f = &self.files[self.message_files[i]];
        f.positions.locate(&f.path, self.messages[i].pos)
    }
}

impl RecordSink for Collected {
    fn file(&mut self, file: SourceFile) -> Result<()> {
        self.files.push(file);
        Ok(())
    }

    fn conversation(&mut self, conversation: ConversationRecord) -> Result<()> {
        self.conversations.push(conversation);
        Ok(())
    }

    fn message(&mut self, message: MessageRecord) -> Result<()> {
        self.message_count += 1;
        if self.keep_messages {
            self.messages.push(message);
            self.message_files.push(self.files.len().saturating_sub(1));
        }
        Ok(())
    }

    fn warning(&mut self, at: &Location, message: String) {
        self.warnings.push(ImportWarning {
            at: at.to_string(),
            message,
        });
    }

    fn progress(&mut self, _bytes_done: u64, _bytes_total: u64) {}
}

/// Reads an export without storing it: detection, then the importer into `sink`.
pub fn read_export(
    path: &std::path::Path,
    format: Option<Format>,
    options: &ImportOptions,
    sink: &mut dyn RecordSink,
) -> Result<SourceFacts> {
    let mut input = Input::open(path)?;
    let importer = detect(&mut input, format)?;
    importer.import(&mut input, options, sink)
}

/// Picks the importer for an input, or explains why none fits.
pub fn detect(input: &mut Input, wanted: Option<Format>) -> Result<Box<dyn Importer>> {
    if let Some(f) = wanted {
        return Ok(importer_for(f));
    }
    if !input.has_members() && input::looks_binary(input)? {
        return Err(Error::bad_input(
            Location::file(input.display_name()),
            format!("binary file, not a chat export ({SUPPORTED})"),
        ));
    }
    if slack::Slack::detect(input) {
        return Ok(Box::new(slack::Slack));
    }
    if telegram::Telegram::detect(input)? {
        return Ok(Box::new(telegram::Telegram));
    }
    // Before WhatsApp: signal-export's `[2019-12-24, 12:23] Jane: …` is also a WhatsApp line.
    if signal::Signal::detect(input)? {
        return Ok(Box::new(signal::Signal));
    }
    if email::Email::detect(input)? {
        return Ok(Box::new(email::Email));
    }
    if whatsapp::WhatsApp::detect(input)? {
        return Ok(Box::new(whatsapp::WhatsApp));
    }
    if input.has_members() {
        return Err(Error::UnsupportedFormat {
            location: Location::file(input.display_name()),
            message: format!("holds no chat export Holdfast recognises ({SUPPORTED})"),
        });
    }
    Err(Error::bad_input(
        Location::line(input.display_name(), 1),
        "no chat message found: a WhatsApp export's lines start like '31/12/2023, 23:59 - Name: text' or '[31/12/2023, 23:59:59] Name: text'",
    ))
}

/// What `holdfast import` reads, for error messages.
const SUPPORTED: &str = "Holdfast reads WhatsApp .txt/.zip exports, Signal Desktop profiles and signal-export output, Telegram Desktop JSON exports, Slack workspace exports, and e-mail (mbox, .eml, Maildir)";

pub fn importer_for(format: Format) -> Box<dyn Importer> {
    match format {
        Format::Whatsapp => Box::new(whatsapp::WhatsApp),
        Format::Telegram => Box::new(telegram::Telegram),
        Format::Slack => Box::new(slack::Slack),
        Format::Email => Box::new(email::Email),
        Format::Signal => Box::new(signal::Signal),
    }
}
