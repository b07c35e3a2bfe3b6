//! The database schema and its migrations. `PRAGMA user_version` holds the number of
//! migrations applied; each runs in its own transaction. Never edit a released migration:
//! add a new one (tests/compat keeps an archive of every released version and opens it).

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: sources, conversations, participants, messages, attachments, tags.
    r#"
CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    format           TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    sha256           TEXT NOT NULL UNIQUE,
    size             INTEGER NOT NULL,
    original_blob    TEXT NOT NULL,          -- encrypted copy of the export's bytes
    zone             TEXT,                   -- IANA zone assumed for local times
    date_order       TEXT,                   -- d/m/y, m/d/y, ... when the format varies
    importer         TEXT NOT NULL,          -- importer name and version
    imported_at      INTEGER NOT NULL,       -- unix ms, UTC
    messages         INTEGER NOT NULL DEFAULT 0,
    messages_added   INTEGER NOT NULL DEFAULT 0,
    warnings         TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    app         TEXT NOT NULL,
    native_id   TEXT,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('direct', 'group', 'channel')),
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX conversations_native ON conversations(app, native_id) WHERE native_id IS NOT NULL;

CREATE TABLE participants (
    id            INTEGER PRIMARY KEY,
    app           TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    handle        TEXT NOT NULL DEFAULT '',  -- phone, email or handle; '' when unknown
    UNIQUE (app, display_name, handle)
);

CREATE TABLE conversation_members (
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    participant_id   INTEGER NOT NULL REFERENCES participants(id),
    PRIMARY KEY (conversation_id, participant_id)
) WITHOUT ROWID;

CREATE TABLE source_files (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    path        TEXT NOT NULL,              -- as shown: 'chat.zip/_chat.txt'
    positions   TEXT NOT NULL               -- 'line', or the JSON array path ('$.messages')
);

-- AUTOINCREMENT: ids are never reused, so "every message above id N" is a sound high-water
-- mark for whatever follows the archive (the search index).
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    ident            BLOB NOT NULL,           -- identity for idempotent re-imports
    sender_id        INTEGER REFERENCES participants(id),
    sent_at          INTEGER NOT NULL,        -- unix ms, UTC
    local_time       TEXT,                    -- the timestamp as written, when local
    kind             TEXT NOT NULL CHECK (kind IN ('text', 'system', 'media', 'deleted', 'call')),
    body             TEXT NOT NULL,
    edited           INTEGER NOT NULL DEFAULT 0,
    reply_to         TEXT,                    -- native id of the message replied to
    reactions        TEXT,                    -- JSON [{"emoji": "..", "by": ".."}]
    native_id        TEXT,
    source_file      INTEGER NOT NULL REFERENCES source_files(id),
    source_pos       INTEGER NOT NULL         -- line, or index in the JSON array
);
CREATE UNIQUE INDEX messages_ident ON messages(ident, conversation_id);
CREATE INDEX messages_by_time ON messages(conversation_id, sent_at, id);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    name        TEXT NOT NULL,
    mime        TEXT,
    size        INTEGER,
    sha256      TEXT,
    blob        TEXT,                          -- encrypted content, when stored
    status      TEXT NOT NULL CHECK (status IN ('stored', 'omitted', 'missing'))
);
CREATE INDEX attachments_by_message ON attachments(message_id);
CREATE INDEX attachments_by_blob ON attachments(blob) WHERE blob IS NOT NULL;

