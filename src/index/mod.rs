//! Full-text search over the archive: a tantivy index kept in `<archive>/index/` through an
//! encrypting directory ([`encdir`]), so the index is as unreadable on disk as the database.
//!
//! The index is derived data. The archive is the truth; the index follows it:
//! - it remembers, in its commit payload, the highest message id it holds (message ids are
//!   `AUTOINCREMENT`, never reused), and [`SearchIndex::catch_up`] adds every message above it;
//!   imports call it after their database commit, and a process that died in between is
//!   caught up by the next one that opens the index;
//! - [`SearchIndex::verify`] reads every byte of every index file (authenticating it) and
//!   compares the set of indexed messages with the archive's;
//! - [`SearchIndex::rebuild`] throws the index away and builds it again from the archive.
//!
//! Message text is **not stored** in the index: snippets are cut from the archive's copy of the
//! text, so the index holds each word once (as postings) and never a second copy of the
//! messages; it stays about half the size, and disposal later has one copy less to destroy.

pub mod encdir;
pub mod query;
pub mod search;
pub mod tokenizer;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use tantivy::index::SegmentComponent;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};
use ts_rs::TS;

use crate::crypto::SecretKey;
use crate::error::{Error, Result};
use crate::import::MessageKind;
use encdir::EncryptedDirectory;

pub const INDEX_DIR: &str = "index";
/// A rebuild's new index while it is built, and the old one while it is replaced.
const REBUILDING_DIR: &str = "index.rebuilding";
const OLD_DIR: &str = "index.old";
/// Bumped when the schema or the tokenizer changes: an index of another version is rebuilt.
pub const INDEX_VERSION: u32 = 1;
/// Documents added between intermediate commits while catching up (a killed catch-up
/// resumes from the last one).
const COMMIT_EVERY: u64 = 1_000_000;
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The encrypted directory's cache of decrypted data while a writer is open: what an import's
/// or a rebuild's merges read is read once, and the cache that serves searches would only add
/// its size to their memory (a 1 GB mbox's import peaked 50-80 MiB lower with this bound).
const WRITING_CACHE_BYTES: usize = 8 * 1024 * 1024;

/// Apps as numbers in the index (append only: the numbers are stored).
pub const APPS: &[&str] = &[
    "",
    "whatsapp",
    "signal",
    "telegram",
    "slack",
    "email",
    "sms",
    "messenger",
    "discord",
    "imessage",
    "teams",
    "googlechat",
    "instagram",
];

pub fn app_code(app: &str) -> u64 {
    APPS.iter().position(|a| *a == app).unwrap_or(0) as u64
}

pub fn kind_code(kind: MessageKind) -> u64 {
    match kind {
        MessageKind::Text => 1,
        MessageKind::System => 2,
        MessageKind::Media => 3,
        MessageKind::Deleted => 4,
        MessageKind::Call => 5,
    }
}

