//! Disposal: destroying what retention says is due (or what a person deletes), for real, and
//! leaving a certificate that proves what went without keeping any of it.
//!
//! One run: the due messages are worked out, held ones set apart; then in one transaction the
//! certificate and the SHA-256 of each message's canonical form are written, the rows
//! deleted (SQLCipher `secure_delete` zeroes the freed cells), the messages marked for the
//! index, and an original export whose messages are all gone is dropped with its folder
//! members; the audit entry commits with it. After the commit: the blobs nothing refers to
//! any more are overwritten and removed, the index deletes the documents and rewrites the
//! segments that held them (so their terms are gone from the files), and `VACUUM` rebuilds
//! the database so no free page keeps a copy.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::retention::{self, DuePlan};
use super::{actor, advance_head, audit, now_ms, refuse};
use crate::archive::query::rfc3339;
use crate::archive::Archive;
use crate::error::{Error, Result};

/// Why a message was destroyed, in certificates: the policy's name, or this.
pub const MANUAL: &str = "manual deletion";

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DisposedItem {
    pub message: String,
    pub conversation: String,
    pub policy: String,
    /// SHA-256 of the message's canonical form (docs/records.md, "Disposal certificates").
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Certificate {
    pub id: String,
    pub at: String,
    pub as_of: String,
    pub approver: String,
    pub reason: String,
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub attachments: u64,
    /// Original exports destroyed because none of their messages remained.
    #[ts(type = "number")]
    pub originals: u64,
    /// Messages per policy.
    #[ts(type = "Record<string, number>")]
    pub policies: BTreeMap<String, u64>,
    /// Every message destroyed (empty in listings; `certificates ID` shows them).
    pub items: Vec<DisposedItem>,
}

/// What `dispose --apply` did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DisposalReport {
    pub plan: DuePlan,
    /// None when nothing was due.
    pub certificate: Option<Certificate>,
    /// Review items left waiting (not approved with `--approve-reviews`).
    #[ts(type = "number")]
    pub awaiting_review: u64,
    pub took_ms: f64,
}

