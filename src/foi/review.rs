//! Review: every message in a case's scope is marked responsive, not responsive, or exempt
//! (with the exemption's code), one by one or in bulk over a search within the scope.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::cases::{self, scope_query};
use crate::archive::query::rfc3339;
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;
use crate::records::{actor, advance_head, audit, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Decision {
    Responsive,
    NotResponsive,
    Exempt,
}

impl Decision {
    pub fn parse(s: &str) -> Result<Decision> {
        match s.replace('-', "_").as_str() {
            "responsive" => Ok(Decision::Responsive),
            "not_responsive" => Ok(Decision::NotResponsive),
            "exempt" => Ok(Decision::Exempt),
            _ => Err(Error::InvalidArgument(format!(
                "decision {s:?}: responsive, not-responsive or exempt"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Responsive => "responsive",
            Decision::NotResponsive => "not_responsive",
            Decision::Exempt => "exempt",
        }
    }
}

/// How far review has got.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReviewProgress {
    pub case: String,
    #[ts(type = "number")]
    pub in_scope: u64,
    #[ts(type = "number")]
    pub responsive: u64,
    #[ts(type = "number")]
    pub not_responsive: u64,
    #[ts(type = "number")]
    pub exempt: u64,
    #[ts(type = "number")]
    pub unreviewed: u64,
    /// Messages this call marked (0 for a progress query).
    #[ts(type = "number")]
    pub marked: u64,
}

/// What to mark.
#[derive(Debug, Clone)]
pub enum Target {
    Messages(Vec<i64>),
    /// Every message of the scope that this search also matches.
    Match(String),
    /// Every message of the scope.
    All,
}

/// The message ids in the case's scope, sorted.
pub fn in_scope(a: &mut Archive, reference: &str) -> Result<Vec<i64>> {
    let case = cases::get(a, reference)?;
    let Some(q) = scope_query(&case.scope) else {
        return Ok(Vec::new());
    };
    matching(a, &q)
}

fn matching(a: &mut Archive, query: &str) -> Result<Vec<i64>> {
    let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
    a.search_index()?;
    let (idx, conn) = a.index_and_conn();
    idx.matching_ids(conn, query, tz)
}

pub(crate) fn case_id(a: &Archive, reference: &str) -> Result<i64> {
    a.conn()
        .query_row(
            "SELECT id FROM foi_cases WHERE reference = ?1",
            [reference.trim()],
            |r| r.get(0),
        )
        .map_err(|_| Error::NotFound(format!("no case {reference:?}")))
}

pub fn progress(a: &mut Archive, reference: &str) -> Result<ReviewProgress> {
    let scope = in_scope(a, reference)?;
    let id = case_id(a, reference)?;
    let mut counts = [0u64; 3];
    let mut stmt = a
        .conn()
        .prepare("SELECT message_id, decision FROM foi_marks WHERE case_id = ?1")?;
    let rows = stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (m, d) = row?;
        if scope.binary_search(&m).is_ok() {
            let i = match Decision::parse(&d)? {
                Decision::Responsive => 0,
                Decision::NotResponsive => 1,
                Decision::Exempt => 2,
            };
            counts[i] += 1;
        }
    }
    let reviewed: u64 = counts.iter().sum();
    Ok(ReviewProgress {
        case: reference.trim().to_string(),
        in_scope: scope.len() as u64,
        responsive: counts[0],
        not_responsive: counts[1],
        exempt: counts[2],
        unreviewed: scope.len() as u64 - reviewed,
        marked: 0,
    })
}

/// Marks messages of the scope; exempt needs the exemption's code.
pub fn mark(
    a: &mut Archive,
    reference: &str,
    target: &Target,
    decision: Decision,
    code: Option<&str>,
) -> Result<ReviewProgress> {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    if decision == Decision::Exempt && code.is_none() {
        return Err(Error::InvalidArgument(
            "an exempt message needs the exemption: --code 's40(2)' (or s41, s42, s43, ...)".into(),
        ));
    }
    let scope = in_scope(a, reference)?;
    let ids: Vec<i64> = match target {
        Target::Messages(ids) => {
            for id in ids {
                if scope.binary_search(id).is_err() {
                    return Err(Error::InvalidArgument(format!(
                        "message {id} is not in the scope of case {reference}"
                    )));
                }
            }
            ids.clone()
        }
        Target::Match(q) => {
            let hits = matching(a, q)?;
            hits.into_iter()
                .filter(|id| scope.binary_search(id).is_ok())
                .collect()
        }
        Target::All => scope.clone(),
    };
    let case = case_id(a, reference)?;
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    {
        let mut put = tx.prepare(
            "INSERT INTO foi_marks (case_id, message_id, decision, code, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (case_id, message_id) DO UPDATE SET decision = excluded.decision,
               code = excluded.code, by = excluded.by, at = excluded.at",
        )?;
        for id in &ids {
            put.execute(params![
                case,
                id,
                decision.as_str(),
                code,
                actor(),
                now_ms()
            ])?;
        }
    }
    let detail = match target {
        Target::Messages(m) => {
            json!({"case": reference.trim(), "decision": decision.as_str(), "code": code, "messages": m})
        }
        Target::Match(q) => {
            json!({"case": reference.trim(), "decision": decision.as_str(), "code": code, "match": q, "count": ids.len()})
        }
        Target::All => {
            json!({"case": reference.trim(), "decision": decision.as_str(), "code": code, "all": true, "count": ids.len()})
        }
    };
    let entry = audit::append(&tx, &actor(), "foi.review", &detail)?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    let mut p = progress(a, reference)?;
    p.marked = ids.len() as u64;
    Ok(p)
}

/// One message of the review list.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReviewItem {
    pub message_id: String,
    pub conversation_id: String,
    pub conversation: String,
    pub sender: Option<String>,
    pub sent_at: String,
    pub text: String,
    pub decision: Option<Decision>,
    pub code: Option<String>,
}

/// The scope's messages with their marks, oldest first, a page at a time.
pub fn items(a: &mut Archive, reference: &str, offset: u64, limit: u64) -> Result<Vec<ReviewItem>> {
    let scope = in_scope(a, reference)?;
    let case = case_id(a, reference)?;
    let mut stmt = a.conn().prepare_cached(
        "SELECT m.conversation_id, c.title, p.display_name, m.sent_at, m.body, k.decision, k.code
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
         LEFT JOIN participants p ON p.id = m.sender_id
         LEFT JOIN foi_marks k ON k.message_id = m.id AND k.case_id = ?2
         WHERE m.id = ?1",
    )?;
    let mut out = Vec::new();
    for id in scope.iter().skip(offset as usize).take(limit as usize) {
        out.push(stmt.query_row(params![id, case], |r| {
            Ok(ReviewItem {
                message_id: id.to_string(),
                conversation_id: r.get::<_, i64>(0)?.to_string(),
                conversation: r.get(1)?,
                sender: r.get(2)?,
                sent_at: rfc3339(r.get(3)?),
                text: r.get(4)?,
                decision: r
                    .get::<_, Option<String>>(5)?
                    .and_then(|d| Decision::parse(&d).ok()),
                code: r.get(6)?,
            })
        })?);
    }
    Ok(out)
}
