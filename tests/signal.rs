//! Signal Desktop, read directly: the tests build a profile folder the way Signal Desktop
//! writes one (a SQLCipher database with Signal's schema, its write-ahead log, `config.json`
//! with either key style, attachments encrypted at rest), import it, and check every fact a
//! user would look for, that the archive holds no plaintext and that the Signal folder is
//! byte-identical afterwards.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aes::cipher::{block_padding::NoPadding, block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use common::*;
use hmac::{Hmac, Mac};
use holdfast::import::{self, AttachmentContent, Collected, ImportOptions, MessageKind};
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const DB_KEY: &str = "5f3d1e2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e";
const ADA: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BOB: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const CAROL: &str = "cccccccc-0000-4000-8000-000000000003";
/// 2024-03-01T09:00:00Z
const T0: i64 = 1_709_283_600_000;

/// Signal Desktop's tables as its DATABASE_SCHEMA.md lists them (schema 1540 era); the long
/// generated-column expressions Signal uses for previews and activity are left out.
const SCHEMA_CURRENT: &str = r#"
CREATE TABLE conversations (
  id STRING PRIMARY KEY ASC, json TEXT, active_at INTEGER, type STRING, members TEXT,
  name TEXT, profileName TEXT, profileFamilyName TEXT, profileFullName TEXT, e164 TEXT,
  serviceId TEXT, groupId TEXT, profileLastFetchedAt INTEGER,
  expireTimerVersion INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE messages (
  rowid INTEGER PRIMARY KEY ASC, id STRING UNIQUE, json TEXT, readStatus INTEGER,
  expires_at INTEGER, sent_at INTEGER, schemaVersion INTEGER, conversationId STRING,
  received_at INTEGER, hasAttachments INTEGER, hasFileAttachments INTEGER,
  hasVisualMediaAttachments INTEGER, expireTimer INTEGER, expirationStartTimestamp INTEGER,
  type STRING, body TEXT, messageTimer INTEGER, messageTimerStart INTEGER,
  messageTimerExpiresAt INTEGER, isErased INTEGER, isViewOnce INTEGER, sourceServiceId TEXT,
  serverGuid STRING NULL, sourceDevice INTEGER, storyId STRING,
  isStory INTEGER GENERATED ALWAYS AS (type IS 'story'),
  isChangeCreatedByUs INTEGER NOT NULL DEFAULT 0,
  isTimerChangeFromSync INTEGER GENERATED ALWAYS AS (json_extract(json, '$.expirationTimerUpdate.fromSync') IS 1),
  seenStatus NUMBER default 0, storyDistributionListId STRING,
  expiresAt INT GENERATED ALWAYS AS (ifnull(expirationStartTimestamp + (expireTimer * 1000), 9007199254740991)),
  isUserInitiatedMessage INTEGER GENERATED ALWAYS AS (type IS NULL OR type NOT IN ('change-number-notification',
    'contact-removed-notification','conversation-merge','group-v1-migration','group-v2-change','keychange',
    'message-history-unsynced','profile-change','story','universal-timer-notification','verified-change')),
  mentionsMe INTEGER NOT NULL DEFAULT 0,
  callId TEXT GENERATED ALWAYS AS (json_extract(json, '$.callId')),
  isAddressableMessage INTEGER GENERATED ALWAYS AS (type IS NULL OR type IN ('incoming','outgoing')),
  timestamp INTEGER, received_at_ms INTEGER, unidentifiedDeliveryReceived INTEGER,
  serverTimestamp INTEGER, source TEXT,
  isSearchable INT GENERATED ALWAYS AS (isViewOnce IS NOT 1 AND storyId IS NULL) VIRTUAL,
  hasUnreadPollVotes INTEGER NOT NULL DEFAULT 0,
  hasExpireTimer INTEGER NOT NULL GENERATED ALWAYS AS (COALESCE(expireTimer, 0) > 0) VIRTUAL
);
CREATE TABLE reactions (
  conversationId STRING, emoji STRING, fromId STRING, messageReceivedAt INTEGER,
  targetAuthorAci STRING, targetTimestamp INTEGER, unread INTEGER, messageId STRING,
  timestamp NUMBER
);
CREATE TABLE edited_messages (
  messageId STRING REFERENCES messages (id) ON DELETE CASCADE, sentAt INTEGER,
  readStatus INTEGER, conversationId STRING
);
CREATE TABLE items ( id STRING PRIMARY KEY ASC, json TEXT );
CREATE TABLE sessions (
  id TEXT NOT NULL PRIMARY KEY, ourServiceId TEXT NOT NULL, serviceId TEXT NOT NULL,
  conversationId TEXT NOT NULL, deviceId INTEGER NOT NULL, record BLOB NOT NULL
) STRICT;
CREATE TABLE message_attachments (
  messageId TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  editHistoryIndex INTEGER NOT NULL,
  attachmentType TEXT NOT NULL,
  orderInMessage INTEGER NOT NULL, conversationId TEXT NOT NULL, sentAt INTEGER NOT NULL,
  clientUuid TEXT, size INTEGER NOT NULL, contentType TEXT NOT NULL, path TEXT,
  plaintextHash TEXT, localKey TEXT, caption TEXT, fileName TEXT, blurHash TEXT,
  height INTEGER, width INTEGER, digest TEXT, key TEXT, downloadPath TEXT, version INTEGER,
  pending INTEGER, messageType TEXT, receivedAt INTEGER, receivedAtMs INTEGER,
  isViewOnce INTEGER, duration REAL,
  PRIMARY KEY (messageId, editHistoryIndex, attachmentType, orderInMessage)
) STRICT;
PRAGMA user_version = 1540;
"#;

/// Signal Desktop 6.x (schema ~1000): columns `uuid` / `sourceUuid`, attachments in the JSON.
const SCHEMA_2023: &str = r#"
CREATE TABLE conversations (
  id STRING PRIMARY KEY ASC, json TEXT, active_at INTEGER, type STRING, members TEXT,
  name TEXT, profileName TEXT, profileFamilyName TEXT, profileFullName TEXT, e164 TEXT,
  uuid STRING, groupId TEXT, profileLastFetchedAt INTEGER
);
CREATE TABLE messages (
  rowid INTEGER PRIMARY KEY ASC, id STRING UNIQUE, json TEXT, readStatus INTEGER,
  expires_at INTEGER, sent_at INTEGER, schemaVersion INTEGER, conversationId STRING,
  received_at INTEGER, source STRING, hasAttachments INTEGER, hasFileAttachments INTEGER,
  hasVisualMediaAttachments INTEGER, expireTimer INTEGER, expirationStartTimestamp INTEGER,
  type STRING, body TEXT, isErased INTEGER, isViewOnce INTEGER, sourceUuid TEXT,
  serverGuid STRING NULL, sourceDevice INTEGER, storyId STRING
);
CREATE TABLE items ( id STRING PRIMARY KEY ASC, json TEXT );
PRAGMA user_version = 1000;
"#;

fn seal_attachment(plain: &[u8], keys: &[u8; 64]) -> Vec<u8> {
    // Signal pads the plaintext to a bucket size with zeros, then AES-256-CBC, IV first,
    // HMAC-SHA256 over IV and ciphertext last.
    let mut padded = plain.to_vec();
    padded.resize(plain.len().div_ceil(16) * 16 + 32, 0);
    let iv = [0x42u8; 16];
    let ct = cbc::Encryptor::<aes::Aes256>::new(keys[..32].into(), &iv.into())
        .encrypt_padded_vec_mut::<NoPadding>(&padded);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&keys[32..]).unwrap();
    mac.update(&iv);
    mac.update(&ct);
    [&iv[..], &ct, &mac.finalize().into_bytes()].concat()
}

