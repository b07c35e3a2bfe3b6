//! Storing what an importer reads: one transaction per source, idempotent.
//!
//! Message identity (what makes re-imports and overlapping exports add only what is new):
//! - with a native id (Telegram, Slack, ...): the app's id;
//! - without (WhatsApp): the local timestamp as written, the kind, the text, and the message's
//!   ordinal among identical messages with the same timestamp. The sender's name is left out on
//!   purpose: it is the name saved on the exporting phone, which changes when a contact is
//!   renamed, and the ordinal already tells two people's identical "ok" apart.
//!
//! A conversation without a native id is recognised by its messages: the first messages of the
//! new export are looked up, and the conversation holding most of them is the same chat (so
//! a chat's first half and then its whole export end up in one conversation).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use chrono::Utc;
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::blobs::{StagedBlob, Staging};
use super::Archive;
use crate::api::types::{ImportProgress, SourceReport};
use crate::error::{Error, Location, Result};
use crate::import::{
    self, AttachmentContent, ConversationRecord, Format, ImportOptions, ImportWarning, Input,
    MessageRecord, ParticipantRecord, RecordSink, SourceFile,
};
use crate::index::{IndexFeed, IndexFolderSnapshot, IndexedMessage, SearchIndex};

/// Messages looked at to recognise an existing conversation.
const PROBE: usize = 64;

pub type Ident = [u8; 16];

/// Receives progress events.
pub trait Progress {
    fn report(&mut self, event: ImportProgress);
}

impl<F: FnMut(ImportProgress)> Progress for F {
    fn report(&mut self, event: ImportProgress) {
        self(event)
    }
}

/// Tracks the ordinal of each message among identical ones with the same timestamp.
#[derive(Default)]
struct Ordinals {
    time_key: [u8; 9],
    seen: HashMap<[u8; 32], u32>,
}

/// The instant a message's identity is anchored to: the local time as written when the
/// export has one (so the zone chosen at import does not change identity), else UTC.
fn time_key(m: &MessageRecord) -> [u8; 9] {
    let (tag, value) = match &m.local_time {
        Some(lt) => (b'L', lt.naive.and_utc().timestamp_millis()),
        None => (b'U', m.sent_at.timestamp_millis()),
    };
    let mut k = [0u8; 9];
    k[0] = tag;
    k[1..].copy_from_slice(&value.to_le_bytes());
    k
}

impl Ordinals {
    fn ident(&mut self, m: &MessageRecord) -> Ident {
        let mut h = Sha256::new();
        if let Some(native) = &m.native_id {
            h.update(b"n\0");
            h.update(native.as_bytes());
        } else {
            let tk = time_key(m);
            if tk != self.time_key {
                self.time_key = tk;
                self.seen.clear();
            }
            let mut c = Sha256::new();
            c.update(m.kind.name().as_bytes());
            c.update(b"\0");
            c.update(m.body.as_bytes());
            let content: [u8; 32] = c.finalize().into();
            let ordinal = self.seen.entry(content).or_insert(0);
            h.update(b"c\0");
            h.update(self.time_key);
            h.update(b"\0");
            h.update(content);
            h.update(ordinal.to_le_bytes());
            *ordinal += 1;
        }
        let full: [u8; 32] = h.finalize().into();
        let mut id = [0u8; 16];
        id.copy_from_slice(&full[..16]);
        id
    }
}

struct Conv {
    record: ConversationRecord,
    id: Option<i64>,
    buffer: Vec<(MessageRecord, Ident)>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    added: u64,
    duplicate: u64,
    attachments_added: u64,
}

struct Writer<'t, 's, 'p, 'i> {
    tx: &'t Transaction<'t>,
    staging: &'t mut Staging<'s>,
    attachments: Input,
    app: &'static str,
    source_id: i64,
    source_file: Option<i64>,
    conv: Option<Conv>,
    /// Conversations with a native id already resolved in this import.
    /// Keyed by a digest of the native id (an mbox can hold a million threads).
    native_convs: HashMap<[u8; 16], i64>,
    conversations: HashSet<i64>,
    participants: HashMap<ParticipantRecord, i64>,
    members: HashSet<(i64, i64)>,
    ordinals: Ordinals,
    counts: Counts,
    warnings: Vec<ImportWarning>,
    progress: &'p mut dyn Progress,
    path: String,
    /// The search index built alongside, when it was caught up before the import.
    index: Option<&'t mut IndexFeed<'i>>,
    /// Whether anything was ever disposed of: only then is each message looked up among the
    /// disposed identities (a disposed message stays disposed when its export is imported
    /// again).
    any_disposed: bool,
}

