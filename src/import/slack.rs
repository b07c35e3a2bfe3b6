//! Slack workspace export (a zip, or its unzipped folder): `channels.json`, `groups.json`,
//! `dms.json`, `mpims.json`, `users.json`, and a folder per conversation of `YYYY-MM-DD.json`
//! day files. See docs/formats/slack.md.
//!
//! Day files are read one at a time (each is a JSON array of one day's messages). A message's
//! identity is its `ts` within its conversation; thread replies point at their parent's
//! `thread_ts`, wherever the day files put them.

use std::collections::{BTreeMap, HashMap};

use chrono::DateTime;
use serde_json::Value;

use super::{
    AttachmentContent, AttachmentRecord, ConversationKind, ConversationRecord, Format,
    ImportOptions, Importer, Input, MessageKind, MessageRecord, ParticipantRecord, PositionKind,
    Reaction, RecordSink, SourceFacts, SourceFile,
};
use crate::error::{Error, Location, Result};

pub struct Slack;

pub const VERSION: u32 = 1;

/// The metadata files, and the kind of conversation each lists.
const LISTS: &[(&str, ConversationKind)] = &[
    ("channels.json", ConversationKind::Channel),
    ("groups.json", ConversationKind::Group),
    ("mpims.json", ConversationKind::Group),
    ("dms.json", ConversationKind::Direct),
];

/// Subtypes that are events, not someone writing.
const SYSTEM_SUBTYPES: &[&str] = &[
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "group_join",
    "group_leave",
    "group_topic",
    "group_purpose",
    "group_name",
    "group_archive",
    "group_unarchive",
    "bot_add",
    "bot_remove",
    "pinned_item",
    "unpinned_item",
    "reminder_add",
];

/// Slack names reactions by shortcode (`+1`, `tada::skin-tone-2`): the common ones become
/// the emoji they show; others (a workspace's custom emoji) stay `:name:`.
fn reaction_emoji(name: &str) -> String {
    let (base, tone) = name.split_once("::").unwrap_or((name, ""));
    let emoji = match base {
        "+1" | "thumbsup" => "👍",
        "-1" | "thumbsdown" => "👎",
        "heart" => "❤️",
        "tada" => "🎉",
        "joy" => "😂",
        "smile" => "😄",
        "slightly_smiling_face" => "🙂",
        "laughing" => "😆",
        "eyes" => "👀",
        "white_check_mark" => "✅",
        "heavy_check_mark" => "✔️",
        "x" => "❌",
        "pray" => "🙏",
        "raised_hands" => "🙌",
        "clap" => "👏",
        "fire" => "🔥",
        "ok_hand" => "👌",
        "100" => "💯",
        "rocket" => "🚀",
        "thinking_face" => "🤔",
        "wave" => "👋",
        "muscle" => "💪",
        "star" => "⭐",
        "warning" => "⚠️",
        "sob" => "😭",
        "scream" => "😱",
        "see_no_evil" => "🙈",
        "point_up" => "☝️",
        _ => return format!(":{name}:"),
    };
    let modifier = match tone {
        "skin-tone-2" => "\u{1F3FB}",
        "skin-tone-3" => "\u{1F3FC}",
        "skin-tone-4" => "\u{1F3FD}",
        "skin-tone-5" => "\u{1F3FE}",
        "skin-tone-6" => "\u{1F3FF}",
        _ => "",
    };
    format!("{emoji}{modifier}")
}

/// A message without its files' download links (they carry access tokens: `?t=xoxe-…`).
fn without_file_links(m: &Value) -> Value {
    let mut m = m.clone();
    let strip = |f: &mut Value| {
        if let Some(o) = f.as_object_mut() {
            o.retain(|k, _| {
                !(k.starts_with("url_private")
                    || k.starts_with("permalink")
                    || k.starts_with("thumb_")
                    || k == "deanimate_gif"
                    || k == "edit_link")
            });
        }
    };
    if let Some(o) = m.as_object_mut() {
        if let Some(Value::Array(fs)) = o.get_mut("files") {
            fs.iter_mut().for_each(strip);
        }
        if let Some(f) = o.get_mut("file") {
            strip(f);
        }
    }
    m
}