fn safe_storage(prefix: &[u8], password: &str, plain: &str) -> String {
    let mut key = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), b"saltysalt", 1, &mut key);
    let ct = cbc::Encryptor::<aes::Aes128>::new(&key.into(), &[b' '; 16].into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes());
    hex::encode([prefix, &ct].concat())
}

fn conv(
    c: &Connection,
    id: &str,
    ty: &str,
    cols: &[(&str, &str)],
    json: Value,
) -> rusqlite::Result<()> {
    let mut names = vec!["id", "type", "json"];
    let mut values: Vec<String> = vec![id.into(), ty.into(), json.to_string()];
    for (k, v) in cols {
        names.push(k);
        values.push(v.to_string());
    }
    let marks = (1..=names.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",");
    c.execute(
        &format!(
            "INSERT INTO conversations ({}) VALUES ({marks})",
            names.join(",")
        ),
        rusqlite::params_from_iter(values),
    )?;
    Ok(())
}

struct Msg<'a> {
    id: &'a str,
    conv: &'a str,
    ty: &'a str,
    at: i64,
    body: &'a str,
    from: Option<&'a str>,
    json: Value,
}

fn msg(c: &Connection, current: bool, m: Msg) {
    let mut json = m.json;
    let obj = json.as_object_mut().unwrap();
    if current {
        // Since schema 1270 these live only in columns.
        c.execute(
            "INSERT INTO messages (id, json, sent_at, conversationId, received_at, type, body, sourceServiceId, timestamp, received_at_ms, expireTimer, expirationStartTimestamp, storyId)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?3, ?3, ?9, ?10, ?11)",
            params![
                m.id,
                json.to_string(),
                m.at,
                m.conv,
                m.at,
                m.ty,
                m.body,
                m.from,
                json.get("expireTimer").and_then(Value::as_i64),
                json.get("expireTimer").map(|_| m.at),
                json.get("storyId").and_then(Value::as_str),
            ],
        )
        .unwrap();
    } else {
        obj.insert("body".into(), m.body.into());
        obj.insert("sent_at".into(), m.at.into());
        obj.insert("type".into(), m.ty.into());
        if let Some(f) = m.from {
            obj.insert("sourceUuid".into(), f.into());
        }
        c.execute(
            "INSERT INTO messages (id, json, sent_at, conversationId, received_at, type, body, sourceUuid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![m.id, json.to_string(), m.at, m.conv, m.at, m.ty, m.body, m.from],
        )
        .unwrap();
    }
}

