//! A Signal Desktop profile folder, read directly: `config.json` (the database key),
//! `sql/db.sqlite` (SQLCipher, with its `-wal`), and `attachments.noindex/`.
//!
//! The database is copied to a private temporary folder and opened there, so nothing in the
//! user's Signal folder is ever written (SQLite writes beside a database it opens, even to read
//! a WAL). Columns are chosen by name, so the schemas of many Signal versions read alike:
//! values Signal keeps in columns are read there first, then in the row's `json`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};

use super::keys;
use crate::error::{Error, Location, Result};
use crate::import::{
    AttachmentContent, AttachmentRecord, ConversationKind, ConversationRecord, Input, MessageKind,
    MessageRecord, ParticipantRecord, PositionKind, Reaction, RecordSink, SourceFacts, SourceFile,
};

const DB: &str = "sql/db.sqlite";
const ATTACHMENTS: &str = "attachments.noindex";

/// The oldest database schema (`PRAGMA user_version`) this importer reads: Signal Desktop
/// 5.x (2021) and later. Older profiles are upgraded by opening them in a current Signal.
pub const OLDEST_SCHEMA: i64 = 41;

/// Whether the input is a Signal Desktop profile folder.
pub fn is_profile(input: &Input) -> bool {
    input.is_dir() && input.has_member("config.json") && input.has_member(DB)
}

/// Where Signal Desktop keeps its profile on this system (the first that exists).
pub fn default_profile() -> Option<PathBuf> {
    let home = directories::BaseDirs::new()?;
    let mut candidates = vec![home.config_dir().join("Signal")];
    if cfg!(target_os = "linux") {
        let h = home.home_dir();
        candidates.push(h.join(".var/app/org.signal.Signal/config/Signal"));
        candidates.push(h.join("snap/signal-desktop/current/.config/Signal"));
    }
    candidates
        .into_iter()
        .find(|p| p.join("config.json").is_file() && p.join(DB).is_file())
}