/// Where the export's files are inside the container (zips often add a top folder).
fn root(input: &Input) -> Option<String> {
    let members = input.members();
    members
        .iter()
        .filter(|m| {
            let base = m.rsplit('/').next().unwrap_or(m);
            base == "channels.json" || base == "users.json"
        })
        .min_by_key(|m| m.matches('/').count())
        .map(|m| {
            m.rsplit_once('/')
                .map_or(String::new(), |(d, _)| format!("{d}/"))
        })
}

fn is_day_file(name: &str) -> bool {
    let b = name.as_bytes();
    name.len() == 15
        && name.ends_with(".json")
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4]
            .iter()
            .chain(&b[5..7])
            .chain(&b[8..10])
            .all(u8::is_ascii_digit)
}

#[derive(Debug, Clone)]
struct User {
    name: String,
}

fn user_name(u: &Value) -> Option<String> {
    let profile = u.get("profile");
    [
        u.get("real_name"),
        profile.and_then(|p| p.get("real_name")),
        profile.and_then(|p| p.get("display_name")),
        u.get("name"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .find(|s| !s.trim().is_empty())
    .map(str::to_string)
}

/// Turns Slack's mrkdwn into readable text: `<@U1>` → `@Name`, `<#C1|general>` → `#general`,
/// `<https://x|label>` → `label (https://x)`, `&lt;` → `<`.
fn readable(text: &str, users: &HashMap<String, User>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &rest[open + 1..open + close];
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(l)),
            None => (inner, None),
        };
        let piece = if let Some(id) = target.strip_prefix('@') {
            let name = label
                .map(str::to_string)
                .or_else(|| users.get(id).map(|u| u.name.clone()))
                .unwrap_or_else(|| id.to_string());
            format!("@{}", name.trim_start_matches('@'))
        } else if let Some(id) = target.strip_prefix('#') {
            format!("#{}", label.unwrap_or(id))
        } else if let Some(special) = target.strip_prefix('!') {
            match label {
                Some(l) => l.to_string(),
                None => format!("@{}", special.split('^').next().unwrap_or(special)),
            }
        } else if let Some(addr) = target.strip_prefix("mailto:") {
            label.unwrap_or(addr).to_string()
        } else {
            match label {
                Some(l) if l != target => format!("{l} ({target})"),
                _ => target.to_string(),
            }
        };
        out.push_str(&piece);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

struct Conversation {
    id: String,
    title: String,
    kind: ConversationKind,
    members: Vec<String>,
    /// The folder holding its day files.
    folder: String,
}

struct Ctx<'a> {
    users: HashMap<String, User>,
    sink: &'a mut dyn RecordSink,
}

