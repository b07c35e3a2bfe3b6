//! The audit log (requirement R7): append-only, every entry carrying the hash of the one before
//! it, verifiable offline. `docs/audit-log.md` describes the format so that anyone can re-check
//! an exported log without Holdfast.
//!
//! Each entry's `hash` is the SHA-256 of its canonical form
//! `holdfast-audit-v1\n{seq}\n{at_ms}\n{actor}\n{action}\n{detail}\n{prev}`, where `detail` is
//! canonical JSON (keys sorted, no whitespace, whole numbers only) and `prev` is the hash of
//! entry `seq - 1` ([`GENESIS`] for entry 1). Triggers in the schema refuse UPDATE and DELETE.
//!
//! What the chain proves: an entry edited, deleted, inserted or moved in the middle of the log
//! breaks the chain at that entry, and [`verify`] names it. Entries removed from the *end* leave a
//! valid shorter chain; the sealed head file ([`write_head`], written after each commit) records
//! the last `(seq, hash)` and catches that, and any rewrite of the entries it covers.
//!
//! What it does not prove: the hash is not a signature. Someone holding the archive's data key
//! can open the database, drop the triggers, rewrite the whole chain from any point with fresh
//! hashes, and seal a matching head; putting back an older copy of the whole archive folder
//! looks like restoring a backup. For stronger evidence, export the log and keep its latest hash
//! somewhere the archive's owner cannot rewrite: in a disposal certificate, a printout, an
//! e-mail to someone else.

use std::fs;
use std::io::Write;
use std::path::Path;

use chrono::Utc;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::archive::query::rfc3339;
use crate::crypto::{self, SecretKey};
use crate::error::{Error, Result};

/// The `prev` of entry 1.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first line of every entry's canonical form.
const DOMAIN: &str = "holdfast-audit-v1";

/// The file in the archive folder that holds the sealed [`Head`].
pub const HEAD_NAME: &str = "audit.head";

const HEAD_AAD: &[u8] = b"holdfast audit head v1";

const COLUMNS: &str = "seq, at, actor, action, detail, prev, hash";

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: u64,
    /// RFC 3339 UTC, to the second.
    pub at: String,
    /// Unix milliseconds, UTC: what the hash covers.
    #[ts(type = "number")]
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    #[ts(type = "unknown")]
    pub detail: Value,
    pub prev: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditVerify {
    pub ok: bool,
    /// Rows in the log.
    #[ts(type = "number")]
    pub entries: u64,
    /// The first entry that is wrong (or missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub first_bad: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problem: Option<String>,
}

/// The last entry as of a commit, kept sealed beside the database.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

/// Appends one entry, timed now; call it inside the caller's transaction (pass `&Transaction`,
/// which derefs to `&Connection`) so the entry commits or rolls back with the change it records.
pub fn append(conn: &Connection, actor: &str, action: &str, detail: &Value) -> Result<AuditEntry> {
    append_at(conn, Utc::now().timestamp_millis(), actor, action, detail)
}

