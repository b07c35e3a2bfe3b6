//! Records management: the layer of decisions beside the captured messages (which are never
//! altered): tags and triage, retention policies, holds, disposal with certificates, and the
//! tamper-evident audit log every state change and search is written to.
//!
//! Every change here runs in one database transaction that also appends its audit entry, so
//! a change and its record commit together; then the audit head file moves forward, and the
//! search index catches up with the messages the change marked in `index_dirty`.

pub mod audit;
pub mod disposal;
pub mod holds;
pub mod policies;
pub mod precedence;
pub mod retention;
pub mod tags;

use serde_json::Value;

use crate::archive::Archive;
use crate::error::{Error, Result};
use audit::{AuditEntry, Head};

/// Who is acting: `HOLDFAST_ACTOR`, else the OS user name.
pub fn actor() -> String {
    ["HOLDFAST_ACTOR", "USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Moves the audit head file forward to `entry` (never backward: a log cut short stays
/// caught by the head it had).
pub fn advance_head(a: &Archive, entry: &AuditEntry) -> Result<()> {
    // Read and replace under a lock of its own: searches log without the archive's write lock.
    let lock_path = a.dir().join("audit.head.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, e))?;
    lock.lock().map_err(|e| Error::io(&lock_path, e))?;
    let head = audit::read_head(a.dir(), a.data_key())?;
    if head.as_ref().is_none_or(|h| entry.seq > h.seq) {
        audit::write_head(
            a.dir(),
            a.data_key(),
            &Head {
                seq: entry.seq,
                hash: entry.hash.clone(),
            },
        )?;
    }
    Ok(())
}

/// Appends one entry in a transaction of its own (searches, unlocks, refusals).
pub fn log(a: &mut Archive, action: &str, detail: Value) -> Result<AuditEntry> {
    // IMMEDIATE: the append reads the last entry then writes; taking the write lock first
    // means it never has to upgrade (which WAL may refuse).
    let tx = a
        .conn_mut()
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let entry = audit::append(&tx, &actor(), action, &detail)?;
    tx.commit()?;
    advance_head(a, &entry)?;
    Ok(entry)
}

/// Audits a refusal, then returns it as the error.
pub fn refuse(a: &mut Archive, action: &str, detail: Value, why: String) -> Error {
    let mut detail = detail;
    if let Value::Object(m) = &mut detail {
        m.insert("refused".into(), Value::String(why.clone()));
    }
    match log(a, action, detail) {
        Ok(_) => Error::Refused(why),
        Err(e) => e,
    }
}

/// Checks the audit log against its head file.
pub fn verify_audit(a: &Archive) -> Result<audit::AuditVerify> {
    let head = audit::read_head(a.dir(), a.data_key())?;
    audit::verify(a.conn(), head.as_ref())
}

/// Every id names a message of the archive (else NotFound naming the first that does not).
pub(crate) fn require_messages(a: &Archive, ids: &[i64]) -> Result<()> {
    let mut stmt = a
        .conn()
        .prepare_cached("SELECT count(*) > 0 FROM messages WHERE id = ?1")?;
    for id in ids {
        if !stmt.query_row([id], |r| r.get::<_, bool>(0))? {
            return Err(Error::NotFound(format!("no message {id} in the archive")));
        }
    }
    Ok(())
}

/// Brings the index up to the changes just committed.
pub(crate) fn sync_index(a: &mut Archive) -> Result<()> {
    a.catch_up_index(&mut |_, _| {})?;
    Ok(())
}
