//! The production as RSMF — Relativity Short Message Format, version 2.0.0 — the format that
//! e-discovery review platforms ingest chat data in.
//!
//! An `.rsmf` file is an RFC 5322 message (EML):
//!
//! - headers: `X-RSMF-Version` (the only one the format requires) and `X-RSMF-Generator`,
//!   `X-RSMF-BeginDate`, `X-RSMF-EndDate`, `X-RSMF-EventCount` (RSMF 1.0 and 2.0), plus the
//!   2.0 headers `X-RSMF-Application`, `X-RSMF-Participants` and `X-RSMF-AttachmentCount`.
//!   `X-RSMF-Custodian` and `X-RSMF-EventCollectionID` are not written: a production has no
//!   custodian, and one file holds the whole production (no slices to group). Nor are `From` and
//!   `To` (there are no e-mail addresses to put there; Relativity's own sample generator leaves
//!   `From` out in that case too);
//! - a `text/plain` body: a short summary of the production (case, counts, date range);
//! - a MIME attachment `rsmf.zip` holding `rsmf_manifest.json` and every produced attachment
//!   file that an event references, at the root of the zip.
//!
//! The manifest follows Relativity's JSON Schema `rsmf_schema_2_0_0.json` (vendored in
//! `tests/fixtures/rsmf/`, see `SOURCE.md` there; the tests validate against it):
//!
//! - participants: one per distinct display name, `P1`, `P2`… in order of first appearance
//!   (senders in production order first, then names listed on a conversation who sent nothing);
//! - conversations: `C1`, `C2`… in the given order; `direct` stays `direct`, `group` and
//!   `channel` become `channel`;
//! - events: one per produced message, in control-number order, `id` = the control number (also
//!   kept in a `Control number` custom field, which review platforms show); a message withheld
//!   in full is an event whose body is `[Withheld in full: CODE]` and that lists no attachment;
//!   redactions are already burned into the text. System messages are `history` events, every
//!   other kind is a `message` (`deleted` ones are flagged `deleted`).
//!
//! Output is deterministic: the same production gives the same bytes (the MIME boundary and
//! Message-ID derive from the manifest's SHA-256; Date is the production time).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Write};

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};
use mail_builder::MessageBuilder;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::produced::{ProducedConversation, ProducedMessage, ProductionInfo};
use crate::error::{Error, Result};

/// The RSMF version written (header `X-RSMF-Version` and the manifest's `version`).
pub const RSMF_VERSION: &str = "2.0.0";
/// The manifest's name inside the zip (fixed by the format).
pub const MANIFEST_NAME: &str = "rsmf_manifest.json";
/// The zip's attachment name inside the EML (fixed by the format).
pub const ZIP_NAME: &str = "rsmf.zip";