impl Writer<'_, '_, '_, '_> {
    fn participant(&mut self, p: &ParticipantRecord) -> Result<i64> {
        if let Some(id) = self.participants.get(p) {
            return Ok(*id);
        }
        let handle = p.handle.as_deref().unwrap_or("");
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO participants (app, display_name, handle) VALUES (?1, ?2, ?3)")?
            .execute(params![self.app, p.display_name, handle])?;
        let id: i64 = self
            .tx
            .prepare_cached(
                "SELECT id FROM participants WHERE app = ?1 AND display_name = ?2 AND handle = ?3",
            )?
            .query_row(params![self.app, p.display_name, handle], |r| r.get(0))?;
        self.participants.insert(p.clone(), id);
        Ok(id)
    }

    fn member(&mut self, conversation: i64, participant: i64) -> Result<()> {
        if !self.members.insert((conversation, participant)) {
            return Ok(());
        }
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO conversation_members (conversation_id, participant_id) VALUES (?1, ?2)")?
            .execute(params![conversation, participant])?;
        Ok(())
    }

    /// Finds the existing conversation this one continues, or creates it.
    fn resolve(&mut self) -> Result<i64> {
        let conv = self.conv.as_mut().expect("a conversation is open");
        if let Some(id) = conv.id {
            return Ok(id);
        }
        let rec = conv.record.clone();
        if let Some(id) = rec
            .native_id
            .as_ref()
            .and_then(|n| self.native_convs.get(&import::short_digest(n)))
        {
            // Back to a conversation seen earlier in this source (e-mail threads interleave).
            let id = *id;
            conv.id = Some(id);
            for p in &rec.participants {
                let pid = self.participant(p)?;
                self.member(id, pid)?;
            }
            return Ok(id);
        }
        let found: Option<i64> = if let Some(native) = &rec.native_id {
            self.tx
                .prepare_cached("SELECT id FROM conversations WHERE app = ?1 AND native_id = ?2")?
                .query_row(params![self.app, native], |r| r.get(0))
                .optional()?
        } else {
            let mut votes: HashMap<i64, usize> = HashMap::default();
            let mut stmt = self.tx.prepare_cached(
                "SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE m.ident = ?1 AND c.app = ?2 AND c.native_id IS NULL
                 UNION ALL -- a disposed message still says where it belonged
                 SELECT d.conversation_id FROM disposed_messages d JOIN conversations c ON c.id = d.conversation_id
                 WHERE d.ident = ?1 AND c.app = ?2 AND c.native_id IS NULL",
            )?;
            for (_, ident) in conv.buffer.iter().take(PROBE) {
                let rows = stmt.query_map(params![&ident[..], self.app], |r| r.get::<_, i64>(0))?;
                for id in rows {
                    *votes.entry(id?).or_default() += 1;
                }
            }
            votes
                .into_iter()
                .max_by_key(|(id, n)| (*n, -id))
                .map(|(id, _)| id)
        };
        let id = match found {
            Some(id) => id,
            None => {
                self.tx
                    .prepare_cached("INSERT INTO conversations (app, native_id, title, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
                    .execute(params![self.app, rec.native_id, rec.title, rec.kind.name(), Utc::now().timestamp_millis()])?;
                self.tx.last_insert_rowid()
            }
        };
        for p in &rec.participants {
            let pid = self.participant(p)?;
            self.member(id, pid)?;
        }
        if let Some(native) = &rec.native_id {
            self.native_convs.insert(import::short_digest(native), id);
        }
        self.conversations.insert(id);
        let conv = self.conv.as_mut().expect("a conversation is open");
        conv.id = Some(id);
        let buffered = std::mem::take(&mut conv.buffer);
        for (m, ident) in buffered {
            self.insert(id, m, ident)?;
        }
        Ok(id)
    }

    /// Stores an attachment's content (a member of the input, or bytes the importer decoded).
    fn store_content(
        &mut self,
        content: &AttachmentContent,
    ) -> Result<Option<(String, String, u64)>> {
        let staged = match content {
            AttachmentContent::Member(member) => {
                let display = self.attachments.member_display(member);
                let (mut reader, _) = self.attachments.open_member(member)?;
                self.staging.put(&mut reader).map_err(|e| match e {
                    Error::Io { source, .. } => {
                        Error::bad_input(Location::file(&display), format!("cannot read: {source}"))
                    }
                    other => other,
                })?
            }
            AttachmentContent::Data(bytes) => self.staging.put(&mut bytes.as_slice())?,
            AttachmentContent::Omitted | AttachmentContent::Missing => return Ok(None),
        };
        Ok(Some((staged.id, staged.sha256, staged.size)))
    }

    fn insert_attachments(
        &mut self,
        message_id: i64,
        m: &MessageRecord,
        only_upgrades: bool,
    ) -> Result<()> {
        for a in &m.attachments {
            let has_content = matches!(
                a.content,
                AttachmentContent::Member(_) | AttachmentContent::Data(_)
            );
            if only_upgrades {
                // A later export that includes media fills in what an earlier one left out.
                if !has_content {
                    continue;
                }
                let placeholder: Option<i64> = self
                    .tx
                    .prepare_cached("SELECT id FROM attachments WHERE message_id = ?1 AND status <> 'stored' ORDER BY id LIMIT 1")?
                    .query_row([message_id], |r| r.get(0))
                    .optional()?;
                let Some(att_id) = placeholder else { continue };
                if let Some((blob, sha, size)) = self.store_content(&a.content)? {
                    self.tx
                        .prepare_cached("UPDATE attachments SET name = ?2, mime = ?3, size = ?4, sha256 = ?5, blob = ?6, status = 'stored' WHERE id = ?1")?
                        .execute(params![att_id, a.name, a.mime, size as i64, sha, blob])?;
                    self.counts.attachments_added += 1;
                }
                continue;
            }
            match self.store_content(&a.content)? {
                Some((blob, sha, size)) => {
                    self.tx
                        .prepare_cached("INSERT INTO attachments (message_id, name, mime, size, sha256, blob, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'stored')")?
                        .execute(params![message_id, a.name, a.mime, size as i64, sha, blob])?;
                    self.counts.attachments_added += 1;
                }
                None => {
                    let status = if a.content == AttachmentContent::Omitted {
                        "omitted"
                    } else {
                        "missing"
                    };
                    self.tx
                        .prepare_cached("INSERT INTO attachments (message_id, name, mime, size, status) VALUES (?1, ?2, ?3, ?4, ?5)")?
                        .execute(params![message_id, a.name, a.mime, a.size.map(|s| s as i64), status])?;
                }
            }
        }
        Ok(())
    }

    fn was_disposed(&self, conversation: i64, ident: &Ident) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT 1 FROM disposed_messages WHERE ident = ?1 AND conversation_id = ?2",
            )?
            .exists(params![&ident[..], conversation])?)
    }

    fn insert(&mut self, conversation: i64, m: MessageRecord, ident: Ident) -> Result<()> {
        let sender = match &m.sender {
            Some(p) => Some(self.participant(p)?),
            None => None,
        };
        if let Some(pid) = sender {
            self.member(conversation, pid)?;
        }
        if self.any_disposed && self.was_disposed(conversation, &ident)? {
            self.counts.duplicate += 1;
            return Ok(());
        }
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO messages (conversation_id, ident, sender_id, sent_at, local_time, kind, body, edited, reply_to, native_id, source_file, source_pos, reactions, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                conversation,
                &ident[..],
                sender,
                m.sent_at.timestamp_millis(),
                m.local_time.as_ref().map(|l| l.text.as_str()),
                m.kind.name(),
                m.body,
                m.edited,
                m.reply_to,
                m.native_id,
                self.source_file.ok_or_else(|| Error::Corrupt("importer sent a message before its file".into()))?,
                m.pos as i64,
                (!m.reactions.is_empty())
                    .then(|| serde_json::to_string(&m.reactions).expect("reactions serialise")),
                m.raw,
            ])?;
        if inserted == 1 {
            let id = self.tx.last_insert_rowid();
            self.counts.added += 1;
            self.insert_attachments(id, &m, false)?;
            if let Some(feed) = self.index.as_deref_mut() {
                feed.add(
                    &IndexedMessage {
                        id,
                        conversation,
                        app: self.app,
                        sender: sender.unwrap_or(0),
                        sent_at: m.sent_at.timestamp_millis(),
                        kind: m.kind,
                        text: &m.body,
                    },
                    m.attachments.iter().map(|a| a.name.as_str()),
                )?;
            }
        } else {
            self.counts.duplicate += 1;
            if m.attachments.iter().any(|a| {
                matches!(
                    a.content,
                    AttachmentContent::Member(_) | AttachmentContent::Data(_)
                )
            }) {
                let id: Option<i64> = self
                    .tx
                    .prepare_cached(
                        "SELECT id FROM messages WHERE ident = ?1 AND conversation_id = ?2",
                    )?
                    .query_row(params![&ident[..], conversation], |r| r.get(0))
                    .optional()?;
                if let Some(id) = id {
                    self.insert_attachments(id, &m, true)?;
                }
            }
        }
        Ok(())
    }

    fn finish_conversation(&mut self) -> Result<()> {
        if self.conv.is_some() {
            self.resolve()?;
        }
        self.conv = None;
        Ok(())
    }

    fn messages_seen(&self) -> u64 {
        self.counts.added
            + self.counts.duplicate
            + self.conv.as_ref().map_or(0, |c| c.buffer.len() as u64)
    }
}