/// The index's fields.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub conversation: Field,
    pub app: Field,
    pub sender: Field,
    pub sent_at: Field,
    pub kind: Field,
    pub has_attachment: Field,
    pub tags: Field,
    pub text: Field,
    pub attachment_names: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let num = || NumericOptions::default().set_indexed().set_fast();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer::NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_u64_field("id", num()),
        conversation: b.add_u64_field("conversation", num()),
        app: b.add_u64_field("app", num()),
        sender: b.add_u64_field("sender", num()),
        sent_at: b.add_i64_field("sent_at", num()),
        kind: b.add_u64_field("kind", num()),
        has_attachment: b.add_u64_field("has_attachment", num()),
        tags: b.add_u64_field("tags", num()),
        text: b.add_text_field("text", text.clone()),
        attachment_names: b.add_text_field("attachment_names", text),
    };
    (b.build(), fields)
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
struct Payload {
    version: u32,
    /// Every message with an id up to this one is in the index.
    up_to: i64,
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IndexCheck {
    pub ok: bool,
    #[ts(type = "number")]
    pub archive_messages: u64,
    #[ts(type = "number")]
    pub indexed_messages: u64,
    /// Messages in the archive the index does not have (up to 20 ids shown).
    #[ts(type = "number")]
    pub missing_from_index: u64,
    #[ts(type = "number")]
    pub extra_in_index: u64,
    pub examples: Vec<String>,
    /// Index files that failed authentication.
    pub damaged_files: Vec<String>,
}

impl IndexCheck {
    /// The index could not even be opened.
    pub fn unreadable(why: String) -> IndexCheck {
        IndexCheck {
            ok: false,
            archive_messages: 0,
            indexed_messages: 0,
            missing_from_index: 0,
            extra_in_index: 0,
            examples: Vec::new(),
            damaged_files: vec![why],
        }
    }
}

pub(crate) fn index_error(e: tantivy::TantivyError) -> Error {
    use tantivy::TantivyError as T;
    match e {
        T::LockFailure(..) => Error::ArchiveInUse(PathBuf::from(
            "the search index (another Holdfast process is indexing)",
        )),
        other => Error::Corrupt(format!(
            "search index: {other}; run `holdfast reindex` to rebuild it from the archive"
        )),
    }
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The encrypting directory (None for the benchmark's unencrypted baseline).
    encrypted: Option<EncryptedDirectory>,
    path: PathBuf,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({})", self.path.display())
    }
}

/// The index key, derived from the archive's data key.
pub fn index_key(data_key: &SecretKey) -> SecretKey {
    data_key.derive("holdfast index v1")
}

impl SearchIndex {
    /// Opens the index of the archive in `archive_dir`, creating it when missing, rebuilding it
    /// (empty) when it was written by another index version.
    pub fn open(archive_dir: &Path, data_key: &SecretKey) -> Result<SearchIndex> {
        let path = archive_dir.join(INDEX_DIR);
        let s = Self::open_at(&path, data_key, encdir::DEFAULT_CACHE_BYTES)?;
        match s.payload()? {
            Some(p) if p.version != INDEX_VERSION => {
                drop(s);
                std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
                Self::open_at(&path, data_key, encdir::DEFAULT_CACHE_BYTES)
            }
            _ => Ok(s),
        }
    }

    /// Opens (or creates) an index in any folder: the archive's, or a benchmark's.
    pub fn open_at(path: &Path, data_key: &SecretKey, cache_bytes: usize) -> Result<SearchIndex> {
        let dir = EncryptedDirectory::open(path, index_key(data_key), cache_bytes)
            .map_err(|e| Error::io(path, e))?;
        Self::with_directory(Box::new(dir.clone()), Some(dir), path)
    }

