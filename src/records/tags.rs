//! Tags on conversations and messages, and triage: every message is business, personal or
//! transitory (one of the three at a time; a message's own class replaces its conversation's).
//! Tags are annotations: adding or removing one never touches the captured message. The index
//! carries each message's effective tags, so `tag:` searches and facets follow every change.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::holds;
use super::{actor, advance_head, refuse, sync_index};
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;

/// The triage classes, built in.
pub const TRIAGE: [&str; 3] = ["business", "personal", "transitory"];
/// The class a hold keeps items in.
pub const RETAINED_CLASS: &str = "business";

/// What a tag goes on.
#[derive(Debug, Clone)]
pub enum Target {
    Conversation(i64),
    Messages(Vec<i64>),
    /// Every message a search matches.
    Match(String),
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TagInfo {
    pub name: String,
    pub triage: bool,
    #[ts(type = "number")]
    pub conversations: u64,
    /// Messages tagged one by one (not counting those tagged through their conversation).
    #[ts(type = "number")]
    pub messages: u64,
}

/// What a tag change did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TagChange {
    pub tag: String,
    /// Messages whose tags changed.
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub conversations: u64,
}

fn norm(tag: &str) -> Result<String> {
    let t = tag.trim();
    if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c == '"') {
        return Err(Error::InvalidArgument(format!(
            "tag {tag:?}: a tag is one word (letters, digits, - and _)"
        )));
    }
    Ok(t.to_lowercase())
}

