//! The production bundle (`holdfast foi export REF --out DIR`): what a requester or a lawyer
//! receives.
//!
//! ```text
//! DIR/
//!   transcripts/01-northgate-depot.html   chat-style, print-friendly, one per conversation
//!   transcripts/01-northgate-depot.pdf    the same, generated natively
//!   attachments/FOI-1-000012_quote.pdf    produced attachments, named by control number
//!   messages.jsonl, messages.csv          one row per produced message
//!   production.rsmf                       Relativity Short Message Format, for review platforms
//!   exemptions.csv, exemptions.json       the exemptions schedule: what was withheld, why
//!   manifest.json                         every file's SHA-256, the root hash, the case, scope, time
//! ```
//!
//! The produced set is every message of the scope marked responsive or exempt, in time order
//! per conversation, conversations in order of their first message; each gets a control number
//! `PREFIX-000001`, unique and consecutive. Exempt messages and whole-message redactions are
//! withheld in full (their number is kept, with the code); span redactions are burned in as
//! `[REDACTED code]` before any writer sees the text, and the written files are checked for
//! every redacted text (UTF-8, UTF-16, HTML- and JSON-escaped) before the export succeeds.
//!
//! **Root hash**: SHA-256 of the manifest's `files` as lines `<sha256>  <path>\n`, sorted by
//! path (the format `sha256sum` prints), so `sha256sum -c` style tools can recompute it.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::cases;
use super::produced::{ProducedAttachment, ProducedConversation, ProducedMessage, ProductionInfo};
use super::redact::{self, Burn};
use super::review::{case_id, in_scope};
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::import::zone;
use crate::records::{self, actor, advance_head, audit};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportReport {
    pub case: String,
    pub out: String,
    #[ts(type = "number")]
    pub files: u64,
    /// Messages produced (withheld ones included, as placeholders).
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub withheld: u64,
    #[ts(type = "number")]
    pub redactions: u64,
    #[ts(type = "number")]
    pub unreviewed: u64,
    pub first_control: Option<String>,
    pub last_control: Option<String>,
    pub root_hash: String,
    pub took_ms: f64,
}

/// How far a production has got: `done` of `total` steps (one per attachment copied, one per
/// conversation's transcripts, then the tables, the redaction check and the manifest).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportProgress {
    /// `attachments`, `transcripts`, `tables`, `checking`, `manifest` or `done`.
    pub step: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// One file of the bundle, for the manifest.
#[derive(Debug, Clone, Serialize)]
struct FileEntry {
    path: String,
    sha256: String,
    size: u64,
}

fn slug(title: &str) -> String {
    let mut s: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-');
    let s: String = s.chars().take(40).collect();
    if s.is_empty() {
        "conversation".into()
    } else {
        s
    }
}

fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Reads the produced set from the archive, redactions burned in.
fn gather(
    a: &mut Archive,
    reference: &str,
    prefix: &str,
) -> Result<(ProductionInfo, Vec<ProducedConversation>, Vec<String>, u64)> {
    let case = cases::get(a, reference)?;
    let id = case_id(a, reference)?;
    let tz = zone::parse_zone(&case.zone)?;
    let scope = in_scope(a, reference)?;
    let marks: HashMap<i64, (String, Option<String>)> = a
        .conn()
        .prepare("SELECT message_id, decision, code FROM foi_marks WHERE case_id = ?1")?
        .query_map([id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let unreviewed = scope.iter().filter(|m| !marks.contains_key(m)).count() as u64;
    let burns: HashMap<i64, Burn> = redact::accepted(a, id)?;
    let mut secrets: Vec<String> = Vec::new();
    let mut by_conv: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    {
        let mut when = a
            .conn()
            .prepare_cached("SELECT conversation_id, sent_at FROM messages WHERE id = ?1")?;
        for m in &scope {
            match marks.get(m).map(|x| x.0.as_str()) {
                Some("responsive") | Some("exempt") => {
                    let (c, t): (i64, i64) = when.query_row([m], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    by_conv.entry(c).or_default().push((t, *m));
                }
                _ => {}
            }
        }
    }
    let mut convs: Vec<(i64, Vec<(i64, i64)>)> = by_conv.into_iter().collect();
    for (_, ms) in &mut convs {
        ms.sort_unstable();
    }
    convs.sort_by_key(|(c, ms)| (ms.first().map(|m| m.0), *c));
    let mut produced = Vec::with_capacity(convs.len());
    let mut n = 0u64;
    let mut msg = a.conn().prepare(
        "SELECT p.display_name, m.sent_at, m.kind, m.body FROM messages m
         LEFT JOIN participants p ON p.id = m.sender_id WHERE m.id = ?1",
    )?;
    let mut atts = a.conn().prepare(
        "SELECT name, mime, size, blob, status FROM attachments WHERE message_id = ?1 ORDER BY id",
    )?;
    let mut conv_row = a
        .conn()
        .prepare("SELECT title, app, kind FROM conversations WHERE id = ?1")?;
    let mut members = a.conn().prepare(
        "SELECT p.display_name FROM conversation_members cm JOIN participants p ON p.id = cm.participant_id
         WHERE cm.conversation_id = ?1 ORDER BY p.display_name",
    )?;
    for (c, ms) in convs {
        let (title, app, kind): (String, String, String) =
            conv_row.query_row([c], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let participants: Vec<String> = members
            .query_map([c], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut messages = Vec::with_capacity(ms.len());
        for (_, m) in ms {
            n += 1;
            let control = format!("{prefix}-{n:06}");
            let (sender, sent_at, kind, body): (Option<String>, i64, String, String) =
                msg.query_row([m], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            let mark = &marks[&m];
            let burn = burns.get(&m);
            let withheld = if mark.0 == "exempt" {
                Some(mark.1.clone().unwrap_or_else(|| "exempt".into()))
            } else {
                burn.and_then(|b| b.whole.clone())
            };
            let (text, codes) = match (&withheld, burn) {
                (Some(_), _) => {
                    secrets.push(body.clone());
                    (String::new(), Vec::new())
                }
                (None, Some(b)) if !b.spans.is_empty() => {
                    for (s, e, _) in &b.spans {
                        secrets.push(
                            body.chars()
                                .skip(*s as usize)
                                .take((e - s) as usize)
                                .collect(),
                        );
                    }
                    redact::burn(&body, &b.spans)
                }
                _ => (body.clone(), Vec::new()),
            };
            let t = DateTime::<Utc>::from_timestamp_millis(sent_at)
                .unwrap_or_default()
                .with_timezone(&tz);
            let mut attachments = Vec::new();
            for row in atts.query_map([m], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })? {
                let (name, mime, size, blob, status) = row?;
                let produced_path = (withheld.is_none() && blob.is_some())
                    .then(|| format!("attachments/{control}_{}", safe_name(&name)));
                attachments.push(ProducedAttachment {
                    withheld: match (&withheld, &blob) {
                        (Some(code), _) => Some(code.clone()),
                        (None, None) => Some(format!("not in the archive ({status})")),
                        _ => None,
                    },
                    name,
                    mime,
                    size: size.map(|s| s as u64),
                    path: produced_path,
                    sha256: blob, // replaced by the file's SHA-256 when written
                });
            }
            messages.push(ProducedMessage {
                control,
                message_id: m,
                sender,
                sent_at_ms: sent_at,
                sent_at: t.to_rfc3339(),
                kind,
                text,
                withheld,
                redactions: codes,
                attachments,
            });
        }
        produced.push(ProducedConversation {
            id: c,
            title,
            app,
            kind,
            participants,
            messages,
        });
    }
    let info = ProductionInfo {
        case: case.reference.clone(),
        requester: case.requester.clone(),
        zone: case.zone.clone(),
        produced_at: records::now_ms().to_string(),
    };
    secrets.retain(|s| s.trim().chars().count() >= 3);
    Ok((info, produced, secrets, unreviewed))
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A chat-style, print-friendly HTML transcript. Text is escaped (chat text is hostile); the
/// page has no script and loads nothing.
pub fn transcript_html(info: &ProductionInfo, c: &ProducedConversation) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'\">\n");
    h.push_str(&format!(
        "<title>{} — {}</title>\n",
        escape_html(&info.case),
        escape_html(&c.title)
    ));
    h.push_str(
        "<style>
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:46rem;margin:2rem auto;color:#1c1c1c;line-height:1.45}
header{border-bottom:2px solid #333;margin-bottom:1rem}header h1{font-size:1.3rem;margin:.2rem 0}
header p{margin:.15rem 0;color:#444;font-size:.9rem}
.msg{border:1px solid #ddd;border-radius:8px;padding:.5rem .75rem;margin:.5rem 0;break-inside:avoid;page-break-inside:avoid}
.meta{font-size:.8rem;color:#555;display:flex;gap:.75rem;flex-wrap:wrap}.ctrl{font-family:ui-monospace,monospace;font-weight:600;color:#222}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin-top:.25rem}
.system .text{color:#666;font-style:italic}
.redacted{background:#000;color:#fff;padding:0 .25rem;border-radius:2px;font-size:.85em}
.withheld{background:#f3f3f3;color:#333;font-style:italic}
.att{font-size:.85rem;margin-top:.25rem}
@media print{body{margin:0;max-width:none}.msg{border-color:#999}}
</style></head><body>\n",
    );
    h.push_str(&format!(
        "<header><p>{} · produced {}</p><h1>{}</h1><p>{} · {} · participants: {}</p><p>Times in {}</p></header>\n",
        escape_html(&info.case),
        escape_html(&info.produced_at),
        escape_html(&c.title),
        escape_html(&c.app),
        escape_html(&c.kind),
        escape_html(&c.participants.join(", ")),
        escape_html(&info.zone),
    ));
    for m in &c.messages {
        let class = match (&m.withheld, m.kind.as_str()) {
            (Some(_), _) => "msg withheld",
            (None, "system") => "msg system",
            _ => "msg",
        };
        h.push_str(&format!(
            "<article class=\"{class}\" id=\"{}\"><div class=\"meta\"><span class=\"ctrl\">{}</span><time datetime=\"{}\">{}</time><span class=\"who\">{}</span></div>",
            escape_html(&m.control),
            escape_html(&m.control),
            escape_html(&m.sent_at),
            escape_html(&m.sent_at.replace('T', " ").chars().take(19).collect::<String>()),
            escape_html(m.sender.as_deref().unwrap_or("")),
        ));
        match &m.withheld {
            Some(code) => h.push_str(&format!(
                "<div class=\"text\">[Withheld in full: {}]</div>",
                escape_html(code)
            )),
            None => {
                // Escape first, then style the burned-in markers (which contain no markup).
                let mut text = escape_html(&m.text);
                for code in &m.redactions {
                    let marker = escape_html(&format!("[REDACTED {code}]"));
                    text = text.replace(
                        &marker,
                        &format!("<span class=\"redacted\">{marker}</span>"),
                    );
                }
                h.push_str(&format!("<div class=\"text\">{text}</div>"));
            }
        }
        for att in &m.attachments {
            match (&att.path, &att.withheld) {
                (Some(p), _) => h.push_str(&format!(
                    "<div class=\"att\">📎 <a href=\"../{}\">{}</a></div>",
                    escape_html(p),
                    escape_html(&att.name)
                )),
                (None, Some(why)) => h.push_str(&format!(
                    "<div class=\"att\">📎 {} — withheld: {}</div>",
                    escape_html(&att.name),
                    escape_html(why)
                )),
                (None, None) => {}
            }
        }
        h.push_str("</article>\n");
    }
    h.push_str("</body></html>\n");
    h
}

struct Writer {
    root: PathBuf,
    files: Vec<FileEntry>,
}

impl Writer {
    fn put(&mut self, rel: &str, bytes: &[u8]) -> Result<String> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        let sha = hex::encode(Sha256::digest(bytes));
        self.files.push(FileEntry {
            path: rel.to_string(),
            sha256: sha.clone(),
            size: bytes.len() as u64,
        });
        Ok(sha)
    }
}

/// Whether `bytes` hold `secret` in any of the encodings a file might use.
fn leaks(bytes: &[u8], secret: &str) -> bool {
    let find =
        |needle: &[u8]| !needle.is_empty() && bytes.windows(needle.len()).any(|w| w == needle);
    let utf16le: Vec<u8> = secret
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let utf16be: Vec<u8> = secret
        .encode_utf16()
        .flat_map(|u| u.to_be_bytes())
        .collect();
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"');
    find(secret.as_bytes())
        || find(escape_html(secret).as_bytes())
        || find(json.as_bytes())
        || find(&utf16le)
        || find(&utf16be)
}

/// Writes the production bundle of a case into `out` (which must not exist, or be empty).
pub fn export(
    a: &mut Archive,
    reference: &str,
    out: &Path,
    prefix: Option<&str>,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportReport> {
    let started = std::time::Instant::now();
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .next()
            .is_some()
    {
        return Err(Error::InvalidArgument(format!(
            "{}: the folder is not empty (a production goes into a new folder)",
            out.display()
        )));
    }
    let case = cases::get(a, reference)?;
    let prefix = prefix.map_or_else(|| case.reference.clone(), str::to_string);
    let (mut info, mut convs, secrets, unreviewed) = gather(a, reference, &prefix)?;
    let produced_at = Utc::now();
    info.produced_at = produced_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut w = Writer {
        root: out.to_path_buf(),
        files: Vec::new(),
    };
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let attachments: u64 = convs
        .iter()
        .flat_map(|c| &c.messages)
        .map(|m| m.attachments.len() as u64)
        .sum();
    let total = attachments + convs.len() as u64 + 3;
    let mut done = 0u64;
    let mut step = |name: &str, advance: u64| {
        done += advance;
        progress(ExportProgress {
            step: name.to_string(),
            done,
            total,
        });
    };
    let result = (|| -> Result<ExportReport> {
        // Attachments first: their SHA-256 goes into every other file.
        step("attachments", 0);
        for c in &mut convs {
            for m in &mut c.messages {
                for att in &mut m.attachments {
                    if let (Some(path), Some(blob)) = (&att.path, &att.sha256) {
                        let bytes = a.blobs().read_all(blob)?;
                        att.sha256 = Some(w.put(path, &bytes)?);
                    } else {
                        att.sha256 = None;
                    }
                    step("attachments", 1);
                }
            }
        }
        for (i, c) in convs.iter().enumerate() {
            let base = format!("transcripts/{:02}-{}", i + 1, slug(&c.title));
            w.put(
                &format!("{base}.html"),
                transcript_html(&info, c).as_bytes(),
            )?;
            w.put(&format!("{base}.pdf"), &super::pdf::transcript(&info, c)?)?;
            step("transcripts", 1);
        }
        // messages.jsonl and messages.csv
        let mut jsonl = Vec::new();
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record([
            "control",
            "conversation",
            "app",
            "sent_at",
            "sender",
            "kind",
            "text",
            "withheld",
            "redactions",
            "attachments",
        ])
        .map_err(|e| Error::Corrupt(format!("csv: {e}")))?;
        for c in &convs {
            for m in &c.messages {
                let row = json!({
                    "control": m.control, "conversation": c.title, "app": c.app,
                    "sent_at": m.sent_at, "sender": m.sender, "kind": m.kind, "text": m.text,
                    "withheld": m.withheld, "redactions": m.redactions,
                    "attachments": m.attachments,
                });
                serde_json::to_writer(&mut jsonl, &row).expect("JSON writes to memory");
                jsonl.push(b'\n');
                let atts: Vec<String> = m
                    .attachments
                    .iter()
                    .map(|a| {
                        a.path
                            .clone()
                            .unwrap_or_else(|| format!("{} (withheld)", a.name))
                    })
                    .collect();
                csv.write_record([
                    m.control.as_str(),
                    c.title.as_str(),
                    c.app.as_str(),
                    m.sent_at.as_str(),
                    m.sender.as_deref().unwrap_or(""),
                    m.kind.as_str(),
                    m.text.as_str(),
                    m.withheld.as_deref().unwrap_or(""),
                    m.redactions.join("; ").as_str(),
                    atts.join("; ").as_str(),
                ])
                .map_err(|e| Error::Corrupt(format!("csv: {e}")))?;
            }
        }
        w.put("messages.jsonl", &jsonl)?;
        let csv = csv
            .into_inner()
            .map_err(|e| Error::Corrupt(format!("csv: {e}")))?;
        w.put("messages.csv", &csv)?;
        w.put(
            "production.rsmf",
            &super::rsmf::write(&info, &convs, &|p: &str| {
                let path = out.join(p);
                std::fs::read(&path).map_err(|e| Error::io(&path, e))
            })?,
        )?;
        // The exemptions schedule.
        let mut schedule = csv::Writer::from_writer(Vec::new());
        schedule
            .write_record(["control", "conversation", "sent_at", "extent", "code"])
            .map_err(|e| Error::Corrupt(format!("csv: {e}")))?;
        let mut per_code: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let (mut withheld, mut redactions) = (0u64, 0u64);
        for c in &convs {
            for m in &c.messages {
                if let Some(code) = &m.withheld {
                    withheld += 1;
                    per_code.entry(code.clone()).or_default().0 += 1;
                    schedule
                        .write_record([&m.control, &c.title, &m.sent_at, "withheld in full", code])
                        .map_err(|e| Error::Corrupt(format!("csv: {e}")))?;
                }
                for code in &m.redactions {
                    redactions += 1;
                    per_code.entry(code.clone()).or_default().1 += 1;
                    schedule
                        .write_record([&m.control, &c.title, &m.sent_at, "part redacted", code])
                        .map_err(|e| Error::Corrupt(format!("csv: {e}")))?;
                }
            }
        }
        w.put(
            "exemptions.csv",
            &schedule
                .into_inner()
                .map_err(|e| Error::Corrupt(format!("csv: {e}")))?,
        )?;
        let summary: Vec<serde_json::Value> = per_code
            .iter()
            .map(|(code, (whole, parts))| {
                json!({"code": code, "withheld_in_full": whole, "redactions": parts})
            })
            .collect();
        w.put(
            "exemptions.json",
            serde_json::to_string_pretty(&json!({"case": info.case, "exemptions": summary}))
                .expect("JSON")
                .as_bytes(),
        )?;
        step("checking", 1);
        // Burned in: no produced file holds a redacted text, in any encoding.
        for f in &w.files {
            let bytes =
                std::fs::read(out.join(&f.path)).map_err(|e| Error::io(out.join(&f.path), e))?;
            if secrets.iter().any(|s| leaks(&bytes, s)) {
                return Err(Error::Corrupt(format!(
                    "{}: a redacted text is still in this file; the production was stopped",
                    f.path
                )));
            }
        }
        step("manifest", 1);
        // The manifest, last: every file's hash and the root hash over them.
        let mut files = w.files.clone();
        files.sort_by(|x, y| x.path.cmp(&y.path));
        let mut root = Sha256::new();
        for f in &files {
            root.update(format!("{}  {}\n", f.sha256, f.path).as_bytes());
        }
        let root_hash = hex::encode(root.finalize());
        let messages: u64 = convs.iter().map(|c| c.messages.len() as u64).sum();
        let controls: Vec<&str> = convs
            .iter()
            .flat_map(|c| c.messages.iter().map(|m| m.control.as_str()))
            .collect();
        let manifest = json!({
            "case": info.case, "kind": case.kind, "requester": info.requester,
            "received": case.received, "due": case.due, "zone": info.zone,
            "scope": case.scope, "produced_at": info.produced_at, "produced_by": actor(),
            "messages": messages, "withheld": withheld, "redactions": redactions,
            "unreviewed_in_scope": unreviewed,
            "controls": {"prefix": prefix, "first": controls.first(), "last": controls.last()},
            "root_hash_method": "sha256 of the lines '<sha256>  <path>\\n' of files, sorted by path",
            "root_hash": root_hash, "files": files,
        });
        let mut f = std::fs::File::create(out.join("manifest.json"))
            .map_err(|e| Error::io(out.join("manifest.json"), e))?;
        f.write_all(
            serde_json::to_string_pretty(&manifest)
                .expect("JSON")
                .as_bytes(),
        )
        .map_err(|e| Error::io(out.join("manifest.json"), e))?;
        step("done", 1);
        Ok(ExportReport {
            case: info.case.clone(),
            out: out.display().to_string(),
            files: files.len() as u64 + 1,
            messages,
            withheld,
            redactions,
            unreviewed,
            first_control: controls.first().map(|s| s.to_string()),
            last_control: controls.last().map(|s| s.to_string()),
            root_hash,
            took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
        })
    })();
    match result {
        Ok(report) => {
            let tx = a.conn_mut().transaction()?;
            let entry = audit::append(
                &tx,
                &actor(),
                "foi.export",
                &json!({"case": report.case, "out": report.out, "root_hash": report.root_hash,
                        "messages": report.messages, "withheld": report.withheld,
                        "redactions": report.redactions}),
            )?;
            tx.commit()?;
            advance_head(a, &entry)?;
            Ok(report)
        }
        Err(e) => {
            // Nothing half-written is left for someone to send.
            let _ = std::fs::remove_dir_all(out);
            Err(e)
        }
    }
}