impl Ctx<'_> {
    fn person(&mut self, id: &str, fallback: Option<&str>) -> ParticipantRecord {
        let name = match self.users.get(id) {
            Some(u) => u.name.clone(),
            None => fallback
                .map(str::to_string)
                .unwrap_or_else(|| id.to_string()),
        };
        ParticipantRecord {
            display_name: name,
            handle: Some(id.to_string()),
        }
    }

    fn message(&mut self, m: &Value, index: u64) -> std::result::Result<MessageRecord, String> {
        let obj = m.as_object().ok_or("not an object")?;
        let ts = obj.get("ts").and_then(Value::as_str).ok_or("no ts")?;
        let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
        let not_ts = || format!("ts '{ts}' is not a Slack timestamp");
        let secs: i64 = secs.parse().map_err(|_| not_ts())?;
        if !micros.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_ts());
        }
        let micros: i64 = format!("{micros:0<6}")[..6].parse().unwrap_or(0);
        let sent_at = DateTime::from_timestamp(secs, (micros * 1000) as u32)
            .ok_or_else(|| format!("ts '{ts}' is out of range"))?;
        let subtype = obj.get("subtype").and_then(Value::as_str);
        let text = obj.get("text").and_then(Value::as_str).unwrap_or("");
        let body = readable(text, &self.users);
        let mut record = MessageRecord {
            native_id: Some(ts.to_string()),
            sender: None,
            sent_at,
            local_time: None,
            kind: MessageKind::Text,
            raw: (body != text).then(|| text.to_string()),
            body,
            edited: obj.contains_key("edited"),
            reply_to: obj
                .get("thread_ts")
                .and_then(Value::as_str)
                .filter(|t| *t != ts)
                .map(str::to_string),
            reactions: Vec::new(),
            attachments: Vec::new(),
            pos: index,
        };
        let profile_name = obj
            .get("user_profile")
            .and_then(|p| p.get("real_name").or_else(|| p.get("display_name")))
            .and_then(Value::as_str);
        // A file comment's author is inside the comment.
        let user = obj
            .get("user")
            .or_else(|| obj.get("comment").and_then(|c| c.get("user")))
            .and_then(Value::as_str);
        if let Some(user) = user {
            record.sender = Some(self.person(user, profile_name));
        } else if let Some(bot) = obj.get("bot_id").and_then(Value::as_str) {
            let name = obj
                .get("username")
                .or_else(|| obj.get("bot_profile").and_then(|b| b.get("name")))
                .and_then(Value::as_str)
                .unwrap_or(bot);
            record.sender = Some(ParticipantRecord {
                display_name: name.to_string(),
                handle: Some(bot.to_string()),
            });
        }
        // Cards (link previews, bot notifications) carry the content of many bot messages.
        let cards: Vec<String> = obj
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let parts: Vec<&str> = ["pretext", "title", "text"]
                    .iter()
                    .filter_map(|k| a.get(*k).and_then(Value::as_str))
                    .filter(|s| !s.is_empty())
                    .collect();
                let line = if parts.is_empty() {
                    a.get("fallback").and_then(Value::as_str)?.to_string()
                } else {
                    parts.join("\n")
                };
                Some(readable(&line, &self.users))
            })
            .collect();
        if !cards.is_empty() {
            let cards = cards.join("\n");
            record.body = if record.body.is_empty() {
                cards
            } else {
                format!("{}\n{cards}", record.body)
            };
            record.raw = Some(without_file_links(m).to_string());
        }
        if subtype.is_some_and(|s| SYSTEM_SUBTYPES.contains(&s)) {
            record.kind = MessageKind::System;
        }
        if subtype == Some("tombstone") {
            // A thread parent deleted after it was answered.
            record.kind = MessageKind::Deleted;
        }
        let files: Vec<&Value> = match obj.get("files").and_then(Value::as_array) {
            Some(fs) => fs.iter().collect(),
            None => obj.get("file").into_iter().collect(),
        };
        for f in files {
            let name = ["name", "title", "id"]
                .iter()
                .find_map(|k| f.get(*k).and_then(Value::as_str))
                .unwrap_or("file")
                .to_string();
            record.attachments.push(AttachmentRecord {
                name,
                mime: f
                    .get("mimetype")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                size: f.get("size").and_then(Value::as_u64),
                // Workspace exports carry links to files (with access tokens), never the files.
                content: AttachmentContent::Omitted,
            });
        }
        if !record.attachments.is_empty() && record.kind == MessageKind::Text {
            record.kind = MessageKind::Media;
        }
        for r in obj
            .get("reactions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let emoji = reaction_emoji(r.get("name").and_then(Value::as_str).unwrap_or("?"));
            for u in r
                .get("users")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let who = u.as_str().unwrap_or("?");
                let by = self
                    .users
                    .get(who)
                    .map_or(who.to_string(), |x| x.name.clone());
                record.reactions.push(Reaction {
                    emoji: emoji.clone(),
                    by,
                });
            }
        }
        Ok(record)
    }
}

