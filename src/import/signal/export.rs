//! The output of carderne/signal-export: one folder per chat with `chat.md` (lines
//! `[2019-05-29 15:04:05] Name: text`, or the older `[2019-05-29, 15:04] Name: text`) and
//! `data.json` (JSON Lines `{date, sender, body, quote, sticker, reactions, attachments,
//! deleted, call, missed}`), and the media beside them. Times are the exporting computer's
//! local time, without a zone.

use std::io::{BufRead, BufReader};

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::error::{Error, Location, Result};
use crate::import::zone;
use crate::import::{
    AttachmentContent, AttachmentRecord, ConversationKind, ConversationRecord, ImportOptions,
    Input, LocalTime, MessageKind, MessageRecord, ParticipantRecord, PositionKind, Reaction,
    RecordSink, SourceFacts, SourceFile,
};

/// `[2019-05-29 15:04:05] Name: text` or `[2019-05-29, 15:04] Name: text`.
fn header(line: &str) -> Option<(NaiveDateTime, &str, &str, &str)> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let stamp = &rest[..close];
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d, %H:%M:%S",
        "%Y-%m-%d, %H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(stamp, f).ok())?;
    let after = rest[close + 1..].strip_prefix(' ')?;
    let (sender, text) = after
        .split_once(": ")
        .or_else(|| after.strip_suffix(':').map(|s| (s, "")))?;
    Some((naive, stamp, sender, text))
}

fn chat_member_kind(m: &str) -> Option<&'static str> {
    match m.rsplit('/').next() {
        Some("data.json") => Some("json"),
        Some("chat.md") | Some("index.md") => Some("md"),
        _ => None,
    }
}

/// The chat files to read: `data.json` where a chat folder has one, else `chat.md`.
fn chats(input: &Input) -> Vec<(String, &'static str)> {
    if !input.has_members() {
        let name = input.display_name();
        let kind = if name.ends_with(".json") {
            "json"
        } else {
            "md"
        };
        return vec![(String::new(), kind)];
    }
    let mut by_folder: std::collections::BTreeMap<String, (String, &'static str)> =
        Default::default();
    for m in input.members() {
        if let Some(kind) = chat_member_kind(&m) {
            let folder = m
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string());
            let e = by_folder.entry(folder).or_insert((m.clone(), kind));
            if kind == "json" {
                *e = (m.clone(), kind);
            }
        }
    }
    by_folder.into_values().collect()
}

/// Whether a chat file's first line is signal-export's: a `[date] Name: text` line
/// (`chat.md`), or a JSON object with `date` and `sender` (`data.json`).
fn first_line_fits(head: &[u8], kind: &str) -> bool {
    let text = String::from_utf8_lossy(head);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if kind == "json" {
        serde_json::from_str::<Value>(first)
            .is_ok_and(|v| v.get("sender").is_some() && v.get("date").is_some())
    } else {
        header(first).is_some()
    }
}

pub fn detect(input: &mut Input) -> Result<bool> {
    if input.has_members() {
        if input.has_member("config.json")
            || input.members().iter().any(|m| m.ends_with("channels.json"))
        {
            return Ok(false);
        }
        let Some((member, kind)) = chats(input).into_iter().next() else {
            return Ok(false);
        };
        let head = input.head(&member, 4096)?;
        return Ok(first_line_fits(&head, kind));
    }
    let name = input.display_name().to_ascii_lowercase();
    let head = input.head("", 4096)?;
    if name == "data.json" {
        return Ok(first_line_fits(&head, "json"));
    }
    // A chat.md, or a text file in its style named as Signal's (the line grammar alone is also
    // what Swedish iPhones write in WhatsApp exports).
    Ok(first_line_fits(&head, "md")
        && (name == "chat.md" || name == "index.md" || name.contains("signal")))
}

fn person(name: &str) -> ParticipantRecord {
    ParticipantRecord {
        display_name: name.trim().to_string(),
        handle: None,
    }
}

/// Splits `![name](./media/x)` / `[name](./media/x)` links and `(- Name: 👍 -)` reactions off
/// a chat.md message.
fn md_extras(text: &str) -> (String, Vec<(String, String)>, Vec<Reaction>) {
    let mut kept = Vec::new();
    let mut files = Vec::new();
    let mut reactions = Vec::new();
    for line in text.split('\n') {
        let t = line.trim();
        if let Some(inner) = t.strip_prefix("(-").and_then(|s| s.strip_suffix("-)")) {
            for r in inner.split(", ") {
                if let Some((who, emoji)) = r.trim().rsplit_once(": ") {
                    reactions.push(Reaction {
                        emoji: emoji.trim().to_string(),
                        by: who.trim().to_string(),
                    });
                }
            }
            continue;
        }
        let mut rest = line.to_string();
        while let Some(start) = rest.find("](./") {
            let open = rest[..start].rfind('[');
            let close = rest[start..].find(')').map(|c| start + c);
            match (open, close) {
                (Some(o), Some(c)) => {
                    let name = rest[o + 1..start].to_string();
                    let path = rest[start + 4..c].replace("%20", " ");
                    let o = if o > 0 && rest.as_bytes()[o - 1] == b'!' {
                        o - 1
                    } else {
                        o
                    };
                    files.push((name, path));
                    rest = format!("{}{}", &rest[..o], &rest[c + 1..]);
                }
                _ => break,
            }
        }
        kept.push(rest.trim_end().to_string());
    }
    let body = kept.join("\n").trim_end().to_string();
    (body, files, reactions)
}

