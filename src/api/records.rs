//! Records management through the core API: tags and triage, retention policies, holds,
//! disposal and certificates, the audit log. Thin: the logic lives in [`crate::records`].

use chrono::{NaiveDate, TimeZone};

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;
use crate::records::{self, audit, disposal, holds, policies, retention, tags};

pub use audit::{AuditEntry, AuditVerify};
pub use disposal::{Certificate, DisposalReport, DisposedItem, KeptReview, ReviewApproval};
pub use holds::{Hold, Scope as HoldScope};
pub use policies::{NewPolicy, Policy, PolicyChange, RetainFrom};
pub use records::precedence::Action;
pub use retention::{DuePlan, Explanation};
pub use tags::{TagChange, TagInfo, Target as TagTarget};

pub fn tag_add(a: &mut Archive, tag: &str, target: &TagTarget) -> Result<TagChange> {
    tags::add(a, tag, target)
}

pub fn tag_remove(a: &mut Archive, tag: &str, target: &TagTarget) -> Result<TagChange> {
    tags::remove(a, tag, target)
}

pub fn tag_list(a: &Archive) -> Result<Vec<TagInfo>> {
    tags::list(a)
}

/// Renames a tag, or merges it into `into` when that tag exists.
pub fn tag_rename(a: &mut Archive, tag: &str, into: &str) -> Result<TagChange> {
    tags::rename(a, tag, into)
}

pub fn tag_delete(a: &mut Archive, tag: &str) -> Result<TagChange> {
    tags::delete(a, tag)
}

pub fn policy_add(a: &mut Archive, p: &NewPolicy) -> Result<Policy> {
    policies::add(a, p)
}

pub fn policy_list(a: &Archive) -> Result<Vec<Policy>> {
    policies::list(a)
}

pub fn policy_set(a: &mut Archive, name: &str, change: &PolicyChange) -> Result<Policy> {
    policies::set(a, name, change)
}

pub fn policy_remove(a: &mut Archive, name: &str) -> Result<Policy> {
    policies::remove(a, name)
}

pub fn hold_add(a: &mut Archive, name: &str, scope: &HoldScope, reason: &str) -> Result<Hold> {
    holds::add(a, name, scope, reason)
}

pub fn hold_list(a: &mut Archive, include_released: bool) -> Result<Vec<Hold>> {
    holds::list(a, include_released)
}

pub fn hold_release(a: &mut Archive, name: &str) -> Result<Hold> {
    holds::release(a, name)
}

pub fn retention_explain(a: &mut Archive, message: &str) -> Result<Explanation> {
    retention::explain(a, message)
}

/// `2031-03-01` (the end of that day in this computer's zone), or an RFC 3339 time; None is now.
pub fn parse_as_of(as_of: Option<&str>) -> Result<i64> {
    let Some(s) = as_of.map(str::trim) else {
        return Ok(records::now_ms());
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::InvalidArgument(format!("--as-of {s:?}: write a date (2031-03-01)")))?;
    let end = day
        .and_hms_milli_opt(23, 59, 59, 999)
        .expect("a valid time of day");
    let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
    Ok(tz
        .from_local_datetime(&end)
        .latest()
        .map_or(end.and_utc().timestamp_millis(), |t| t.timestamp_millis()))
}

pub fn dispose_dry_run(a: &mut Archive, as_of: i64) -> Result<DuePlan> {
    disposal::dry_run(a, as_of)
}

pub fn dispose_apply(
    a: &mut Archive,
    as_of: i64,
    approver: &str,
    approve: &ReviewApproval,
) -> Result<DisposalReport> {
    disposal::apply(a, as_of, approver, approve)
}

/// Keeps what `policy` brought to review for `keep_for` more (`1y`, `6m`, `90d`), when it
/// comes up for review again.
pub fn review_keep(a: &mut Archive, policy: &str, keep_for: &str) -> Result<KeptReview> {
    let period = records::precedence::Period::parse(keep_for)?;
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(records::now_ms())
        .expect("now is a valid time");
    disposal::keep_reviewed(a, policy, period.end_from(now).timestamp_millis())
}