/// [`append`] with a given time (unix ms, UTC).
pub fn append_at(
    conn: &Connection,
    at_ms: i64,
    actor: &str,
    action: &str,
    detail: &Value,
) -> Result<AuditEntry> {
    check_name("actor", actor)?;
    check_name("action", action)?;
    let detail_text = canonical_json(detail)?;
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq as u64 + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let hash = entry_hash(seq, at_ms, actor, action, &detail_text, &prev);
    conn.execute(
        &format!("INSERT INTO audit_log ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![seq as i64, at_ms, actor, action, detail_text, prev, hash],
    )?;
    Ok(AuditEntry {
        seq,
        at: rfc3339(at_ms),
        at_ms,
        actor: actor.to_string(),
        action: action.to_string(),
        detail: detail.clone(),
        prev,
        hash,
    })
}

/// Entries in order, paged (`offset` entries skipped from the first), optionally only those
/// whose action starts with `action_prefix` (`"hold"` matches `hold.add` and `hold.release`).
pub fn entries(
    conn: &Connection,
    action_prefix: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE ?1 IS NULL OR substr(action, 1, length(?1)) = ?1
         ORDER BY seq LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = stmt.query_map(
        params![action_prefix, clamp(limit), clamp(offset)],
        entry_from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    let at_ms: i64 = r.get(1)?;
    let detail: String = r.get(4)?;
    Ok(AuditEntry {
        seq: r.get::<_, i64>(0)? as u64,
        at: rfc3339(at_ms),
        at_ms,
        actor: r.get(2)?,
        action: r.get(3)?,
        // A damaged detail is shown as the text it is; `verify` reports it.
        detail: serde_json::from_str(&detail).unwrap_or(Value::String(detail)),
        prev: r.get(5)?,
        hash: r.get(6)?,
    })
}

/// Which entries to list, newest first: each field narrows the list, `None` does not.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    /// `tag` matches `tag.add` and `tag.remove`.
    pub action_prefix: Option<&'a str>,
    /// Contained in the actor, any case.
    pub actor: Option<&'a str>,
    /// Contained in the detail's JSON text, ASCII letters in any case (a tag, a case reference).
    pub text: Option<&'a str>,
    /// Unix milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub until_ms: Option<i64>,
    /// Only entries before this one (the next page).
    pub before_seq: Option<u64>,
}

/// Up to `limit` entries matching `f`, newest first.
pub fn newest(conn: &Connection, f: &Filter<'_>, limit: u64) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE (?1 IS NULL OR substr(action, 1, length(?1)) = ?1)
           AND (?2 IS NULL OR instr(lower(actor), lower(?2)) > 0)
           AND (?3 IS NULL OR instr(lower(detail), lower(?3)) > 0)
           AND (?4 IS NULL OR at >= ?4)
           AND (?5 IS NULL OR at < ?5)
           AND (?6 IS NULL OR seq < ?6)
         ORDER BY seq DESC LIMIT ?7"
    ))?;
    let rows = stmt.query_map(
        params![
            f.action_prefix,
            f.actor,
            f.text,
            f.from_ms,
            f.until_ms,
            f.before_seq.map(clamp),
            clamp(limit)
        ],
        entry_from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Walks the whole log and reports the first entry that is wrong, then checks the log against
/// the archive's head file when one is given. A log longer than the head is fine.
pub fn verify(conn: &Connection, head: Option<&Head>) -> Result<AuditVerify> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    let mut prev_hash = GENESIS.to_string();
    let mut head_hash = None;
    let mut bad = None;
    while let Some(row) = rows.next()? {
        n += 1;
        if bad.is_some() {
            continue; // keep counting
        }
        match check_entry(row, n, &prev_hash) {
            Ok(hash) => {
                if head.is_some_and(|h| h.seq == n) {
                    head_hash = Some(hash.clone());
                }
                prev_hash = hash;
            }
            Err(found) => bad = Some(found),
        }
    }
    if bad.is_none() {
        if let Some(head) = head.filter(|h| h.seq > 0) {
            if n < head.seq {
                bad = Some((
                    n + 1,
                    format!(
                        "the log ends at entry {n} but the archive's head file says {}: \
                         entries were removed from the end",
                        head.seq
                    ),
                ));
            } else if head_hash.as_deref() != Some(head.hash.as_str()) {
                bad = Some((
                    head.seq,
                    format!(
                        "entry {}: its hash differs from the one in the archive's head file \
                         (the log was rewritten?)",
                        head.seq
                    ),
                ));
            }
        }
    }
    let (first_bad, problem) = bad.unzip();
    Ok(AuditVerify {
        ok: first_bad.is_none(),
        entries: n,
        first_bad,
        problem,
    })
}

/// Seals `head` with the data key into `archive_dir/audit.head`, atomically (temp file, fsync,
/// rename, fsync the folder).
pub fn write_head(archive_dir: &Path, key: &SecretKey, head: &Head) -> Result<()> {
    let path = archive_dir.join(HEAD_NAME);
    // A name of its own per writer: two processes never write the same temporary file.
    let tmp = archive_dir.join(format!(
        "{HEAD_NAME}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let json =
        serde_json::to_vec(head).map_err(|e| Error::InvalidArgument(format!("audit head: {e}")))?;
    let sealed = crypto::seal(key, HEAD_AAD, &json);
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&sealed)?;
        f.sync_all()?;
        fs::rename(&tmp, &path)?;
        crate::archive::fsutil::sync_dir(archive_dir)
    };
    write().map_err(|e| Error::io(&path, e))
}

/// The sealed head, `None` when the archive has none yet.
pub fn read_head(archive_dir: &Path, key: &SecretKey) -> Result<Option<Head>> {
    let path = archive_dir.join(HEAD_NAME);
    let sealed = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let corrupt = || {
        Error::Corrupt(format!(
            "{}: the audit log's head file does not open (altered, or not this archive's)",
            path.display()
        ))
    };
    let json = crypto::open(key, HEAD_AAD, &sealed).ok_or_else(corrupt)?;
    let head = serde_json::from_slice(&json).map_err(|_| corrupt())?;
    Ok(Some(head))
}