/// One .rsmf file (EML bytes) for the production: every conversation, every produced message
/// as an event (withheld messages: an event whose body is "[Withheld in full: CODE]"),
/// attachments that are produced included in rsmf.zip under their bundle names
/// (`read_attachment(path)` gives their bytes).
pub fn write(
    info: &ProductionInfo,
    conversations: &[ProducedConversation],
    read_attachment: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    // Read every produced file first, so the manifest gives the size of the bytes shipped.
    let mut contents: HashMap<String, Vec<u8>> = HashMap::new();
    for message in conversations.iter().flat_map(|c| &c.messages) {
        for path in produced_paths(message) {
            if let Entry::Vacant(slot) = contents.entry(path.to_owned()) {
                slot.insert(read_attachment(path)?);
            }
        }
    }
    let sizes: HashMap<&str, u64> = contents
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.len() as u64))
        .collect();
    let plan = Plan::new(info, conversations, &sizes);

    let manifest = serde_json::to_vec_pretty(&plan.manifest)
        .map_err(|e| Error::io(MANIFEST_NAME, std::io::Error::other(e)))?;
    let digest = hex::encode(Sha256::digest(&manifest));
    let zip = rsmf_zip(&manifest, &plan.files, &contents, &info.produced_at)?;

    let mut eml = MessageBuilder::new()
        .header("X-RSMF-Version", Raw::new(RSMF_VERSION))
        .header("X-RSMF-Generator", Raw::new(generator()));
    if let (Some((_, begin)), Some((_, end))) = (&plan.span.first, &plan.span.last) {
        eml = eml
            .header("X-RSMF-BeginDate", Raw::new(begin.clone()))
            .header("X-RSMF-EndDate", Raw::new(end.clone()));
    }
    eml = eml
        .header("X-RSMF-EventCount", Raw::new(plan.events.to_string()))
        .header(
            "X-RSMF-AttachmentCount",
            Raw::new(plan.attachments.to_string()),
        );
    if !plan.apps.is_empty() {
        eml = eml.header("X-RSMF-Application", Text::new(plan.apps.join(", ")));
    }
    if !plan.participants.is_empty() {
        eml = eml.header(
            "X-RSMF-Participants",
            Text::new(plan.participants.join(", ")),
        );
    }
    eml = eml
        .message_id(format!("rsmf.{}@holdfast", &digest[..32]))
        .subject(format!(
            "{} production: {} conversation{}, {} event{}",
            info.case,
            conversations.len(),
            plural(conversations.len()),
            plan.events,
            plural(plan.events),
        ));
    if let Ok(at) = DateTime::parse_from_rfc3339(&info.produced_at) {
        eml = eml.date(at.timestamp());
    }
    let boundary = format!("holdfast-rsmf-{}", &digest[..24]);
    let text = MimePart::new("text/plain", plan.summary(info, conversations));
    let attachment =
        MimePart::new("application/zip", BodyPart::Binary(zip.into())).attachment(ZIP_NAME);
    eml = eml.body(MimePart::new(
        ContentType::new("multipart/mixed").attribute("boundary", boundary),
        vec![text, attachment],
    ));
    eml.write_to_vec().map_err(|e| Error::io("rsmf", e))
}

/// The manifest JSON alone (also used by tests). Attachment sizes are the ones recorded on the
/// attachments ([`write`] uses the sizes of the bytes it ships).
pub fn manifest(info: &ProductionInfo, conversations: &[ProducedConversation]) -> Value {
    Plan::new(info, conversations, &HashMap::new()).manifest
}