struct Profile {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    invoice: Vec<u8>,
    photo: Vec<u8>,
}

const LONG_TEXT_START: &str = "Minutes of the Falcon steering meeting";

/// Builds a Signal Desktop profile. `current`: today's schema (attachments in
/// `message_attachments`, encrypted at rest) or 2023's (attachments in the JSON, plaintext).
fn profile(config: Value, current: bool) -> Profile {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Signal");
    std::fs::create_dir_all(dir.join("sql")).unwrap();
    std::fs::create_dir_all(dir.join("attachments.noindex/3f")).unwrap();
    std::fs::create_dir_all(dir.join("attachments.noindex/7a")).unwrap();
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::write(dir.join("logs/main.log"), "log line\n").unwrap();
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_vec_pretty(&config).unwrap(),
    )
    .unwrap();

    // Signal writes the database while it runs: build it elsewhere, and copy it (with its
    // write-ahead log) while the connection is open, as a profile of a running or crashed
    // Signal looks.
    let live = tmp.path().join("live");
    std::fs::create_dir_all(&live).unwrap();
    holdfast::archive::sqlcipher::start();
    let c = Connection::open(live.join("db.sqlite")).unwrap();
    c.execute_batch(&format!(
        "PRAGMA key = \"x'{DB_KEY}'\"; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
    ))
    .unwrap();
    c.execute_batch(if current { SCHEMA_CURRENT } else { SCHEMA_2023 })
        .unwrap();
    let id_col = if current { "serviceId" } else { "uuid" };
    let item = json!({"id": "uuid_id", "value": format!("{ADA}.1")});
    c.execute(
        "INSERT INTO items (id, json) VALUES ('uuid_id', ?1)",
        [item.to_string()],
    )
    .unwrap();
    conv(
        &c,
        "conv-ada",
        "private",
        &[
            (id_col, ADA),
            ("profileFullName", "Ada Lovelace"),
            ("e164", "+447700900001"),
        ],
        json!({}),
    )
    .unwrap();
    conv(
        &c,
        "conv-bob",
        "private",
        &[
            (id_col, BOB),
            ("name", "\u{2068}Bob Builder\u{2069}"),
            ("e164", "+447700900002"),
        ],
        json!({}),
    )
    .unwrap();
    conv(
        &c,
        "conv-carol",
        "private",
        &[
            (id_col, CAROL),
            ("profileName", "Carol"),
            ("profileFamilyName", "Jones"),
        ],
        json!({}),
    )
    .unwrap();
    conv(&c, "conv-falcon", "group", &[("name", "Project Falcon"), ("groupId", "Z3JvdXA=")],
        json!({"membersV2": [{"aci": ADA, "role": 2}, {"aci": BOB, "role": 1}, {"aci": CAROL, "role": 1}]})).unwrap();

    let invoice = b"%PDF-1.4 invoice 2024-031 for the Falcon tender".to_vec();
    let photo = b"\x89PNG\r\n\x1a\n site photo bytes".to_vec();
    let keys: [u8; 64] = std::array::from_fn(|i| (i * 7 + 3) as u8);
    let long_text = format!(
        "{LONG_TEXT_START}.\n{}",
        "Agreed: the bid goes in on Friday. ".repeat(80)
    );

    let m = |id, conv, ty, at, body, from, json| Msg {
        id,
        conv,
        ty,
        at,
        body,
        from,
        json,
    };
    msg(
        &c,
        current,
        m(
            "m1",
            "conv-bob",
            "incoming",
            T0,
            "Hello Ada, the tender invoice is attached",
            Some(BOB),
            json!({}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "m2",
            "conv-bob",
            "outgoing",
            T0 + 60_000,
            "Thanks Bob, forwarding to finance",
            None,
            json!({"quote": {"id": T0, "authorAci": BOB, "text": "Hello Ada, the tender invoice is attached"},
                    "reactions": [{"emoji": "👍", "fromId": "conv-bob", "targetTimestamp": T0 + 60_000, "timestamp": T0 + 90_000}]}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "m3",
            "conv-bob",
            "incoming",
            T0 + 120_000,
            "Meeting moved to Thursday 10am",
            Some(BOB),
            json!({"editHistory": [
            {"body": "Meeting moved to Thursday 10am", "timestamp": T0 + 180_000},
            {"body": "Meeting moved to Wednesday", "timestamp": T0 + 120_000}],
            "editMessageTimestamp": T0 + 180_000}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "m4",
            "conv-bob",
            "incoming",
            T0 + 240_000,
            "",
            Some(BOB),
            json!({"deletedForEveryone": true, "deletedForEveryoneTimestamp": T0 + 250_000}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "m5",
            "conv-bob",
            "outgoing",
            T0 + 300_000,
            "This disappears in an hour",
            None,
            json!({"expireTimer": 3600}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "m6",
            "conv-bob",
            "keychange",
            T0 + 360_000,
            "",
            None,
            json!({"key_changed": "conv-bob"}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "m7",
            "conv-bob",
            "call-history",
            T0 + 420_000,
            "",
            None,
            json!({"callId": "123", "callHistoryDetails": {"direction": "Incoming", "type": "Video", "status": "Accepted"}}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "g1",
            "conv-falcon",
            "incoming",
            T0 + 3_600_000,
            "Falcon kickoff at 10, site photo below",
            Some(CAROL),
            json!({}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "g2",
            "conv-falcon",
            "story",
            T0 + 3_700_000,
            "holiday story",
            Some(CAROL),
            json!({}),
        ),
    );
    msg(
        &c,
        current,
        m(
            "g3",
            "conv-falcon",
            "incoming",
            T0 + 3_800_000,
            &long_text[..2048.min(long_text.len())],
            Some(BOB),
            json!({}),
        ),
    );
    // A row whose JSON Signal's own code could not read: a warning, the rest imports.
    c.execute(
        "INSERT INTO messages (id, json, sent_at, conversationId, received_at, type, body) VALUES ('bad', '[\"not an object\"]', ?1, 'conv-falcon', ?1, 'incoming', 'broken row')",
        [T0 + 3_900_000],
    )
    .unwrap();

    if current {
        let b64 = data_encoding::BASE64.encode(&keys);
        std::fs::write(
            dir.join("attachments.noindex/3f/3fa1"),
            seal_attachment(&invoice, &keys),
        )
        .unwrap();
        std::fs::write(
            dir.join("attachments.noindex/7a/7a01"),
            seal_attachment(&photo, &keys),
        )
        .unwrap();
        std::fs::write(
            dir.join("attachments.noindex/7a/7a02"),
            seal_attachment(long_text.as_bytes(), &keys),
        )
        .unwrap();
        let att = |mid: &str,
                   conv: &str,
                   ty: &str,
                   path: &str,
                   mime: &str,
                   name: Option<&str>,
                   size: usize| {
            c.execute(
                "INSERT INTO message_attachments (messageId, editHistoryIndex, attachmentType, orderInMessage, conversationId, sentAt, size, contentType, path, localKey, fileName, version)
                 VALUES (?1, -1, ?2, 0, ?3, 0, ?4, ?5, ?6, ?7, ?8, 2)",
                params![mid, ty, conv, size as i64, mime, path, b64, name],
            )
            .unwrap();
        };
        att(
            "m1",
            "conv-bob",
            "attachment",
            "3f/3fa1",
            "application/pdf",
            Some("invoice-2024-031.pdf"),
            invoice.len(),
        );
        att(
            "g1",
            "conv-falcon",
            "attachment",
            "7a/7a01",
            "image/png",
            None,
            photo.len(),
        );
        att(
            "g3",
            "conv-falcon",
            "long-message",
            "7a/7a02",
            "text/x-signal-plain",
            None,
            long_text.len(),
        );
    } else {
        std::fs::write(dir.join("attachments.noindex/3f/3fa1"), &invoice).unwrap();
        std::fs::write(dir.join("attachments.noindex/7a/7a01"), &photo).unwrap();
        std::fs::write(
            dir.join("attachments.noindex/7a/7a02"),
            long_text.as_bytes(),
        )
        .unwrap();
        let set = |id: &str, key: &str, v: Value| {
            c.execute(
                &format!(
                    "UPDATE messages SET json = json_set(json, '$.{key}', json(?2)) WHERE id = ?1"
                ),
                params![id, v.to_string()],
            )
            .unwrap();
        };
        set(
            "m1",
            "attachments",
            json!([{"path": "3f/3fa1", "contentType": "application/pdf", "fileName": "invoice-2024-031.pdf", "size": invoice.len()}]),
        );
        set(
            "g1",
            "attachments",
            json!([{"path": "7a/7a01", "contentType": "image/png", "size": photo.len()}]),
        );
        set(
            "g3",
            "bodyAttachment",
            json!({"path": "7a/7a02", "contentType": "text/x-signal-plain", "size": long_text.len()}),
        );
    }
    // The last message reaches only the write-ahead log.
    msg(
        &c,
        current,
        m(
            "g4",
            "conv-falcon",
            "outgoing",
            T0 + 4_000_000,
            "Bid submitted, thanks all",
            None,
            json!({}),
        ),
    );
    for f in ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm"] {
        std::fs::copy(live.join(f), dir.join("sql").join(f)).unwrap();
    }
    drop(c);
    Profile {
        _tmp: tmp,
        dir,
        invoice,
        photo,
    }
}

fn snapshot(dir: &Path) -> BTreeMap<String, (String, std::time::SystemTime)> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let meta = std::fs::metadata(&f).unwrap();
            (
                f.strip_prefix(dir).unwrap().display().to_string(),
                (
                    hex::encode(Sha256::digest(std::fs::read(&f).unwrap())),
                    meta.modified().unwrap(),
                ),
            )
        })
        .collect()
}

fn read(dir: &Path) -> Collected {
    let mut c = Collected::keeping();
    let options = ImportOptions {
        zone: chrono_tz::UTC,
        zone_explicit: true,
        date_order: None,
    };
    import::read_export(dir, None, &options, &mut c).unwrap_or_else(|e| panic!("{e}"));
    c
}

/// Every fact of the profile, as the importer reads it.
fn check_records(p: &Profile, c: &Collected) {
    let titles: Vec<(&str, &str)> = c
        .conversations
        .iter()
        .map(|v| (v.title.as_str(), v.kind.name()))
        .collect();
    assert_eq!(
        titles,
        [("Bob Builder", "direct"), ("Project Falcon", "group")]
    );
    let falcon = &c.conversations[1];
    let mut members: Vec<&str> = falcon
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    members.sort();
    assert_eq!(members, ["Ada Lovelace", "Bob Builder", "Carol Jones"]);

    let by_id = |id: &str| {
        c.messages
            .iter()
            .find(|m| m.native_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("message {id} missing"))
    };
    assert_eq!(
        c.messages.len(),
        10,
        "9 messages (the story skipped, the broken row a warning) + the WAL one"
    );
    let m1 = by_id("m1");
    assert_eq!(m1.sender.as_ref().unwrap().display_name, "Bob Builder");
    assert_eq!(
        m1.sender.as_ref().unwrap().handle.as_deref(),
        Some("+447700900002")
    );
    assert_eq!(m1.sent_at.to_rfc3339(), "2024-03-01T09:00:00+00:00");
    assert_eq!(m1.attachments.len(), 1);
    assert_eq!(m1.attachments[0].name, "invoice-2024-031.pdf");
    assert_eq!(m1.attachments[0].mime.as_deref(), Some("application/pdf"));
    let stored = |a: &import::AttachmentContent| -> Vec<u8> {
        match a {
            AttachmentContent::Data(d) => d.clone(),
            AttachmentContent::Member(m) => std::fs::read(p.dir.join(m)).unwrap(),
            other => panic!("attachment not stored: {other:?}"),
        }
    };
    assert_eq!(
        stored(&m1.attachments[0].content),
        p.invoice,
        "decrypted, padding cut off"
    );
    let m2 = by_id("m2");
    assert_eq!(
        m2.sender.as_ref().unwrap().display_name,
        "Ada Lovelace",
        "outgoing is the owner"
    );
    assert_eq!(
        m2.reply_to.as_deref(),
        Some("m1"),
        "the quote links to the quoted message"
    );
    assert_eq!(
        (m2.reactions[0].emoji.as_str(), m2.reactions[0].by.as_str()),
        ("👍", "Bob Builder")
    );
    let m3 = by_id("m3");
    assert!(m3.edited);
    assert_eq!(m3.body, "Meeting moved to Thursday 10am");
    assert!(
        m3.raw
            .as_deref()
            .unwrap()
            .contains("Meeting moved to Wednesday"),
        "earlier versions kept"
    );
    let m4 = by_id("m4");
    assert_eq!((m4.kind, m4.body.as_str()), (MessageKind::Deleted, ""));
    let m5 = by_id("m5");
    let raw5: Value = serde_json::from_str(m5.raw.as_deref().unwrap()).unwrap();
    assert_eq!(
        raw5["expireTimer"], 3600,
        "the expiring-message timer is kept"
    );
    let m6 = by_id("m6");
    assert_eq!(
        (m6.kind, m6.body.as_str(), m6.sender.is_none()),
        (MessageKind::System, "Safety number changed", true)
    );
    let m7 = by_id("m7");
    assert_eq!(
        (m7.kind, m7.body.as_str()),
        (MessageKind::Call, "Incoming video call (accepted)")
    );
    let g1 = by_id("g1");
    assert_eq!(g1.sender.as_ref().unwrap().display_name, "Carol Jones");
    assert_eq!(g1.kind, MessageKind::Text);
    assert_eq!(stored(&g1.attachments[0].content), p.photo);
    assert!(
        g1.attachments[0].name.ends_with(".png"),
        "{}",
        g1.attachments[0].name
    );
    let g3 = by_id("g3");
    assert!(
        g3.body.starts_with(LONG_TEXT_START) && g3.body.len() > 2048,
        "the long text replaces the truncated body"
    );
    assert!(g3.attachments.is_empty());
    assert_eq!(
        by_id("g4").body,
        "Bid submitted, thanks all",
        "read from the write-ahead log"
    );
    assert!(c.messages.iter().all(|m| m.body != "holiday story"));
    let warnings: Vec<String> = c
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.at, w.message))
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("1 story skipped")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Signal/sql/db.sqlite: messages rowid")
                && w.contains("not a JSON object")),
        "{warnings:?}"
    );
    assert_eq!(
        c.files[0].positions.locate(&c.files[0].path, 3),
        "Signal/sql/db.sqlite: messages rowid 3"
    );
}