impl Slack {
    /// A zip or folder with Slack's `channels.json` / `users.json` and day files.
    pub fn detect(input: &Input) -> bool {
        let Some(root) = root(input) else {
            return false;
        };
        input.members().iter().any(|m| {
            m.strip_prefix(root.as_str())
                .is_some_and(|rel| rel.split_once('/').is_some_and(|(_, f)| is_day_file(f)))
        })
    }

    fn load_json(input: &mut Input, member: &str) -> std::result::Result<Value, Error> {
        let bytes = input.read_member(member)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::bad_input(
                Location::line(input.member_display(member), e.line() as u64),
                format!("not valid JSON: {e}"),
            )
        })
    }
}

impl Importer for Slack {
    fn format(&self) -> Format {
        Format::Slack
    }

    fn version(&self) -> u32 {
        VERSION
    }

    fn import(
        &self,
        input: &mut Input,
        _options: &ImportOptions,
        sink: &mut dyn RecordSink,
    ) -> Result<SourceFacts> {
        let root = root(input).ok_or_else(|| Error::UnsupportedFormat {
            location: Location::file(input.display_name()),
            message: "not a Slack export (no channels.json or users.json)".into(),
        })?;
        let members = input.members();
        let has = |name: &str| members.iter().any(|m| *m == format!("{root}{name}"));

        let mut ctx = Ctx {
            users: HashMap::new(),
            sink,
        };
        for list in ["users.json", "org_users.json"] {
            if has(list) {
                let v = Slack::load_json(input, &format!("{root}{list}"))?;
                for u in v.as_array().into_iter().flatten() {
                    if let (Some(id), Some(name)) =
                        (u.get("id").and_then(Value::as_str), user_name(u))
                    {
                        ctx.users.insert(id.to_string(), User { name });
                    }
                }
            }
        }
        if ctx.users.is_empty() {
            ctx.sink.warning(
                &Location::file(input.display_name()),
                "no users.json: people are shown by their Slack ids (U…)".into(),
            );
        }

        // Every conversation the lists name, then any folder of day files they do not.
        let mut convs: BTreeMap<String, Conversation> = BTreeMap::new();
        for (list, kind) in LISTS {
            if !has(list) {
                continue;
            }
            let v = Slack::load_json(input, &format!("{root}{list}"))?;
            for c in v.as_array().into_iter().flatten() {
                let Some(id) = c.get("id").and_then(Value::as_str) else {
                    continue;
                };
                let name = c.get("name").and_then(Value::as_str);
                let members: Vec<String> = c
                    .get("members")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect();
                let title = match (kind, name) {
                    (ConversationKind::Direct, _) => members
                        .iter()
                        .map(|m| ctx.users.get(m).map_or(m.clone(), |u| u.name.clone()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    (ConversationKind::Channel, Some(n)) => format!("#{n}"),
                    (_, Some(n)) => n.to_string(),
                    (_, None) => id.to_string(),
                };
                let folder = name.unwrap_or(id).to_string();
                convs.insert(
                    folder.clone(),
                    Conversation {
                        id: id.to_string(),
                        title,
                        kind: *kind,
                        members,
                        folder,
                    },
                );
            }
        }
        let mut day_files: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in &members {
            if let Some((folder, file)) = m
                .strip_prefix(root.as_str())
                .and_then(|r| r.split_once('/'))
            {
                if is_day_file(file) && !folder.contains('/') {
                    day_files
                        .entry(folder.to_string())
                        .or_default()
                        .push(m.clone());
                }
            }
        }
        for folder in day_files.keys() {
            if !convs.contains_key(folder) {
                ctx.sink.warning(
                    &Location::file(input.member_display(&format!("{root}{folder}"))),
                    "a folder of day files that no channels/groups/dms/mpims list names: imported as a channel named after the folder".into(),
                );
                convs.insert(
                    folder.clone(),
                    Conversation {
                        id: folder.clone(),
                        title: format!("#{folder}"),
                        kind: ConversationKind::Channel,
                        members: Vec::new(),
                        folder: folder.clone(),
                    },
                );
            }
        }

        let total: u64 = input.size();
        let mut done: u64 = 0;
        let mut messages: u64 = 0;
        for conv in convs.values() {
            let Some(files) = day_files.get(&conv.folder) else {
                continue;
            };
            let participants = conv.members.iter().map(|m| ctx.person(m, None)).collect();
            ctx.sink.conversation(ConversationRecord {
                native_id: Some(conv.id.clone()),
                title: conv.title.clone(),
                kind: conv.kind,
                participants,
            })?;
            let mut files = files.clone();
            files.sort();
            for file in files {
                let display = input.member_display(&file);
                ctx.sink.file(SourceFile {
                    path: display.clone(),
                    positions: PositionKind::JsonIndex("$".into()),
                })?;
                let bytes = input.read_member(&file)?;
                done += bytes.len() as u64;
                let day: Value = match serde_json::from_slice(&bytes) {
                    Ok(v) => v,
                    Err(e) => {
                        ctx.sink.warning(
                            &Location::line(&display, e.line() as u64),
                            format!("day file skipped, not valid JSON ({e}); the original is kept in the archive"),
                        );
                        continue;
                    }
                };
                let Some(list) = day.as_array() else {
                    ctx.sink.warning(
                        &Location::file(&display),
                        "day file skipped: not a list of messages".into(),
                    );
                    continue;
                };
                for (i, m) in list.iter().enumerate() {
                    match ctx.message(m, i as u64) {
                        Ok(record) => {
                            messages += 1;
                            ctx.sink.message(record)?;
                        }
                        Err(why) => ctx.sink.warning(
                            &Location::file(format!("{display}: $[{i}]")),
                            format!("message skipped: {why} (the original is kept in the archive)"),
                        ),
                    }
                }
                ctx.sink.progress(done, total);
            }
        }
        if messages == 0 {
            return Err(Error::bad_input(
                Location::file(input.display_name()),
                "a Slack export with no messages (no day files in any conversation folder)",
            ));
        }
        Ok(SourceFacts {
            zone: None,
            date_order: None,
            messages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrkdwn_becomes_readable_text() {
        let mut users = HashMap::new();
        users.insert(
            "U1".to_string(),
            User {
                name: "Priya Shah".into(),
            },
        );
        assert_eq!(
            readable("<@U1> see <#C2|general> and <https://ex.org/a?b=1|the plan> &amp; <https://x.org> <!here> <mailto:a@b.org|a@b.org> <@U9>", &users),
            "@Priya Shah see #general and the plan (https://ex.org/a?b=1) & https://x.org @here a@b.org @U9"
        );
        assert_eq!(readable("a &lt;b&gt; c", &users), "a <b> c");
        assert_eq!(readable("unclosed <tag", &users), "unclosed <tag");
    }

    #[test]
    fn file_links_with_tokens_are_not_kept() {
        let m = serde_json::json!({"ts": "1.000100", "files": [{"name": "a.pdf", "size": 3,
            "url_private": "https://files.slack.com/a.pdf?t=xoxe-secret", "permalink": "https://x/a"}],
            "attachments": [{"text": "card"}]});
        let kept = without_file_links(&m).to_string();
        assert!(
            !kept.contains("xoxe") && kept.contains("a.pdf") && kept.contains("card"),
            "{kept}"
        );
    }

    #[test]
    fn reactions_show_their_emoji() {
        assert_eq!(reaction_emoji("+1"), "👍");
        assert_eq!(reaction_emoji("thumbsup::skin-tone-3"), "👍\u{1F3FC}");
        assert_eq!(reaction_emoji("party-parrot"), ":party-parrot:");
    }

    #[test]
    fn day_file_names() {
        assert!(is_day_file("2016-01-14.json"));
        assert!(!is_day_file("channels.json"));
        assert!(!is_day_file("2016-1-14.json"));
    }
}