impl RecordSink for Writer<'_, '_, '_, '_> {
    fn file(&mut self, file: SourceFile) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO source_files (source_id, path, positions) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![self.source_id, file.path, file.positions.encode()])?;
        self.source_file = Some(self.tx.last_insert_rowid());
        Ok(())
    }

    fn conversation(&mut self, conversation: ConversationRecord) -> Result<()> {
        self.finish_conversation()?;
        self.ordinals = Ordinals::default();
        let native = conversation.native_id.is_some();
        self.conv = Some(Conv {
            record: conversation,
            id: None,
            buffer: Vec::new(),
        });
        if native {
            // A native id names the conversation: no need to look at its messages first.
            self.resolve()?;
        }
        Ok(())
    }

    fn message(&mut self, message: MessageRecord) -> Result<()> {
        let ident = self.ordinals.ident(&message);
        let conv = self.conv.as_mut().ok_or_else(|| {
            Error::Corrupt("importer sent a message before its conversation".into())
        })?;
        match conv.id {
            Some(id) => self.insert(id, message, ident),
            None => {
                conv.buffer.push((message, ident));
                if conv.buffer.len() >= PROBE {
                    self.resolve()?;
                }
                Ok(())
            }
        }
    }

    fn warning(&mut self, at: &Location, message: String) {
        self.warnings.push(ImportWarning {
            at: at.to_string(),
            message,
        });
    }

    fn progress(&mut self, bytes_done: u64, bytes_total: u64) {
        let messages = self.messages_seen();
        self.progress.report(ImportProgress::Importing {
            path: self.path.clone(),
            bytes_done,
            bytes_total,
            messages,
        });
    }
}