#[test]
fn current_schema_plain_key_imports_exactly_and_leaves_signal_untouched() {
    let p = profile(json!({"key": DB_KEY, "mediaPermissions": true}), true);
    let before = snapshot(&p.dir);
    check_records(&p, &read(&p.dir));

    let (env, _) = Env::init();
    let v = env.import(&p.dir, &[]);
    assert_eq!(v["sources"][0]["messages_added"], 10, "{v}");
    assert_eq!(v["sources"][0]["format"], "signal", "{v}");
    let convs = env.json(&["conversations"]);
    let falcon = convs["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Project Falcon")
        .unwrap();
    let shown = env.json(&["show", falcon["id"].as_str().unwrap()]);
    let senders: Vec<&str> = shown["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["sender"].as_str())
        .collect();
    assert_eq!(senders, ["Carol Jones", "Bob Builder", "Ada Lovelace"]);
    assert_eq!(shown["messages"][0]["attachments"][0]["status"], "stored");
    let bob = convs["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Bob Builder")
        .unwrap();
    let shown = env.json(&["show", bob["id"].as_str().unwrap()]);
    let msgs = shown["messages"].as_array().unwrap();
    assert_eq!(
        msgs[1]["reply_to"], msgs[0]["id"],
        "the reply points at the quoted message"
    );
    assert_eq!(msgs[1]["reactions"][0]["by"], "Bob Builder");

    let mut secrets = all_message_texts(&env);
    secrets.push(String::from_utf8_lossy(&p.invoice).into_owned());
    secrets.push("Meeting moved to Wednesday".into());
    assert_no_plaintext(&env.archive, &secrets);

    // The source keeps a copy of what it was read from (config.json and the database), not of
    // the attachment files: those are stored once, decrypted, as the attachments.
    let archive = holdfast::archive::Archive::open(
        &env.archive,
        holdfast::archive::Unlock::Passphrase(PASSPHRASE),
    )
    .unwrap();
    let copied: Vec<String> = archive
        .conn()
        .prepare("SELECT path FROM source_members ORDER BY path")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        copied,
        [
            "config.json",
            "sql/db.sqlite",
            "sql/db.sqlite-shm",
            "sql/db.sqlite-wal"
        ]
    );
    drop(archive);

    let again = env.import(&p.dir, &[]);
    assert_eq!(again["sources"][0]["messages_added"], 0, "{again}");
    assert_eq!(
        snapshot(&p.dir),
        before,
        "the Signal folder is byte-identical, nothing added"
    );
}

