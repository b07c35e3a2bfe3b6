//! Applying the retention policies to the archive: which policies cover each message, what
//! [`precedence::resolve`] makes of them, what is due at a date, and why (`retention explain`).
//!
//! Each policy's selector runs once over the search index (a sorted list of message ids), then
//! one pass over the messages walks those lists side by side: a million messages take a few
//! seconds, not a query each.

use std::collections::{BTreeMap, HashMap};

use rusqlite::OptionalExtension;
use serde::Serialize;
use ts_rs::TS;

use super::holds::{self, HeldSet};
use super::policies::{self, Policy, RetainFrom, UNTRIAGED};
use super::precedence::{self, Action, Applicable, Resolution, Until};
use crate::archive::query::rfc3339;
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;

/// The enabled policies with the messages each selects.
pub struct Assessor {
    pub policies: Vec<Policy>,
    selected: Vec<Vec<i64>>,
    last_activity: HashMap<i64, i64>,
    pub held: HeldSet,
}

impl Assessor {
    pub fn new(a: &mut Archive) -> Result<Assessor> {
        let policies: Vec<Policy> = policies::list(a)?
            .into_iter()
            .filter(|p| p.enabled)
            .collect();
        let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
        let triage: Vec<i64> = a
            .conn()
            .prepare("SELECT id FROM tags WHERE triage = 1")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        a.search_index()?;
        let mut selected = Vec::with_capacity(policies.len());
        {
            let (idx, conn) = a.index_and_conn();
            for p in &policies {
                selected.push(if p.query == UNTRIAGED {
                    idx.ids_without_tags(&triage)?
                } else {
                    idx.matching_ids(conn, &p.query, tz)?
                });
            }
        }
        let last_activity = a
            .conn()
            .prepare("SELECT conversation_id, max(sent_at) FROM messages GROUP BY conversation_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let held = holds::active(a)?;
        Ok(Assessor {
            policies,
            selected,
            last_activity,
            held,
        })
    }

    fn applicable(&self, i: usize, conversation: i64, sent_at: i64) -> Applicable {
        let p = &self.policies[i];
        let period = p.period();
        let base = match p.from {
            RetainFrom::Sent => sent_at,
            RetainFrom::LastActivity => *self.last_activity.get(&conversation).unwrap_or(&sent_at),
        };
        let from = chrono::DateTime::from_timestamp_millis(base).unwrap_or_default();
        Applicable {
            policy: i,
            end: period.end_from(from).timestamp_millis(),
            action: p.then,
            explicit: p.explicit,
            days: period.approx_days(),
        }
    }

    /// The outcome for one message (by lookup: for single messages).
    pub fn resolve_one(&self, id: i64, conversation: i64, sent_at: i64) -> Resolution {
        let applicable: Vec<Applicable> = (0..self.policies.len())
            .filter(|i| self.selected[*i].binary_search(&id).is_ok())
            .map(|i| self.applicable(i, conversation, sent_at))
            .collect();
        precedence::resolve(&applicable, self.held.is_held(id))
    }

    /// Calls `f` with every message's outcome, in id order, in one pass.
    pub fn for_each(
        &self,
        a: &Archive,
        f: &mut dyn FnMut(i64, &Resolution) -> Result<()>,
    ) -> Result<u64> {
        let mut cursors = vec![0usize; self.policies.len()];
        let mut applicable = Vec::with_capacity(self.policies.len());
        let mut stmt = a
            .conn()
            .prepare("SELECT id, conversation_id, sent_at FROM messages ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            let (id, conversation, sent_at): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            applicable.clear();
            for (i, sel) in self.selected.iter().enumerate() {
                let c = &mut cursors[i];
                while *c < sel.len() && sel[*c] < id {
                    *c += 1;
                }
                if *c < sel.len() && sel[*c] == id {
                    applicable.push(self.applicable(i, conversation, sent_at));
                }
            }
            let res = precedence::resolve(&applicable, self.held.is_held(id));
            f(id, &res)?;
            n += 1;
        }
        Ok(n)
    }
}

/// Messages due under one policy and action.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DueGroup {
    pub policy: String,
    pub action: Action,
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "Array<number>")]
    pub ids: Vec<i64>,
}

/// Messages that would be due but are held.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HeldGroup {
    pub holds: Vec<String>,
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "Array<number>")]
    pub ids: Vec<i64>,
}

/// What is due at a date (`dispose --dry-run`).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DuePlan {
    pub as_of: String,
    #[ts(type = "number")]
    pub evaluated: u64,
    /// Due for deletion, per policy.
    pub due: Vec<DueGroup>,
    /// Due for a person's review, per policy.
    pub review: Vec<DueGroup>,
    /// Due, but held: never disposed of while a hold covers them.
    pub held: Vec<HeldGroup>,
    pub took_ms: f64,
}

impl DuePlan {
    pub fn due_messages(&self) -> u64 {
        self.due.iter().map(|g| g.messages).sum()
    }
}

