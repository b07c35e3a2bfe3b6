//! Redaction (records.md R5): spans of a message, or whole messages, each with an exemption
//! code; suggestions for personal data (e-mail addresses, phone numbers, UK postcodes,
//! National Insurance numbers, the names of participants other than the requester) that a
//! person accepts or rejects. The captured message is never changed: redactions are rows beside
//! it, burned in only when a production is written ([`burn`]).

use std::sync::OnceLock;

use regex::Regex;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::review::{case_id, in_scope};
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::records::{actor, advance_head, audit, now_ms};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Redaction {
    pub id: String,
    pub message_id: String,
    /// Character offsets `[start, end)` in the message's text; null for the whole message.
    #[ts(type = "number | null")]
    pub start: Option<u64>,
    #[ts(type = "number | null")]
    pub end: Option<u64>,
    pub code: String,
    /// `accepted`, `suggested` or `rejected`.
    pub status: String,
    /// What the span covers (for the reviewer; never produced).
    pub text: String,
    pub by: String,
}

/// What to redact in one message.
#[derive(Debug, Clone)]
pub enum Span {
    Whole,
    Chars(u64, u64),
    /// Every occurrence of this text in the message.
    Text(String),
}

fn body(a: &Archive, message: i64) -> Result<String> {
    a.conn()
        .query_row("SELECT body FROM messages WHERE id = ?1", [message], |r| {
            r.get(0)
        })
        .map_err(|_| Error::NotFound(format!("no message {message} in the archive")))
}

/// Character ranges of every occurrence of `needle` in `text`.
fn occurrences(text: &str, needle: &str) -> Vec<(u64, u64)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (byte, _) in text.match_indices(needle) {
        let start = text[..byte].chars().count() as u64;
        out.push((start, start + needle.chars().count() as u64));
    }
    out
}

fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take(end.saturating_sub(start) as usize)
        .collect()
}

fn insert(
    tx: &rusqlite::Transaction<'_>,
    case: i64,
    message: i64,
    span: Option<(u64, u64)>,
    code: &str,
    status: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO foi_redactions (case_id, message_id, start, end, code, status, by, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            case,
            message,
            span.map(|s| s.0 as i64),
            span.map(|s| s.1 as i64),
            code,
            status,
            actor(),
            now_ms()
        ],
    )?;
    Ok(())
}

/// Redacts a span, the whole message, or every occurrence of a text, under an exemption code.
pub fn add(
    a: &mut Archive,
    reference: &str,
    message: i64,
    span: &Span,
    code: &str,
) -> Result<Vec<Redaction>> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::InvalidArgument(
            "a redaction needs its exemption: --code 's40(2)' (s41, s42, s43, or your own words)"
                .into(),
        ));
    }
    let scope = in_scope(a, reference)?;
    if scope.binary_search(&message).is_err() {
        return Err(Error::InvalidArgument(format!(
            "message {message} is not in the scope of case {reference}"
        )));
    }
    let text = body(a, message)?;
    let len = text.chars().count() as u64;
    let spans: Vec<Option<(u64, u64)>> = match span {
        Span::Whole => vec![None],
        Span::Chars(s, e) if s < e && *e <= len => vec![Some((*s, *e))],
        Span::Chars(s, e) => {
            return Err(Error::InvalidArgument(format!(
                "span {s}:{e} is not inside message {message} ({len} characters)"
            )))
        }
        Span::Text(t) => {
            let found = occurrences(&text, t);
            if found.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "message {message} does not contain the text to redact"
                )));
            }
            found.into_iter().map(Some).collect()
        }
    };
    let case = case_id(a, reference)?;
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    for s in &spans {
        insert(&tx, case, message, *s, code, "accepted")?;
    }
    let entry = audit::append(
        &tx,
        &actor(),
        "foi.redact",
        &json!({"case": reference.trim(), "message": message, "code": code,
                "spans": spans.iter().map(|s| s.map(|(a, b)| vec![a, b])).collect::<Vec<_>>()}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    Ok(list(a, reference)?
        .into_iter()
        .filter(|r| r.message_id == message.to_string())
        .collect())
}

fn patterns() -> &'static [(&'static str, Regex)] {
    static P: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            ("e-mail address", r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),
            // International and UK numbers: +44 7700 900123, 07700 900123, (020) 7946 0018.
            ("phone number", r"(?:\+\d{1,3}[\s\-]?(?:\(0\))?\d{2,5}|\(?0\d{2,5}\)?)[\s\-]?\d{3,4}[\s\-]?\d{3,4}\b"),
            ("UK postcode", r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"),
            ("National Insurance number", r"(?i)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"),
        ]
        .into_iter()
        .map(|(what, re)| (what, Regex::new(re).expect("a valid pattern")))
        .collect()
    })
}

