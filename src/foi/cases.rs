//! Cases: a request logged with its reference, kind, requester and date of receipt; its clock
//! (clarifications stop and restart it); its scope, a set of saved searches held at once by a
//! hold named after the case (records.md R2); searches run for it, logged against it (R3).

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::clock::{self, CaseKind, Clarification};
use crate::archive::query::rfc3339;
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;
use crate::index::search::{check_query, SearchRequest, SearchResults};
use crate::records::{self, actor, advance_head, audit, holds};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseStatus {
    Open,
    AwaitingClarification,
    Responded,
    Closed,
}

impl CaseStatus {
    fn parse(s: &str) -> CaseStatus {
        match s {
            "awaiting_clarification" => CaseStatus::AwaitingClarification,
            "responded" => CaseStatus::Responded,
            "closed" => CaseStatus::Closed,
            _ => CaseStatus::Open,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::AwaitingClarification => "awaiting_clarification",
            CaseStatus::Responded => "responded",
            CaseStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClarificationView {
    pub asked: String,
    pub answered: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Case {
    pub reference: String,
    pub kind: CaseKind,
    pub requester: String,
    /// The requester's zone: produced dates are shown in it.
    pub zone: String,
    pub received: String,
    pub complex: bool,
    pub status: CaseStatus,
    /// None while the clock is stopped for a clarification.
    pub due: Option<String>,
    /// Working days left (calendar days for a SAR); negative when overdue; None when stopped
    /// or closed.
    #[ts(type = "number | null")]
    pub days_left: Option<i64>,
    pub notes: String,
    /// The saved searches that make the case's scope.
    pub scope: Vec<String>,
    /// The hold over the scope (named after the case), while it is active.
    pub hold: Option<String>,
    #[ts(type = "number")]
    pub held_messages: u64,
    pub clarifications: Vec<ClarificationView>,
    pub responded_on: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

/// What `foi new` takes.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub reference: String,
    pub kind: CaseKind,
    pub requester: String,
    pub received: String,
    pub complex: bool,
    pub zone: Option<String>,
    pub notes: String,
    pub scope: Vec<String>,
}

pub fn parse_date(s: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::InvalidArgument(format!("{what} {s:?}: write a date (2027-01-31)")))
}

/// Today in this computer's zone (`HOLDFAST_TODAY=YYYY-MM-DD` fixes it, for tests and demos).
pub fn today() -> NaiveDate {
    if let Some(d) = std::env::var("HOLDFAST_TODAY")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
    {
        return d;
    }
    let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

fn case_id(a: &Archive, reference: &str) -> Result<i64> {
    a.conn()
        .query_row(
            "SELECT id FROM foi_cases WHERE reference = ?1",
            [reference.trim()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no case {reference:?}")))
}

/// The case's scope as one query: its saved searches, any of them.
pub fn scope_query(scope: &[String]) -> Option<String> {
    match scope.len() {
        0 => None,
        1 => Some(scope[0].clone()),
        _ => Some(
            scope
                .iter()
                .map(|q| format!("({q})"))
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    }
}

pub fn get(a: &mut Archive, reference: &str) -> Result<Case> {
    let id = case_id(a, reference)?;
    let row = a.conn().query_row(
        "SELECT reference, kind, requester, zone, received, complex, status, notes, created_at,
                created_by, responded_on FROM foi_cases WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        },
    )?;
    let clarifications: Vec<(String, Option<String>)> = a
        .conn()
        .prepare("SELECT asked, answered FROM foi_clarifications WHERE case_id = ?1 ORDER BY id")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let scope: Vec<String> = a
        .conn()
        .prepare("SELECT query FROM foi_scope WHERE case_id = ?1 ORDER BY id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let kind = CaseKind::parse(&row.1)?;
    let received = parse_date(&row.4, "received")?;
    let clar: Vec<Clarification> = clarifications
        .iter()
        .map(|(asked, answered)| {
            Ok(Clarification {
                asked: parse_date(asked, "asked")?,
                answered: answered
                    .as_deref()
                    .map(|d| parse_date(d, "answered"))
                    .transpose()?,
            })
        })
        .collect::<Result<_>>()?;
    let status = CaseStatus::parse(&row.6);
    let k = clock::deadline(kind, received, row.5, &clar, today());
    let hold = holds::is_active(a, &row.0)?.then(|| row.0.clone());
    let held_messages = match &hold {
        // This hold alone (listing them all would run every hold's query).
        Some(h) => holds::get(a, h)?.messages,
        None => 0,
    };
    let open = matches!(status, CaseStatus::Open | CaseStatus::AwaitingClarification);
    Ok(Case {
        reference: row.0,
        kind,
        requester: row.2,
        zone: row.3,
        received: row.4,
        complex: row.5,
        status,
        due: k.due.map(|d| d.to_string()),
        days_left: if open { k.days_left } else { None },
        notes: row.7,
        scope,
        hold,
        held_messages,
        clarifications: clarifications
            .into_iter()
            .map(|(asked, answered)| ClarificationView { asked, answered })
            .collect(),
        responded_on: row.10,
        created_at: rfc3339(row.8),
        created_by: row.9,
    })
}

pub fn list(a: &mut Archive) -> Result<Vec<Case>> {
    let refs: Vec<String> = a
        .conn()
        .prepare("SELECT reference FROM foi_cases ORDER BY status = 'closed', received, id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    refs.iter().map(|r| get(a, r)).collect()
}

/// Places (or widens) the hold over the case's scope.
fn hold_scope(a: &mut Archive, reference: &str, scope: &[String]) -> Result<()> {
    let Some(query) = scope_query(scope) else {
        return Ok(());
    };
    if holds::is_active(a, reference)? {
        holds::set_query(a, reference, &query)?;
    } else {
        holds::add(
            a,
            reference,
            &holds::Scope {
                query: Some(query),
                ..Default::default()
            },
            &format!("request {reference}"),
        )?;
    }
    Ok(())
}

/// Logs a request; its scope is held at once.
pub fn create(a: &mut Archive, c: &NewCase) -> Result<Case> {
    let reference = c.reference.trim();
    if reference.is_empty() {
        return Err(Error::InvalidArgument("the case reference is empty".into()));
    }
    let received = parse_date(&c.received, "--received")?;
    let zone_name = match &c.zone {
        Some(z) => {
            zone::parse_zone(z)?;
            z.clone()
        }
        None => "Europe/London".into(),
    };
    for q in &c.scope {
        // A scope that does not parse is refused before anything is written.
        check_query(q)?;
    }
    {
        let _lock = a.write_lock()?;
        let tx = a.conn_mut().transaction()?;
        let exists: bool = tx.query_row(
            "SELECT count(*) > 0 FROM foi_cases WHERE reference = ?1",
            [reference],
            |r| r.get(0),
        )?;
        if exists {
            return Err(Error::InvalidArgument(format!(
                "a case {reference:?} exists already"
            )));
        }
        tx.execute(
            "INSERT INTO foi_cases (reference, kind, requester, zone, received, complex, status, notes, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9)",
            params![
                reference,
                c.kind.as_str(),
                c.requester,
                zone_name,
                received.to_string(),
                c.complex,
                c.notes,
                records::now_ms(),
                actor()
            ],
        )?;
        let id = tx.last_insert_rowid();
        for q in &c.scope {
            tx.execute(
                "INSERT INTO foi_scope (case_id, query, added_at, added_by) VALUES (?1, ?2, ?3, ?4)",
                params![id, q, records::now_ms(), actor()],
            )?;
        }
        let due = clock::due_date(c.kind, received, c.complex, &[]);
        let entry = audit::append(
            &tx,
            &actor(),
            "foi.new",
            &json!({"case": reference, "kind": c.kind.as_str(), "requester": c.requester,
                    "received": received.to_string(), "complex": c.complex,
                    "due": due.map(|d| d.to_string()), "scope": c.scope}),
        )?;
        tx.commit()?;
        advance_head(a, &entry)?;
    }
    hold_scope(a, reference, &c.scope)?;
    get(a, reference)
}

/// Adds a saved search to the case's scope (and to its hold).
pub fn add_scope(a: &mut Archive, reference: &str, query: &str) -> Result<Case> {
    let id = case_id(a, reference)?;
    let case = get(a, reference)?;
    if case.status == CaseStatus::Closed {
        return Err(Error::InvalidArgument(format!(
            "the case {reference} is closed"
        )));
    }
    check_query(query)?;
    {
        let _lock = a.write_lock()?;
        let tx = a.conn_mut().transaction()?;
        tx.execute(
            "INSERT INTO foi_scope (case_id, query, added_at, added_by) VALUES (?1, ?2, ?3, ?4)",
            params![id, query, records::now_ms(), actor()],
        )?;
        let entry = audit::append(
            &tx,
            &actor(),
            "foi.scope",
            &json!({"case": case.reference, "query": query}),
        )?;
        tx.commit()?;
        advance_head(a, &entry)?;
    }
    let mut scope = case.scope;
    scope.push(query.to_string());
    hold_scope(a, &case.reference, &scope)?;
    get(a, reference)
}

fn update(
    a: &mut Archive,
    reference: &str,
    action: &str,
    detail: serde_json::Value,
    f: &dyn Fn(&rusqlite::Transaction<'_>, i64) -> Result<()>,
) -> Result<Case> {
    let id = case_id(a, reference)?;
    {
        let _lock = a.write_lock()?;
        let tx = a.conn_mut().transaction()?;
        f(&tx, id)?;
        let entry = audit::append(&tx, &actor(), action, &detail)?;
        tx.commit()?;
        advance_head(a, &entry)?;
    }
    get(a, reference)
}

/// A clarification asked of the requester on `asked`: the clock stops.
pub fn clarification_asked(a: &mut Archive, reference: &str, asked: &str) -> Result<Case> {
    let day = parse_date(asked, "--asked")?;
    let case = get(a, reference)?;
    if case.status != CaseStatus::Open {
        return Err(Error::InvalidArgument(format!(
            "the case {reference} is {}: a clarification is asked of an open case",
            case.status.as_str()
        )));
    }
    update(
        a,
        reference,
        "foi.clarification_asked",
        json!({"case": case.reference, "asked": day.to_string()}),
        &|tx, id| {
            tx.execute(
                "INSERT INTO foi_clarifications (case_id, asked) VALUES (?1, ?2)",
                params![id, day.to_string()],
            )?;
            tx.execute(
                "UPDATE foi_cases SET status = 'awaiting_clarification' WHERE id = ?1",
                [id],
            )?;
            Ok(())
        },
    )
}

/// The clarification arrived on `answered`: the clock restarts (FOI/EIR) or resumes.
pub fn clarification_answered(a: &mut Archive, reference: &str, answered: &str) -> Result<Case> {
    let day = parse_date(answered, "--answered")?;
    let case = get(a, reference)?;
    let asked = case
        .clarifications
        .last()
        .filter(|c| c.answered.is_none())
        .ok_or_else(|| {
            Error::InvalidArgument(format!("the case {reference} awaits no clarification"))
        })?;
    if day < parse_date(&asked.asked, "asked")? {
        return Err(Error::InvalidArgument(format!(
            "the answer ({day}) comes before the question ({})",
            asked.asked
        )));
    }
    update(
        a,
        reference,
        "foi.clarification_answered",
        json!({"case": case.reference, "answered": day.to_string()}),
        &|tx, id| {
            tx.execute(
                "UPDATE foi_clarifications SET answered = ?1 WHERE case_id = ?2 AND answered IS NULL",
                params![day.to_string(), id],
            )?;
            tx.execute("UPDATE foi_cases SET status = 'open' WHERE id = ?1", [id])?;
            Ok(())
        },
    )
}

/// The response was sent on `on`.
pub fn responded(a: &mut Archive, reference: &str, on: &str) -> Result<Case> {
    let day = parse_date(on, "--on")?;
    let case = get(a, reference)?;
    update(
        a,
        reference,
        "foi.responded",
        json!({"case": case.reference, "on": day.to_string(), "due": case.due}),
        &|tx, id| {
            tx.execute(
                "UPDATE foi_cases SET status = 'responded', responded_on = ?1 WHERE id = ?2",
                params![day.to_string(), id],
            )?;
            Ok(())
        },
    )
}

/// Closes the case and releases its hold (explicitly, on the record).
pub fn close(a: &mut Archive, reference: &str) -> Result<Case> {
    let case = get(a, reference)?;
    if case.status == CaseStatus::Closed {
        return Err(Error::InvalidArgument(format!(
            "the case {reference} is closed already"
        )));
    }
    let case = update(
        a,
        reference,
        "foi.close",
        json!({"case": case.reference}),
        &|tx, id| {
            tx.execute(
                "UPDATE foi_cases SET status = 'closed', closed_at = ?1 WHERE id = ?2",
                params![records::now_ms(), id],
            )?;
            Ok(())
        },
    )?;
    if case.hold.is_some() {
        holds::release(a, &case.reference)?;
    }
    get(a, reference)
}

/// Searches within the case's scope; the search is logged against the case (R3).
pub fn search(a: &mut Archive, reference: &str, req: &SearchRequest) -> Result<SearchResults> {
    let case = get(a, reference)?;
    let scope = scope_query(&case.scope).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "the case {reference} has no scope yet: add one with `holdfast foi scope`"
        ))
    })?;
    let query = if req.query.trim().is_empty() {
        format!("({scope})")
    } else {
        format!("({scope}) ({})", req.query)
    };
    let scoped = SearchRequest {
        query,
        ..req.clone()
    };
    let results = a.search(&scoped)?;
    records::log(
        a,
        "search",
        json!({"case": case.reference, "query": req.query, "hits": results.total}),
    )?;
    Ok(results)
}