/// Evaluates every policy over every message as of `as_of` (unix ms).
pub fn due(a: &mut Archive, as_of: i64) -> Result<DuePlan> {
    let started = std::time::Instant::now();
    let assessor = Assessor::new(a)?;
    // Review items a reviewer decided to keep, until when.
    let kept: std::collections::HashMap<i64, (String, i64)> = a
        .conn()
        .prepare("SELECT message_id, policy, keep_until FROM review_decisions")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    // A decision answers the review its policy asked for, not another policy's.
    let decided = |id: i64, by: Option<usize>| {
        kept.get(&id).is_some_and(|(policy, until)| {
            *until > as_of && by.is_some_and(|i| assessor.policies[i].name == *policy)
        })
    };
    let mut due: BTreeMap<(usize, &'static str), Vec<i64>> = BTreeMap::new();
    let mut held: BTreeMap<Vec<String>, Vec<i64>> = BTreeMap::new();
    let evaluated = assessor.for_each(a, &mut |id, res| {
        let unheld = Resolution {
            held: false,
            ..res.clone()
        };
        match unheld.due(as_of) {
            Some(action) if res.held => {
                let names = assessor
                    .held
                    .holds_of(id)
                    .into_iter()
                    .map(String::from)
                    .collect();
                held.entry(names).or_default().push(id);
                let _ = action;
            }
            Some(Action::Review) if decided(id, res.action_by) => {}
            Some(action) => {
                let by = res.action_by.unwrap_or_default();
                due.entry((by, action.as_str())).or_default().push(id);
            }
            None => {}
        }
        Ok(())
    })?;
    let group = |(i, action): (usize, &str), ids: Vec<i64>| DueGroup {
        policy: assessor.policies[i].name.clone(),
        action: Action::parse(action).unwrap_or(Action::Review),
        messages: ids.len() as u64,
        ids,
    };
    let (mut deletions, mut reviews) = (Vec::new(), Vec::new());
    for (k, ids) in due {
        let g = group(k, ids);
        if g.action == Action::Delete {
            deletions.push(g);
        } else {
            reviews.push(g);
        }
    }
    Ok(DuePlan {
        as_of: rfc3339(as_of),
        evaluated,
        due: deletions,
        review: reviews,
        held: held
            .into_iter()
            .map(|(holds, ids)| HeldGroup {
                holds,
                messages: ids.len() as u64,
                ids,
            })
            .collect(),
        took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
    })
}

/// One policy as it applies to a message.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Applies {
    pub policy: String,
    #[serde(rename = "match")]
    #[ts(rename = "match")]
    pub query: String,
    pub ends: String,
    pub then: Action,
    pub explicit: bool,
}

/// What `retention explain` says.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Explanation {
    pub message: String,
    /// `kept until 2031-03-01 by 'Business records 6y', then review; held by FOI-2026-014`
    pub summary: String,
    /// A date (`2031-03-01`), `forever`, or null when no policy covers it.
    pub kept_until: Option<String>,
    pub then: Option<Action>,
    pub retained_by: Option<String>,
    pub action_by: Option<String>,
    pub reason: String,
    pub held_by: Vec<String>,
    pub policies: Vec<Applies>,
    /// Whether the original export this message came from is kept, and why.
    pub original: String,
}

pub fn explain(a: &mut Archive, message: &str) -> Result<Explanation> {
    let id: i64 = message
        .trim()
        .parse()
        .map_err(|_| Error::InvalidArgument(format!("{message:?} is not a message id")))?;
    let row: Option<(i64, i64, i64)> = a
        .conn()
        .query_row(
            "SELECT m.conversation_id, m.sent_at, f.source_id FROM messages m
             JOIN source_files f ON f.id = m.source_file WHERE m.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((conversation, sent_at, source)) = row else {
        let disposed: Option<i64> = a
            .conn()
            .query_row(
                "SELECT disposal_id FROM disposed_messages WHERE message_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        return Err(Error::NotFound(match disposed {
            Some(d) => format!("message {id} was disposed of (certificate {d})"),
            None => format!("no message {id} in the archive"),
        }));
    };
    let assessor = Assessor::new(a)?;
    let res = assessor.resolve_one(id, conversation, sent_at);
    let name = |i: Option<usize>| i.map(|i| assessor.policies[i].name.clone());
    let held_by: Vec<String> = assessor
        .held
        .holds_of(id)
        .into_iter()
        .map(String::from)
        .collect();
    let kept_until = match res.until {
        Until::NoPolicy => None,
        Until::Forever => Some("forever".to_string()),
        Until::Date(ms) => Some(precedence::date_label(ms)),
    };
    let mut summary = match (&kept_until, res.until) {
        (_, Until::NoPolicy) => "no retention policy covers it: kept until someone decides".into(),
        (_, Until::Forever) => format!(
            "kept permanently by '{}'",
            name(res.retained_by).unwrap_or_default()
        ),
        (Some(date), Until::Date(_)) => {
            let mut s = format!(
                "kept until {date} by '{}', then {}",
                name(res.retained_by).unwrap_or_default(),
                res.action.map_or("nothing", |a| a.as_str())
            );
            if res.action_by != res.retained_by {
                s.push_str(&format!(" ('{}')", name(res.action_by).unwrap_or_default()));
            }
            s
        }
        _ => String::new(),
    };
    if !held_by.is_empty() {
        summary.push_str(&format!("; held by {}", held_by.join(", ")));
    }
    let policies = (0..assessor.policies.len())
        .filter(|i| assessor.selected[*i].binary_search(&id).is_ok())
        .map(|i| {
            let ap = assessor.applicable(i, conversation, sent_at);
            let p = &assessor.policies[i];
            Applies {
                policy: p.name.clone(),
                query: p.query.clone(),
                ends: precedence::date_label(ap.end),
                then: p.then,
                explicit: p.explicit,
            }
        })
        .collect();
    let (file, remaining): (String, i64) = a.conn().query_row(
        "SELECT s.file_name, (SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file WHERE f.source_id = s.id)
         FROM sources s WHERE s.id = ?1",
        [source],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Explanation {
        message: id.to_string(),
        summary,
        kept_until,
        then: res.action,
        retained_by: name(res.retained_by),
        action_by: name(res.action_by),
        reason: res.reason.to_string(),
        held_by,
        policies,
        original: format!(
            "the original export {file} is kept while any message from it is retained ({remaining} now, this one included)"
        ),
    })
}