/// The SHA-256 (lowercase hex) of an entry's canonical form.
fn entry_hash(seq: u64, at_ms: i64, actor: &str, action: &str, detail: &str, prev: &str) -> String {
    crypto::sha256_hex(
        format!("{DOMAIN}\n{seq}\n{at_ms}\n{actor}\n{action}\n{detail}\n{prev}").as_bytes(),
    )
}

/// Canonical JSON: object keys sorted (by code point), no whitespace, strings escaped as
/// serde_json does. Fractions are refused: their text differs between JSON libraries, and an
/// outsider's re-computation must give the same bytes. Sorts by itself so that serde_json's
/// `preserve_order` feature, if some dependency turns it on, changes nothing.
fn canonical_json(value: &Value) -> Result<String> {
    fn write(value: &Value, out: &mut String) -> Result<()> {
        match value {
            Value::Number(n) if n.is_f64() => {
                return Err(Error::InvalidArgument(format!(
                    "audit detail: only whole numbers are allowed, not {n} (write it as a string)"
                )))
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out)?;
                }
                out.push(']');
            }
            Value::Object(map) => {
                let mut fields: Vec<_> = map.iter().collect();
                fields.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (k, v)) in fields.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(k.as_str()).to_string());
                    out.push(':');
                    write(v, out)?;
                }
                out.push('}');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
        Ok(())
    }
    let mut out = String::new();
    write(value, &mut out)?;
    Ok(out)
}

fn check_name(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument(format!("audit {what} is empty")));
    }
    // A line break would make the canonical form ambiguous.
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidArgument(format!(
            "audit {what} contains a control character: {value:?}"
        )));
    }
    Ok(())
}