CREATE TABLE tags (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
CREATE TABLE conversation_tags (
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    tag_id           INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (conversation_id, tag_id)
) WITHOUT ROWID;
"#,
    // v2: the text as written when the body is a rendering of it; the files of a folder source.
    r#"
ALTER TABLE messages ADD COLUMN raw TEXT;

CREATE TABLE source_members (
    source_id  INTEGER NOT NULL REFERENCES sources(id),
    path       TEXT NOT NULL,      -- inside the imported folder
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    blob       TEXT NOT NULL,      -- the file's encrypted copy
    PRIMARY KEY (source_id, path)
) WITHOUT ROWID;
"#,
    // v3: replies are shown with the message they answer, found by its native id.
    r#"
CREATE INDEX messages_native ON messages(conversation_id, native_id) WHERE native_id IS NOT NULL;
"#,
    // v4: records management. Annotations (tags on messages, policies, holds, disposals) are a
    // layer beside the captured messages, which stay as they were imported; the audit log is
    // a hash chain (src/records/audit.rs, docs/audit-log.md).
    r#"
ALTER TABLE tags ADD COLUMN triage INTEGER NOT NULL DEFAULT 0;   -- 1: a built-in triage class
INSERT OR IGNORE INTO tags (name) VALUES ('business'), ('personal'), ('transitory');
UPDATE tags SET triage = 1 WHERE name IN ('business', 'personal', 'transitory');

CREATE TABLE message_tags (
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (message_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX message_tags_by_tag ON message_tags(tag_id);
CREATE INDEX conversation_tags_by_tag ON conversation_tags(tag_id);

CREATE TABLE policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    match       TEXT NOT NULL,             -- a search query; '@untriaged' for the default policy
    retain      TEXT NOT NULL,             -- '6y', '18m', '30d'
    from_event  TEXT NOT NULL CHECK (from_event IN ('sent', 'last-activity')),
    action      TEXT NOT NULL CHECK (action IN ('delete', 'review', 'keep')),
    locked      INTEGER NOT NULL DEFAULT 0,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL
);
INSERT INTO policies (name, match, retain, from_event, action, created_at, created_by) VALUES
    ('Business (default)', 'tag:business', '6y', 'sent', 'review', 0, 'holdfast'),
    ('Untriaged (default)', '@untriaged', '2y', 'sent', 'review', 0, 'holdfast'),
    ('Personal (default)', 'tag:personal', '90d', 'sent', 'delete', 0, 'holdfast'),
    ('Transitory (default)', 'tag:transitory', '30d', 'sent', 'delete', 0, 'holdfast');

CREATE TABLE holds (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    match        TEXT NOT NULL,            -- a search query: words, in:, from:, date:, ...
    reason       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    released_at  INTEGER,
    released_by  TEXT
);

CREATE TABLE disposals (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    as_of       INTEGER NOT NULL,
    approver    TEXT NOT NULL,
    reason      TEXT NOT NULL,             -- 'retention' or 'manual deletion'
    messages    INTEGER NOT NULL,
    attachments INTEGER NOT NULL,
    originals   INTEGER NOT NULL,          -- original exports destroyed with them
    summary     TEXT NOT NULL              -- JSON: counts per policy
);
-- What a disposal destroyed: hashes, never content. `ident` stops a later import of the same
-- export from bringing a disposed message back.
CREATE TABLE disposed_messages (
    disposal_id      INTEGER NOT NULL REFERENCES disposals(id),
    message_id       INTEGER NOT NULL,
    conversation_id  INTEGER NOT NULL,
    ident            BLOB NOT NULL,
    policy           TEXT NOT NULL,
    sha256           TEXT NOT NULL
);
CREATE INDEX disposed_by_disposal ON disposed_messages(disposal_id);
CREATE INDEX source_members_by_blob ON source_members(blob);
-- What a committed disposal still has to finish outside the database (blobs to destroy, the
-- index to purge, the database to vacuum): done right after the commit, or by the next
-- process that opens the archive when this one died first.
CREATE TABLE disposal_pending (
    task   TEXT NOT NULL CHECK (task IN ('blob', 'index', 'vacuum')),
    value  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (task, value)
) WITHOUT ROWID;
CREATE UNIQUE INDEX disposed_ident ON disposed_messages(ident, conversation_id);
-- A disposed message stays disposed: importing the same export again skips it (counted with
-- the duplicates).
CREATE TRIGGER messages_stay_disposed BEFORE INSERT ON messages
WHEN EXISTS (SELECT 1 FROM disposed_messages WHERE ident = NEW.ident AND conversation_id = NEW.conversation_id)
BEGIN SELECT RAISE(IGNORE); END;

-- Messages whose index document must be replaced (tags changed) or removed (disposed), in
-- the same transaction as the change; the index works through it and empties it.
CREATE TABLE index_dirty (message_id INTEGER PRIMARY KEY);

CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,           -- 1, 2, 3, ... with no gaps
    at      INTEGER NOT NULL,              -- unix ms, UTC
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL,                 -- canonical JSON
    prev    TEXT NOT NULL,                 -- hash of entry seq - 1 (64 zeros for the first)
    hash    TEXT NOT NULL                  -- SHA-256 of the entry's canonical form
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    // v5: FOI and subject-access requests: cases, their clocks' events, their scope (saved
    // searches, held by a hold named after the case), review marks and redactions.
    r#"
CREATE TABLE foi_cases (
    id            INTEGER PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind          TEXT NOT NULL CHECK (kind IN ('foi', 'eir', 'sar', 'foia')),
    requester     TEXT NOT NULL DEFAULT '',
    zone          TEXT NOT NULL,               -- the requester's zone, for produced dates
    received      TEXT NOT NULL,               -- YYYY-MM-DD
    complex       INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL CHECK (status IN ('open', 'awaiting_clarification', 'responded', 'closed')),
    notes         TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    responded_on  TEXT,
    closed_at     INTEGER
);
CREATE TABLE foi_clarifications (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES foi_cases(id),
    asked     TEXT NOT NULL,
    answered  TEXT
);
CREATE TABLE foi_scope (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES foi_cases(id),
    query     TEXT NOT NULL,
    added_at  INTEGER NOT NULL,
    added_by  TEXT NOT NULL
);
CREATE TABLE foi_marks (
    case_id     INTEGER NOT NULL REFERENCES foi_cases(id),
    message_id  INTEGER NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('responsive', 'not_responsive', 'exempt')),
    code        TEXT,
    by          TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (case_id, message_id)
) WITHOUT ROWID;
CREATE TABLE foi_redactions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES foi_cases(id),
    message_id  INTEGER NOT NULL,
    start       INTEGER,                       -- characters; NULL: the whole message
    end         INTEGER,
    code        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('accepted', 'suggested', 'rejected')),
    by          TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX foi_redactions_by_message ON foi_redactions(case_id, message_id);
