//! Retention policies: a name, a selector (a search query, or `@untriaged`), a period counted
//! from the message's date or its conversation's last activity, and what happens when it ends.
//! A locked policy (SEC 17a-4 style) can't be removed, disabled, shortened or weakened.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::precedence::{Action, Period};
use super::{actor, advance_head, now_ms, refuse};
use crate::archive::query::rfc3339;
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::index::query::{self as q, Filter, Node};

/// The selector of the default policy: messages with no triage class.
pub const UNTRIAGED: &str = "@untriaged";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum RetainFrom {
    Sent,
    LastActivity,
}

impl RetainFrom {
    pub fn parse(s: &str) -> Result<RetainFrom> {
        match s {
            "sent" => Ok(RetainFrom::Sent),
            "last-activity" => Ok(RetainFrom::LastActivity),
            _ => Err(Error::InvalidArgument(format!(
                "--from {s:?}: use sent or last-activity"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RetainFrom::Sent => "sent",
            RetainFrom::LastActivity => "last-activity",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Policy {
    pub id: String,
    pub name: String,
    #[serde(rename = "match")]
    #[ts(rename = "match")]
    pub query: String,
    pub retain: String,
    pub from: RetainFrom,
    pub then: Action,
    pub locked: bool,
    pub enabled: bool,
    /// Selects a tag put on items (a label), rather than a broad scope.
    pub explicit: bool,
    pub created_at: String,
    pub created_by: String,
}

impl Policy {
    pub fn period(&self) -> Period {
        Period::parse(&self.retain).unwrap_or(Period::Years(1000))
    }
}

/// What `policy add` takes.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub name: String,
    pub query: String,
    pub retain: String,
    pub from: RetainFrom,
    pub then: Action,
    pub lock: bool,
}

/// What `policy set` changes (None: unchanged).
#[derive(Debug, Clone, Default)]
pub struct PolicyChange {
    pub retain: Option<String>,
    pub then: Option<Action>,
    pub enabled: Option<bool>,
    pub lock: bool,
}

/// Whether a selector names a tag and nothing else (an explicit label).
pub fn is_label(query: &str) -> bool {
    matches!(q::parse(query), Ok(Node::Filter(Filter::Tag(_))))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Policy> {
    let query: String = r.get(2)?;
    let from: String = r.get(4)?;
    let then: String = r.get(5)?;
    Ok(Policy {
        id: r.get::<_, i64>(0)?.to_string(),
        name: r.get(1)?,
        explicit: is_label(&query),
        query,
        retain: r.get(3)?,
        from: RetainFrom::parse(&from).unwrap_or(RetainFrom::Sent),
        then: Action::parse(&then).unwrap_or(Action::Review),
        locked: r.get(6)?,
        enabled: r.get(7)?,
        created_at: rfc3339(r.get(8)?),
        created_by: r.get(9)?,
    })
}

const COLUMNS: &str =
    "id, name, match, retain, from_event, action, locked, enabled, created_at, created_by";

pub fn list(a: &Archive) -> Result<Vec<Policy>> {
    Ok(a.conn()
        .prepare(&format!("SELECT {COLUMNS} FROM policies ORDER BY id"))?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn get(a: &Archive, name: &str) -> Result<Policy> {
    a.conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM policies WHERE name = ?1"),
            [name],
            from_row,
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no retention policy named {name:?}")))
}

/// Checks a selector: `@untriaged` or a query that parses and runs.
fn check_selector(query: &str) -> Result<()> {
    if query == UNTRIAGED {
        return Ok(());
    }
    if query.trim().is_empty() {
        return Err(Error::InvalidArgument(
            "--match is empty: give a query (tag:business, app:slack, in:\"Board\", ...)".into(),
        ));
    }
    crate::index::search::check_query(query)
}

pub fn add(a: &mut Archive, p: &NewPolicy) -> Result<Policy> {
    let name = p.name.trim();
    if name.is_empty() {
        return Err(Error::InvalidArgument("the policy's name is empty".into()));
    }
    let period = Period::parse(&p.retain)?;
    check_selector(p.query.trim())?;
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    let taken: bool = tx.query_row(
        "SELECT count(*) > 0 FROM policies WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::InvalidArgument(format!(
            "a policy named {name:?} exists already"
        )));
    }
    tx.execute(
        "INSERT INTO policies (name, match, retain, from_event, action, locked, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            name,
            p.query.trim(),
            period.to_string(),
            p.from.as_str(),
            p.then.as_str(),
            p.lock,
            now_ms(),
            actor()
        ],
    )?;
    let entry = super::audit::append(
        &tx,
        &actor(),
        "policy.add",
        &json!({"policy": name, "match": p.query.trim(), "retain": period.to_string(),
                "from": p.from.as_str(), "then": p.then.as_str(), "locked": p.lock}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    get(a, name)
}

/// Removes a policy (refused, and audited, when it is locked).
pub fn remove(a: &mut Archive, name: &str) -> Result<Policy> {
    let p = get(a, name)?;
    if p.locked {
        return Err(refuse(
            a,
            "policy.remove",
            json!({"policy": p.name}),
            format!("the policy {:?} is locked: it can't be removed", p.name),
        ));
    }
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    tx.execute(
        "DELETE FROM policies WHERE id = ?1",
        [p.id.parse::<i64>().unwrap_or(-1)],
    )?;
    let entry = super::audit::append(&tx, &actor(), "policy.remove", &json!({"policy": p.name}))?;
    tx.commit()?;
    advance_head(a, &entry)?;
    Ok(p)
}

/// Whether `new` ends before `old` for some start date (1m is shorter than 30d after a
/// 31-day month; 1y than 365d in a leap year).
fn shorter(new: Period, old: Period) -> bool {
    use chrono::TimeZone;
    [
        (2023, 1, 31),
        (2024, 1, 1),
        (2024, 2, 29),
        (2023, 3, 1),
        (2023, 12, 31),
    ]
    .iter()
    .any(|(y, m, d)| {
        let from = chrono::Utc
            .with_ymd_and_hms(*y, *m, *d, 0, 0, 0)
            .single()
            .expect("a valid date");
        new.end_from(from) < old.end_from(from)
    })
}

/// How strongly an action keeps: keep > review > delete.
fn strength(a: Action) -> u8 {
    match a {
        Action::Delete => 0,
        Action::Review => 1,
        Action::Keep => 2,
    }
}

/// Changes a policy's period, action or state; a locked policy only ever gets stronger.
pub fn set(a: &mut Archive, name: &str, change: &PolicyChange) -> Result<Policy> {
    let p = get(a, name)?;
    let retain = match &change.retain {
        Some(r) => Period::parse(r)?,
        None => p.period(),
    };
    let then = change.then.unwrap_or(p.then);
    let enabled = change.enabled.unwrap_or(p.enabled);
    let detail = json!({"policy": p.name, "retain": retain.to_string(), "then": then.as_str(),
                        "enabled": enabled, "lock": change.lock || p.locked});
    if (change.lock || p.locked) && !enabled {
        let why = format!("the policy {:?} is locked: it can't be disabled", p.name);
        return Err(refuse(a, "policy.set", detail, why));
    }
    if p.locked {
        let why = if shorter(retain, p.period()) {
            Some(format!("shortened from {} to {retain}", p.retain))
        } else if strength(then) < strength(p.then) {
            Some(format!(
                "its action weakened from {} to {}",
                p.then.as_str(),
                then.as_str()
            ))
        } else if !enabled && p.enabled {
            Some("disabled".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Err(refuse(
                a,
                "policy.set",
                detail,
                format!("the policy {:?} is locked: it can't be {why}", p.name),
            ));
        }
    }
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    tx.execute(
        "UPDATE policies SET retain = ?1, action = ?2, enabled = ?3, locked = ?4 WHERE name = ?5",
        params![
            retain.to_string(),
            then.as_str(),
            enabled,
            change.lock || p.locked,
            p.name
        ],
    )?;
    let entry = super::audit::append(&tx, &actor(), "policy.set", &detail)?;
    tx.commit()?;
    advance_head(a, &entry)?;
    get(a, name)
}