/// Checks the `n`th row (1-based) against the hash of the one before; returns its hash, or the
/// entry to blame and what is wrong.
fn check_entry(row: &Row, n: u64, prev_hash: &str) -> Result<String, (u64, String)> {
    let seq: i64 = row
        .get(0)
        .map_err(|_| (n, format!("entry {n}: malformed row (seq)")))?;
    if seq != n as i64 {
        let problem = if seq < n as i64 {
            format!("entry {seq}: unexpected number before entry {n} (inserted?)")
        } else if n == 1 {
            format!("entry 1 is missing: the log starts at entry {seq} (deleted?)")
        } else {
            format!(
                "entry {n} is missing: the log jumps from {} to {seq} (deleted?)",
                n - 1
            )
        };
        return Err((n, problem));
    }
    let malformed = |name: &str| (n, format!("entry {n}: malformed row ({name})"));
    let text = |i: usize, name: &str| match row.get::<_, SqlValue>(i) {
        Ok(SqlValue::Text(s)) => Ok(s),
        _ => Err(malformed(name)),
    };
    let at_ms = match row.get::<_, SqlValue>(1) {
        Ok(SqlValue::Integer(ms)) => ms,
        _ => return Err(malformed("at")),
    };
    let (actor, action) = (text(2, "actor")?, text(3, "action")?);
    let (detail, prev, hash) = (text(4, "detail")?, text(5, "prev")?, text(6, "hash")?);
    if prev != prev_hash {
        return Err((
            n,
            if n == 1 {
                "entry 1: does not start the chain (its prev is not the genesis value)".into()
            } else {
                format!(
                    "entry {n}: does not follow entry {} (inserted or reordered?)",
                    n - 1
                )
            },
        ));
    }
    if entry_hash(n, at_ms, &actor, &action, &detail, &prev) != hash {
        return Err((
            n,
            format!("entry {n}: its hash does not match its content (edited?)"),
        ));
    }
    let parsed: Value = serde_json::from_str(&detail)
        .map_err(|_| (n, format!("entry {n}: its detail is not valid JSON")))?;
    if canonical_json(&parsed).ok().as_deref() != Some(detail.as_str()) {
        return Err((n, format!("entry {n}: its detail is not canonical JSON")));
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DDL: &str = "
        CREATE TABLE audit_log (
            seq     INTEGER PRIMARY KEY,
            at      INTEGER NOT NULL,
            actor   TEXT NOT NULL,
            action  TEXT NOT NULL,
            detail  TEXT NOT NULL,
            prev    TEXT NOT NULL,
            hash    TEXT NOT NULL
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn empty() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(DDL).unwrap();
        conn
    }

    /// 20 mixed entries; `salt` changes their content.
    fn log_of_20(salt: &str) -> Connection {
        let conn = empty();
        let actions = [
            "hold.add",
            "tag.add",
            "search",
            "hold.release",
            "policy.edit",
        ];
        let actors = ["alice", "bob", "holdfast"];
        for i in 0..20u64 {
            let detail = json!({
                "n": i, "salt": salt, "query": format!("from:bob \"päper {i}\"\n"),
                "ids": [i, i + 1], "flags": {"z": true, "a": null, "m": -3},
            });
            append_at(
                &conn,
                T0 + i as i64 * 60_000,
                actors[i as usize % 3],
                actions[i as usize % 5],
                &detail,
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn the_newest_entries_narrow_by_action_family_actor_text_dates_and_page() {
        let conn = log_of_20("s");
        let seqs = |f: &Filter<'_>, limit| -> Vec<u64> {
            newest(&conn, f, limit)
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect()
        };
        // Newest first.
        assert_eq!(seqs(&Filter::default(), 3), vec![20, 19, 18]);
        // A family: hold.add (seq 1, 6, 11, 16) and hold.release (4, 9, 14, 19).
        let holds = Filter {
            action_prefix: Some("hold"),
            ..Filter::default()
        };
        assert_eq!(seqs(&holds, 100), vec![19, 16, 14, 11, 9, 6, 4, 1]);
        // The next page starts below the last one shown.
        let page2 = Filter {
            before_seq: Some(11),
            ..holds.clone()
        };
        assert_eq!(seqs(&page2, 2), vec![9, 6]);
        // Actor, any case: bob is entries 2, 5, 8, ...
        let bob = Filter {
            actor: Some("BOB"),
            action_prefix: Some("tag"),
            ..Filter::default()
        };
        assert_eq!(seqs(&bob, 100), vec![17, 2]);
        // Text in the detail, ASCII letters in any case ("päper 7" is entry 8's query).
        let text = Filter {
            text: Some("Päper 7"),
            ..Filter::default()
        };
        assert_eq!(seqs(&text, 100), vec![8]);
        // Dates: from inclusive, until exclusive (entries are a minute apart from T0).
        let window = Filter {
            from_ms: Some(T0 + 5 * 60_000),
            until_ms: Some(T0 + 8 * 60_000),
            ..Filter::default()
        };
        assert_eq!(seqs(&window, 100), vec![8, 7, 6]);
    }

    /// What an attacker with the key does first.
    fn drop_triggers(conn: &Connection) {
        conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            .unwrap();
    }

    fn tamper(conn: &Connection, sql: &str) {
        drop_triggers(conn);
        conn.execute_batch(sql).unwrap();
    }

    fn bad(conn: &Connection, head: Option<&Head>) -> (u64, String) {
        let v = verify(conn, head).unwrap();
        assert!(!v.ok, "{v:?}");
        (v.first_bad.unwrap(), v.problem.unwrap())
    }

    fn head_of(conn: &Connection) -> Head {
        let last = entries(conn, None, count(conn).unwrap() - 1, 1)
            .unwrap()
            .remove(0);
        Head {
            seq: last.seq,
            hash: last.hash,
        }
    }

    fn stored_hash(conn: &Connection, seq: u64) -> String {
        conn.query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1",
            [seq as i64],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn clean_log_verifies_and_pages() {
        let conn = log_of_20("a");
        let v = verify(&conn, Some(&head_of(&conn))).unwrap();
        assert!(v.ok && v.entries == 20 && v.first_bad.is_none(), "{v:?}");
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"ok": true, "entries": 20})
        );
        assert_eq!(count(&conn).unwrap(), 20);

        let all = entries(&conn, None, 0, 100).unwrap();
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=20).collect::<Vec<_>>()
        );
        assert_eq!(all[0].prev, GENESIS);
        assert!(all.windows(2).all(|w| w[1].prev == w[0].hash));
        assert_eq!(all[1].at, "2026-01-01T00:01:00Z");
        assert_eq!(all[1].at_ms, T0 + 60_000);

        let page = entries(&conn, None, 5, 3).unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [6, 7, 8]);
        let holds = entries(&conn, Some("hold"), 0, 100).unwrap();
        assert_eq!(holds.len(), 8);
        assert!(holds.iter().all(|e| e.action.starts_with("hold.")));
        assert_eq!(entries(&conn, Some("hold"), 1, 1).unwrap()[0].seq, 4);
        assert!(entries(&conn, Some("HOLD"), 0, 100).unwrap().is_empty());
        assert!(entries(&conn, Some("%"), 0, 100).unwrap().is_empty());
        // A head behind the log is an older checkpoint: fine.
        let older = Head {
            seq: 15,
            hash: stored_hash(&conn, 15),
        };
        assert!(verify(&conn, Some(&older)).unwrap().ok);
        assert!(verify(&empty(), None).unwrap().ok);
    }

    #[test]
    fn canonical_form_matches_the_documented_example() {
        let conn = empty();
        let e = append_at(
            &conn,
            T0,
            "alice",
            "hold.add",
            &json!({"name": "Case 42", "conversations": [3, 7]}),
        )
        .unwrap();
        // docs/audit-log.md: the same bytes through printf | sha256sum.
        assert_eq!(
            e.hash,
            "b36f3e3d7b8c871ae044411af959d69d036b8ed72f5f0406d6fb91f1269216f6"
        );
        let stored: String = conn
            .query_row("SELECT detail FROM audit_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, r#"{"conversations":[3,7],"name":"Case 42"}"#);
        let tricky =
            json!({"reason": "litigation — “quoted”\n", "b": {"y": 1, "x": [false]}, "a": ""});
        assert_eq!(
            canonical_json(&tricky).unwrap(),
            r#"{"a":"","b":{"x":[false],"y":1},"reason":"litigation — “quoted”\n"}"#
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["at"], "2026-01-01T00:00:00Z");
        assert_eq!(json["at_ms"], T0);
    }

    #[test]
    fn refuses_bad_arguments() {
        let conn = empty();
        for (actor, action) in [("", "x"), ("a", " "), ("a\nb", "x"), ("a", "x\ny")] {
            let err = append_at(&conn, T0, actor, action, &json!({})).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        }
        let err = append_at(&conn, T0, "a", "x", &json!({"ratio": 0.5})).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        assert_eq!(count(&conn).unwrap(), 0);
    }

    #[test]
    fn triggers_refuse_update_and_delete() {
        let conn = log_of_20("a");
        for sql in [
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
            "DELETE FROM audit_log WHERE seq = 20",
        ] {
            let err = conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        assert!(verify(&conn, None).unwrap().ok);
    }

    #[test]
    fn edits_are_named() {
        for (seq, sql) in [
            (7, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 7"),
            (
                8,
                "UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = 8",
            ),
            (9, "UPDATE audit_log SET at = at + 1 WHERE seq = 9"),
            (1, "UPDATE audit_log SET action = 'search' WHERE seq = 1"),
            (20, "UPDATE audit_log SET detail = '{}' WHERE seq = 20"),
        ] {
            let conn = log_of_20("a");
            tamper(&conn, sql);
            let (first, problem) = bad(&conn, None);
            assert_eq!(first, seq, "{sql}");
            assert_eq!(
                problem,
                format!("entry {seq}: its hash does not match its content (edited?)")
            );
        }
    }

    #[test]
    fn a_deleted_middle_entry_is_named() {
        let conn = log_of_20("a");
        tamper(&conn, "DELETE FROM audit_log WHERE seq = 5");
        assert_eq!(
            bad(&conn, None),
            (
                5,
                "entry 5 is missing: the log jumps from 4 to 6 (deleted?)".into()
            )
        );
        assert_eq!(verify(&conn, None).unwrap().entries, 19);

        let conn = log_of_20("a");
        tamper(&conn, "DELETE FROM audit_log WHERE seq = 1");
        assert_eq!(bad(&conn, None).0, 1);
    }

    #[test]
    fn a_forged_entry_inserted_in_the_middle_is_caught() {
        let conn = log_of_20("a");
        drop_triggers(&conn);
        for seq in (10..=20).rev() {
            conn.execute("UPDATE audit_log SET seq = seq + 1 WHERE seq = ?1", [seq])
                .unwrap();
        }
        // The forger even links it to entry 9 and hashes it correctly.
        let prev = stored_hash(&conn, 9);
        let hash = entry_hash(10, T0 + 9 * 60_000, "bob", "hold.release", "{}", &prev);
        conn.execute(
            "INSERT INTO audit_log VALUES (10, ?1, 'bob', 'hold.release', '{}', ?2, ?3)",
            params![T0 + 9 * 60_000, prev, hash],
        )
        .unwrap();
        assert_eq!(
            bad(&conn, None),
            (
                11,
                "entry 11: does not follow entry 10 (inserted or reordered?)".into()
            )
        );
    }

    #[test]
    fn swapped_entries_are_caught() {
        let conn = log_of_20("a");
        tamper(
            &conn,
            "CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq IN (6, 12);
             UPDATE audit_log SET (at, actor, action, detail, prev, hash) =
                 (SELECT at, actor, action, detail, prev, hash FROM t
                  WHERE t.seq = CASE audit_log.seq WHEN 6 THEN 12 ELSE 6 END)
             WHERE seq IN (6, 12);",
        );
        assert_eq!(
            bad(&conn, None),
            (
                6,
                "entry 6: does not follow entry 5 (inserted or reordered?)".into()
            )
        );
    }

    #[test]
    fn a_forged_append_with_the_wrong_prev_is_caught() {
        let conn = log_of_20("a");
        let prev = stored_hash(&conn, 19);
        let hash = entry_hash(21, T0, "alice", "search", "{}", &prev);
        conn.execute(
            "INSERT INTO audit_log VALUES (21, ?1, 'alice', 'search', '{}', ?2, ?3)",
            params![T0, prev, hash],
        )
        .unwrap();
        assert_eq!(
            bad(&conn, None),
            (
                21,
                "entry 21: does not follow entry 20 (inserted or reordered?)".into()
            )
        );
    }

    #[test]
    fn a_detail_that_is_not_json_is_named() {
        let conn = log_of_20("a");
        let prev = stored_hash(&conn, 20);
        let hash = entry_hash(21, T0, "alice", "search", "{oops", &prev);
        conn.execute(
            "INSERT INTO audit_log VALUES (21, ?1, 'alice', 'search', '{oops', ?2, ?3)",
            params![T0, prev, hash],
        )
        .unwrap();
        assert_eq!(
            bad(&conn, None),
            (21, "entry 21: its detail is not valid JSON".into())
        );
        // Listing still works and shows the text.
        assert_eq!(
            entries(&conn, None, 20, 1).unwrap()[0].detail,
            json!("{oops")
        );
    }

    #[test]
    fn truncation_is_caught_by_the_head_only() {
        let conn = log_of_20("a");
        let head = head_of(&conn);
        tamper(&conn, "DELETE FROM audit_log WHERE seq >= 18");
        let v = verify(&conn, None).unwrap();
        assert!(v.ok && v.entries == 17, "{v:?}");
        assert_eq!(
            bad(&conn, Some(&head)),
            (
                18,
                "the log ends at entry 17 but the archive's head file says 20: \
                 entries were removed from the end"
                    .into()
            )
        );
    }

    #[test]
    fn a_rewritten_chain_is_caught_by_the_head() {
        let original = log_of_20("a");
        let rewritten = log_of_20("b"); // a consistent chain with other content
        assert!(verify(&rewritten, None).unwrap().ok);
        let (first, problem) = bad(&rewritten, Some(&head_of(&original)));
        assert_eq!(first, 20);
        assert!(
            problem.contains("differs from the one in the archive's head file"),
            "{problem}"
        );
    }

    #[test]
    fn head_round_trip_and_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::random();
        assert_eq!(read_head(dir.path(), &key).unwrap(), None);
        let head = Head {
            seq: 20,
            hash: "ab".repeat(32),
        };
        write_head(dir.path(), &key, &head).unwrap();
        assert_eq!(read_head(dir.path(), &key).unwrap(), Some(head.clone()));
        let newer = Head {
            seq: 21,
            hash: "cd".repeat(32),
        };
        write_head(dir.path(), &key, &newer).unwrap();
        assert_eq!(read_head(dir.path(), &key).unwrap(), Some(newer));
        assert!(!dir.path().join("audit.head.tmp").exists());

        match read_head(dir.path(), &SecretKey::random()) {
            Err(Error::Corrupt(msg)) => assert!(msg.contains(HEAD_NAME), "{msg}"),
            other => panic!("{other:?}"),
        }
        let path = dir.path().join(HEAD_NAME);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, bytes).unwrap();
        match read_head(dir.path(), &key) {
            Err(Error::Corrupt(msg)) => assert!(msg.contains(HEAD_NAME), "{msg}"),
            other => panic!("{other:?}"),
        }
    }
}