/// What an importer sends its sink, carried from the reading thread to the writing one.
enum Event {
    File(SourceFile),
    Conversation(ConversationRecord),
    Message(MessageRecord),
    Warning(ImportWarning),
    Progress(u64, u64),
}

/// Events per hand-over between the threads.
const BATCH: usize = 256;

/// The importer's sink on the reading thread: batches of events to the writer.
struct ChannelSink {
    to_writer: std::sync::mpsc::SyncSender<Vec<Event>>,
    batch: Vec<Event>,
}

impl ChannelSink {
    fn push(&mut self, event: Event) -> Result<()> {
        self.batch.push(event);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        // The writer stopped (it failed, and says why): the reader stops too.
        self.to_writer
            .send(batch)
            .map_err(|_| Error::Corrupt("the import stopped".into()))
    }
}

impl RecordSink for ChannelSink {
    fn file(&mut self, file: SourceFile) -> Result<()> {
        self.push(Event::File(file))
    }

    fn conversation(&mut self, conversation: ConversationRecord) -> Result<()> {
        self.push(Event::Conversation(conversation))
    }

    fn message(&mut self, message: MessageRecord) -> Result<()> {
        self.push(Event::Message(message))
    }

    fn warning(&mut self, at: &Location, message: String) {
        // A failed hand-over is seen at the next message or at the end.
        let _ = self.push(Event::Warning(ImportWarning {
            at: at.to_string(),
            message,
        }));
    }