    /// An index over any tantivy directory (the benchmark's unencrypted baseline uses this).
    pub fn with_directory(
        directory: Box<dyn tantivy::Directory>,
        encrypted: Option<EncryptedDirectory>,
        path: &Path,
    ) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = Index::open_or_create(directory, schema).map_err(index_error)?;
        index
            .tokenizers()
            .register(tokenizer::NAME, tokenizer::analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(index_error)?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            encrypted,
            path: path.to_path_buf(),
        })
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn reader(&self) -> &IndexReader {
        &self.reader
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of decrypted index data held in memory.
    pub fn cached_bytes(&self) -> usize {
        self.encrypted.as_ref().map_or(0, |d| d.cached_bytes())
    }

    fn payload(&self) -> Result<Option<Payload>> {
        let metas = self.index.load_metas().map_err(index_error)?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok()))
    }

    /// The highest message id the index holds everything up to.
    pub fn up_to(&self) -> Result<i64> {
        Ok(self.payload()?.map_or(0, |p| p.up_to))
    }

    /// The index's writer, with the cache of decrypted data bounded for as long as the returned
    /// [`CacheBound`] lives (keep it beside the writer).
    fn writer(&self) -> Result<(IndexWriter, Option<CacheBound>)> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let writer = self
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY)
            .map_err(index_error)?;
        let bound = self.encrypted.as_ref().map(|d| CacheBound {
            previous: d.set_cache_capacity(WRITING_CACHE_BYTES),
            dir: d.clone(),
        });
        Ok((writer, bound))
    }

    fn commit(&self, writer: &mut IndexWriter, up_to: i64) -> Result<()> {
        let mut prepared = writer.prepare_commit().map_err(index_error)?;
        prepared.set_payload(
            &serde_json::to_string(&Payload {
                version: INDEX_VERSION,
                up_to,
            })
            .expect("payload serialises"),
        );
        prepared.commit().map_err(index_error)?;
        self.reader.reload().map_err(index_error)?;
        Ok(())
    }

    /// Brings the index up to the archive: replaces or removes the documents of the messages
    /// in `index_dirty` (tags changed, messages disposed of), then adds every message above the
    /// index's high-water mark. `progress` gets (done, total). Returns how many documents were
    /// written.
    pub fn catch_up(&self, conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        let from = self.up_to()?;
        let (max, pending): (i64, i64) = conn.query_row(
            "SELECT coalesce(max(id), 0), count(*) FILTER (WHERE id > ?1) FROM messages",
            [from],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let dirty: Vec<i64> = conn
            .prepare("SELECT message_id FROM index_dirty WHERE message_id <= ?1")?
            .query_map([from], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if max <= from && dirty.is_empty() {
            return Ok(0);
        }
        let total = pending as u64 + dirty.len() as u64;
        let (mut writer, _cache_bound) = self.writer()?;
        let mut done = 0u64;
        if !dirty.is_empty() {
            for id in &dirty {
                writer.delete_term(tantivy::Term::from_field_u64(self.fields.id, *id as u64));
            }
            done += self.add_messages(conn, &mut writer, Scope::Dirty, from, &mut |_| {})?;
        }
        let mut last = from;
        if max > from {
            let mut n = done;
            done += self.add_messages(conn, &mut writer, Scope::Above, from, &mut |id| {
                last = id;
                n += 1;
                if n.is_multiple_of(10_000) {
                    progress(n, total);
                }
            })?;
        }
        self.commit(&mut writer, last.max(max).max(from))?;
        writer.wait_merging_threads().map_err(index_error)?;
        if !dirty.is_empty() {
            let mut del = conn.prepare_cached("DELETE FROM index_dirty WHERE message_id = ?1")?;
            conn.execute_batch("BEGIN")?;
            for id in &dirty {
                del.execute([id])?;
            }
            conn.execute_batch("COMMIT")?;
        }
        progress(done, total);
        Ok(done)
    }

    /// Adds the documents of the messages in `scope`, in id order; `added` sees each id.
    fn add_messages(
        &self,
        conn: &Connection,
        writer: &mut IndexWriter,
        scope: Scope,
        from: i64,
        added: &mut dyn FnMut(i64),
    ) -> Result<u64> {
        let cond = scope.condition();
        let tags = conversation_tags(conn)?;
        let triage: Vec<i64> = conn
            .prepare("SELECT id FROM tags WHERE triage = 1")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut message_tags: HashMap<i64, Vec<i64>> = HashMap::new();
        for row in conn
            .prepare(&format!(
                "SELECT message_id, tag_id FROM message_tags WHERE message_id {cond}"
            ))?
            .query_map([from], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
        {
            let (m, t) = row?;
            message_tags.entry(m).or_default().push(t);
        }
        let mut names = conn.prepare(&format!(
            "SELECT message_id, name FROM attachments WHERE message_id {cond} ORDER BY message_id, id"
        ))?;
        let mut names = names.query([from])?;
        let mut next_name: Option<(i64, String)> = match names.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        };
        let mut stmt = conn.prepare(&format!(
            "SELECT m.id, m.conversation_id, c.app, coalesce(m.sender_id, 0), m.sent_at, m.kind, m.body
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.id {cond} ORDER BY m.id"
        ))?;
        let mut rows = stmt.query([from])?;
        let mut done = 0u64;
        let mut attachment_names: Vec<String> = Vec::new();
        let mut doc_tags: Vec<i64> = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let conversation: i64 = r.get(1)?;
            attachment_names.clear();
            while let Some((mid, name)) = next_name.take() {
                if mid < id {
                    next_name = names
                        .next()?
                        .map(|r| Ok::<_, rusqlite::Error>((r.get(0)?, r.get(1)?)))
                        .transpose()?;
                    continue;
                }
                if mid == id {
                    attachment_names.push(name);
                    next_name = names
                        .next()?
                        .map(|r| Ok::<_, rusqlite::Error>((r.get(0)?, r.get(1)?)))
                        .transpose()?;
                    continue;
                }
                next_name = Some((mid, name));
                break;
            }
            // A message's own triage class replaces its conversation's.
            doc_tags.clear();
            let own = message_tags.get(&id);
            let own_triage = own.is_some_and(|t| t.iter().any(|t| triage.contains(t)));
            for t in tags.get(&conversation).into_iter().flatten() {
                if !(own_triage && triage.contains(t)) {
                    doc_tags.push(*t);
                }
            }
            doc_tags.extend(own.into_iter().flatten());
            let kind = MessageKind::parse(&r.get::<_, String>(5)?).unwrap_or(MessageKind::Text);
            let doc = self.document(
                &IndexedMessage {
                    id,
                    conversation,
                    app: &r.get::<_, String>(2)?,
                    sender: r.get(3)?,
                    sent_at: r.get(4)?,
                    kind,
                    text: r.get_ref(6)?.as_str().map_err(rusqlite::Error::from)?,
                },
                attachment_names.iter().map(String::as_str),
                &doc_tags,
            );
            writer.add_document(doc).map_err(index_error)?;
            done += 1;
            added(id);
            if matches!(scope, Scope::Above) && done.is_multiple_of(COMMIT_EVERY) {
                self.commit(writer, id)?;
            }
        }
        Ok(done)
    }

    /// A message's document: what [`catch_up`](Self::catch_up) and an [`IndexFeed`] both add.
    fn document<'n>(
        &self,
        m: &IndexedMessage<'_>,
        attachment_names: impl Iterator<Item = &'n str>,
        tags: &[i64],
    ) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.id, m.id as u64);
        doc.add_u64(f.conversation, m.conversation as u64);
        doc.add_u64(f.app, app_code(m.app));
        doc.add_u64(f.sender, m.sender as u64);
        doc.add_i64(f.sent_at, m.sent_at);
        doc.add_u64(f.kind, kind_code(m.kind));
        doc.add_text(f.text, m.text);
        let mut has = false;
        for name in attachment_names {
            doc.add_text(f.attachment_names, name);
            has = true;
        }
        doc.add_u64(f.has_attachment, u64::from(has));
        for t in tags {
            doc.add_u64(f.tags, *t as u64);
        }
        doc
    }

    /// A feed for an import that is about to write messages, when the index holds every
    /// message so far (otherwise `None`, and [`catch_up`](Self::catch_up) follows the import).
    pub fn feed(&self, conn: &Connection) -> Result<Option<IndexFeed<'_>>> {
        let from = self.up_to()?;
        let max: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| {
            r.get(0)
        })?;
        if max != from {
            return Ok(None);
        }
        let (writer, cache_bound) = self.writer()?;
        Ok(Some(IndexFeed {
            index: self,
            writer,
            conversation_tags: conversation_tags(conn)?,
            import_tag: None,
            tags: Vec::new(),
            added: 0,
            _cache_bound: cache_bound,
        }))
    }

    /// Rewrites every segment that holds deleted documents, so that what was deleted is gone
    /// from the files (terms and postings included), not only marked deleted.
    pub fn purge_deleted(&self) -> Result<u64> {
        let (mut writer, _cache_bound) = self.writer()?;
        let metas = self.index.searchable_segment_metas().map_err(index_error)?;
        let with_deletes: Vec<_> = metas
            .iter()
            .filter(|m| m.has_deletes())
            .map(|m| m.id())
            .collect();
        let n = with_deletes.len() as u64;
        if !with_deletes.is_empty() {
            writer.merge(&with_deletes).wait().map_err(index_error)?;
        }
        writer.garbage_collect_files().wait().map_err(index_error)?;
        writer.wait_merging_threads().map_err(index_error)?;
        self.reader.reload().map_err(index_error)?;
        Ok(n)
    }

    /// Throws the index away and builds it again from the archive. The new index is built
    /// beside the old one and renamed into place when complete, so a rebuild killed at any
    /// point leaves a whole index (the old, or the new); what it left beside is removed by
    /// [`SearchIndex::remove_leftovers`] (on the next open by a writer).
    pub fn rebuild(
        archive_dir: &Path,
        data_key: &SecretKey,
        conn: &Connection,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(SearchIndex, u64)> {
        Self::remove_leftovers(archive_dir)?;
        let path = archive_dir.join(INDEX_DIR);
        let fresh = archive_dir.join(REBUILDING_DIR);
        let n = {
            let index = SearchIndex::open_at(&fresh, data_key, encdir::DEFAULT_CACHE_BYTES)?;
            index.catch_up(conn, progress)?
        };
        let old = archive_dir.join(OLD_DIR);
        if path.exists() {
            std::fs::rename(&path, &old).map_err(|e| Error::io(&path, e))?;
        }
        std::fs::rename(&fresh, &path).map_err(|e| Error::io(&fresh, e))?;
        crate::archive::fsutil::sync_dir(archive_dir).map_err(|e| Error::io(archive_dir, e))?;
        Self::remove_leftovers(archive_dir)?;
        let index = SearchIndex::open(archive_dir, data_key)?;
        Ok((index, n))
    }

    /// Removes what a killed rebuild left beside the index: a half-built new one, or the old
    /// one it replaced (which may still hold messages disposed of since). Call with the write
    /// lock held.
    pub fn remove_leftovers(archive_dir: &Path) -> Result<()> {
        for name in [REBUILDING_DIR, OLD_DIR] {
            let p = archive_dir.join(name);
            if p.exists() {
                std::fs::remove_dir_all(&p).map_err(|e| Error::io(&p, e))?;
            }
        }
        Ok(())
    }

    /// Reads and authenticates every index file, then compares the indexed messages with the
    /// archive's.
    pub fn verify(&self, conn: &Connection) -> Result<IndexCheck> {
        use tantivy::Directory as _;
        let dir = self.index.directory();
        let mut damaged = Vec::new();
        let metas = self.index.searchable_segment_metas().map_err(index_error)?;
        for meta in &metas {
            let mut components = vec![
                SegmentComponent::Postings,
                SegmentComponent::Positions,
                SegmentComponent::FastFields,
                SegmentComponent::FieldNorms,
                SegmentComponent::Terms,
                SegmentComponent::Store,
            ];
            if meta.has_deletes() {
                components.push(SegmentComponent::Delete);
            }
            for file in components.into_iter().map(|c| meta.relative_path(c)) {
                if !dir.exists(&file).unwrap_or(false) {
                    continue;
                }
                let ok = dir
                    .get_file_handle(&file)
                    .map_err(|e| e.to_string())
                    .and_then(|h| h.read_bytes(0..h.len()).map_err(|e| e.to_string()));
                if let Err(e) = ok {
                    damaged.push(format!("{}: {e}", file.display()));
                }
            }
        }
        let mut indexed = BTreeSet::new();
        if damaged.is_empty() {
            let searcher = self.reader.searcher();
            for seg in searcher.segment_readers() {
                let ids = seg.fast_fields().u64("id").map_err(index_error)?;
                for doc in seg.doc_ids_alive() {
                    if let Some(id) = ids.first(doc) {
                        indexed.insert(id as i64);
                    }
                }
            }
        }
        let mut archive = BTreeSet::new();
        let mut stmt = conn.prepare("SELECT id FROM messages")?;
        for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
            archive.insert(id?);
        }
        let missing: Vec<i64> = archive.difference(&indexed).copied().collect();
        let extra: Vec<i64> = indexed.difference(&archive).copied().collect();
        let mut examples: Vec<String> = missing
            .iter()
            .take(10)
            .map(|id| format!("message {id} is not in the index"))
            .collect();
        examples.extend(
            extra
                .iter()
                .take(10)
                .map(|id| format!("message {id} is in the index but not in the archive")),
        );
        Ok(IndexCheck {
            ok: damaged.is_empty() && missing.is_empty() && extra.is_empty(),
            archive_messages: archive.len() as u64,
            indexed_messages: indexed.len() as u64,
            missing_from_index: missing.len() as u64,
            extra_in_index: extra.len() as u64,
            examples,
            damaged_files: damaged,
        })
    }
}