"#,
    // v6: a reviewer's decision on messages a policy brought to review: kept until a date,
    // when they come up for review again.
    r#"
CREATE TABLE review_decisions (
    message_id  INTEGER PRIMARY KEY,
    policy      TEXT NOT NULL,
    keep_until  INTEGER NOT NULL,              -- unix ms
    decided_at  INTEGER NOT NULL,
    decided_by  TEXT NOT NULL
) WITHOUT ROWID;
"#,
    // v7: a disposed message stays disposed, checked by the importer (src/archive/ingest.rs)
    // instead of a trigger: any trigger on `messages` made SQLite keep a statement journal for
    // every insert, a copy of each page it touched (15-20 % of a Slack import's time).
    r#"
DROP TRIGGER IF EXISTS messages_stay_disposed;
"#,
];

/// The schema version this build writes.
pub const CURRENT: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the schema up to [`CURRENT`]; refuses archives written by a newer Holdfast.
pub fn migrate(conn: &mut Connection) -> Result<u32> {
    let from = version(conn)?;
    if from > CURRENT {
        return Err(Error::Corrupt(format!(
            "this archive has schema version {from}, newer than this Holdfast understands ({CURRENT}): upgrade Holdfast"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_to_current_and_is_idempotent() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut c).unwrap(), 0);
        assert_eq!(version(&c).unwrap(), CURRENT);
        assert_eq!(migrate(&mut c).unwrap(), CURRENT);
        let tables: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('sources','conversations','participants','messages','attachments')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 5);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", CURRENT + 1).unwrap();
        let e = migrate(&mut c).unwrap_err().to_string();
        assert!(e.contains("newer") && e.contains("upgrade Holdfast"), "{e}");
    }

    #[test]
    fn every_migration_step_applies_on_top_of_the_previous_one() {
        let mut c = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let tx = c.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            tx.pragma_update(None, "user_version", (i + 1) as u32)
                .unwrap();
            tx.commit().unwrap();
            assert_eq!(version(&c).unwrap(), i as u32 + 1);
        }
    }
}