    fn progress(&mut self, bytes_done: u64, bytes_total: u64) {
        let _ = self.push(Event::Progress(bytes_done, bytes_total));
    }
}

/// Runs the importer on a thread of its own while this one stores what it reads: parsing and
/// storing overlap (and the index's threads, fed by the writer, overlap both). Whatever fails
/// first stops both; the writer's error wins, as it is the cause when both fail.
fn read_beside(
    format: Format,
    input: &mut Input,
    options: &ImportOptions,
    writer: &mut Writer<'_, '_, '_, '_>,
) -> Result<import::SourceFacts> {
    std::thread::scope(|scope| {
        let (to_writer, from_reader) = std::sync::mpsc::sync_channel::<Vec<Event>>(8);
        let reading = std::thread::Builder::new()
            .name("import-reader".into())
            .spawn_scoped(scope, move || {
                let mut sink = ChannelSink {
                    to_writer,
                    batch: Vec::with_capacity(BATCH),
                };
                let facts = import::importer_for(format).import(input, options, &mut sink)?;
                sink.flush()?;
                Ok(facts)
            })
            .map_err(|e| Error::io(Path::new("import-reader thread"), e))?;
        let mut failed = None;
        'batches: for batch in from_reader.iter() {
            for event in batch {
                let applied = match event {
                    Event::File(f) => writer.file(f),
                    Event::Conversation(c) => writer.conversation(c),
                    Event::Message(m) => writer.message(m),
                    Event::Warning(w) => {
                        writer.warnings.push(w);
                        Ok(())
                    }
                    Event::Progress(done, total) => {
                        writer.progress(done, total);
                        Ok(())
                    }
                };
                if let Err(e) = applied {
                    failed = Some(e);
                    break 'batches;
                }
            }
        }
        drop(from_reader);
        let read: Result<import::SourceFacts> = match reading.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match failed {
            Some(e) => Err(e),
            None => read,
        }
    })
}

/// Imports one export file as one source, atomically: either everything it holds is stored,
/// or nothing is (the archive is left exactly as before).
///
/// The archive's search index is built alongside (see [`IndexFeed`]) and committed right
/// after the database.
pub fn import_file(
    archive: &mut Archive,
    path: &Path,
    format: Option<Format>,
    options: &ImportOptions,
    tag: Option<&str>,
    progress: &mut dyn Progress,
) -> Result<SourceReport> {
    let _lock = archive.write_lock()?;
    // A failed import leaves the archive exactly as it was, the index folder included: what
    // the feed wrote (uncommitted segments, tantivy's bookkeeping, the index itself when
    // this was the first import) is taken back.
    let index_dir = archive.dir.join(crate::index::INDEX_DIR);
    let before = IndexFolderSnapshot::take(&index_dir)?;
    archive.search_index()?;
    let index = archive.index.take();
    let result = import_locked(
        archive,
        index.as_ref(),
        path,
        format,
        options,
        tag,
        progress,
    );
    archive.index = index;
    if result.is_err() {
        if !before.existed() {
            archive.index = None;
        }
        before.restore()?;
    }
    result
}

/// [`import_file`] with the index to build alongside named (`None`: the database alone, the
/// index caught up afterwards by whoever calls this; the benchmarks' baselines use both).
pub fn import_file_indexing(
    archive: &mut Archive,
    index: Option<&SearchIndex>,
    path: &Path,
    format: Option<Format>,
    options: &ImportOptions,
    tag: Option<&str>,
    progress: &mut dyn Progress,
) -> Result<SourceReport> {
    let _lock = archive.write_lock()?;
    import_locked(archive, index, path, format, options, tag, progress)
}