/// What a message's index document is made of.
pub struct IndexedMessage<'a> {
    pub id: i64,
    pub conversation: i64,
    pub app: &'a str,
    /// 0 when the message has no sender.
    pub sender: i64,
    /// Unix milliseconds, UTC.
    pub sent_at: i64,
    pub kind: MessageKind,
    pub text: &'a str,
}

/// The index built alongside an import: every message the import writes is handed to the
/// index writer as it is stored (tantivy's threads index it while the import goes on), and
/// [`IndexFeed::commit`] publishes it once the import's database transaction has committed,
/// with the new high-water mark. An import that fails drops the feed, and with it every
/// document it added. A process killed between the two commits leaves the index behind the
/// archive, and the next [`SearchIndex::catch_up`] adds what it lacks, as before.
pub struct IndexFeed<'i> {
    index: &'i SearchIndex,
    writer: IndexWriter,
    conversation_tags: HashMap<i64, Vec<i64>>,
    /// The tag the import puts on every conversation it touches.
    import_tag: Option<i64>,
    tags: Vec<i64>,
    added: u64,
    /// The writer's bound on the cache of decrypted data, lifted when the feed ends.
    _cache_bound: Option<CacheBound>,
}

/// Restores the encrypted directory's cache bound when dropped.
struct CacheBound {
    dir: EncryptedDirectory,
    previous: usize,
}