fn tag_id(tx: &Transaction<'_>, name: &str) -> Result<Option<i64>> {
    Ok(tx
        .query_row(
            "SELECT id FROM tags WHERE name = ?1 COLLATE NOCASE",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// The messages a target covers, sorted.
fn target_messages(a: &mut Archive, target: &Target) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = match target {
        Target::Conversation(c) => {
            let exists: bool = a.conn().query_row(
                "SELECT count(*) > 0 FROM conversations WHERE id = ?1",
                [c],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(Error::NotFound(format!(
                    "no conversation {c} in the archive"
                )));
            }
            a.conn()
                .prepare("SELECT id FROM messages WHERE conversation_id = ?1")?
                .query_map([c], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
        Target::Messages(ids) => {
            super::require_messages(a, ids)?;
            ids.clone()
        }
        Target::Match(q) => {
            let tz = zone::system_zone().unwrap_or(chrono_tz::UTC);
            a.search_index()?;
            let (idx, conn) = a.index_and_conn();
            idx.matching_ids(conn, q, tz)?
        }
    };
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Messages among `ids` whose effective class is business now.
fn business_now(a: &Archive, ids: &[i64]) -> Result<Vec<i64>> {
    let mut stmt = a.conn().prepare_cached(
        "SELECT CASE
           WHEN EXISTS (SELECT 1 FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
                        WHERE mt.message_id = m.id AND t.triage = 1)
             THEN EXISTS (SELECT 1 FROM message_tags mt JOIN tags t ON t.id = mt.tag_id
                          WHERE mt.message_id = m.id AND t.name = 'business')
           ELSE EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
                        WHERE ct.conversation_id = m.conversation_id AND t.name = 'business')
         END FROM messages m WHERE m.id = ?1",
    )?;
    let mut out = Vec::new();
    for id in ids {
        if stmt.query_row([id], |r| r.get::<_, bool>(0))? {
            out.push(*id);
        }
    }
    Ok(out)
}

fn describe(target: &Target) -> serde_json::Value {
    match target {
        Target::Conversation(c) => json!({"conversation": c}),
        Target::Messages(ids) => json!({"messages": ids}),
        Target::Match(q) => json!({"match": q}),
    }
}

/// Refuses (and audits) a change that would take held business records out of business.
fn check_holds(
    a: &mut Archive,
    action: &str,
    tag: &str,
    target: &Target,
    ids: &[i64],
) -> Result<()> {
    let business = business_now(a, ids)?;
    if business.is_empty() {
        return Ok(());
    }
    let held = holds::active(a)?;
    if let Some((id, names)) = held.first_held(&business) {
        let why = format!(
            "message {id} is held by {}: it can't be moved out of {RETAINED_CLASS} while held",
            names.join(", ")
        );
        let mut detail = describe(target);
        detail["tag"] = json!(tag);
        return Err(refuse(a, action, detail, why));
    }
    Ok(())
}

/// The active holds and locked policies whose selector names `tag:` this tag: a tag they
/// depend on can't be renamed, merged away or deleted (they would silently cover nothing).
fn named_by(a: &Archive, tag: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = a.conn().prepare(
        "SELECT 'hold ' || name, match FROM holds WHERE released_at IS NULL
         UNION ALL SELECT 'locked policy ' || name, match FROM policies WHERE locked = 1",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (who, query) = row?;
        if crate::index::query::parse(&query).is_ok_and(|n| names_tag(&n, tag)) {
            out.push(who);
        }
    }
    Ok(out)
}

fn names_tag(node: &crate::index::query::Node, tag: &str) -> bool {
    use crate::index::query::{Filter, Node};
    match node {
        Node::Filter(Filter::Tag(t)) => t.eq_ignore_ascii_case(tag),
        Node::And(v) | Node::Or(v) => v.iter().any(|n| names_tag(n, tag)),
        Node::Not(n) => names_tag(n, tag),
        _ => false,
    }
}

/// Refuses (and audits) renaming, merging or deleting a tag a hold or locked policy names.
fn check_named(a: &mut Archive, action: &str, tag: &str) -> Result<()> {
    let by = named_by(a, tag)?;
    if by.is_empty() {
        return Ok(());
    }
    let why = format!(
        "the tag {tag} is named by {}: it can't be {}",
        by.join(", "),
        match action {
            "tag.delete" => "deleted",
            _ => "renamed or merged away",
        }
    );
    Err(refuse(a, action, json!({"tag": tag}), why))
}

/// Puts a tag on a conversation, messages, or every message a search matches. A triage class
/// replaces the target's other class.
pub fn add(a: &mut Archive, tag: &str, target: &Target) -> Result<TagChange> {
    let tag = norm(tag)?;
    a.catch_up_index(&mut |_, _| {})?;
    // Holds are checked and the change made under one write lock.
    let _lock = a.write_lock()?;
    let ids = target_messages(a, target)?;
    let triage = TRIAGE.contains(&tag.as_str());
    if triage && tag != RETAINED_CLASS {
        check_holds(a, "tag.add", &tag, target, &ids)?;
    }
    let tx = a.conn_mut().transaction()?;
    tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [&tag])?;
    let t = tag_id(&tx, &tag)?.expect("just inserted");
    let mut conversations = 0;
    match target {
        Target::Conversation(c) => {
            if triage {
                tx.execute(
                    "DELETE FROM conversation_tags WHERE conversation_id = ?1
                     AND tag_id IN (SELECT id FROM tags WHERE triage = 1 AND id != ?2)",
                    params![c, t],
                )?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id) VALUES (?1, ?2)",
                params![c, t],
            )?;
            conversations = 1;
        }
        Target::Messages(_) | Target::Match(_) => {
            let mut clear = tx.prepare(
                "DELETE FROM message_tags WHERE message_id = ?1
                 AND tag_id IN (SELECT id FROM tags WHERE triage = 1 AND id != ?2)",
            )?;
            let mut put = tx.prepare(
                "INSERT OR IGNORE INTO message_tags (message_id, tag_id) VALUES (?1, ?2)",
            )?;
            for id in &ids {
                if triage {
                    clear.execute(params![id, t])?;
                }
                put.execute(params![id, t])?;
            }
        }
    }
    mark_dirty(&tx, &ids)?;
    let mut detail = describe(target);
    detail["tag"] = json!(tag);
    detail["count"] = json!(ids.len());
    let entry = super::audit::append(&tx, &actor(), "tag.add", &detail)?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    sync_index(a)?;
    Ok(TagChange {
        tag,
        messages: ids.len() as u64,
        conversations,
    })
}

fn mark_dirty(tx: &Transaction<'_>, ids: &[i64]) -> Result<()> {
    let mut dirty = tx.prepare("INSERT OR IGNORE INTO index_dirty (message_id) VALUES (?1)")?;
    for id in ids {
        dirty.execute([id])?;
    }
    Ok(())
}

/// Takes a tag off a conversation, messages, or every message a search matches.
pub fn remove(a: &mut Archive, tag: &str, target: &Target) -> Result<TagChange> {
    let tag = norm(tag)?;
    a.catch_up_index(&mut |_, _| {})?;
    let _lock = a.write_lock()?;
    let ids = target_messages(a, target)?;
    if tag == RETAINED_CLASS {
        check_holds(a, "tag.remove", &tag, target, &ids)?;
    } else if !named_by(a, &tag)?.is_empty() {
        let held = holds::active(a)?;
        if let Some((id, names)) = held.first_held(&ids) {
            let why = format!(
                "message {id} is held by {} and the tag {tag} is in a hold's or locked policy's scope: it can't be removed while held",
                names.join(", ")
            );
            let mut detail = describe(target);
            detail["tag"] = json!(tag);
            return Err(refuse(a, "tag.remove", detail, why));
        }
    }
    let tx = a.conn_mut().transaction()?;
    let t = tag_id(&tx, &tag)?.ok_or_else(|| Error::NotFound(format!("no tag {tag:?}")))?;
    let mut conversations = 0;
    match target {
        Target::Conversation(c) => {
            conversations = tx.execute(
                "DELETE FROM conversation_tags WHERE conversation_id = ?1 AND tag_id = ?2",
                params![c, t],
            )? as u64;
        }
        Target::Messages(_) | Target::Match(_) => {
            let mut del =
                tx.prepare("DELETE FROM message_tags WHERE message_id = ?1 AND tag_id = ?2")?;
            for id in &ids {
                del.execute(params![id, t])?;
            }
        }
    }
    mark_dirty(&tx, &ids)?;
    let mut detail = describe(target);
    detail["tag"] = json!(tag);
    detail["count"] = json!(ids.len());
    let entry = super::audit::append(&tx, &actor(), "tag.remove", &detail)?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    sync_index(a)?;
    Ok(TagChange {
        tag,
        messages: ids.len() as u64,
        conversations,
    })
}

pub fn list(a: &Archive) -> Result<Vec<TagInfo>> {
    Ok(a.conn()
        .prepare(
            "SELECT t.name, t.triage,
                    (SELECT count(*) FROM conversation_tags c WHERE c.tag_id = t.id),
                    (SELECT count(*) FROM message_tags m WHERE m.tag_id = t.id)
             FROM tags t ORDER BY t.triage DESC, t.name",
        )?
        .query_map([], |r| {
            Ok(TagInfo {
                name: r.get(0)?,
                triage: r.get(1)?,
                conversations: r.get::<_, i64>(2)? as u64,
                messages: r.get::<_, i64>(3)? as u64,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Renames a tag (`into` new), or merges it into an existing one (`into` exists): every
/// conversation and message carrying it then carries `into`. Triage classes stay as they are.
pub fn rename(a: &mut Archive, tag: &str, into: &str) -> Result<TagChange> {
    let (tag, into) = (norm(tag)?, norm(into)?);
    if TRIAGE.contains(&tag.as_str()) || TRIAGE.contains(&into.as_str()) {
        return Err(Error::InvalidArgument(format!(
            "{} is a triage class: tags can't be renamed to or from one (use tag add)",
            if TRIAGE.contains(&tag.as_str()) {
                &tag
            } else {
                &into
            }
        )));
    }
    check_named(a, "tag.rename", &tag)?;
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    let from = tag_id(&tx, &tag)?.ok_or_else(|| Error::NotFound(format!("no tag {tag:?}")))?;
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT message_id FROM message_tags WHERE tag_id = ?1
             UNION SELECT m.id FROM messages m JOIN conversation_tags c ON c.conversation_id = m.conversation_id WHERE c.tag_id = ?1",
        )?
        .query_map([from], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let action = match tag_id(&tx, &into)? {
        None => {
            tx.execute(
                "UPDATE tags SET name = ?1 WHERE id = ?2",
                params![into, from],
            )?;
            "tag.rename"
        }
        Some(to) => {
            tx.execute(
                "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id)
                 SELECT conversation_id, ?2 FROM conversation_tags WHERE tag_id = ?1",
                params![from, to],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO message_tags (message_id, tag_id)
                 SELECT message_id, ?2 FROM message_tags WHERE tag_id = ?1",
                params![from, to],
            )?;
            tx.execute("DELETE FROM conversation_tags WHERE tag_id = ?1", [from])?;
            tx.execute("DELETE FROM message_tags WHERE tag_id = ?1", [from])?;
            tx.execute("DELETE FROM tags WHERE id = ?1", [from])?;
            mark_dirty(&tx, &ids)?;
            "tag.merge"
        }
    };
    let entry = super::audit::append(
        &tx,
        &actor(),
        action,
        &json!({"tag": tag, "into": into, "count": ids.len()}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    sync_index(a)?;
    Ok(TagChange {
        tag: into,
        messages: ids.len() as u64,
        conversations: 0,
    })
}

/// Deletes a tag from everything (triage classes can't be deleted).
pub fn delete(a: &mut Archive, tag: &str) -> Result<TagChange> {
    let tag = norm(tag)?;
    if TRIAGE.contains(&tag.as_str()) {
        return Err(Error::InvalidArgument(format!(
            "{tag} is a triage class: it can't be deleted"
        )));
    }
    check_named(a, "tag.delete", &tag)?;
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    let t = tag_id(&tx, &tag)?.ok_or_else(|| Error::NotFound(format!("no tag {tag:?}")))?;
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT message_id FROM message_tags WHERE tag_id = ?1
             UNION SELECT m.id FROM messages m JOIN conversation_tags c ON c.conversation_id = m.conversation_id WHERE c.tag_id = ?1",
        )?
        .query_map([t], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute("DELETE FROM conversation_tags WHERE tag_id = ?1", [t])?;
    tx.execute("DELETE FROM message_tags WHERE tag_id = ?1", [t])?;
    tx.execute("DELETE FROM tags WHERE id = ?1", [t])?;
    mark_dirty(&tx, &ids)?;
    let entry = super::audit::append(
        &tx,
        &actor(),
        "tag.delete",
        &json!({"tag": tag, "count": ids.len()}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    sync_index(a)?;
    Ok(TagChange {
        tag,
        messages: ids.len() as u64,
        conversations: 0,
    })
}