/// The import, under the write lock its caller holds.
fn import_locked(
    archive: &mut Archive,
    index: Option<&SearchIndex>,
    path: &Path,
    format: Option<Format>,
    options: &ImportOptions,
    tag: Option<&str>,
    progress: &mut dyn Progress,
) -> Result<SourceReport> {
    let display_path = path.display().to_string();
    let mut input = Input::open(path)?;
    let importer = import::detect(&mut input, format)?;
    progress.report(ImportProgress::Scanning {
        path: display_path.clone(),
    });
    let Archive { conn, blobs, .. } = archive;
    let mut staging = blobs.staging()?;
    let mut audited = None;
    let mut feed: Option<IndexFeed<'_>> = None;
    let result = (|| -> Result<SourceReport> {
        let already = |sha256: String, messages: i64| SourceReport {
            path: display_path.clone(),
            format: importer.format(),
            sha256,
            conversations: 0,
            messages_added: 0,
            messages_duplicate: messages as u64,
            attachments_added: 0,
            already_imported: true,
            warnings: Vec::new(),
        };
        // A file's original is its bytes: the same file imported again stops here, unread.
        // Only a file of the size of one imported before can be that file, so any other is
        // copied on its own thread while it is read (as is each file of a folder).
        let known_size = !input.is_dir()
            && conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM sources WHERE size = ?1)",
                [input.size() as i64],
                |r| r.get::<_, bool>(0),
            )?;
        let mut file_original = None;
        if known_size {
            let original = copy_file(path, &mut staging)?;
            if let Some(messages) = previous_import(conn, &original.sha256, 0)? {
                return Ok(already(original.sha256, messages));
            }
            file_original = Some(original);
        }
        // The index follows the import as it goes when it holds everything so far; if it
        // cannot (it lags, or does not open), the caller's catch-up indexes the import after
        // and reports what is wrong with the index.
        feed = match index {
            Some(i) => i.feed(conn).ok().flatten(),
            None => None,
        };
        let messages_before: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| {
                r.get(0)
            })?;
        let tx = conn.transaction()?;
        let tag_id = tag.map(|t| import_tag(&tx, t)).transpose()?;
        if let (Some(feed), Some(t)) = (feed.as_mut(), tag_id) {
            feed.tag_all(t);
        }
        tx.execute(
            "INSERT INTO sources (format, file_name, sha256, size, original_blob, importer, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                importer.format().name(),
                input.display_name(),
                file_original.as_ref().map_or_else(|| format!("pending {}", uuid::Uuid::new_v4()), |o| o.sha256.clone()),
                input.size() as i64,
                file_original.as_ref().map_or("", |o| o.id.as_str()),
                format!("{} {}", importer.format().name(), importer.version()),
                Utc::now().timestamp_millis(),
            ],
        )?;
        let source_id = tx.last_insert_rowid();
        let (read, copied) = std::thread::scope(|scope| -> Result<_> {
            // The original is copied alongside unless it was hashed (and so copied) first.
            let copying = match file_original {
                Some(_) => None,
                None => {
                    let mut copies = blobs.staging()?;
                    let folder = match input.is_dir() {
                        true => {
                            let (to_copier, names) = std::sync::mpsc::channel();
                            input.notify_reads(to_copier);
                            Some((input.reopen()?, names))
                        }
                        false => None,
                    };
                    let copying = std::thread::Builder::new()
                        .name("import-copier".into())
                        .spawn_scoped(scope, move || {
                            let copied = match folder {
                                Some((folder, names)) => {
                                    copy_members(folder, names, &mut copies).map(Original::Members)
                                }
                                None => copy_file(path, &mut copies).map(Original::File),
                            };
                            (copies, copied)
                        })
                        .map_err(|e| Error::io(Path::new("import-copier thread"), e))?;
                    Some(copying)
                }
            };
            let mut writer = Writer {
                tx: &tx,
                staging: &mut staging,
                attachments: input.reopen()?,
                app: importer.format().app(),
                source_id,
                source_file: None,
                conv: None,
                native_convs: HashMap::default(),
                conversations: HashSet::default(),
                participants: HashMap::default(),
                members: HashSet::default(),
                ordinals: Ordinals::default(),
                counts: Counts::default(),
                warnings: Vec::new(),
                progress: &mut *progress,
                path: display_path.clone(),
                index: feed.as_mut(),
                any_disposed: tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM disposed_messages)",
                    [],
                    |r| r.get(0),
                )?,
            };
            let read = read_beside(importer.format(), &mut input, options, &mut writer).and_then(
                |facts| {
                    writer.finish_conversation()?;
                    let conversations: Vec<i64> = writer.conversations.iter().copied().collect();
                    Ok((
                        facts,
                        writer.counts,
                        std::mem::take(&mut writer.warnings),
                        conversations,
                    ))
                },
            );
            drop(writer);
            // The copier has every member's name once the importer is done. Its blobs join the
            // import's staging, published or discarded with the rest whatever happened.
            input.stop_notifying();
            let copied = match copying.map(|c| c.join()) {
                None => None,
                Some(Ok((copies, copied))) => {
                    staging.adopt(copies)?;
                    Some(copied?)
                }
                Some(Err(panic)) => std::panic::resume_unwind(panic),
            };
            Ok((read?, copied))
        })?;
        let (facts, counts, warnings, conversations) = read;
        let original = match copied {
            None => file_original.expect("an original not copied alongside was hashed first"),
            Some(Original::File(o)) => o,
            Some(Original::Members(copies)) => {
                // A folder's original: a copy of every file the importer read, and a manifest
                // naming them with their SHA-256 (the manifest's hash is the source's).
                let mut files = Vec::new();
                for member in input.members_read() {
                    let b = copies
                        .get(&member)
                        .ok_or_else(|| Error::Corrupt(format!("{member}: read but not copied")))?;
                    tx.execute(
                        "INSERT INTO source_members (source_id, path, size, sha256, blob) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![source_id, member, b.size as i64, b.sha256, b.id],
                    )?;
                    files.push(
                        serde_json::json!({"path": member, "size": b.size, "sha256": b.sha256}),
                    );
                }
                let manifest = serde_json::to_vec_pretty(&serde_json::json!({
                    "folder": input.display_name(),
                    "files": files,
                }))
                .expect("manifest serialises");
                staging.put(&mut manifest.as_slice())?
            }
        };
        if let Some(messages) = previous_import(&tx, &original.sha256, source_id)? {
            // The same folder, file for file (or a file hashed only now): nothing new (the
            // transaction is dropped).
            return Ok(already(original.sha256, messages));
        }
        tx.execute(
            "UPDATE sources SET sha256 = ?2, original_blob = ?3, zone = ?4, date_order = ?5, messages = ?6, messages_added = ?7, warnings = ?8 WHERE id = ?1",
            params![
                source_id,
                original.sha256,
                original.id,
                facts.zone,
                facts.date_order,
                (counts.added + counts.duplicate) as i64,
                counts.added as i64,
                serde_json::to_string(&warnings).expect("warnings serialise"),
            ],
        )?;
        if let Some(tag_id) = tag_id {
            tag_conversations(&tx, &conversations, tag_id, messages_before)?;
        }
        staging.sync()?;
        // The import is on the record, in the same transaction.
        audited = Some(crate::records::audit::append(
            &tx,
            &crate::records::actor(),
            "import",
            &serde_json::json!({
                "path": display_path, "format": importer.format(), "sha256": original.sha256,
                "conversations": conversations.len(), "messages_added": counts.added,
                "messages_duplicate": counts.duplicate, "warnings": warnings.len(),
            }),
        )?);
        tx.commit()?;
        Ok(SourceReport {
            path: display_path.clone(),
            format: importer.format(),
            sha256: original.sha256,
            conversations: conversations.len() as u64,
            messages_added: counts.added,
            messages_duplicate: counts.duplicate,
            attachments_added: counts.attachments_added,
            already_imported: false,
            warnings,
        })
    })();
    match result {
        Ok(report) => {
            staging.publish()?;
            if let Some(entry) = &audited {
                crate::records::advance_head(archive, entry)?;
            }
            if let Some(feed) = feed.filter(|_| !report.already_imported) {
                progress.report(ImportProgress::Indexing {
                    done: feed.added(),
                    total: feed.added(),
                });
                crate::api::fault_point("before-index-commit");
                // Should this fail, the index stays at its last commit and the caller's
                // catch-up indexes the import again (and reports what is wrong).
                let _ = feed.commit(archive.conn());
            }
            progress.report(ImportProgress::Done { path: display_path });
            Ok(report)
        }
        Err(e) => {
            staging.discard();
            Err(e)
        }
    }
}