struct Chat<'a> {
    sink: &'a mut dyn RecordSink,
    input: &'a Input,
    member: String,
    options: &'a ImportOptions,
    messages: u64,
}

impl Chat<'_> {
    fn attachments(&self, files: Vec<(String, String)>) -> Vec<AttachmentRecord> {
        files
            .into_iter()
            .map(|(name, path)| {
                let content = match self.input.resolve_relative(&self.member, &path) {
                    Some(m) => AttachmentContent::Member(m),
                    None => AttachmentContent::Missing,
                };
                AttachmentRecord {
                    mime: mime_guess::from_path(&path)
                        .first()
                        .map(|m| m.essence_str().to_string()),
                    name: if name.is_empty() {
                        path.rsplit('/').next().unwrap_or(&path).to_string()
                    } else {
                        name
                    },
                    size: None,
                    content,
                }
            })
            .collect()
    }

    fn emit(
        &mut self,
        naive: NaiveDateTime,
        stamp: String,
        sender: &str,
        text: String,
        pos: u64,
    ) -> Result<()> {
        let (body, files, reactions) = md_extras(&text);
        let deleted = body.trim() == "(This message was deleted)";
        let attachments = self.attachments(files);
        let kind = if deleted {
            MessageKind::Deleted
        } else if body.is_empty() && !attachments.is_empty() {
            MessageKind::Media
        } else {
            MessageKind::Text
        };
        self.messages += 1;
        self.sink.message(MessageRecord {
            native_id: None,
            sender: Some(person(sender)),
            sent_at: zone::to_utc(&self.options.zone, naive).0,
            local_time: Some(LocalTime { naive, text: stamp }),
            kind,
            raw: (body != text).then_some(text),
            body,
            edited: false,
            reply_to: None,
            reactions,
            attachments,
            pos,
        })
    }

    fn read_md(&mut self, input: &mut Input) -> Result<()> {
        let display = input.member_display(&self.member);
        let (r, _) = input.open_member(&self.member)?;
        let mut pending: Option<(NaiveDateTime, String, String, String, u64)> = None;
        for (i, line) in BufReader::new(r).lines().enumerate() {
            let line = line.map_err(|e| {
                Error::bad_input(
                    Location::line(&display, i as u64 + 1),
                    format!("cannot read: {e}"),
                )
            })?;
            let line = line.trim_end_matches('\r');
            if let Some((naive, stamp, sender, text)) = header(line) {
                if let Some((n, s, who, t, pos)) = pending.take() {
                    self.emit(n, s, &who, t, pos)?;
                }
                pending = Some((
                    naive,
                    stamp.to_string(),
                    sender.to_string(),
                    text.to_string(),
                    i as u64 + 1,
                ));
            } else if let Some(p) = pending.as_mut() {
                p.3.push('\n');
                p.3.push_str(line);
            }
        }
        if let Some((n, s, who, t, pos)) = pending.take() {
            self.emit(n, s, &who, t, pos)?;
        }
        Ok(())
    }

    fn read_json(&mut self, input: &mut Input) -> Result<()> {
        let display = input.member_display(&self.member);
        let (r, _) = input.open_member(&self.member)?;
        for (i, line) in BufReader::new(r).lines().enumerate() {
            let at = Location::line(&display, i as u64 + 1);
            let line =
                line.map_err(|e| Error::bad_input(at.clone(), format!("cannot read: {e}")))?;
            if line.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<Value>(&line)
                .map_err(|e| e.to_string())
                .and_then(|v| self.json_record(&v, i as u64 + 1));
            match parsed {
                Ok(record) => {
                    self.messages += 1;
                    self.sink.message(record)?;
                }
                Err(why) => self.sink.warning(
                    &at,
                    format!("message skipped: {why} (the original is kept in the archive)"),
                ),
            }
        }
        Ok(())
    }

    fn json_record(&self, v: &Value, pos: u64) -> std::result::Result<MessageRecord, String> {
        let date = v.get("date").and_then(Value::as_str).ok_or("no date")?;
        let naive = NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| format!("date '{date}' is not ISO 8601"))?;
        let sender = v.get("sender").and_then(Value::as_str).unwrap_or("");
        let mut body = v
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end()
            .to_string();
        if let Some(q) = v
            .get("quote")
            .and_then(Value::as_str)
            .filter(|q| !q.trim().is_empty())
        {
            body = format!("{}\n\n{body}", q.trim());
        }
        let reactions = v
            .get("reactions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let (by, emoji) = match r {
                    Value::Array(p) => (p.first()?.as_str()?, p.get(1)?.as_str()?),
                    Value::Object(o) => (o.get("name")?.as_str()?, o.get("emoji")?.as_str()?),
                    _ => return None,
                };
                Some(Reaction {
                    emoji: emoji.to_string(),
                    by: by.to_string(),
                })
            })
            .collect();
        let files: Vec<(String, String)> = v
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| {
                Some((
                    a.get("name")?.as_str()?.to_string(),
                    a.get("path")?
                        .as_str()?
                        .trim_start_matches("./")
                        .to_string(),
                ))
            })
            .collect();
        let attachments = self.attachments(files);
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        let kind = if flag("deleted") {
            MessageKind::Deleted
        } else if flag("call") {
            MessageKind::Call
        } else if body.is_empty() && !attachments.is_empty() {
            MessageKind::Media
        } else {
            MessageKind::Text
        };
        Ok(MessageRecord {
            native_id: None,
            sender: (!sender.is_empty()).then(|| person(sender)),
            sent_at: zone::to_utc(&self.options.zone, naive).0,
            local_time: Some(LocalTime {
                naive,
                text: date.to_string(),
            }),
            kind,
            body,
            edited: false,
            reply_to: None,
            reactions,
            raw: Some(v.to_string()),
            attachments,
            pos,
        })
    }
}