/// Deletes chosen messages for good (refused while a hold covers any of them).
pub fn delete_messages(a: &mut Archive, ids: &[i64], reason: &str) -> Result<Certificate> {
    disposal::delete(a, ids, reason)
}

pub fn certificates(a: &Archive) -> Result<Vec<Certificate>> {
    disposal::certificates(a)
}

pub fn certificate(a: &Archive, id: &str) -> Result<Certificate> {
    disposal::certificate(a, id)
}

/// Writes one certificate (with its items) or the list of all of them to `path` as JSON, and
/// puts the export on the record (with the file's SHA-256).
pub fn certificates_export(
    a: &mut Archive,
    id: Option<&str>,
    path: &std::path::Path,
) -> Result<serde_json::Value> {
    let value = match id {
        Some(id) => serde_json::to_value(certificate(a, id)?),
        None => serde_json::to_value(serde_json::json!({ "certificates": certificates(a)? })),
    }
    .map_err(|e| Error::Corrupt(format!("certificate: {e}")))?;
    let text = serde_json::to_string_pretty(&value).expect("JSON prints");
    std::fs::write(path, &text).map_err(|e| Error::io(path, e))?;
    records::log(
        a,
        "certificate.export",
        serde_json::json!({
            "certificate": id.unwrap_or("all"),
            "path": path.display().to_string(),
            "sha256": crate::crypto::sha256_hex(text.as_bytes()),
        }),
    )?;
    Ok(value)
}

pub fn audit_log(
    a: &Archive,
    action_prefix: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<Vec<AuditEntry>> {
    audit::entries(a.conn(), action_prefix, offset, limit)
}

/// The newest `limit` entries, newest first.
pub fn audit_log_newest(a: &Archive, limit: u64) -> Result<Vec<AuditEntry>> {
    let n = audit::count(a.conn())?;
    let mut entries = audit::entries(a.conn(), None, n.saturating_sub(limit), limit)?;
    entries.reverse();
    Ok(entries)
}

/// The audit log as the desktop app filters it. Empty strings mean "any".
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditQuery {
    /// An action or its family: `tag` lists `tag.add` and `tag.remove`.
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Words in the entry's detail: a tag, a case reference, a message id.
    pub text: Option<String>,
    /// `YYYY-MM-DD` in this device's zone, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD` in this device's zone, inclusive.
    pub to: Option<String>,
    /// Entries older than this one: the next page.
    #[ts(type = "number | null")]
    pub before: Option<u64>,
    #[ts(type = "number")]
    pub limit: u64,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Older entries match too.
    pub more: bool,
}

/// The start of `day` (`YYYY-MM-DD`) in this device's zone, in Unix milliseconds.
fn day_start_ms(day: &str, what: &str) -> Result<i64> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        Error::InvalidArgument(format!("{what} {day:?}: write a date (2026-03-01)"))
    })?;
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
    Ok(tz
        .from_local_datetime(&midnight)
        .earliest()
        .map_or(midnight.and_utc().timestamp_millis(), |t| {
            t.timestamp_millis()
        }))
}

pub fn audit_search(a: &Archive, q: &AuditQuery) -> Result<AuditPage> {
    fn given(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let until_ms = match given(&q.to) {
        Some(day) => {
            let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                Error::InvalidArgument(format!("to {day:?}: write a date (2026-03-01)"))
            })?;
            let next = d.succ_opt().unwrap_or(d).format("%Y-%m-%d").to_string();
            Some(day_start_ms(&next, "to")?)
        }
        None => None,
    };
    let filter = audit::Filter {
        action_prefix: given(&q.action),
        actor: given(&q.actor),
        text: given(&q.text),
        from_ms: given(&q.from)
            .map(|d| day_start_ms(d, "from"))
            .transpose()?,
        until_ms,
        before_seq: q.before,
    };
    let limit = q.limit.clamp(1, 1000);
    let mut entries = audit::newest(a.conn(), &filter, limit + 1)?;
    let more = entries.len() as u64 > limit;
    entries.truncate(limit as usize);
    Ok(AuditPage { entries, more })
}