/// The copy of a source's original, made while the importer reads it.
enum Original {
    File(StagedBlob),
    /// Each file of a folder the importer read, by its path in the folder.
    Members(BTreeMap<String, StagedBlob>),
}

/// Stages an encrypted copy of the file at `path`.
fn copy_file(path: &Path, staging: &mut Staging<'_>) -> Result<StagedBlob> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    staging.put(&mut file)
}

/// Stages an encrypted copy of each member of `folder` named on `names`.
fn copy_members(
    mut folder: Input,
    names: std::sync::mpsc::Receiver<String>,
    staging: &mut Staging<'_>,
) -> Result<BTreeMap<String, StagedBlob>> {
    let mut copies = BTreeMap::new();
    for member in names {
        let (mut content, _) = folder.open_member(&member)?;
        let copy = staging.put(&mut content)?;
        copies.insert(member, copy);
    }
    Ok(copies)
}

/// How many messages the source with this SHA-256 held, if it was imported before.
/// `this` is the source being imported (its row may already carry the hash), or 0.
fn previous_import(conn: &rusqlite::Connection, sha256: &str, this: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT messages FROM sources WHERE sha256 = ?1 AND id <> ?2",
            params![sha256, this],
            |r| r.get(0),
        )
        .optional()?)
}

/// The import's `--tag`, created if new.
fn import_tag(tx: &Transaction<'_>, tag: &str) -> Result<i64> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(Error::InvalidArgument("the tag is empty".into()));
    }
    tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [tag])?;
    Ok(tx.query_row("SELECT id FROM tags WHERE name = ?1", [tag], |r| r.get(0))?)
}