pub fn import(
    input: &mut Input,
    options: &ImportOptions,
    sink: &mut dyn RecordSink,
) -> Result<SourceFacts> {
    let list = chats(input);
    let lookup = input.reopen()?;
    let mut total = 0;
    for (member, kind) in list {
        let display = input.member_display(&member);
        let title = if member.contains('/') {
            member
                .rsplit_once('/')
                .map_or("", |(d, _)| d)
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string()
        } else {
            let name = input.display_name();
            name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
        };
        sink.file(SourceFile {
            path: display,
            positions: PositionKind::Line,
        })?;
        sink.conversation(ConversationRecord {
            native_id: None,
            title: if title.is_empty() {
                "Signal chat".into()
            } else {
                title
            },
            kind: ConversationKind::Direct,
            participants: Vec::new(),
        })?;
        let mut chat = Chat {
            sink: &mut *sink,
            input: &lookup,
            member: member.clone(),
            options,
            messages: 0,
        };
        if kind == "json" {
            chat.read_json(input)?;
        } else {
            chat.read_md(input)?;
        }
        total += chat.messages;
    }
    if total == 0 {
        return Err(Error::bad_input(
            Location::file(input.display_name()),
            "no Signal message found",
        ));
    }
    sink.warning(
        &Location::file(input.display_name()),
        format!(
            "signal-export writes local times without a zone: read as {}{}",
            options.zone.name(),
            if options.zone_explicit {
                ""
            } else {
                " (this computer's zone); use --tz if the export was made elsewhere"
            }
        ),
    );
    Ok(SourceFacts {
        zone: Some(options.zone.name().to_string()),
        date_order: None,
        messages: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_header_styles() {
        let (n, s, who, t) = header("[2019-12-24, 12:23] Jane Doe: Hello John!").unwrap();
        assert_eq!(
            (n.to_string().as_str(), s, who, t),
            (
                "2019-12-24 12:23:00",
                "2019-12-24, 12:23",
                "Jane Doe",
                "Hello John!"
            )
        );
        let (n, _, who, _) = header("[2024-05-01 12:34:56] Me: hi").unwrap();
        assert_eq!((n.to_string().as_str(), who), ("2024-05-01 12:34:56", "Me"));
        assert!(header("[2019/12/24 12:23] a: b").is_none());
    }

    #[test]
    fn reactions_and_attachments_come_off_the_text() {
        let (body, files, reactions) = md_extras(
            "See this  ![photo.jpg](./media/2024-05-01_00_photo.jpg)  \n(- Jane: 👍, Tom: 😀 -)",
        );
        assert_eq!(body, "See this");
        assert_eq!(
            files,
            [(
                "photo.jpg".to_string(),
                "media/2024-05-01_00_photo.jpg".to_string()
            )]
        );
        assert_eq!(reactions.len(), 2);
        assert_eq!(
            (reactions[1].by.as_str(), reactions[1].emoji.as_str()),
            ("Tom", "😀")
        );
    }
}
