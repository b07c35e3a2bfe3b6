//! Reading the archive: counts, conversations, messages.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use crate::api::types::{
    AttachmentStatus, AttachmentView, ConversationList, ConversationSummary, ConversationView,
    MessageView, ShowOptions, Stats,
};
use crate::error::{Error, Result};
use crate::import::{ConversationKind, MessageKind, PositionKind};

pub const DEFAULT_PAGE: u64 = 200;
pub const MAX_PAGE: u64 = 5000;

/// RFC 3339 UTC with a `Z`, as every time in the API.
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn count(conn: &Connection, sql: &str) -> Result<u64> {
    Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
}

pub fn stats(conn: &Connection) -> Result<Stats> {
    // Per conversation from the (conversation, time) index: a count, and min/max by seeking,
    // rather than joining every message to its conversation and sorting them by app.
    let mut by_app = BTreeMap::new();
    let (mut messages, mut first, mut last) = (0u64, None::<i64>, None::<i64>);
    let mut stmt = conn.prepare(
        "SELECT c.app,
                (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id),
                (SELECT min(sent_at) FROM messages m WHERE m.conversation_id = c.id),
                (SELECT max(sent_at) FROM messages m WHERE m.conversation_id = c.id)
         FROM conversations c",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)? as u64,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })?;
    for row in rows {
        let (app, n, min, max) = row?;
        if n > 0 {
            *by_app.entry(app).or_insert(0) += n;
        }
        messages += n;
        first = match (first, min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        last = last.max(max);
    }
    Ok(Stats {
        sources: count(conn, "SELECT count(*) FROM sources")?,
        conversations: count(conn, "SELECT count(*) FROM conversations")?,
        messages,
        attachments: count(conn, "SELECT count(*) FROM attachments")?,
        by_app,
        first: first.map(rfc3339),
        last: last.map(rfc3339),
    })
}

fn parse_id(id: &str, what: &str) -> Result<i64> {
    id.trim().parse::<i64>().map_err(|_| {
        Error::NotFound(format!(
            "no {what} with id '{id}' (ids are numbers: see `holdfast conversations`)"
        ))
    })
}

fn summary(conn: &Connection, id: i64) -> Result<ConversationSummary> {
    let row = conn
        .query_row(
            "SELECT c.app, c.title, c.kind,
                    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id),
                    (SELECT min(sent_at) FROM messages m WHERE m.conversation_id = c.id),
                    (SELECT max(sent_at) FROM messages m WHERE m.conversation_id = c.id)
             FROM conversations c WHERE c.id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no conversation with id '{id}'")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT p.display_name FROM conversation_members cm JOIN participants p ON p.id = cm.participant_id
         WHERE cm.conversation_id = ?1 ORDER BY p.display_name",
    )?;
    let participants = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let tags = conn
        .prepare_cached(
            "SELECT t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
             WHERE ct.conversation_id = ?1 ORDER BY t.name",
        )?
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ConversationSummary {
        tags,
        id: id.to_string(),
        app: row.0,
        title: row.1,
        kind: ConversationKind::parse(&row.2).unwrap_or(ConversationKind::Group),
        participants,
        messages: row.3 as u64,
        first: row.4.map(rfc3339),
        last: row.5.map(rfc3339),
    })
}

/// Every conversation, most recently active first.
pub fn conversations(conn: &Connection) -> Result<ConversationList> {
    let mut stmt = conn.prepare(
        "SELECT c.id FROM conversations c
         ORDER BY (SELECT max(sent_at) FROM messages m WHERE m.conversation_id = c.id) DESC, c.id",
    )?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let conversations = ids
        .into_iter()
        .map(|id| summary(conn, id))
        .collect::<Result<Vec<_>>>()?;
    Ok(ConversationList { conversations })
}

fn attachments(conn: &Connection, message_id: i64) -> Result<Vec<AttachmentView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, mime, size, status FROM attachments WHERE message_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([message_id], |r| {
        Ok(AttachmentView {
            id: r.get::<_, i64>(0)?.to_string(),
            name: r.get(1)?,
            mime: r.get(2)?,
            size: r.get::<_, Option<i64>>(3)?.map(|s| s as u64),
            status: AttachmentStatus::parse(&r.get::<_, String>(4)?)
                .unwrap_or(AttachmentStatus::Missing),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A page of a conversation's messages, oldest first; or the context around one message.
pub fn show(conn: &Connection, conversation: &str, opts: &ShowOptions) -> Result<ConversationView> {
    let id = parse_id(conversation, "conversation")?;
    let conversation = summary(conn, id)?;
    let total = conversation.messages;
    let (offset, limit) = match &opts.around {
        Some(message) => {
            let mid = parse_id(message, "message")?;
            let pos: Option<i64> = conn
                .query_row(
                    "SELECT (SELECT count(*) FROM messages o WHERE o.conversation_id = m.conversation_id
                             AND (o.sent_at, o.id) < (m.sent_at, m.id))
                     FROM messages m WHERE m.id = ?1 AND m.conversation_id = ?2",
                    params![mid, id],
                    |r| r.get(0),
                )
                .optional()?;
            let pos = pos.ok_or_else(|| {
                Error::NotFound(format!("no message '{message}' in conversation {id}"))
            })? as u64;
            let context = opts.context.unwrap_or(5).min(MAX_PAGE / 2);
            (pos.saturating_sub(context), 2 * context + 1)
        }
        None => (
            opts.offset.unwrap_or(0),
            opts.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
        ),
    };
    // The page's ids come from the (conversation, time) index alone: skipping `offset`
    // messages reads no message rows (each would be decrypted) and joins nothing.
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, p.display_name, m.sent_at, m.local_time, m.kind, m.body, m.edited,
                f.path, f.positions, m.source_pos, m.reactions,
                (SELECT r.id FROM messages r WHERE r.conversation_id = m.conversation_id
                   AND r.native_id = m.reply_to AND m.reply_to IS NOT NULL LIMIT 1)
         FROM (SELECT id FROM messages WHERE conversation_id = ?1
               ORDER BY sent_at, id LIMIT ?2 OFFSET ?3) page
         JOIN messages m ON m.id = page.id
         LEFT JOIN participants p ON p.id = m.sender_id
         JOIN source_files f ON f.id = m.source_file
         ORDER BY m.sent_at, m.id",
    )?;
    let rows = stmt
        .query_map(params![id, limit as i64, offset as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
                PositionKind::decode(&r.get::<_, String>(8)?)
                    .locate(&r.get::<_, String>(7)?, r.get::<_, i64>(9)? as u64),
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<i64>>(11)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut messages = Vec::with_capacity(rows.len());
    for (mid, sender, sent_at, local_time, kind, body, edited, source, reactions, reply_to) in rows
    {
        messages.push(MessageView {
            id: mid.to_string(),
            sender,
            sent_at: rfc3339(sent_at),
            local_time,
            kind: MessageKind::parse(&kind).unwrap_or(MessageKind::Text),
            text: body,
            edited,
            reply_to: reply_to.map(|r| r.to_string()),
            reactions: reactions
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default(),
            attachments: attachments(conn, mid)?,
            source,
        });
    }
    Ok(ConversationView {
        conversation,
        messages,
        total,
        offset,
    })
}