impl Drop for CacheBound {
    fn drop(&mut self) {
        self.dir.set_cache_capacity(self.previous);
    }
}

impl IndexFeed<'_> {
    /// Every message added from now on also carries this tag (the import's `--tag`).
    pub fn tag_all(&mut self, tag: i64) {
        self.import_tag = Some(tag);
    }

    /// Adds a message the import has just stored (new ones only: a message stored before is
    /// already in the index).
    pub fn add<'n>(
        &mut self,
        m: &IndexedMessage<'_>,
        attachment_names: impl Iterator<Item = &'n str>,
    ) -> Result<()> {
        self.tags.clear();
        if let Some(t) = self.conversation_tags.get(&m.conversation) {
            self.tags.extend_from_slice(t);
        }
        if let Some(t) = self.import_tag.filter(|t| !self.tags.contains(t)) {
            self.tags.push(t);
        }
        let doc = self.index.document(m, attachment_names, &self.tags);
        self.writer.add_document(doc).map_err(index_error)?;
        self.added += 1;
        Ok(())
    }

    pub fn added(&self) -> u64 {
        self.added
    }

    /// After the import's transaction has committed: publishes the documents with the
    /// archive's new highest message id as the index's mark.
    pub fn commit(mut self, conn: &Connection) -> Result<u64> {
        if self.added == 0 {
            return Ok(0);
        }
        let max: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| {
            r.get(0)
        })?;
        self.index.commit(&mut self.writer, max)?;
        self.writer.wait_merging_threads().map_err(index_error)?;
        Ok(self.added)
    }
}