fn generator() -> String {
    format!("Holdfast {}", env!("CARGO_PKG_VERSION"))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The bundle paths of a message's produced attachments (none when the message is withheld).
fn produced_paths(message: &ProducedMessage) -> impl Iterator<Item = &str> {
    let withheld = message.withheld.is_some();
    message
        .attachments
        .iter()
        .filter(move |_| !withheld)
        .filter_map(|a| a.path.as_deref())
        .filter(|p| !p.trim().is_empty())
}

fn sender(message: &ProducedMessage) -> Option<&str> {
    message
        .sender
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Sort key for control numbers: `PREFIX-000012` → (`PREFIX`, 12), so numbers of different
/// widths still sort in number order.
fn control_key(control: &str) -> (&str, u64, &str) {
    match control.rsplit_once('-') {
        Some((prefix, digits))
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (prefix, digits.parse().unwrap_or(u64::MAX), control)
        }
        _ => (control, u64::MAX, control),
    }
}

/// The event timestamp: `sent_at` when it is RFC 3339 (it keeps the requester's offset),
/// otherwise `sent_at_ms` in UTC.
fn timestamp(message: &ProducedMessage) -> String {
    if DateTime::parse_from_rfc3339(&message.sent_at).is_ok() {
        return message.sent_at.clone();
    }
    DateTime::<Utc>::from_timestamp_millis(message.sent_at_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn custom(name: &str, value: impl Into<String>) -> Option<Value> {
    let value = value.into();
    (!value.trim().is_empty()).then(|| json!({ "name": name, "value": value }))
}

/// Names inside rsmf.zip: the bundle file's own name at the zip root, made unique.
#[derive(Default)]
struct ZipNames {
    by_path: HashMap<String, String>,
    used: HashSet<String>,
    /// (name inside the zip, bundle path), each path once, in first-reference order.
    files: Vec<(String, String)>,
}

impl ZipNames {
    fn name_for(&mut self, path: &str) -> String {
        if let Some(name) = self.by_path.get(path) {
            return name.clone();
        }
        let base = path
            .rsplit(['/', '\\'])
            .next()
            .map(str::trim)
            .filter(|b| !b.is_empty() && *b != "." && *b != "..")
            .unwrap_or("attachment");
        let mut name = base.to_owned();
        let mut n = 2;
        while name == MANIFEST_NAME || self.used.contains(&name) {
            name = format!("{n}_{base}");
            n += 1;
        }
        self.used.insert(name.clone());
        self.by_path.insert(path.to_owned(), name.clone());
        self.files.push((name.clone(), path.to_owned()));
        name
    }
}

struct ConversationSummary {
    id: String,
    events: usize,
    span: Span,
}

/// Everything both writers need, computed once.
struct Plan {
    manifest: Value,
    /// (name inside rsmf.zip, bundle path).
    files: Vec<(String, String)>,
    events: usize,
    withheld: usize,
    redacted: usize,
    /// Attachment references in events (what `X-RSMF-AttachmentCount` counts).
    attachments: usize,
    /// Attachments of produced messages that are not in the production.
    attachments_not_produced: usize,
    span: Span,
    participants: Vec<String>,
    apps: Vec<String>,
    conversations: Vec<ConversationSummary>,
}

/// The earliest and the latest event: (Unix ms, the timestamp as written).
#[derive(Debug, Clone, Default)]
struct Span {
    first: Option<(i64, String)>,
    last: Option<(i64, String)>,
}

impl Span {
    fn widen(&mut self, ms: i64, at: &str) {
        if self.first.as_ref().is_none_or(|(first, _)| ms < *first) {
            self.first = Some((ms, at.to_owned()));
        }
        if self.last.as_ref().is_none_or(|(last, _)| ms > *last) {
            self.last = Some((ms, at.to_owned()));
        }
    }

    fn describe(&self) -> String {
        match (&self.first, &self.last) {
            (Some((_, first)), Some((_, last))) => format!("{first} to {last}"),
            _ => "no events".to_owned(),
        }
    }
}

impl Plan {
    fn new(
        info: &ProductionInfo,
        conversations: &[ProducedConversation],
        sizes: &HashMap<&str, u64>,
    ) -> Self {
        // Participants: senders in production order, then listed names who sent nothing.
        let mut participant_ids: HashMap<String, String> = HashMap::new();
        let mut participant_names: Vec<String> = Vec::new();
        let mut intern = |name: &str| -> String {
            participant_ids
                .entry(name.to_owned())
                .or_insert_with(|| {
                    participant_names.push(name.to_owned());
                    format!("P{}", participant_names.len())
                })
                .clone()
        };
        let mut ordered: Vec<(usize, &ProducedMessage)> = conversations
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.messages.iter().map(move |m| (i, m)))
            .collect();
        ordered.sort_by(|a, b| control_key(&a.1.control).cmp(&control_key(&b.1.control)));
        for (_, m) in &ordered {
            if let Some(s) = sender(m) {
                intern(s);
            }
        }
        let mut conversation_json = Vec::with_capacity(conversations.len());
        let mut apps: Vec<String> = Vec::new();
        for (i, c) in conversations.iter().enumerate() {
            let mut ids: Vec<String> = Vec::new();
            let listed = c.participants.iter().map(|p| p.trim());
            let senders = c.messages.iter().filter_map(sender);
            for name in listed.chain(senders).filter(|n| !n.is_empty()) {
                let id = intern(name);
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            let platform = match c.app.trim() {
                "" => "unknown".to_owned(),
                app => app.to_owned(),
            };
            if !apps.contains(&platform) {
                apps.push(platform.clone());
            }
            let kind = if c.kind == "direct" {
                "direct"
            } else {
                "channel"
            };
            let mut conversation = json!({
                "id": format!("C{}", i + 1),
                "platform": platform,
                "type": kind,
                "participants": ids,
            });
            if !c.title.trim().is_empty() {
                conversation["display"] = json!(c.title);
            }
            let extra: Vec<Value> = [
                custom("Production", info.case.as_str()),
                custom("Conversation kind", c.kind.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !extra.is_empty() {
                conversation["custom"] = Value::Array(extra);
            }
            conversation_json.push(conversation);
        }
        let participants_json: Vec<Value> = participant_names
            .iter()
            .enumerate()
            .map(|(i, name)| json!({ "id": format!("P{}", i + 1), "display": name }))
            .collect();

        let mut zip_names = ZipNames::default();
        let mut events = Vec::with_capacity(ordered.len());
        let (mut withheld, mut redacted, mut attachments, mut not_produced) = (0, 0, 0, 0);
        let mut span = Span::default();
        let mut per_conversation: Vec<(usize, Span)> =
            vec![(0, Span::default()); conversations.len()];
        for (i, m) in &ordered {
            let at = timestamp(m);
            span.widen(m.sent_at_ms, &at);
            let summary = &mut per_conversation[*i];
            summary.0 += 1;
            summary.1.widen(m.sent_at_ms, &at);

            let mut event = Map::new();
            event.insert("id".into(), json!(m.control));
            let kind = if m.kind == "system" {
                "history"
            } else {
                "message"
            };
            event.insert("type".into(), json!(kind));
            event.insert("conversation".into(), json!(format!("C{}", i + 1)));
            if let Some(s) = sender(m) {
                if let Some(id) = participant_ids.get(s) {
                    event.insert("participant".into(), json!(id));
                }
            }
            event.insert("timestamp".into(), json!(at));
            let mut fields: Vec<Option<Value>> = vec![custom("Control number", m.control.as_str())];
            match &m.withheld {
                Some(code) => {
                    withheld += 1;
                    event.insert("body".into(), json!(format!("[Withheld in full: {code}]")));
                    fields.push(custom("Withheld in full", code.as_str()));
                }
                None => {
                    event.insert("body".into(), json!(m.text));
                    if m.kind == "deleted" {
                        event.insert("deleted".into(), json!(true));
                    }
                    if !m.redactions.is_empty() {
                        redacted += 1;
                        fields.push(custom("Redactions", m.redactions.join(", ")));
                    }
                    let mut files = Vec::new();
                    for a in &m.attachments {
                        match a.path.as_deref().filter(|p| !p.trim().is_empty()) {
                            Some(path) => {
                                let id = zip_names.name_for(path);
                                let mut file = json!({ "id": id, "display": a.name });
                                if let Some(size) = sizes.get(path).copied().or(a.size) {
                                    file["size"] = json!(size);
                                }
                                files.push(file);
                            }
                            None => {
                                not_produced += 1;
                                let why = a.withheld.as_deref().unwrap_or("not produced");
                                fields.push(custom(
                                    "Attachment not produced",
                                    format!("{}: {why}", a.name),
                                ));
                            }
                        }
                    }
                    if !files.is_empty() {
                        attachments += files.len();
                        event.insert("attachments".into(), Value::Array(files));
                    }
                }
            }
            if !matches!(m.kind.as_str(), "text" | "") {
                fields.push(custom("Message kind", m.kind.as_str()));
            }
            let fields: Vec<Value> = fields.into_iter().flatten().collect();
            event.insert("custom".into(), Value::Array(fields));
            events.push(Value::Object(event));
        }

        let manifest = json!({
            "version": RSMF_VERSION,
            "participants": participants_json,
            "conversations": conversation_json,
            "events": events,
        });
        Plan {
            manifest,
            files: zip_names.files,
            events: ordered.len(),
            withheld,
            redacted,
            attachments,
            attachments_not_produced: not_produced,
            span,
            participants: participant_names,
            apps,
            conversations: per_conversation
                .into_iter()
                .enumerate()
                .map(|(i, (events, span))| ConversationSummary {
                    id: format!("C{}", i + 1),
                    events,
                    span,
                })
                .collect(),
        }
    }

    /// The EML's readable body.
    fn summary(&self, info: &ProductionInfo, conversations: &[ProducedConversation]) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Short message production (Relativity Short Message Format {RSMF_VERSION})\n\n"
        ));
        out.push_str(&format!("Case: {}\n", info.case));
        out.push_str(&format!("Requester: {}\n", info.requester));
        out.push_str(&format!("Produced: {}\n", info.produced_at));
        out.push_str(&format!("Times shown in: {}\n", info.zone));
        out.push_str(&format!("Date range: {}\n", self.span.describe()));
        out.push_str(&format!("Conversations: {}\n", conversations.len()));
        out.push_str(&format!("Participants: {}\n", self.participants.len()));
        out.push_str(&format!(
            "Events: {} ({} withheld in full, {} with redactions)\n",
            self.events, self.withheld, self.redacted
        ));
        out.push_str(&format!(
            "Attachments: {} included in {ZIP_NAME}, {} not produced\n",
            self.attachments, self.attachments_not_produced
        ));
        if !conversations.is_empty() {
            out.push_str("\nConversations:\n");
        }
        for (c, s) in conversations.iter().zip(&self.conversations) {
            out.push_str(&format!(
                "  {} {} ({}, {}): {} event{}, {}\n",
                s.id,
                c.title,
                c.app,
                c.kind,
                s.events,
                plural(s.events),
                s.span.describe()
            ));
        }
        out.push_str(&format!(
            "\nThe conversations, events and produced attachments are in the attached {ZIP_NAME} \
             ({MANIFEST_NAME}). Redactions are shown in place as [REDACTED code].\n"
        ));
        out
    }
}

/// The zip: the manifest first, then each produced file once.
fn rsmf_zip(
    manifest: &[u8],
    files: &[(String, String)],
    contents: &HashMap<String, Vec<u8>>,
    produced_at: &str,
) -> Result<Vec<u8>> {
    let zip_err = |e: zip::result::ZipError| Error::io(ZIP_NAME, std::io::Error::other(e));
    let modified = DateTime::parse_from_rfc3339(produced_at)
        .ok()
        .map(|at| at.with_timezone(&Utc))
        .and_then(|at| {
            zip::DateTime::from_date_and_time(
                u16::try_from(at.year()).ok()?,
                at.month() as u8,
                at.day() as u8,
                at.hour() as u8,
                at.minute() as u8,
                at.second() as u8,
            )
            .ok()
        })
        .unwrap_or_default();
    let options = |len: usize| {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(modified)
            .large_file(len as u64 >= u64::from(u32::MAX))
    };
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(MANIFEST_NAME, options(manifest.len()))
        .map_err(zip_err)?;
    zip.write_all(manifest)
        .map_err(|e| Error::io(MANIFEST_NAME, e))?;
    for (name, path) in files {
        let bytes = contents
            .get(path)
            .ok_or_else(|| Error::NotFound(format!("attachment {path}")))?;
        zip.start_file(name.as_str(), options(bytes.len()))
            .map_err(zip_err)?;
        zip.write_all(bytes).map_err(|e| Error::io(path, e))?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use mail_parser::{HeaderForm, MessageParser, MimeHeaders};

    use super::*;
    use crate::foi::produced::ProducedAttachment;

    const SCHEMA: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rsmf/rsmf_manifest.schema.json"
    ));
    const PHOTO_PATH: &str = "attachments/FOI-000005_photo.jpg";

    fn photo_bytes() -> Vec<u8> {
        // Not UTF-8, with CR/LF and NUL bytes: the zip and base64 layers must carry it intact.
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
        bytes.extend((0..=255u8).cycle().take(3000));
        bytes.extend([b'\r', b'\n', 0x00, 0xFF, 0xD9]);
        bytes
    }

    fn message(control: u32, sender: &str, ms: i64, sent_at: &str, text: &str) -> ProducedMessage {
        ProducedMessage {
            control: format!("FOI-{control:06}"),
            message_id: i64::from(control) * 10,
            sender: Some(sender.to_owned()),
            sent_at_ms: ms,
            sent_at: sent_at.to_owned(),
            kind: "text".to_owned(),
            text: text.to_owned(),
            withheld: None,
            redactions: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// 2025-06-02T09:00:00Z plus `minutes`, shown in Europe/London (BST, +01:00).
    fn at(minutes: i64) -> (i64, String) {
        let utc = DateTime::<Utc>::from_timestamp(1_748_854_800 + minutes * 60, 0).unwrap();
        let shown = utc.with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap());
        (
            utc.timestamp_millis(),
            shown.to_rfc3339_opts(SecondsFormat::Secs, false),
        )
    }

    fn production() -> (ProductionInfo, Vec<ProducedConversation>) {
        let info = ProductionInfo {
            case: "FOI-2025-0142".to_owned(),
            requester: "A. Requester".to_owned(),
            zone: "Europe/London".to_owned(),
            produced_at: "2025-07-01T10:30:00Z".to_owned(),
        };
        // Direct chat: FOI-000001..000008; the group channel: 000009..000020. The channel
        // starts before the direct chat ends, so the date range is not just first/last control.
        let mut direct = Vec::new();
        for n in 1..=8u32 {
            let sender = if n % 2 == 1 {
                "Alice Hart"
            } else {
                "Zoë Brandt"
            };
            let (ms, sent) = at(i64::from(n) * 30);
            direct.push(message(
                n,
                sender,
                ms,
                &sent,
                &format!("direct message {n}"),
            ));
        }
        direct[4].attachments = vec![
            ProducedAttachment {
                name: "photo.jpg".to_owned(),
                mime: Some("image/jpeg".to_owned()),
                size: Some(1), // stale: the shipped bytes win
                path: Some(PHOTO_PATH.to_owned()),
                sha256: None,
                withheld: None,
            },
            ProducedAttachment {
                name: "minutes.docx".to_owned(),
                mime: None,
                size: Some(2048),
                path: None,
                sha256: None,
                withheld: Some("s36".to_owned()),
            },
        ];
        let mut channel = Vec::new();
        let senders = ["Bob Ives", "Alice Hart", "Carol Dunn"];
        for n in 9..=20u32 {
            let (ms, sent) = at(i64::from(n) * 10 - 80);
            let sender = senders[n as usize % 3];
            channel.push(message(
                n,
                sender,
                ms,
                &sent,
                &format!("channel message {n}"),
            ));
        }
        // FOI-000012: withheld in full; FOI-000014: redacted.
        channel[3].withheld = Some("s43".to_owned());
        channel[3].text = String::new();
        channel[5].text = "Call me on [REDACTED s40(2)] tomorrow".to_owned();
        channel[5].redactions = vec!["s40(2)".to_owned()];
        let conversations = vec![
            ProducedConversation {
                id: 7,
                title: "Alice Hart & Zoë Brandt".to_owned(),
                app: "whatsapp".to_owned(),
                kind: "direct".to_owned(),
                participants: vec!["Alice Hart".to_owned(), "Zoë Brandt".to_owned()],
                messages: direct,
            },
            ProducedConversation {
                id: 9,
                title: "#planning".to_owned(),
                app: "slack".to_owned(),
                kind: "channel".to_owned(),
                participants: vec![
                    "Bob Ives".to_owned(),
                    "Alice Hart".to_owned(),
                    "Carol Dunn".to_owned(),
                    "Dev Silent".to_owned(),
                ],
                messages: channel,
            },
        ];
        (info, conversations)
    }

    fn read_attachment(path: &str) -> Result<Vec<u8>> {
        if path == PHOTO_PATH {
            Ok(photo_bytes())
        } else {
            Err(Error::NotFound(path.to_owned()))
        }
    }

    /// Errors of `manifest` against the vendored Relativity schema (formats checked), each
    /// with its instance and schema path.
    fn schema_errors(manifest: &Value) -> Vec<String> {
        let schema: Value = serde_json::from_str(SCHEMA).expect("vendored schema is JSON");
        let validator = jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("vendored schema compiles");
        validator
            .iter_errors(manifest)
            .map(|e| format!("at {} (schema {}): {e}", e.instance_path(), e.schema_path()))
            .collect()
    }

    fn assert_schema_valid(manifest: &Value) {
        let errors = schema_errors(manifest);
        assert!(
            errors.is_empty(),
            "manifest does not match rsmf_schema_2_0_0:\n{}",
            errors.join("\n")
        );
    }

    #[test]
    fn the_schema_check_catches_what_relativity_rejects() {
        let (info, conversations) = production();
        let mut bad = manifest(&info, &conversations);
        bad["events"][0]["type"] = json!("chat");
        bad["events"][1]["timestamp"] = json!("2 June 2025, 10am");
        bad["conversations"][0]
            .as_object_mut()
            .unwrap()
            .remove("platform");
        bad["participants"][0]["id"] = json!(1);
        let errors = schema_errors(&bad).join("\n");
        for path in [
            "at /events/0/type",
            "at /events/1/timestamp",
            "at /conversations/0 ",
            "at /participants/0/id",
        ] {
            assert!(errors.contains(path), "{path} not reported in:\n{errors}");
        }
    }

    /// A header as text, RFC 2047 words decoded (mail-parser keeps unknown headers raw, and
    /// ignores `default_header_text` unless a header map is set, so it is re-read as text).
    fn header(eml: &mail_parser::Message<'_>, name: &str) -> String {
        let values = eml.header_as(name.to_owned(), HeaderForm::Text);
        assert_eq!(values.len(), 1, "header {name}: expected exactly once");
        values[0]
            .as_text()
            .unwrap_or_else(|| panic!("header {name} is not text"))
            .trim()
            .to_owned()
    }

    #[test]
    fn rsmf_round_trips_and_matches_the_schema() {
        let (info, conversations) = production();
        let bytes = write(&info, &conversations, &read_attachment).unwrap();

        // The EML layer.
        let eml = MessageParser::default()
            .parse(&bytes)
            .expect("the .rsmf parses as an e-mail");
        assert_eq!(header(&eml, "X-RSMF-Version"), "2.0.0");
        assert!(header(&eml, "X-RSMF-Generator").starts_with("Holdfast "));
        assert_eq!(header(&eml, "X-RSMF-Application"), "whatsapp, slack");
        assert_eq!(
            header(&eml, "X-RSMF-Participants"),
            "Alice Hart, Zoë Brandt, Bob Ives, Carol Dunn, Dev Silent"
        );
        assert_eq!(header(&eml, "X-RSMF-AttachmentCount"), "1");
        let body = eml.body_text(0).expect("a text body");
        assert!(body.contains("Case: FOI-2025-0142"), "{body}");
        assert!(body.contains("Events: 20 (1 withheld in full, 1 with redactions)"));
        let zips: Vec<_> = eml
            .attachments()
            .filter(|a| a.attachment_name() == Some(ZIP_NAME))
            .collect();
        assert_eq!(zips.len(), 1, "exactly one rsmf.zip attachment");

        // The zip layer.
        let mut zip = zip::ZipArchive::new(Cursor::new(zips[0].contents().to_vec())).unwrap();
        let mut names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(names, ["FOI-000005_photo.jpg", MANIFEST_NAME]);
        let mut photo = Vec::new();
        zip.by_name("FOI-000005_photo.jpg")
            .unwrap()
            .read_to_end(&mut photo)
            .unwrap();
        assert_eq!(photo, photo_bytes(), "attachment bytes survive");
        let mut json = String::new();
        zip.by_name(MANIFEST_NAME)
            .unwrap()
            .read_to_string(&mut json)
            .unwrap();
        let parsed: Value = serde_json::from_str(&json).unwrap();

        // The manifest layer: Relativity's schema, then what the schema cannot say.
        assert_schema_valid(&parsed);
        let mut expected = manifest(&info, &conversations);
        expected["events"][4]["attachments"][0]["size"] = json!(photo_bytes().len());
        assert_eq!(
            parsed, expected,
            "write() ships manifest() (sizes from the bytes)"
        );

        let events = parsed["events"].as_array().unwrap();
        assert_eq!(events.len(), 20);
        assert_eq!(header(&eml, "X-RSMF-EventCount"), events.len().to_string());
        let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
        let expected_ids: Vec<String> = (1..=20).map(|n| format!("FOI-{n:06}")).collect();
        assert_eq!(ids, expected_ids, "events follow control numbers");
        for e in events {
            let custom = e["custom"].as_array().unwrap();
            assert_eq!(custom[0]["name"], "Control number");
            assert_eq!(custom[0]["value"], e["id"]);
        }

        let times: Vec<DateTime<chrono::FixedOffset>> = events
            .iter()
            .map(|e| DateTime::parse_from_rfc3339(e["timestamp"].as_str().unwrap()).unwrap())
            .collect();
        let earliest = times.iter().min().unwrap();
        let latest = times.iter().max().unwrap();
        let begin = DateTime::parse_from_rfc3339(&header(&eml, "X-RSMF-BeginDate")).unwrap();
        let end = DateTime::parse_from_rfc3339(&header(&eml, "X-RSMF-EndDate")).unwrap();
        assert_eq!((&begin, &end), (earliest, latest));
        assert_eq!(
            header(&eml, "X-RSMF-BeginDate"),
            "2025-06-02T10:10:00+01:00"
        );
        assert_eq!(header(&eml, "X-RSMF-EndDate"), "2025-06-02T14:00:00+01:00");
        assert_ne!(begin, times[0], "the channel starts before FOI-000001");

        // Every reference resolves: participants, conversations, attachment files.
        let participants: HashSet<&str> = parsed["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        let conversation_ids: HashSet<&str> = parsed["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        for e in events {
            assert!(participants.contains(e["participant"].as_str().unwrap()));
            assert!(conversation_ids.contains(e["conversation"].as_str().unwrap()));
            for a in e["attachments"].as_array().into_iter().flatten() {
                assert!(names.iter().any(|n| n == a["id"].as_str().unwrap()));
            }
        }
        for c in parsed["conversations"].as_array().unwrap() {
            for p in c["participants"].as_array().unwrap() {
                assert!(participants.contains(p.as_str().unwrap()));
            }
        }
    }

    #[test]
    fn manifest_maps_people_conversations_and_review_outcomes() {
        let (info, conversations) = production();
        let m = manifest(&info, &conversations);
        assert_schema_valid(&m);
        assert_eq!(m["version"], "2.0.0");
        assert_eq!(
            m["participants"],
            json!([
                {"id": "P1", "display": "Alice Hart"},
                {"id": "P2", "display": "Zoë Brandt"},
                {"id": "P3", "display": "Bob Ives"},
                {"id": "P4", "display": "Carol Dunn"},
                {"id": "P5", "display": "Dev Silent"},
            ])
        );
        let c = &m["conversations"];
        assert_eq!(c[0]["type"], "direct");
        assert_eq!(c[0]["platform"], "whatsapp");
        assert_eq!(c[0]["participants"], json!(["P1", "P2"]));
        assert_eq!(c[1]["type"], "channel");
        assert_eq!(c[1]["display"], "#planning");
        assert_eq!(c[1]["participants"], json!(["P3", "P1", "P4", "P5"]));

        let events = m["events"].as_array().unwrap();
        let by_id = |id: &str| events.iter().find(|e| e["id"] == id).unwrap();
        let withheld = by_id("FOI-000012");
        assert_eq!(withheld["body"], "[Withheld in full: s43]");
        assert!(withheld.get("attachments").is_none());
        let redacted = by_id("FOI-000014");
        assert_eq!(redacted["body"], "Call me on [REDACTED s40(2)] tomorrow");
        assert!(redacted["custom"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "Redactions", "value": "s40(2)"})));
        let with_photo = by_id("FOI-000005");
        assert_eq!(
            with_photo["attachments"],
            json!([{"id": "FOI-000005_photo.jpg", "display": "photo.jpg", "size": 1}])
        );
        assert!(with_photo["custom"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "Attachment not produced", "value": "minutes.docx: s36"})));
        assert_eq!(
            by_id("FOI-000001")["timestamp"],
            "2025-06-02T10:30:00+01:00"
        );
        assert_eq!(by_id("FOI-000001")["participant"], "P1");
        assert_eq!(by_id("FOI-000009")["conversation"], "C2");
    }

    #[test]
    fn output_is_deterministic_and_reader_errors_propagate() {
        let (info, conversations) = production();
        let a = write(&info, &conversations, &read_attachment).unwrap();
        let b = write(&info, &conversations, &read_attachment).unwrap();
        assert_eq!(a, b);
        let failing = |path: &str| -> Result<Vec<u8>> { Err(Error::NotFound(path.to_owned())) };
        let err = write(&info, &conversations, &failing).unwrap_err();
        assert!(err.to_string().contains(PHOTO_PATH));
    }

    #[test]
    fn zip_names_stay_unique_and_inside_the_zip() {
        let mut names = ZipNames::default();
        assert_eq!(names.name_for("attachments/a/x.jpg"), "x.jpg");
        assert_eq!(names.name_for("attachments/b/x.jpg"), "2_x.jpg");
        assert_eq!(names.name_for("attachments/a/x.jpg"), "x.jpg");
        assert_eq!(names.name_for("../.."), "attachment");
        assert_eq!(
            names.name_for("odd/rsmf_manifest.json"),
            "2_rsmf_manifest.json"
        );
        assert_eq!(names.files.len(), 4);
    }
}