pub fn audit_verify(a: &Archive) -> Result<AuditVerify> {
    records::verify_audit(a)
}

/// What is due, without the message ids (for the desktop app).
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DueSummary {
    pub as_of: String,
    #[ts(type = "number")]
    pub evaluated: u64,
    pub groups: Vec<DueCount>,
}

#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DueCount {
    /// `delete`, `review` or `held`.
    pub action: String,
    /// The policy, or the holds for held messages.
    pub by: String,
    #[ts(type = "number")]
    pub messages: u64,
}

/// What is due now, in counts.
pub fn disposal_due(a: &mut Archive) -> Result<DueSummary> {
    let plan = disposal::dry_run(a, records::now_ms())?;
    let mut groups: Vec<DueCount> = Vec::new();
    for g in plan.due.iter().chain(&plan.review) {
        groups.push(DueCount {
            action: g.action.as_str().into(),
            by: g.policy.clone(),
            messages: g.messages,
        });
    }
    for g in &plan.held {
        groups.push(DueCount {
            action: "held".into(),
            by: g.holds.join(", "),
            messages: g.messages,
        });
    }
    Ok(DueSummary {
        as_of: plan.as_of,
        evaluated: plan.evaluated,
        groups,
    })
}

/// A new policy, as the desktop app sends it.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewPolicyRequest {
    pub name: String,
    #[serde(rename = "match")]
    #[ts(rename = "match")]
    pub query: String,
    /// `30d`, `18m`, `6y`
    pub retain: String,
    pub from: RetainFrom,
    pub then: Action,
    pub lock: bool,
}

pub fn policy_add_request(a: &mut Archive, r: &NewPolicyRequest) -> Result<Policy> {
    policies::add(
        a,
        &NewPolicy {
            name: r.name.clone(),
            query: r.query.clone(),
            retain: r.retain.clone(),
            from: r.from,
            then: r.then,
            lock: r.lock,
        },
    )
}

/// A new hold, as the desktop app sends it: a search, and optionally a date range.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewHoldRequest {
    pub name: String,
    /// A search of the query language; empty holds every message (in the date range).
    #[serde(rename = "match")]
    #[ts(rename = "match")]
    pub query: String,
    /// `YYYY-MM-DD`, inclusive; empty for no bound.
    pub from: String,
    pub to: String,
    pub reason: String,
}

pub fn hold_add_request(a: &mut Archive, r: &NewHoldRequest) -> Result<Hold> {
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let scope = HoldScope {
        query: given(&r.query),
        from_date: given(&r.from),
        to_date: given(&r.to),
        ..HoldScope::default()
    };
    holds::add(a, r.name.trim(), &scope, r.reason.trim())
}

/// What a disposal from the desktop app did (the plan's id lists left out).
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DisposalDone {
    pub certificate: Option<Certificate>,
    #[ts(type = "number")]
    pub awaiting_review: u64,
    #[ts(type = "number")]
    pub held: u64,
}

/// Disposes of what is due now, approved by `approver`: the deletions, and the review items
/// of `approve_policies` (every review item with `approve_reviews`).
pub fn dispose_now(
    a: &mut Archive,
    approver: &str,
    approve_reviews: bool,
    approve_policies: &[String],
) -> Result<DisposalDone> {
    let approve = if approve_reviews {
        ReviewApproval::All
    } else if approve_policies.is_empty() {
        ReviewApproval::None
    } else {
        ReviewApproval::Policies(approve_policies.to_vec())
    };
    let r = disposal::apply(a, records::now_ms(), approver, &approve)?;
    Ok(DisposalDone {
        certificate: r.certificate.map(|c| Certificate {
            items: Vec::new(),
            ..c
        }),
        awaiting_review: r.awaiting_review,
        held: r.plan.held.iter().map(|g| g.messages).sum(),
    })
}