/// Tags the conversations the import touched; the messages they held before the import
/// (ids up to `messages_before`) get their index documents replaced to carry the tag (the
/// import's own messages are indexed with it already).
fn tag_conversations(
    tx: &Transaction<'_>,
    conversations: &[i64],
    tag_id: i64,
    messages_before: i64,
) -> Result<()> {
    for c in conversations {
        let added = tx.execute(
            "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id) VALUES (?1, ?2)",
            params![c, tag_id],
        )?;
        if added == 1 {
            tx.execute(
                "INSERT OR IGNORE INTO index_dirty (message_id)
                 SELECT id FROM messages WHERE conversation_id = ?1 AND id <= ?2",
                params![c, messages_before],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{LocalTime, MessageKind};
    use chrono::{NaiveDate, TimeZone};

    fn message(body: &str) -> MessageRecord {
        let naive = NaiveDate::from_ymd_opt(2024, 3, 12)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        MessageRecord {
            native_id: None,
            sender: None,
            sent_at: Utc.from_utc_datetime(&naive),
            local_time: Some(LocalTime {
                naive,
                text: "12/03/2024, 09:00".into(),
            }),
            kind: MessageKind::Text,
            body: body.into(),
            edited: false,
            reply_to: None,
            reactions: vec![],
            raw: None,
            attachments: vec![],
            pos: 1,
        }
    }

    /// Identity is part of the archive format: archives already written depend on it to
    /// recognise re-imports. Changing it needs a migration, so this pins it.
    #[test]
    fn message_identity_is_stable() {
        let mut o = Ordinals::default();
        assert_eq!(
            hex::encode(o.ident(&message("ok"))),
            "bc842bb3a53b263aa9f1cdf99f4cdfcd"
        );
    }

    #[test]
    fn identical_neighbours_get_distinct_identities_and_zone_does_not_matter() {
        let mut o = Ordinals::default();
        let a = o.ident(&message("ok"));
        let b = o.ident(&message("ok"));
        assert_ne!(a, b);
        let mut o2 = Ordinals::default();
        let mut other_zone = message("ok");
        other_zone.sent_at += chrono::Duration::hours(5);
        assert_eq!(o2.ident(&other_zone), a);
        let mut native = message("ok");
        native.native_id = Some("42".into());
        assert_ne!(Ordinals::default().ident(&native), a);
    }
}