/// The canonical form of a message for its certificate hash: `holdfast-message-v1\n` and a
/// JSON object with sorted keys and no spaces: attachments (their SHA-256, or name when not
/// stored), body, conversation (id), id, kind, raw, sender (name or null), sent_at (unix ms).
pub fn message_hash(conn: &rusqlite::Connection, id: i64) -> Result<String> {
    let row = conn
        .query_row(
            "SELECT m.conversation_id, p.display_name, m.sent_at, m.kind, m.body, m.raw
             FROM messages m LEFT JOIN participants p ON p.id = m.sender_id WHERE m.id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no message {id} in the archive")))?;
    let attachments: Vec<String> = conn
        .prepare_cached(
            "SELECT coalesce(sha256, name) FROM attachments WHERE message_id = ?1 ORDER BY id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // serde_json's map keeps keys sorted, and to_string adds no spaces.
    let form = json!({
        "attachments": attachments,
        "body": row.4,
        "conversation": row.0,
        "id": id,
        "kind": row.3,
        "raw": row.5,
        "sender": row.1,
        "sent_at": row.2,
    });
    let mut h = Sha256::new();
    h.update(b"holdfast-message-v1\n");
    h.update(form.to_string().as_bytes());
    Ok(hex::encode(h.finalize()))
}

/// What is due at `as_of` (unix ms), without changing anything.
pub fn dry_run(a: &mut Archive, as_of: i64) -> Result<DuePlan> {
    retention::due(a, as_of)
}

/// Which review items the approver has reviewed and approves for disposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewApproval {
    None,
    All,
    /// Those the named policies brought to review.
    Policies(Vec<String>),
}

impl ReviewApproval {
    fn covers(&self, policy: &str) -> bool {
        match self {
            ReviewApproval::None => false,
            ReviewApproval::All => true,
            ReviewApproval::Policies(p) => p.iter().any(|n| n == policy),
        }
    }
}

/// Destroys what is due at `as_of`: every deletion, and the review items the approver has
/// reviewed (`approve`). Held messages are never touched.
pub fn apply(
    a: &mut Archive,
    as_of: i64,
    approver: &str,
    approve: &ReviewApproval,
) -> Result<DisposalReport> {
    let started = std::time::Instant::now();
    let approver = approver.trim();
    if approver.is_empty() {
        return Err(Error::InvalidArgument(
            "a disposal needs the name of the person approving it: --approver NAME".into(),
        ));
    }
    if as_of > now_ms() + 60_000 {
        return Err(Error::InvalidArgument(format!(
            "--as-of {}: a disposal can't be applied as of a future date (a dry run can look ahead)",
            rfc3339(as_of)
        )));
    }
    finish_pending(a)?;
    // Holds are evaluated and messages destroyed under one write lock: a hold placed by
    // another process can't slip in between. The index is caught up under it too, so a
    // reclassification another process just committed is seen.
    let lock = a.write_lock()?;
    a.catch_up_index_locked(&lock, &mut |_, _| {})?;
    let plan = retention::due(a, as_of)?;
    let mut items: Vec<(i64, String)> = Vec::new();
    for g in &plan.due {
        items.extend(g.ids.iter().map(|id| (*id, g.policy.clone())));
    }
    if let ReviewApproval::Policies(names) = approve {
        if let Some(n) = names
            .iter()
            .find(|n| !plan.review.iter().any(|g| &g.policy == *n))
        {
            return Err(Error::NotFound(format!(
                "nothing that policy {n:?} brought to review is due"
            )));
        }
    }
    let mut awaiting_review = 0u64;
    for g in &plan.review {
        if approve.covers(&g.policy) {
            items.extend(g.ids.iter().map(|id| (*id, g.policy.clone())));
        } else {
            awaiting_review += g.messages;
        }
    }
    let certificate = if items.is_empty() {
        None
    } else {
        Some(destroy(a, &lock, &items, approver, "retention", as_of)?)
    };
    drop(lock);
    Ok(DisposalReport {
        plan,
        certificate,
        awaiting_review,
        took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
    })
}

/// Deletes messages a person chose (refused, and audited, when a hold covers any of them).
pub fn delete(a: &mut Archive, ids: &[i64], reason: &str) -> Result<Certificate> {
    if ids.is_empty() {
        return Err(Error::InvalidArgument("no message to delete".into()));
    }
    super::require_messages(a, ids)?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let ids = &ids[..];
    finish_pending(a)?;
    a.catch_up_index(&mut |_, _| {})?;
    let lock = a.write_lock()?;
    let held = super::holds::active(a)?;
    if let Some((id, holds)) = held.first_held(ids) {
        drop(lock);
        let why = format!(
            "message {id} is held by {}: it can't be deleted while held",
            holds.join(", ")
        );
        return Err(refuse(
            a,
            "delete",
            json!({"messages": ids, "reason": reason}),
            why,
        ));
    }
    let items: Vec<(i64, String)> = ids.iter().map(|id| (*id, MANUAL.to_string())).collect();
    let reason = if reason.trim().is_empty() {
        MANUAL
    } else {
        reason.trim()
    };
    destroy(a, &lock, &items, &actor(), reason, now_ms())
}

/// Destroys `items` (message id, policy) and returns the certificate.
fn destroy(
    a: &mut Archive,
    lock: &crate::archive::WriteLock,
    items: &[(i64, String)],
    approver: &str,
    reason: &str,
    as_of: i64,
) -> Result<Certificate> {
    let at = now_ms();
    let mut hashes = Vec::with_capacity(items.len());
    for (id, _) in items {
        hashes.push(message_hash(a.conn(), *id)?);
    }
    let tx = a.conn_mut().transaction()?;
    let mut per_policy: BTreeMap<String, u64> = BTreeMap::new();
    for (_, p) in items {
        *per_policy.entry(p.clone()).or_default() += 1;
    }
    tx.execute(
        "INSERT INTO disposals (at, as_of, approver, reason, messages, attachments, originals, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6)",
        params![
            at,
            as_of,
            approver,
            reason,
            items.len() as i64,
            serde_json::to_string(&per_policy).expect("counts serialise")
        ],
    )?;
    let disposal = tx.last_insert_rowid();
    let mut blobs: BTreeSet<String> = BTreeSet::new();
    let mut sources: BTreeSet<i64> = BTreeSet::new();
    let mut attachments = 0u64;
    {
        let mut record = tx.prepare(
            "INSERT INTO disposed_messages (disposal_id, message_id, conversation_id, ident, policy, sha256)
             SELECT ?1, id, conversation_id, ident, ?2, ?3 FROM messages WHERE id = ?4",
        )?;
        let mut source_of = tx.prepare(
            "SELECT f.source_id FROM messages m JOIN source_files f ON f.id = m.source_file WHERE m.id = ?1",
        )?;
        let mut blobs_of =
            tx.prepare("SELECT blob FROM attachments WHERE message_id = ?1 AND blob IS NOT NULL")?;
        let mut del_attachments = tx.prepare("DELETE FROM attachments WHERE message_id = ?1")?;
        let mut del_tags = tx.prepare("DELETE FROM message_tags WHERE message_id = ?1")?;
        let mut del_decisions = tx.prepare("DELETE FROM review_decisions WHERE message_id = ?1")?;
        let mut dirty = tx.prepare("INSERT OR IGNORE INTO index_dirty (message_id) VALUES (?1)")?;
        let mut del = tx.prepare("DELETE FROM messages WHERE id = ?1")?;
        for ((id, policy), sha) in items.iter().zip(&hashes) {
            record.execute(params![disposal, policy, sha, id])?;
            sources.insert(source_of.query_row([id], |r| r.get(0))?);
            for b in blobs_of.query_map([id], |r| r.get::<_, String>(0))? {
                blobs.insert(b?);
            }
            attachments += del_attachments.execute([id])? as u64;
            del_tags.execute([id])?;
            del_decisions.execute([id])?;
            dirty.execute([id])?;
            del.execute([id])?;
        }
    }
    // Originals no remaining message comes from.
    let mut originals = 0u64;
    for s in &sources {
        let remaining: i64 = tx.query_row(
            "SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file WHERE f.source_id = ?1",
            [s],
            |r| r.get(0),
        )?;
        if remaining > 0 {
            continue;
        }
        let original: String = tx.query_row(
            "SELECT original_blob FROM sources WHERE id = ?1",
            [s],
            |r| r.get(0),
        )?;
        if original.is_empty() {
            continue;
        }
        blobs.insert(original);
        for b in tx
            .prepare("SELECT blob FROM source_members WHERE source_id = ?1")?
            .query_map([s], |r| r.get::<_, String>(0))?
        {
            blobs.insert(b?);
        }
        tx.execute("DELETE FROM source_members WHERE source_id = ?1", [s])?;
        tx.execute("UPDATE sources SET original_blob = '' WHERE id = ?1", [s])?;
        originals += 1;
    }
    {
        let mut pending =
            tx.prepare("INSERT OR IGNORE INTO disposal_pending (task, value) VALUES (?1, ?2)")?;
        for b in &blobs {
            pending.execute(["blob", b.as_str()])?;
        }
        pending.execute(["index", ""])?;
        pending.execute(["vacuum", ""])?;
    }
    tx.execute(
        "UPDATE disposals SET attachments = ?1, originals = ?2 WHERE id = ?3",
        params![attachments as i64, originals as i64, disposal],
    )?;
    let entry = audit::append(
        &tx,
        &actor(),
        "dispose",
        &json!({"certificate": disposal, "approver": approver, "reason": reason, "as_of": rfc3339(as_of),
                "messages": items.len(), "attachments": attachments, "originals": originals,
                "policies": per_policy}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    crate::api::fault_point("after-disposal-commit");
    finish_locked(a, lock)?;
    certificate(a, &disposal.to_string())
}

/// Finishes what a committed disposal left (when a process died after its commit).
pub fn finish_pending(a: &mut Archive) -> Result<()> {
    let pending: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM disposal_pending", [], |r| r.get(0))?;
    if pending == 0 {
        return Ok(());
    }
    let lock = a.write_lock()?;
    finish_locked(a, &lock)
}

/// The steps after a disposal's commit, each removed from `disposal_pending` once done.
fn finish_locked(a: &mut Archive, lock: &crate::archive::WriteLock) -> Result<()> {
    let tasks: Vec<(String, String)> = a
        .conn()
        .prepare("SELECT task, value FROM disposal_pending ORDER BY task = 'vacuum', task")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (task, value) in tasks {
        match task.as_str() {
            // A blob nothing refers to any more: overwritten and removed.
            "blob" => {
                let refs: i64 = a.conn().query_row(
                    "SELECT (SELECT count(*) FROM sources WHERE original_blob = ?1)
                          + (SELECT count(*) FROM attachments WHERE blob = ?1)
                          + (SELECT count(*) FROM source_members WHERE blob = ?1)",
                    [&value],
                    |r| r.get(0),
                )?;
                if refs == 0 {
                    a.blobs().remove(&value)?;
                }
            }
            // The index deletes the documents, then rewrites the segments that held them.
            "index" => {
                a.catch_up_index_locked(lock, &mut |_, _| {})?;
                a.index_and_conn().0.purge_deleted()?;
            }
            // No free page keeps a copy: rebuild the database, and empty the WAL.
            "vacuum" => {
                a.conn()
                    .execute("DELETE FROM disposal_pending WHERE task = 'vacuum'", [])?;
                a.conn().execute_batch("VACUUM")?;
                let busy: i64 = a
                    .conn()
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
                if busy != 0 {
                    // A reader kept the WAL: try again next time.
                    a.conn().execute(
                        "INSERT OR IGNORE INTO disposal_pending (task, value) VALUES ('vacuum', '')",
                        [],
                    )?;
                }
                continue;
            }
            _ => {}
        }
        a.conn().execute(
            "DELETE FROM disposal_pending WHERE task = ?1 AND value = ?2",
            [&task, &value],
        )?;
    }
    Ok(())
}

fn read_certificate(r: &rusqlite::Row<'_>) -> rusqlite::Result<Certificate> {
    let summary: String = r.get(8)?;
    Ok(Certificate {
        id: r.get::<_, i64>(0)?.to_string(),
        at: rfc3339(r.get(1)?),
        as_of: rfc3339(r.get(2)?),
        approver: r.get(3)?,
        reason: r.get(4)?,
        messages: r.get::<_, i64>(5)? as u64,
        attachments: r.get::<_, i64>(6)? as u64,
        originals: r.get::<_, i64>(7)? as u64,
        policies: serde_json::from_str(&summary).unwrap_or_default(),
        items: Vec::new(),
    })
}

const COLUMNS: &str = "id, at, as_of, approver, reason, messages, attachments, originals, summary";

/// Every disposal certificate, newest first, without their items.
pub fn certificates(a: &Archive) -> Result<Vec<Certificate>> {
    Ok(a.conn()
        .prepare(&format!("SELECT {COLUMNS} FROM disposals ORDER BY id DESC"))?
        .query_map([], read_certificate)?
        .collect::<rusqlite::Result<_>>()?)
}

/// One certificate with every item it covers.
pub fn certificate(a: &Archive, id: &str) -> Result<Certificate> {
    let n: i64 = id
        .trim()
        .parse()
        .map_err(|_| Error::InvalidArgument(format!("{id:?} is not a certificate id")))?;
    let mut c = a
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM disposals WHERE id = ?1"),
            [n],
            read_certificate,
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no disposal certificate {id}")))?;
    c.items = a
        .conn()
        .prepare(
            "SELECT message_id, conversation_id, policy, sha256 FROM disposed_messages
             WHERE disposal_id = ?1 ORDER BY message_id",
        )?
        .query_map([n], |r| {
            Ok(DisposedItem {
                message: r.get::<_, i64>(0)?.to_string(),
                conversation: r.get::<_, i64>(1)?.to_string(),
                policy: r.get(2)?,
                sha256: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(c)
}

/// A reviewer's decision on what policy `policy` brought to review: keep it until `until`
/// (unix ms, in the future), when it comes up for review again. Audited; refused for nothing.
pub fn keep_reviewed(a: &mut Archive, policy: &str, until: i64) -> Result<KeptReview> {
    if until <= now_ms() {
        return Err(Error::InvalidArgument(
            "a review decision keeps messages until a future date".into(),
        ));
    }
    let lock = a.write_lock()?;
    a.catch_up_index_locked(&lock, &mut |_, _| {})?;
    let plan = retention::due(a, now_ms())?;
    let Some(group) = plan.review.iter().find(|g| g.policy == policy) else {
        return Err(Error::NotFound(format!(
            "nothing that policy {policy:?} brought to review is due"
        )));
    };
    let by = super::actor();
    let tx = a.conn_mut().transaction()?;
    {
        let mut put = tx.prepare(
            "INSERT OR REPLACE INTO review_decisions (message_id, policy, keep_until, decided_at, decided_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for id in &group.ids {
            put.execute(params![id, policy, until, now_ms(), by])?;
        }
    }
    let kept = KeptReview {
        policy: policy.to_string(),
        messages: group.messages,
        until: rfc3339(until),
    };
    let entry = super::audit::append(
        &tx,
        &by,
        "review.keep",
        &serde_json::json!({"policy": policy, "messages": kept.messages, "until": kept.until}),
    )?;
    tx.commit()?;
    super::advance_head(a, &entry)?;
    Ok(kept)
}

/// What a review decision kept.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeptReview {
    pub policy: String,
    #[ts(type = "number")]
    pub messages: u64,
    /// RFC 3339 UTC: when they come up for review again.
    pub until: String,
}