/// The index folder's files before an import, to put back if it fails: tantivy's segment
/// files are never rewritten, only added and removed, so their names are enough; the small
/// bookkeeping files (`meta.json`, `.managed.json`, locks) are kept whole.
pub struct IndexFolderSnapshot {
    dir: PathBuf,
    existed: bool,
    names: BTreeSet<std::ffi::OsString>,
    small: HashMap<std::ffi::OsString, Vec<u8>>,
}

impl IndexFolderSnapshot {
    pub fn take(dir: &Path) -> Result<IndexFolderSnapshot> {
        let mut snapshot = IndexFolderSnapshot {
            dir: dir.to_path_buf(),
            existed: dir.exists(),
            names: BTreeSet::new(),
            small: HashMap::new(),
        };
        if !snapshot.existed {
            return Ok(snapshot);
        }
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let name = entry.file_name();
            let text = name.to_string_lossy();
            if text.starts_with('.') || text == "meta.json" {
                let path = entry.path();
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                snapshot.small.insert(name.clone(), bytes);
            }
            snapshot.names.insert(name);
        }
        Ok(snapshot)
    }

    pub fn existed(&self) -> bool {
        self.existed
    }

    /// Puts the folder back as it was: files added since are removed, bookkeeping files
    /// rewritten, a folder that did not exist removed.
    pub fn restore(&self) -> Result<()> {
        let dir = &self.dir;
        if !self.existed {
            return match std::fs::remove_dir_all(dir) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(dir, e)),
                _ => Ok(()),
            };
        }
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            if !self.names.contains(&entry.file_name()) {
                let path = entry.path();
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        for (name, bytes) in &self.small {
            let path = dir.join(name);
            if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
                std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
            }
        }
        Ok(())
    }
}

