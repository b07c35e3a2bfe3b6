//! Legal holds: a named scope (a search query: words, `in:` conversations, `from:` people,
//! `date:` ranges) whose messages can't be deleted, disposed of or moved out of a retained
//! class until the hold is released, explicitly and on the record.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::{actor, advance_head, now_ms};
use crate::archive::query::rfc3339;
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Hold {
    pub id: String,
    pub name: String,
    #[serde(rename = "match")]
    #[ts(rename = "match")]
    pub query: String,
    pub reason: String,
    pub created_at: String,
    pub created_by: String,
    pub released_at: Option<String>,
    pub released_by: Option<String>,
    /// Messages it covers now (0 once released).
    #[ts(type = "number")]
    pub messages: u64,
}

/// The scope of a new hold, as the CLI and the app take it; parts are combined with AND,
/// alternatives inside a part with OR.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub query: Option<String>,
    pub conversations: Vec<String>,
    pub people: Vec<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`), inclusive.
    pub from_date: Option<String>,
    pub to_date: Option<String>,
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', ""))
}

impl Scope {
    /// The scope as one query of the search language.
    pub fn to_query(&self) -> Result<String> {
        let mut parts = Vec::new();
        if let Some(q) = self.query.as_deref().filter(|q| !q.trim().is_empty()) {
            parts.push(format!("({q})"));
        }
        let any = |filter: &str, values: &[String]| {
            let alts: Vec<String> = values
                .iter()
                .map(|v| format!("{filter}:{}", quoted(v)))
                .collect();
            format!("({})", alts.join(" OR "))
        };
        if !self.conversations.is_empty() {
            parts.push(any("in", &self.conversations));
        }
        if !self.people.is_empty() {
            parts.push(any("from", &self.people));
        }
        match (&self.from_date, &self.to_date) {
            (Some(a), Some(b)) => parts.push(format!("date:{a}..{b}")),
            (Some(a), None) => parts.push(format!("after:{a}")),
            (None, Some(b)) => parts.push(format!("date:1970..{b}")),
            (None, None) => {}
        }
        if parts.is_empty() {
            return Err(Error::InvalidArgument(
                "a hold needs a scope: --match, --conversation, --person or dates".into(),
            ));
        }
        Ok(parts.join(" "))
    }
}

/// The active holds and the messages each covers (sorted ids).
pub struct HeldSet {
    holds: Vec<(String, Vec<i64>)>,
}

impl HeldSet {
    /// The names of the holds covering a message.
    pub fn holds_of(&self, id: i64) -> Vec<&str> {
        self.holds
            .iter()
            .filter(|(_, ids)| ids.binary_search(&id).is_ok())
            .map(|(n, _)| n.as_str())
            .collect()
    }

    pub fn is_held(&self, id: i64) -> bool {
        self.holds
            .iter()
            .any(|(_, ids)| ids.binary_search(&id).is_ok())
    }

    /// The first held message among `ids`, with its holds.
    pub fn first_held<'a>(&'a self, ids: &[i64]) -> Option<(i64, Vec<&'a str>)> {
        ids.iter()
            .find(|id| self.is_held(**id))
            .map(|id| (*id, self.holds_of(*id)))
    }
}

fn selected(a: &mut Archive, query: &str) -> Result<Vec<i64>> {
    let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
    a.search_index()?;
    let (idx, conn) = a.index_and_conn();
    idx.matching_ids(conn, query, tz)
}

/// The active holds with what they cover now.
pub fn active(a: &mut Archive) -> Result<HeldSet> {
    let rows: Vec<(String, String)> = a
        .conn()
        .prepare("SELECT name, match FROM holds WHERE released_at IS NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut holds = Vec::with_capacity(rows.len());
    for (name, query) in rows {
        let ids = selected(a, &query)?;
        holds.push((name, ids));
    }
    Ok(HeldSet { holds })
}

/// One hold, with what it covers now.
pub fn get(a: &mut Archive, name: &str) -> Result<Hold> {
    let row = a
        .conn()
        .query_row(
            "SELECT id, name, match, reason, created_at, created_by, released_at, released_by
             FROM holds WHERE name = ?1",
            [name],
            |r| {
                Ok(Hold {
                    id: r.get::<_, i64>(0)?.to_string(),
                    name: r.get(1)?,
                    query: r.get(2)?,
                    reason: r.get(3)?,
                    created_at: rfc3339(r.get(4)?),
                    created_by: r.get(5)?,
                    released_at: r.get::<_, Option<i64>>(6)?.map(rfc3339),
                    released_by: r.get(7)?,
                    messages: 0,
                })
            },
        )
        .optional()?;
    let mut hold = row.ok_or_else(|| Error::NotFound(format!("no hold named {name:?}")))?;
    if hold.released_at.is_none() {
        hold.messages = selected(a, &hold.query)?.len() as u64;
    }
    Ok(hold)
}

/// Places a hold. Its scope is checked (a query that does not parse is refused).
pub fn add(a: &mut Archive, name: &str, scope: &Scope, reason: &str) -> Result<Hold> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::InvalidArgument("the hold's name is empty".into()));
    }
    let query = scope.to_query()?;
    crate::index::search::check_query(&query)?;
    let covered = selected(a, &query)?.len();
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    let exists: bool = tx.query_row(
        "SELECT count(*) > 0 FROM holds WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::InvalidArgument(format!(
            "a hold named {name:?} exists already"
        )));
    }
    tx.execute(
        "INSERT INTO holds (name, match, reason, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, query, reason, now_ms(), actor()],
    )?;
    let entry = super::audit::append(
        &tx,
        &actor(),
        "hold.add",
        &json!({"hold": name, "match": query, "reason": reason, "messages": covered}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    get(a, name)
}

pub fn list(a: &mut Archive, include_released: bool) -> Result<Vec<Hold>> {
    let names: Vec<String> = a
        .conn()
        .prepare(
            "SELECT name FROM holds WHERE ?1 OR released_at IS NULL ORDER BY released_at IS NOT NULL, id",
        )?
        .query_map([include_released], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names.iter().map(|n| get(a, n)).collect()
}

/// Releases a hold; what it covered becomes disposable again when its retention is over.
pub fn release(a: &mut Archive, name: &str) -> Result<Hold> {
    let hold = get(a, name)?;
    if hold.released_at.is_some() {
        return Err(Error::InvalidArgument(format!(
            "the hold {name:?} was released already"
        )));
    }
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    tx.execute(
        "UPDATE holds SET released_at = ?1, released_by = ?2 WHERE name = ?3",
        params![now_ms(), actor(), hold.name],
    )?;
    let entry = super::audit::append(
        &tx,
        &actor(),
        "hold.release",
        &json!({"hold": hold.name, "messages": hold.messages}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    get(a, name)
}

/// Replaces the scope of an active hold (a case's scope grows as searches are saved).
pub fn set_query(a: &mut Archive, name: &str, query: &str) -> Result<Hold> {
    let hold = get(a, name)?;
    if hold.released_at.is_some() {
        return Err(Error::InvalidArgument(format!(
            "the hold {name:?} was released: place a new one"
        )));
    }
    let covered = selected(a, query)?.len();
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    tx.execute(
        "UPDATE holds SET match = ?1 WHERE name = ?2",
        params![query, hold.name],
    )?;
    let entry = super::audit::append(
        &tx,
        &actor(),
        "hold.scope",
        &json!({"hold": hold.name, "match": query, "messages": covered}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    get(a, name)
}

/// Whether a hold of this name exists and is active.
pub fn is_active(a: &Archive, name: &str) -> Result<bool> {
    Ok(a.conn().query_row(
        "SELECT count(*) > 0 FROM holds WHERE name = ?1 AND released_at IS NULL",
        [name],
        |r| r.get(0),
    )?)
}