#[cfg(not(target_os = "macos"))]
#[test]
fn encrypted_key_and_2023_schema() {
    // Signal 7.16+ without a keyring ("basic" safeStorage): v10, Chromium's fixed password.
    let p = profile(
        json!({"encryptedKey": safe_storage(b"v10", "peanuts", DB_KEY), "safeStorageBackend": "basic_text"}),
        false,
    );
    let before = snapshot(&p.dir);
    check_records(&p, &read(&p.dir));
    let (env, _) = Env::init();
    let v = env.import(&p.dir, &[]);
    assert_eq!(v["sources"][0]["messages_added"], 10, "{v}");
    assert_no_plaintext(&env.archive, &all_message_texts(&env));
    assert_eq!(snapshot(&p.dir), before);
}

#[test]
fn a_wrong_key_is_a_clear_error_and_changes_nothing() {
    let p = profile(json!({"key": DB_KEY.replace('5', "6")}), true);
    let (env, _) = Env::init();
    let before = env.snapshot();
    let out = env.run(&["import", p.dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("Signal/sql/db.sqlite") && err.contains("does not open"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);

    std::fs::write(p.dir.join("config.json"), "{\"key\": 12").unwrap();
    let out = env.run(&["import", p.dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Signal/config.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot(), before);
}

/// Signal 7.16+ on a Linux desktop: the key is protected by a password in the Secret Service
/// (`v11`), found by its `application` attribute. Without the keyring the error says what to
/// do, and `HOLDFAST_SIGNAL_KEY` is the way round it.
#[cfg(target_os = "linux")]
#[test]
fn encrypted_key_from_the_secret_service() {
    let Some(s) = common::secret_service::session() else {
        return;
    };
    let password = "kR4nd0mSafeStoragePassw0rd==";
    s.store(
        "Chromium Safe Storage",
        &[
            ("xdg:schema", "chrome_libsecret_os_crypt_password_v2"),
            ("application", "Signal"),
        ],
        password,
    );
    let p = profile(
        json!({"encryptedKey": safe_storage(b"v11", password, DB_KEY), "safeStorageBackend": "gnome_libsecret"}),
        true,
    );
    let before = snapshot(&p.dir);
    let (env, _) = Env::init();
    let dir = p.dir.to_str().unwrap();

    let out = env.run_without_session_bus(&["import", dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("HOLDFAST_SIGNAL_KEY"),
        "{}",
        stderr(&out)
    );

    let out = env
        .cmd()
        .args(["import", dir, "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", &s.address)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sources"][0]["messages_added"], 10, "{v}");
    assert_eq!(snapshot(&p.dir), before);

    // The key given directly, for a keyring Holdfast cannot reach.
    let (env2, _) = Env::init();
    let out = env2
        .cmd()
        .args(["import", dir, "--json"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env("HOLDFAST_SIGNAL_KEY", DB_KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_plaintext(&env2.archive, &all_message_texts(&env2));
}

/// signal-export's folder: one folder per chat with `data.json` (preferred) or `chat.md`, media
/// beside them.
#[test]
fn signal_export_folders_read_data_json_and_chat_md() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("signal-chats");
    std::fs::create_dir_all(root.join("BobBuilder/media")).unwrap();
    std::fs::create_dir_all(root.join("ProjectFalcon")).unwrap();
    std::fs::write(
        root.join("BobBuilder/media/2024-03-01T09-00-00.000_00_invoice.pdf"),
        b"%PDF invoice",
    )
    .unwrap();
    std::fs::write(
        root.join("BobBuilder/data.json"),
        [
            json!({"date": "2024-03-01T09:00:00.000000", "sender": "Bob Builder", "body": "Invoice attached  ", "quote": "",
                   "sticker": null, "reactions": [["Me", "👍"]],
                   "attachments": [{"name": "invoice.pdf", "path": "media/2024-03-01T09-00-00.000_00_invoice.pdf"}],
                   "deleted": false, "call": false, "missed": false}).to_string(),
            "{broken".to_string(),
            json!({"date": "2024-03-01T09:05:00", "sender": "Me", "body": "", "deleted": true}).to_string(),
        ]
        .join("\n"),
    )
    .unwrap();
    // The Markdown beside data.json is the same chat: data.json is read, not both.
    std::fs::write(
        root.join("BobBuilder/chat.md"),
        "[2024-03-01 09:00:00] Bob Builder: Invoice attached\n",
    )
    .unwrap();
    std::fs::write(
        root.join("ProjectFalcon/chat.md"),
        "[2024-03-02 10:00:00] Carol Jones: Kickoff at 10\nbring the site plans\n\n[2024-03-02 10:01:00] Me: OK\n(- Carol Jones: ❤️ -)\n",
    )
    .unwrap();
    let c = read(&root);
    let titles: Vec<&str> = c.conversations.iter().map(|v| v.title.as_str()).collect();
    assert_eq!(titles, ["BobBuilder", "ProjectFalcon"]);
    assert_eq!(c.messages.len(), 4);
    let invoice = &c.messages[0];
    assert_eq!(
        (invoice.body.as_str(), invoice.reactions[0].by.as_str()),
        ("Invoice attached", "Me")
    );
    assert!(
        matches!(&invoice.attachments[0].content, AttachmentContent::Member(m) if m.ends_with("invoice.pdf"))
    );
    assert_eq!(c.messages[1].kind, MessageKind::Deleted);
    assert_eq!(c.messages[2].body, "Kickoff at 10\nbring the site plans");
    assert_eq!(c.messages[3].reactions[0].emoji, "❤️");
    assert!(
        c.warnings
            .iter()
            .any(|w| w.at == "signal-chats/BobBuilder/data.json:2"),
        "the broken line is a warning at its line: {:?}",
        c.warnings
    );
}

/// `holdfast import --signal-desktop` finds the profile where Signal Desktop keeps it
/// (`$XDG_CONFIG_HOME/Signal` on Linux), and says so plainly when there is none.
#[cfg(target_os = "linux")]
#[test]
fn signal_desktop_flag_finds_the_default_profile() {
    let p = profile(json!({"key": DB_KEY}), true);
    let config_home = p.dir.parent().unwrap();
    let (env, _) = Env::init();
    let out = env
        .cmd()
        .args(["import", "--signal-desktop", "--json"])
        .env("XDG_CONFIG_HOME", config_home)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sources"][0]["format"], "signal");
    assert_eq!(v["sources"][0]["messages_added"], 10);

    let empty = tempfile::tempdir().unwrap();
    let out = env
        .cmd()
        .args(["import", "--signal-desktop"])
        .env("XDG_CONFIG_HOME", empty.path())
        .env("HOME", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no Signal Desktop profile found"),
        "{}",
        stderr(&out)
    );
}