/// Character ranges of personal data in `text`: the patterns, and the given names (whole words).
pub fn find_personal_data(text: &str, names: &[String]) -> Vec<(u64, u64, &'static str)> {
    let char_at = |byte: usize| text[..byte].chars().count() as u64;
    let mut out: Vec<(u64, u64, &'static str)> = Vec::new();
    for (what, re) in patterns() {
        for m in re.find_iter(text) {
            out.push((char_at(m.start()), char_at(m.end()), what));
        }
    }
    for name in names {
        let name = name.trim();
        if name.chars().count() < 3 || !name.chars().any(char::is_alphabetic) {
            continue;
        }
        let re = Regex::new(&format!(r"\b{}\b", regex::escape(name))).expect("escaped");
        for m in re.find_iter(text) {
            out.push((char_at(m.start()), char_at(m.end()), "name"));
        }
    }
    out.sort_unstable();
    // Overlaps: keep the first, longest.
    let mut merged: Vec<(u64, u64, &'static str)> = Vec::new();
    for s in out {
        match merged.last_mut() {
            Some(last) if s.0 < last.1 => last.1 = last.1.max(s.1),
            _ => merged.push(s),
        }
    }
    merged
}

/// Suggests redactions of personal data in the responsive messages of a case, as `s40(2)`
/// (third parties' personal data); a person accepts or rejects each. Returns the new ones.
pub fn suggest(a: &mut Archive, reference: &str) -> Result<Vec<Redaction>> {
    let case = case_id(a, reference)?;
    let requester: String = a.conn().query_row(
        "SELECT requester FROM foi_cases WHERE id = ?1",
        [case],
        |r| r.get(0),
    )?;
    let scope = in_scope(a, reference)?;
    let responsive: Vec<i64> = a
        .conn()
        .prepare("SELECT message_id FROM foi_marks WHERE case_id = ?1 AND decision = 'responsive' ORDER BY message_id")?
        .query_map([case], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?
        .into_iter()
        .filter(|id| scope.binary_search(id).is_ok())
        .collect();
    let existing: std::collections::HashSet<(i64, Option<i64>, Option<i64>)> = a
        .conn()
        .prepare("SELECT message_id, start, end FROM foi_redactions WHERE case_id = ?1")?
        .query_map([case], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut found: Vec<(i64, u64, u64)> = Vec::new();
    {
        let mut row = a
            .conn()
            .prepare("SELECT m.body, m.conversation_id FROM messages m WHERE m.id = ?1")?;
        let mut members = a.conn().prepare(
            "SELECT p.display_name FROM conversation_members cm JOIN participants p ON p.id = cm.participant_id
             WHERE cm.conversation_id = ?1",
        )?;
        let requester_words: Vec<String> = requester
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .collect();
        let mut names_of: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for id in &responsive {
            let (text, conv): (String, i64) =
                row.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if let std::collections::hash_map::Entry::Vacant(slot) = names_of.entry(conv) {
                let mut names = Vec::new();
                for n in members.query_map([conv], |r| r.get::<_, String>(0))? {
                    let n = n?;
                    // The requester's own name is not a third party's.
                    if !requester.is_empty() && n.to_lowercase() == requester.to_lowercase() {
                        continue;
                    }
                    names.push(n.clone());
                    names.extend(
                        n.split_whitespace()
                            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                            .filter(|w| !requester_words.contains(&w.to_lowercase()))
                            .map(String::from),
                    );
                }
                slot.insert(names);
            }
            for (s, e, _) in find_personal_data(&text, &names_of[&conv]) {
                if !existing.contains(&(*id, Some(s as i64), Some(e as i64))) {
                    found.push((*id, s, e));
                }
            }
        }
    }
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    for (m, s, e) in &found {
        insert(&tx, case, *m, Some((*s, *e)), "s40(2)", "suggested")?;
    }
    let entry = audit::append(
        &tx,
        &actor(),
        "foi.redact.suggest",
        &json!({"case": reference.trim(), "suggested": found.len()}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    Ok(list(a, reference)?
        .into_iter()
        .filter(|r| r.status == "suggested")
        .collect())
}

/// Accepts or rejects suggestions (by id, or every pending one with `ids` empty and `all`).
pub fn decide(
    a: &mut Archive,
    reference: &str,
    ids: &[i64],
    all: bool,
    accept: bool,
) -> Result<Vec<Redaction>> {
    let case = case_id(a, reference)?;
    if ids.is_empty() && !all {
        return Err(Error::InvalidArgument(
            "say which suggestions: their ids, or --all".into(),
        ));
    }
    let status = if accept { "accepted" } else { "rejected" };
    let _lock = a.write_lock()?;
    let tx = a.conn_mut().transaction()?;
    let n = if all {
        tx.execute(
            "UPDATE foi_redactions SET status = ?1, by = ?2, at = ?3 WHERE case_id = ?4 AND status = 'suggested'",
            params![status, actor(), now_ms(), case],
        )?
    } else {
        let mut n = 0;
        for id in ids {
            let changed = tx.execute(
                "UPDATE foi_redactions SET status = ?1, by = ?2, at = ?3 WHERE case_id = ?4 AND id = ?5",
                params![status, actor(), now_ms(), case, id],
            )?;
            if changed == 0 {
                return Err(Error::NotFound(format!(
                    "no redaction {id} in case {reference}"
                )));
            }
            n += changed;
        }
        n
    };
    let entry = audit::append(
        &tx,
        &actor(),
        if accept {
            "foi.redact.accept"
        } else {
            "foi.redact.reject"
        },
        &json!({"case": reference.trim(), "redactions": if all { json!("all") } else { json!(ids) }, "count": n}),
    )?;
    tx.commit()?;
    advance_head(a, &entry)?;
    drop(_lock);
    list(a, reference)
}

pub fn list(a: &Archive, reference: &str) -> Result<Vec<Redaction>> {
    let case = case_id(a, reference)?;
    type Row = (i64, i64, Option<i64>, Option<i64>, String, String, String);
    let rows: Vec<Row> = a
        .conn()
        .prepare(
            "SELECT id, message_id, start, end, code, status, by FROM foi_redactions
             WHERE case_id = ?1 ORDER BY message_id, start, id",
        )?
        .query_map([case], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, m, s, e, code, status, by) in rows {
        let text = match (s, e) {
            (Some(s), Some(e)) => slice(&body(a, m).unwrap_or_default(), s as u64, e as u64),
            _ => String::new(),
        };
        out.push(Redaction {
            id: id.to_string(),
            message_id: m.to_string(),
            start: s.map(|v| v as u64),
            end: e.map(|v| v as u64),
            code,
            status,
            text,
            by,
        });
    }
    Ok(out)
}

/// The accepted redactions of a message: whole-message code, or spans with codes.
pub struct Burn {
    pub whole: Option<String>,
    pub spans: Vec<(u64, u64, String)>,
}

/// The accepted redactions of every message of a case.
pub fn accepted(a: &Archive, case: i64) -> Result<std::collections::HashMap<i64, Burn>> {
    let mut out: std::collections::HashMap<i64, Burn> = Default::default();
    let mut stmt = a.conn().prepare(
        "SELECT message_id, start, end, code FROM foi_redactions WHERE case_id = ?1 AND status = 'accepted'",
    )?;
    for row in stmt.query_map([case], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, String>(3)?,
        ))
    })? {
        let (m, s, e, code) = row?;
        let b = out.entry(m).or_insert(Burn {
            whole: None,
            spans: Vec::new(),
        });
        match (s, e) {
            (Some(s), Some(e)) => b.spans.push((s as u64, e as u64, code)),
            _ => b.whole = Some(code),
        }
    }
    Ok(out)
}

/// The text with each span replaced by `[REDACTED code]` (overlapping spans merged, the first
/// span's code kept). Returns the text and the codes used.
pub fn burn(text: &str, spans: &[(u64, u64, String)]) -> (String, Vec<String>) {
    let mut spans: Vec<(u64, u64, String)> = spans.to_vec();
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut merged: Vec<(u64, u64, String)> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.0 < last.1 => last.1 = last.1.max(s.1),
            _ => merged.push(s),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut codes = Vec::new();
    let mut next = merged.iter().peekable();
    let mut skipping: Option<u64> = None;
    for (i, c) in text.chars().enumerate() {
        let i = i as u64;
        if let Some(end) = skipping {
            if i < end {
                continue;
            }
            skipping = None;
        }
        if let Some(s) = next.peek() {
            if s.0 == i {
                out.push_str(&format!("[REDACTED {}]", s.2));
                codes.push(s.2.clone());
                skipping = Some(s.1);
                next.next();
                continue;
            }
        }
        out.push(c);
    }
    (out, codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burning_replaces_every_span_by_characters() {
        let text = "Café: call Priya on 07700 900123 or priya@example.org";
        let spans = vec![
            (11, 16, "s40(2)".to_string()),
            (20, 32, "s40(2)".to_string()),
            (36, 53, "s40(2)".to_string()),
            (12, 14, "s41".to_string()),
        ];
        let (out, codes) = burn(text, &spans);
        assert_eq!(
            out,
            "Café: call [REDACTED s40(2)] on [REDACTED s40(2)] or [REDACTED s40(2)]"
        );
        assert_eq!(codes.len(), 3);
    }

    #[test]
    fn personal_data_is_found() {
        let text = "Ring Tom O'Neill on +44 7700 900123 or 020 7946 0018, mail tom@halden.co.uk, \
                    site at NG7 2RD, NI number AB 12 34 56 C.";
        let found: Vec<String> = find_personal_data(text, &["Tom O'Neill".into(), "Tom".into()])
            .into_iter()
            .map(|(s, e, _)| slice(text, s, e))
            .collect();
        assert_eq!(
            found,
            [
                "Tom O'Neill",
                "+44 7700 900123",
                "020 7946 0018",
                "tom@halden.co.uk",
                "NG7 2RD",
                "AB 12 34 56 C"
            ]
        );
    }
}