fn text_col(row: &rusqlite::Row, i: usize) -> Option<String> {
    match row.get_ref(i).ok()? {
        rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int_col(row: &rusqlite::Row, i: usize) -> Option<i64> {
    match row.get_ref(i).ok()? {
        rusqlite::types::ValueRef::Integer(n) => Some(n),
        rusqlite::types::ValueRef::Real(f) => Some(f as i64),
        rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// `SELECT` items for wanted columns: the column where the table has it, else NULL.
fn select_list(have: &HashSet<String>, wanted: &[&str]) -> String {
    wanted
        .iter()
        .map(|c| {
            if have.contains(*c) {
                format!("\"{c}\"")
            } else {
                "NULL".to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn columns(conn: &Connection, table: &str) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<rusqlite::Result<HashSet<_>>>()?;
    Ok(names)
}

/// Signal wraps system contact names in bidi isolation marks.
fn clean_name(s: &str) -> String {
    s.trim_matches(|c: char| c == '\u{2068}' || c == '\u{2069}' || c.is_whitespace())
        .to_string()
}

#[derive(Debug, Default, Clone)]
struct Contact {
    kind: String,
    name: String,
    e164: Option<String>,
    service_id: Option<String>,
    members: Vec<String>,
}

/// A message JSON string value, else the column.
fn json_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// What a Signal system notice says, in words.
fn describe_notice(kind: &str, obj: &Map<String, Value>) -> String {
    match kind {
        "keychange" => "Safety number changed".into(),
        "verified-change" => "Verification status changed".into(),
        "profile-change" => {
            let change = obj.get("profileChange");
            match (
                change
                    .and_then(|c| c.get("oldName"))
                    .and_then(Value::as_str),
                change
                    .and_then(|c| c.get("newName"))
                    .and_then(Value::as_str),
            ) {
                (Some(a), Some(b)) => format!("Profile name changed from {a} to {b}"),
                _ => "Profile changed".into(),
            }
        }
        "timer-notification" | "universal-timer-notification" => {
            match obj
                .get("expirationTimerUpdate")
                .and_then(|u| u.get("expireTimer"))
                .and_then(Value::as_i64)
            {
                Some(0) | None => "Disappearing messages turned off".into(),
                Some(s) => format!("Disappearing message time set to {}", human_seconds(s)),
            }
        }
        "group-v2-change" | "group" => "Group settings or members changed".into(),
        "group-v1-migration" => "Group upgraded to a new group".into(),
        "change-number-notification" => "Phone number changed".into(),
        "conversation-merge" => "Conversations merged".into(),
        "joined-signal-notification" => "Joined Signal".into(),
        "chat-session-refreshed" => "Chat session refreshed".into(),
        "delivery-issue" => "A message could not be delivered".into(),
        "message-request-response-event" => "Message request answered".into(),
        "contact-removed-notification" => "Contact removed".into(),
        "phone-number-discovery" => "Phone number discovered".into(),
        "title-transition-notification" => "Chat name changed".into(),
        other => format!("Signal notice: {other}"),
    }
}

fn human_seconds(s: i64) -> String {
    match s {
        s if s % 604_800 == 0 => format!("{} week(s)", s / 604_800),
        s if s % 86_400 == 0 => format!("{} day(s)", s / 86_400),
        s if s % 3_600 == 0 => format!("{} hour(s)", s / 3_600),
        s if s % 60 == 0 => format!("{} minute(s)", s / 60),
        s => format!("{s} second(s)"),
    }
}

fn ms_to_utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// A message's attachment as Signal describes it (a `message_attachments` row or a JSON
/// object in `json.attachments`).
#[derive(Debug, Default)]
struct FileRef {
    kind: String,
    path: Option<String>,
    content_type: Option<String>,
    file_name: Option<String>,
    size: Option<u64>,
    version: i64,
    local_key: Option<String>,
    pending: bool,
}

impl FileRef {
    fn from_json(kind: &str, v: &Value) -> FileRef {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        FileRef {
            kind: kind.to_string(),
            path: s("path"),
            content_type: s("contentType"),
            file_name: s("fileName"),
            size: v.get("size").and_then(Value::as_u64),
            version: v.get("version").and_then(Value::as_i64).unwrap_or(1),
            local_key: s("localKey"),
            pending: v.get("pending").and_then(Value::as_bool).unwrap_or(false),
        }
    }
}

struct Reader<'a> {
    input: &'a mut Input,
    sink: &'a mut dyn RecordSink,
    db_display: String,
    contacts: HashMap<String, Contact>,
    by_service_id: HashMap<String, String>,
    by_e164: HashMap<String, String>,
    me: ParticipantRecord,
    message_cols: HashSet<String>,
    has_message_attachments: bool,
    messages: u64,
    stories: u64,
}

impl Reader<'_> {
    fn person(&self, conv_id: &str) -> Option<ParticipantRecord> {
        let c = self.contacts.get(conv_id)?;
        Some(ParticipantRecord {
            display_name: c.name.clone(),
            handle: c.e164.clone(),
        })
    }

    fn person_by_service_id(&self, sid: &str) -> Option<ParticipantRecord> {
        let id = self.by_service_id.get(&sid.to_ascii_lowercase())?;
        self.person(id)
    }

    fn file_refs(
        &self,
        conn: &Connection,
        message_id: &str,
        obj: &Map<String, Value>,
    ) -> Result<Vec<FileRef>> {
        if self.has_message_attachments {
            let mut stmt = conn.prepare_cached(
                "SELECT attachmentType, path, contentType, fileName, size, version, localKey, pending FROM message_attachments
                 WHERE messageId = ?1 AND editHistoryIndex = -1 AND attachmentType IN ('attachment', 'long-message')
                 ORDER BY attachmentType = 'attachment', orderInMessage",
            )?;
            let rows = stmt
                .query_map([message_id], |r| {
                    Ok(FileRef {
                        kind: r.get(0)?,
                        path: text_col(r, 1),
                        content_type: text_col(r, 2),
                        file_name: text_col(r, 3),
                        size: int_col(r, 4).map(|n| n as u64),
                        version: int_col(r, 5).unwrap_or(1),
                        local_key: text_col(r, 6),
                        pending: int_col(r, 7).unwrap_or(0) != 0,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if !rows.is_empty() {
                return Ok(rows);
            }
        }
        // Legacy messages (and every message before schema 1360) keep them in the JSON.
        let mut out = Vec::new();
        if let Some(v) = obj.get("bodyAttachment") {
            out.push(FileRef::from_json("long-message", v));
        }
        for a in obj
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push(FileRef::from_json("attachment", a));
        }
        Ok(out)
    }

    /// The content of an attachment file, decrypted where Signal encrypts it.
    fn content(&mut self, f: &FileRef, at: &Location) -> AttachmentContent {
        let Some(path) = f.path.as_deref().filter(|p| !p.is_empty()) else {
            return if f.pending {
                AttachmentContent::Omitted
            } else {
                AttachmentContent::Missing
            };
        };
        let member = format!("{ATTACHMENTS}/{}", path.replace('\\', "/"));
        if member.split('/').any(|c| c == ".." || c.is_empty()) || !self.input.has_member(&member) {
            return AttachmentContent::Missing;
        }
        match (f.version >= 2, f.local_key.as_deref()) {
            (true, Some(key)) => {
                // Untracked: the source's copy of the profile does not keep attachment files;
                // their content is stored once, decrypted, as the attachment.
                let data = match self.input.read_member_untracked(&member) {
                    Ok(d) => d,
                    Err(e) => {
                        self.sink
                            .warning(at, format!("attachment {member} unreadable: {e}"));
                        return AttachmentContent::Missing;
                    }
                };
                // Without a size the padding cannot be told from the file: keep it all.
                let size = f.size.unwrap_or(data.len().saturating_sub(48) as u64);
                match keys::decrypt_attachment(&data, key, size) {
                    Ok(plain) => AttachmentContent::Data(plain),
                    Err(why) => {
                        self.sink.warning(
                            at,
                            format!("attachment {member} not decrypted: {why} (the file is kept in the archive as it is)"),
                        );
                        AttachmentContent::Missing
                    }
                }
            }
            _ => AttachmentContent::Member(member),
        }
    }

    fn conversation_messages(&mut self, conn: &Connection, conv_id: &str) -> Result<()> {
        // Quotes name the quoted message by its sent_at.
        let mut by_sent_at: HashMap<i64, String> = HashMap::new();
        {
            let mut stmt =
                conn.prepare("SELECT id, sent_at FROM messages WHERE conversationId = ?1")?;
            let rows = stmt.query_map([conv_id], |r| Ok((text_col(r, 0), int_col(r, 1))))?;
            for row in rows {
                if let (Some(id), Some(sent)) = row? {
                    by_sent_at.entry(sent).or_insert(id);
                }
            }
        }
        let wanted = [
            "rowid",
            "id",
            "json",
            "type",
            "body",
            "sent_at",
            "sourceServiceId",
            "sourceUuid",
            "source",
            "expireTimer",
            "expirationStartTimestamp",
            "isErased",
            "isViewOnce",
            "storyId",
            "serverTimestamp",
            "received_at",
            "received_at_ms",
        ];
        let mut have = self.message_cols.clone();
        have.insert("rowid".into());
        let sql = format!(
            "SELECT {} FROM messages WHERE conversationId = ?1 ORDER BY received_at, sent_at, rowid",
            select_list(&have, &wanted)
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([conv_id])?;
        while let Some(row) = rows.next()? {
            let rowid = int_col(row, 0).unwrap_or(0);
            let at = Location::file(format!("{}: messages rowid {rowid}", self.db_display));
            let json_text = text_col(row, 2).unwrap_or_else(|| "{}".into());
            let mut obj = match serde_json::from_str::<Value>(&json_text) {
                Ok(Value::Object(o)) => o,
                _ => {
                    self.sink.warning(
                        &at,
                        "message skipped: its json column is not a JSON object (the database is kept in the archive)".into(),
                    );
                    continue;
                }
            };
            // Columns are authoritative; write them into the object kept as the raw record.
            for (i, name) in wanted.iter().enumerate().skip(1) {
                if *name == "json" {
                    continue;
                }
                let v = match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => continue,
                    rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                    rusqlite::types::ValueRef::Real(f) => Value::from(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        Value::from(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Blob(_) => continue,
                };
                obj.insert((*name).to_string(), v);
            }
            let kind_text = json_str(&obj, "type").unwrap_or("").to_string();
            if kind_text == "story" {
                self.stories += 1;
                continue;
            }
            let Some(id) = json_str(&obj, "id").map(str::to_string) else {
                self.sink
                    .warning(&at, "message skipped: it has no id".into());
                continue;
            };
            let sent_ms = obj
                .get("sent_at")
                .and_then(Value::as_i64)
                .or_else(|| obj.get("timestamp").and_then(Value::as_i64))
                .or_else(|| obj.get("received_at_ms").and_then(Value::as_i64));
            let Some(sent_at) = sent_ms.and_then(ms_to_utc) else {
                self.sink.warning(
                    &at,
                    "message skipped: it has no sent time (the database is kept in the archive)"
                        .into(),
                );
                continue;
            };
            let record =
                self.message(conn, &obj, &kind_text, id, sent_at, &by_sent_at, &at, rowid)?;
            self.sink.message(record)?;
            self.messages += 1;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &mut self,
        conn: &Connection,
        obj: &Map<String, Value>,
        kind_text: &str,
        id: String,
        sent_at: DateTime<Utc>,
        by_sent_at: &HashMap<i64, String>,
        at: &Location,
        rowid: i64,
    ) -> Result<MessageRecord> {
        let conv_id = json_str(obj, "conversationId").unwrap_or("");
        let mut body = json_str(obj, "body").unwrap_or("").to_string();
        let mut attachments = Vec::new();
        for f in self.file_refs(conn, &id, obj)? {
            let content = self.content(&f, at);
            if f.kind == "long-message" {
                // The full text of a long message (the body column holds its start).
                if let AttachmentContent::Data(ref bytes) = content {
                    body = String::from_utf8_lossy(bytes).into_owned();
                    continue;
                }
                if let AttachmentContent::Member(ref m) = content {
                    if let Ok(bytes) = self.input.read_member_untracked(m) {
                        body = String::from_utf8_lossy(&bytes).into_owned();
                        continue;
                    }
                }
            }
            let name = f
                .file_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| {
                    let ext = f
                        .content_type
                        .as_deref()
                        .and_then(|m| mime_guess::get_mime_extensions_str(m))
                        .and_then(|e| e.first())
                        .map(|e| format!(".{e}"))
                        .unwrap_or_default();
                    format!("signal-attachment-{}{ext}", attachments.len() + 1)
                });
            attachments.push(AttachmentRecord {
                name,
                mime: f.content_type.clone(),
                size: f.size,
                content,
            });
        }
        let deleted = obj
            .get("deletedForEveryone")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            || obj.get("isErased").and_then(Value::as_i64).unwrap_or(0) == 1;
        let outgoing = kind_text == "outgoing";
        let (kind, sender) = match kind_text {
            "incoming" | "outgoing" => {
                let sender = if outgoing {
                    Some(self.me.clone())
                } else {
                    json_str(obj, "sourceServiceId")
                        .or_else(|| json_str(obj, "sourceUuid"))
                        .and_then(|s| self.person_by_service_id(s))
                        .or_else(|| {
                            json_str(obj, "source")
                                .and_then(|e| self.by_e164.get(e))
                                .and_then(|c| self.person(c))
                        })
                        .or_else(|| {
                            self.contacts
                                .get(conv_id)
                                .filter(|c| c.kind == "private")
                                .and_then(|_| self.person(conv_id))
                        })
                        .or_else(|| {
                            Some(ParticipantRecord {
                                display_name: "Unknown sender".into(),
                                handle: None,
                            })
                        })
                };
                let kind = if deleted {
                    MessageKind::Deleted
                } else if body.trim().is_empty() && !attachments.is_empty() {
                    MessageKind::Media
                } else if body.trim().is_empty() && obj.get("sticker").is_some() {
                    body = obj
                        .get("sticker")
                        .and_then(|s| s.get("emoji"))
                        .and_then(Value::as_str)
                        .map(|e| format!("Sticker {e}"))
                        .unwrap_or_else(|| "Sticker".into());
                    MessageKind::Media
                } else {
                    MessageKind::Text
                };
                (kind, sender)
            }
            "call-history" => {
                let details = obj.get("callHistoryDetails");
                let text = |k: &str| details.and_then(|d| d.get(k)).and_then(Value::as_str);
                body = match (text("direction"), text("status"), text("type")) {
                    (Some(dir), status, ty) => format!(
                        "{dir} {}call{}",
                        ty.map(|t| format!("{} ", t.to_lowercase()))
                            .unwrap_or_default(),
                        status
                            .map(|s| format!(" ({})", s.to_lowercase()))
                            .unwrap_or_default()
                    ),
                    _ => "Call".into(),
                };
                (MessageKind::Call, None)
            }
            other => {
                body = describe_notice(other, obj);
                (MessageKind::System, None)
            }
        };
        if deleted {
            body.clear();
        }
        let reply_to = obj
            .get("quote")
            .and_then(|q| q.get("id"))
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
            .and_then(|sent| by_sent_at.get(&sent).cloned());
        let reactions = obj
            .get("reactions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let emoji = r.get("emoji")?.as_str()?.to_string();
                let from = r.get("fromId").and_then(Value::as_str).unwrap_or("");
                let by = self
                    .person(from)
                    .or_else(|| self.by_e164.get(from).and_then(|c| self.person(c)))
                    .map(|p| p.display_name)
                    .unwrap_or_else(|| from.to_string());
                Some(Reaction { emoji, by })
            })
            .collect();
        let edited = obj
            .get("editHistory")
            .and_then(Value::as_array)
            .is_some_and(|h| h.len() > 1)
            || obj.get("editMessageTimestamp").is_some();
        Ok(MessageRecord {
            native_id: Some(id),
            sender,
            sent_at,
            local_time: None,
            kind,
            body,
            edited,
            reply_to,
            reactions,
            raw: Some(Value::Object(obj.clone()).to_string()),
            attachments,
            pos: rowid as u64,
        })
    }
}

/// Copies the database (and its write-ahead log) out of the profile and opens the copy.
fn open_copy(input: &mut Input, key: &str, dir: &std::path::Path) -> Result<Connection> {
    let display = input.member_display(DB);
    for suffix in ["", "-wal", "-shm"] {
        let member = format!("{DB}{suffix}");
        if !input.has_member(&member) {
            continue;
        }
        let target = dir.join(format!("db.sqlite{suffix}"));
        let mut out = std::fs::File::create(&target).map_err(|e| Error::io(&target, e))?;
        let member_display = input.member_display(&member);
        let (mut r, _) = input.open_member(&member)?;
        std::io::copy(&mut r, &mut out).map_err(|e| {
            Error::bad_input(Location::file(member_display), format!("cannot read: {e}"))
        })?;
    }
    let conn = crate::archive::sqlcipher::open(
        &dir.join("db.sqlite"),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{key}'\"; PRAGMA temp_store = MEMORY;"
    ))?;
    let ok: rusqlite::Result<i64> =
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
    if ok.is_err() {
        return Err(Error::bad_input(
            Location::file(display),
            "the database key (from config.json, or HOLDFAST_SIGNAL_KEY) does not open this database (a key from another profile, or a damaged file)",
        ));
    }
    Ok(conn)
}

fn own_aci(conn: &Connection) -> Result<Option<String>> {
    let item: Option<String> = conn
        .query_row("SELECT json FROM items WHERE id = 'uuid_id'", [], |r| {
            r.get(0)
        })
        .optional()
        .unwrap_or(None);
    if let Some(v) = item.and_then(|j| serde_json::from_str::<Value>(&j).ok()) {
        if let Some(s) = v.get("value").and_then(Value::as_str) {
            return Ok(Some(s.split('.').next().unwrap_or(s).to_ascii_lowercase()));
        }
    }
    let session: Option<String> = conn
        .query_row("SELECT ourServiceId FROM sessions LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()
        .unwrap_or(None);
    Ok(session.map(|s| s.to_ascii_lowercase()))
}

fn contacts(conn: &Connection) -> Result<HashMap<String, Contact>> {
    let have = columns(conn, "conversations")?;
    let wanted = [
        "id",
        "json",
        "type",
        "name",
        "profileFullName",
        "profileName",
        "profileFamilyName",
        "e164",
        "serviceId",
        "uuid",
        "groupId",
        "members",
    ];
    let sql = format!("SELECT {} FROM conversations", select_list(&have, &wanted));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        let Some(id) = text_col(r, 0) else { continue };
        let json: Map<String, Value> = text_col(r, 1)
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        let col = |i: usize, key: &str| {
            text_col(r, i)
                .or_else(|| json_str(&json, key).map(str::to_string))
                .map(|s| clean_name(&s))
                .filter(|s| !s.is_empty())
        };
        let e164 = col(7, "e164");
        let service_id = col(8, "serviceId")
            .or_else(|| col(9, "uuid"))
            .map(|s| s.to_ascii_lowercase());
        let profile_full = col(4, "profileFullName").or_else(|| {
            let given = col(5, "profileName")?;
            Some(match col(6, "profileFamilyName") {
                Some(f) => format!("{given} {f}"),
                None => given,
            })
        });
        let name = col(3, "name")
            .or(profile_full)
            .or_else(|| e164.clone())
            .or_else(|| json_str(&json, "username").map(str::to_string))
            .or_else(|| service_id.clone())
            .unwrap_or_else(|| "Unnamed Signal chat".into());
        let mut members: Vec<String> = json
            .get("membersV2")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                m.get("aci")
                    .or_else(|| m.get("uuid"))
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
            })
            .collect();
        if members.is_empty() {
            members = col(11, "members")
                .map(|m| m.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
        }
        out.insert(
            id,
            Contact {
                kind: col(2, "type").unwrap_or_else(|| "private".into()),
                name,
                e164,
                service_id,
                members,
            },
        );
    }
    Ok(out)
}

pub fn import(input: &mut Input, sink: &mut dyn RecordSink) -> Result<SourceFacts> {
    let config_at = Location::file(input.member_display("config.json"));
    let config = input.read_member("config.json")?;
    let key = keys::database_key(&config, &config_at, &keys::SystemStore)?;
    let tmp = tempfile::Builder::new()
        .prefix("holdfast-signal-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let db_display = input.member_display(DB);
    let conn = open_copy(input, &key, tmp.path())?;
    drop(key);
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < OLDEST_SCHEMA {
        return Err(Error::UnsupportedFormat {
            location: Location::file(&db_display),
            message: format!(
                "Signal database schema {version} is older than Holdfast reads ({OLDEST_SCHEMA}): open the profile once in a current Signal Desktop"
            ),
        });
    }
    let message_cols = columns(&conn, "messages")?;
    for needed in ["json", "conversationId", "sent_at"] {
        if !message_cols.contains(needed) {
            return Err(Error::UnsupportedFormat {
                location: Location::file(&db_display),
                message: format!(
                    "the messages table has no {needed} column: not a Signal Desktop database"
                ),
            });
        }
    }
    let has_message_attachments = !columns(&conn, "message_attachments")?.is_empty();
    let contacts = contacts(&conn)?;
    let me_id = own_aci(&conn)?;
    let mut by_service_id = HashMap::new();
    let mut by_e164 = HashMap::new();
    for (id, c) in &contacts {
        if let Some(s) = &c.service_id {
            by_service_id.insert(s.clone(), id.clone());
        }
        if let Some(e) = &c.e164 {
            by_e164.insert(e.clone(), id.clone());
        }
    }
    let me = me_id
        .as_ref()
        .and_then(|aci| by_service_id.get(aci))
        .and_then(|id| contacts.get(id))
        .map(|c| ParticipantRecord {
            display_name: c.name.clone(),
            handle: c.e164.clone(),
        })
        .unwrap_or(ParticipantRecord {
            display_name: "Me".into(),
            handle: None,
        });
    // Conversations in the order of their first message.
    let conv_ids: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT conversationId FROM messages WHERE conversationId IS NOT NULL GROUP BY conversationId ORDER BY min(sent_at)",
        )?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids
    };
    sink.file(SourceFile {
        path: db_display.clone(),
        positions: PositionKind::Row("messages".into()),
    })?;
    let mut reader = Reader {
        input,
        sink,
        db_display,
        contacts,
        by_service_id,
        by_e164,
        me,
        message_cols,
        has_message_attachments,
        messages: 0,
        stories: 0,
    };
    // Progress is in bytes of the database, shared out over its conversations.
    let db_bytes = reader.input.size().max(1);
    let total = conv_ids.len().max(1) as u64;
    for (i, conv_id) in conv_ids.iter().enumerate() {
        let contact = reader.contacts.get(conv_id).cloned().unwrap_or(Contact {
            kind: "private".into(),
            name: "Unknown Signal chat".into(),
            ..Default::default()
        });
        let is_group = contact.kind == "group";
        let mut participants = Vec::new();
        if is_group {
            for m in &contact.members {
                let p = reader
                    .person_by_service_id(m)
                    .or_else(|| reader.by_e164.get(m).and_then(|c| reader.person(c)));
                if let Some(p) = p {
                    participants.push(p);
                }
            }
        } else if let Some(p) = reader.person(conv_id) {
            participants.push(p);
        }
        if !participants.contains(&reader.me) {
            participants.push(reader.me.clone());
        }
        reader.sink.conversation(ConversationRecord {
            native_id: Some(conv_id.clone()),
            title: contact.name.clone(),
            kind: if is_group {
                ConversationKind::Group
            } else {
                ConversationKind::Direct
            },
            participants,
        })?;
        reader.conversation_messages(&conn, conv_id)?;
        reader
            .sink
            .progress((i as u64 + 1) * db_bytes / total, db_bytes);
    }
    let (messages, stories) = (reader.messages, reader.stories);
    if stories > 0 {
        reader.sink.warning(
            &Location::file(&reader.db_display),
            format!(
                "{stories} stor{} skipped: stories are not kept as records",
                if stories == 1 { "y" } else { "ies" }
            ),
        );
    }
    drop(conn);
    Ok(SourceFacts {
        zone: None,
        date_order: None,
        messages,
    })
}