/// Which messages [`SearchIndex::add_messages`] reads (`?1` is the high-water mark).
#[derive(Clone, Copy)]
enum Scope {
    Above,
    /// The messages in `index_dirty` at or below the mark.
    Dirty,
}

impl Scope {
    fn condition(self) -> &'static str {
        match self {
            Scope::Above => "> ?1",
            Scope::Dirty => "IN (SELECT message_id FROM index_dirty WHERE message_id <= ?1)",
        }
    }
}

fn conversation_tags(conn: &Connection) -> Result<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT conversation_id, tag_id FROM conversation_tags")?;
    for row in stmt.query_map(params![], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (c, t) = row?;
        out.entry(c).or_default().push(t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Archive;
    use crate::crypto::keyfile::KdfProfile;

    fn files_contain(dir: &Path, needle: &[u8]) -> bool {
        std::fs::read_dir(dir).unwrap().flatten().any(|e| {
            std::fs::read(e.path()).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        })
    }

    /// What a plain tantivy index leaves readable (its file footers, its schema, its terms
    /// through tantivy itself), and that none of it is readable in ours.
    #[test]
    fn the_index_is_opaque_where_a_plain_one_is_not() {
        let t = tempfile::tempdir().unwrap();
        let (mut a, _) =
            Archive::create(&t.path().join("a"), "pw", KdfProfile::InsecureTest).unwrap();
        let chat = t.path().join("c.txt");
        std::fs::write(
            &chat,
            "20/01/2024, 10:00 - A: the code word is ploverquartz\n",
        )
        .unwrap();
        let opts = crate::api::ImportOptions {
            tz: Some("UTC".into()),
            ..Default::default()
        };
        crate::api::import(&mut a, &[chat], &opts, &mut |_| {}).unwrap();
        let ours = t.path().join("a").join(INDEX_DIR);
        let plain_dir = t.path().join("plain");
        std::fs::create_dir(&plain_dir).unwrap();
        let plain = SearchIndex::with_directory(
            Box::new(tantivy::directory::MmapDirectory::open(&plain_dir).unwrap()),
            None,
            &plain_dir,
        )
        .unwrap();
        assert_eq!(plain.catch_up(a.conn(), &mut |_, _| {}).unwrap(), 1);
        for marker in [
            &b"index_format_version"[..],
            b"attachment_names",
            b"segments",
        ] {
            assert!(files_contain(&plain_dir, marker));
            assert!(
                !files_contain(&ours, marker),
                "{}",
                String::from_utf8_lossy(marker)
            );
        }
        // Plain tantivy opens the plain index and finds the word; it cannot open ours.
        let opened = Index::open_in_dir(&plain_dir).unwrap();
        let f = opened.schema().get_field("text").unwrap();
        let searcher = opened.reader().unwrap().searcher();
        let term = tantivy::Term::from_field_text(f, "ploverquartz");
        assert_eq!(searcher.doc_freq(&term).unwrap(), 1);
        assert!(Index::open_in_dir(&ours).is_err());
        assert!(!files_contain(&ours, b"ploverquartz"));
    }
}
