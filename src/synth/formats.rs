//! Synthetic exports sized in messages for the formats `whatsapp_android` and `exports` do not
//! write: a Telegram Desktop whole-account export, the output of signal-export, and a Maildir.
//!
//! Every generator is deterministic from its seed (same seed, byte-identical files), streams
//! what it writes (one conversation's small state in memory, never the messages, so 10 million
//! messages are fine), and returns exactly the number of messages the Holdfast importer reads
//! from it (none of these importers skips a generated record). The messages spread over four
//! years ([`START`], [`SPAN`]) in bursts, over several conversations of Zipf-like sizes and
//! several people, with a Zipf vocabulary in Latin, Cyrillic and CJK scripts, some emoji,
//! replies, edits, reactions, calls and attachments (small files written beside the export).
//! One message holds [`marker`]`(seed)`, for checks that no plaintext reaches the archive.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime};
use data_encoding::BASE64;

use super::exports::{person, push_sentence};
use super::{Rng, Vocabulary, PHRASES};

/// 2021-01-01T00:00:00Z: the first generated message is in the first months after it.
pub const START: i64 = 1_609_459_200;
/// Four years (2021–2024), the time generated conversations cover.
pub const SPAN: i64 = 1461 * 86_400;

/// The sentence planted in one message of every export generated from `seed`.
pub fn marker(seed: u64) -> String {
    format!("the code word is quartz{seed:x} heron")
}

const EMOJI: &[&str] = &[
    "👍",
    "🙂",
    "😂",
    "🎉",
    "🙏",
    "❤️",
    "👀",
    "✅",
    "🔥",
    "😅",
    "🤔",
    "📎",
    "👩‍💻",
    "🇬🇧",
];

const TOPICS: &[&str] = &[
    "Project", "Site", "Budget", "Council", "Tender", "Team", "Planning", "Records",
];

const CAST: usize = 40;

/// Splits `total` messages over `parts` conversations, Zipf-like (the first the largest), each
/// getting at least one while there are enough. Integer arithmetic, so the same everywhere.
fn split(total: u64, parts: usize) -> Vec<u64> {
    let parts = parts.max(1);
    let base = u64::from(total >= parts as u64);
    let rest = total - base * parts as u64;
    let weights: Vec<u64> = (0..parts).map(|i| 1_000_000 / (i as u64 + 1)).collect();
    let sum: u64 = weights.iter().sum();
    let mut out: Vec<u64> = weights
        .iter()
        .map(|w| base + (u128::from(rest) * u128::from(*w) / u128::from(sum)) as u64)
        .collect();
    let mut left = total - out.iter().sum::<u64>();
    let mut i = 0;
    while left > 0 {
        out[i % parts] += 1;
        left -= 1;
        i += 1;
    }
    out
}

/// Time in one conversation: it starts in the first months of the span and moves on in bursts
/// (mostly minutes apart, now and then days), so its messages end near the span's end.
struct Clock {
    t: i64,
    mean: u64,
}

impl Clock {
    fn new(rng: &mut Rng, messages: u64) -> Clock {
        let start = START + rng.below(SPAN as u64 / 12) as i64;
        let mean = ((START + SPAN - start) as u64 / messages.max(1)).max(1);
        Clock { t: start, mean }
    }

    /// The next message's time (UTC seconds).
    fn tick(&mut self, rng: &mut Rng) -> i64 {
        let step = if self.mean > 400 {
            // 70 % within five minutes (mean 150 s); the rest make up the mean.
            if rng.below(10) < 7 {
                1 + rng.below(300)
            } else {
                1 + rng.below(2 * ((10 * self.mean - 1054) / 3))
            }
        } else {
            1 + rng.below(2 * self.mean)
        };
        // A conversation of a few messages has a mean gap of years: stay inside the span by
        // moving at most half the time left.
        let room = (START + SPAN - self.t).max(2) as u64;
        self.t += step.min(room / 2) as i64;
        self.t
    }
}

fn naive(t: i64) -> NaiveDateTime {
    DateTime::from_timestamp(t, 0)
        .expect("generated times are in range")
        .naive_utc()
}

/// A message text: Zipf words, now and then a planted phrase, an emoji or a second line.
fn text(out: &mut String, rng: &mut Rng, vocab: &Vocabulary, min: u64, max: u64) {
    out.clear();
    if rng.below(50) == 0 {
        out.push_str(PHRASES[rng.below(PHRASES.len() as u64) as usize]);
        out.push(' ');
    }
    push_sentence(out, rng, vocab, min, max);
    match rng.below(25) {
        0..=2 => {
            out.push(' ');
            out.push_str(EMOJI[rng.skewed(EMOJI.len() as u64) as usize]);
        }
        3 => {
            out.push('\n');
            push_sentence(out, rng, vocab, min, max);
        }
        _ => {}
    }
}

fn emoji(rng: &mut Rng) -> &'static str {
    EMOJI[rng.skewed(EMOJI.len() as u64) as usize]
}

/// A small file of the given kind: its magic bytes and some noise (never plaintext).
fn fake_file(rng: &mut Rng, ext: &str, buf: &mut Vec<u8>) {
    buf.clear();
    buf.extend_from_slice(match ext {
        "jpg" => b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
        "png" => b"\x89PNG\r\n\x1a\n",
        "pdf" => b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n",
        "ogg" => b"OggS\x00\x02",
        "m4a" | "mp4" => b"\x00\x00\x00\x20ftypisom",
        "webp" => b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        _ => b"PK\x03\x04",
    });
    for _ in 0..6 + rng.below(50) {
        buf.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    if ext == "jpg" {
        buf.extend_from_slice(b"\xFF\xD9");
    }
}

fn io_err(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

/// A JSON string, escaped.
fn js(w: &mut impl Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io_err)
}

const SPACES: &str = "                                ";

/// Writes an object's fields one per line, Telegram Desktop's way (one space per level).
struct Obj<'a, W: Write> {
    w: &'a mut W,
    indent: usize,
    first: bool,
}

impl<'a, W: Write> Obj<'a, W> {
    fn open(w: &'a mut W, indent: usize) -> io::Result<Self> {
        w.write_all(b"{")?;
        Ok(Obj {
            w,
            indent,
            first: true,
        })
    }

    fn key(&mut self, k: &str) -> io::Result<&mut W> {
        self.w.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        self.w.write_all(&SPACES.as_bytes()[..self.indent + 1])?;
        write!(self.w, "\"{k}\": ")?;
        Ok(self.w)
    }

    fn str(&mut self, k: &str, v: &str) -> io::Result<()> {
        let w = self.key(k)?;
        js(w, v)
    }

    fn num(&mut self, k: &str, v: impl std::fmt::Display) -> io::Result<()> {
        let w = self.key(k)?;
        write!(w, "{v}")
    }

    fn strs(&mut self, k: &str, v: &[&str]) -> io::Result<()> {
        let w = self.key(k)?;
        w.write_all(b"[")?;
        for (i, s) in v.iter().enumerate() {
            if i > 0 {
                w.write_all(b", ")?;
            }
            js(w, s)?;
        }
        w.write_all(b"]")
    }

    fn close(self) -> io::Result<()> {
        self.w.write_all(b"\n")?;
        self.w.write_all(&SPACES.as_bytes()[..self.indent])?;
        self.w.write_all(b"}")
    }
}

// ---------------------------------------------------------------------------------------------
// Telegram

const NOT_INCLUDED: &str = "(File not included. Change data exporting settings to download.)";

const TELEGRAM_KINDS: &[&str] = &[
    "personal_chat",
    "private_supergroup",
    "personal_chat",
    "private_group",
    "public_channel",
    "personal_chat",
    "private_supergroup",
    "personal_chat",
];

fn user_id(i: usize) -> u64 {
    100_000_000 + i as u64 * 7_919
}

struct TgChat {
    kind: &'static str,
    name: String,
    id: u64,
    /// Who writes (indexes into the cast); a channel writes as itself.
    members: Vec<usize>,
    dir: String,
}

/// The media folders of a chat already created (photos, files, voice_messages, stickers).
#[derive(Default)]
struct Dirs(u8);

impl Dirs {
    fn ensure(&mut self, root: &Path, chat_dir: &str, bit: u8, sub: &str) -> io::Result<()> {
        if self.0 & bit == 0 {
            fs::create_dir_all(root.join(chat_dir).join(sub))?;
            self.0 |= bit;
        }
        Ok(())
    }
}

/// Writes a Telegram Desktop whole-account export ("Export Telegram data", machine-readable
/// JSON) under `root`: `result.json` with `about`, `personal_information`, `contacts`,
/// `frequent_contacts`, `chats` and `left_chats`, and the media files under `chats/chat_NNN/`.
/// Chats are personal chats, private groups and supergroups and a public channel; messages
/// carry `date` (Moscow time, as the exporting computer wrote it) and `date_unixtime`, plain or
/// entity-array text with `text_entities`, edits, replies, forwards, reactions, photos, files,
/// voice messages and stickers (some "not included"), and service messages (`create_group`,
/// `create_channel`, `invite_members`, `pin_message`, `phone_call`). Returns the number of
/// messages, service messages included (the importer keeps them all).
pub fn telegram_account(root: &Path, messages: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let vocab = Vocabulary::new(&mut rng, 20_000);
    let marker = marker(seed);
    fs::create_dir_all(root)?;
    let mut w = BufWriter::with_capacity(1 << 20, fs::File::create(root.join("result.json"))?);
    let cast: Vec<(String, String)> = (0..CAST).map(person).collect();

    w.write_all(b"{\n \"about\": \"Here is the data you requested. Remember: Telegram is ad free, it is funded by subscriptions and donations.\",\n \"personal_information\": ")?;
    {
        let (first, last) = cast[0].0.split_once(' ').unwrap_or((&cast[0].0, ""));
        let mut o = Obj::open(&mut w, 1)?;
        o.num("user_id", user_id(0))?;
        o.str("first_name", first)?;
        o.str("last_name", last)?;
        o.str("phone_number", "+44 7700 900000")?;
        o.str("username", &format!("@{}", cast[0].1.replace('.', "_")))?;
        o.str("bio", "")?;
        o.close()?;
    }
    w.write_all(
        b",\n \"contacts\": {\n  \"about\": \"This is your contact list.\",\n  \"list\": [",
    )?;
    for (i, (name, _)) in cast.iter().enumerate().skip(1).take(20) {
        w.write_all(if i > 1 { b",\n   " } else { b"\n   " })?;
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        let t = START - 86_400 * (30 + i as i64 * 11);
        let mut o = Obj::open(&mut w, 3)?;
        o.num("user_id", user_id(i))?;
        o.str("first_name", first)?;
        o.str("last_name", last)?;
        o.str("phone_number", &format!("+44 7700 900{i:03}"))?;
        o.str("date", &naive(t).format("%Y-%m-%dT%H:%M:%S").to_string())?;
        o.str("date_unixtime", &t.to_string())?;
        o.close()?;
    }
    w.write_all(b"\n  ]\n },\n \"frequent_contacts\": {\n  \"about\": \"This page lists the people you talk to most.\",\n  \"list\": []\n },\n")?;

    let n_chats = (6 + messages / 20_000).clamp(8, 48) as usize;
    let left = 1 + n_chats / 8;
    let counts = split(messages, n_chats);
    let marker_at = messages / 2;
    let mut global = 0u64;
    let mut personal = 0;
    let mut state = TgState {
        rng,
        vocab,
        text: String::new(),
        file: Vec::new(),
        path: String::new(),
    };
    w.write_all(b" \"chats\": {\n  \"about\": \"This page lists all chats from this export.\",\n  \"list\": [")?;
    for (k, count) in counts.iter().enumerate() {
        if k == n_chats - left {
            w.write_all(b"\n  ]\n },\n \"left_chats\": {\n  \"about\": \"This page lists all chats you left.\",\n  \"list\": [")?;
        }
        w.write_all(if k > 0 && k != n_chats - left {
            b",\n   "
        } else {
            b"\n   "
        })?;
        let kind = if k >= n_chats - left {
            "private_group"
        } else {
            TELEGRAM_KINDS[k % TELEGRAM_KINDS.len()]
        };
        let chat = match kind {
            "personal_chat" => {
                // At most 24 personal chats (48 chats), each with its own person.
                personal += 1;
                let other = 1 + (personal * 7) % (CAST - 1);
                TgChat {
                    kind,
                    name: cast[other].0.clone(),
                    id: user_id(other),
                    members: vec![0, other],
                    dir: format!("chats/chat_{:03}", k + 1),
                }
            }
            _ => {
                let rng = &mut state.rng;
                let mut members = vec![0];
                for _ in 0..3 + rng.below(10) {
                    let p = 1 + rng.below(CAST as u64 - 1) as usize;
                    if !members.contains(&p) {
                        members.push(p);
                    }
                }
                let topic = TOPICS[k % TOPICS.len()];
                let word = &state.vocab.words[300 + k];
                TgChat {
                    kind,
                    name: if kind.contains("channel") {
                        format!("{topic} {word} News")
                    } else {
                        format!("{topic} {word}")
                    },
                    id: 1_500_000_000 + k as u64 * 104_729,
                    members,
                    dir: format!("chats/chat_{:03}", k + 1),
                }
            }
        };
        let marker_here = (global..global + count)
            .contains(&marker_at)
            .then(|| (marker_at - global, marker.as_str()));
        telegram_chat(&mut w, root, &chat, *count, &cast, &mut state, marker_here)?;
        global += count;
    }
    w.write_all(b"\n  ]\n }\n}\n")?;
    w.flush()?;
    Ok(messages)
}

struct TgState {
    rng: Rng,
    vocab: Vocabulary,
    text: String,
    file: Vec<u8>,
    path: String,
}

fn telegram_chat(
    w: &mut impl Write,
    root: &Path,
    chat: &TgChat,
    count: u64,
    cast: &[(String, String)],
    st: &mut TgState,
    marker: Option<(u64, &str)>,
) -> io::Result<()> {
    let mut o = Obj::open(w, 3)?;
    o.str("name", &chat.name)?;
    o.str("type", chat.kind)?;
    o.num("id", chat.id)?;
    o.key("messages")?.write_all(b"[")?;
    let w = o.w;
    let channel = chat.kind.contains("channel");
    let group = !channel && chat.kind != "personal_chat";
    let mut clock = Clock::new(&mut st.rng, count);
    let mut id = 1 + st.rng.below(5_000);
    let mut recent: VecDeque<u64> = VecDeque::with_capacity(16);
    let mut dirs = Dirs::default();
    let channel_from = format!("channel{}", chat.id);
    for i in 0..count {
        let rng = &mut st.rng;
        let t = clock.tick(rng);
        id += 1 + u64::from(rng.below(20) == 0);
        let date = naive(t + 3 * 3600);
        w.write_all(if i > 0 { b",\n     " } else { b"\n     " })?;
        let mut m = Obj::open(&mut *w, 5)?;
        m.num("id", id)?;
        let is_marker = marker.is_some_and(|(at, _)| at == i);
        let roll = rng.below(1000);
        let sender = if channel {
            None
        } else if chat.kind == "personal_chat" {
            Some(chat.members[rng.below(2) as usize])
        } else {
            Some(chat.members[rng.skewed(chat.members.len() as u64) as usize])
        };
        let (from, from_id) = match sender {
            Some(p) => (cast[p].0.as_str(), format!("user{}", user_id(p))),
            None => (chat.name.as_str(), channel_from.clone()),
        };
        // Service messages: the group's creation first, then invitations, pins and calls.
        let service = if is_marker {
            None
        } else if i == 0 && (group || channel) {
            Some(if channel {
                "create_channel"
            } else {
                "create_group"
            })
        } else if group && roll < 12 {
            Some("invite_members")
        } else if (group || channel) && roll < 20 && !recent.is_empty() {
            Some("pin_message")
        } else if chat.kind == "personal_chat" && roll < 15 {
            Some("phone_call")
        } else {
            None
        };
        if let Some(action) = service {
            m.str("type", "service")?;
            m.str("date", &date.format("%Y-%m-%dT%H:%M:%S").to_string())?;
            m.str("date_unixtime", &t.to_string())?;
            m.str("actor", from)?;
            m.str("actor_id", &from_id)?;
            m.str("action", action)?;
            match action {
                "create_group" | "create_channel" => {
                    m.str("title", &chat.name)?;
                    if action == "create_group" {
                        let names: Vec<&str> =
                            chat.members.iter().map(|p| cast[*p].0.as_str()).collect();
                        m.strs("members", &names)?;
                    }
                }
                "invite_members" => {
                    let p = 1 + rng.below(CAST as u64 - 1) as usize;
                    m.strs("members", &[cast[p].0.as_str()])?;
                }
                "pin_message" => {
                    m.num(
                        "message_id",
                        recent[rng.below(recent.len() as u64) as usize],
                    )?;
                }
                _ => {
                    if rng.below(4) == 0 {
                        m.str("discard_reason", "missed")?;
                    } else {
                        m.num("duration_seconds", 5 + rng.below(1800))?;
                        m.str("discard_reason", "hangup")?;
                    }
                }
            }
            m.str("text", "")?;
            m.key("text_entities")?.write_all(b"[]")?;
            m.close()?;
        } else {
            m.str("type", "message")?;
            m.str("date", &date.format("%Y-%m-%dT%H:%M:%S").to_string())?;
            m.str("date_unixtime", &t.to_string())?;
            if !is_marker && roll % 20 == 7 {
                let e = t + 30 + rng.below(3_000) as i64;
                m.str(
                    "edited",
                    &naive(e + 3 * 3600).format("%Y-%m-%dT%H:%M:%S").to_string(),
                )?;
                m.str("edited_unixtime", &e.to_string())?;
            }
            m.str("from", from)?;
            m.str("from_id", &from_id)?;
            if !is_marker && roll % 33 == 5 {
                let p = rng.below(CAST as u64) as usize;
                m.str("forwarded_from", &cast[p].0)?;
            }
            if !is_marker && roll % 10 == 3 && !recent.is_empty() {
                let r = recent[recent.len() - 1 - rng.skewed(recent.len() as u64) as usize];
                m.num("reply_to_message_id", r)?;
            }
            // Media: written beside the JSON, or "not included" (exported without them).
            let media = if is_marker { 1000 } else { rng.below(1000) };
            let mut caption = true;
            if media < 85 {
                let stamp = date.format("%d-%m-%Y_%H-%M-%S");
                let (ext, bit) = match media {
                    0..=39 => ("jpg", 1),
                    40..=54 => ("pdf", 2),
                    55..=61 => ("ogg", 4),
                    62..=69 => ("webp", 8),
                    _ => ("", 0),
                };
                st.path.clear();
                match ext {
                    "jpg" => {
                        dirs.ensure(root, &chat.dir, bit, "photos")?;
                        write!(st.path, "{}/photos/photo_{id}@{stamp}.jpg", chat.dir)
                            .expect("string");
                    }
                    "pdf" => {
                        dirs.ensure(root, &chat.dir, bit, "files")?;
                        write!(st.path, "{}/files/minutes_{id}.pdf", chat.dir).expect("string");
                    }
                    "ogg" => {
                        dirs.ensure(root, &chat.dir, bit, "voice_messages")?;
                        write!(
                            st.path,
                            "{}/voice_messages/audio_{id}@{stamp}.ogg",
                            chat.dir
                        )
                        .expect("string");
                    }
                    "webp" => {
                        dirs.ensure(root, &chat.dir, bit, "stickers")?;
                        write!(st.path, "{}/stickers/sticker_{id}.webp", chat.dir).expect("string");
                    }
                    _ => {}
                }
                if !ext.is_empty() {
                    fake_file(rng, ext, &mut st.file);
                    fs::write(root.join(&st.path), &st.file)?;
                }
                let size = st.file.len();
                match ext {
                    "jpg" => {
                        m.str("photo", &st.path)?;
                        m.num("photo_file_size", size)?;
                        m.num("width", 1280)?;
                        m.num("height", 960)?;
                        caption = rng.below(3) == 0;
                    }
                    "pdf" => {
                        m.str("file", &st.path)?;
                        m.str("file_name", &format!("minutes_{id}.pdf"))?;
                        m.num("file_size", size)?;
                        m.str("mime_type", "application/pdf")?;
                        caption = rng.below(2) == 0;
                    }
                    "ogg" => {
                        m.str("file", &st.path)?;
                        m.num("file_size", size)?;
                        m.str("media_type", "voice_message")?;
                        m.str("mime_type", "audio/ogg")?;
                        m.num("duration_seconds", 1 + rng.below(90))?;
                        caption = false;
                    }
                    "webp" => {
                        m.str("file", &st.path)?;
                        m.num("file_size", size)?;
                        m.str("media_type", "sticker")?;
                        m.str("sticker_emoji", emoji(rng))?;
                        m.num("width", 512)?;
                        m.num("height", 512)?;
                        caption = false;
                    }
                    _ => {
                        if rng.below(2) == 0 {
                            m.str("photo", NOT_INCLUDED)?;
                            m.num("width", 1280)?;
                            m.num("height", 720)?;
                        } else {
                            m.str("file", NOT_INCLUDED)?;
                            m.str("file_name", &format!("contract_{id}.docx"))?;
                            m.num("file_size", 20_000 + rng.below(200_000))?;
                            m.str(
                                "mime_type",
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            )?;
                        }
                        caption = rng.below(3) == 0;
                    }
                }
            }
            if let Some((_, sentence)) = marker.filter(|_| is_marker) {
                st.text.clear();
                st.text.push_str(sentence);
            } else if caption {
                text(&mut st.text, rng, &st.vocab, 2, 24);
            } else {
                st.text.clear();
            }
            if !is_marker && caption && roll % 12 == 1 {
                // Formatted text: an entity array (bold, a link, a mention), as Telegram
                // writes it, with `text_entities` beside it.
                let link = format!("https://example.org/docs/{}", rng.below(10_000));
                let mention = format!(
                    "@{}",
                    cast[rng.below(CAST as u64) as usize].1.replace('.', "_")
                );
                let bold = st.vocab.draw(rng).to_string();
                let middle = format!(" {} ", st.text);
                let mut parts: Vec<(&str, &str)> =
                    vec![("bold", &bold), ("plain", &middle), ("link", &link)];
                if roll % 24 == 1 {
                    parts.push(("plain", " "));
                    parts.push(("mention", &mention));
                }
                for key in ["text", "text_entities"] {
                    let w = m.key(key)?;
                    w.write_all(b"[")?;
                    for (n, (kind, s)) in parts.iter().enumerate() {
                        w.write_all(if n > 0 { b",\n       " } else { b"\n       " })?;
                        if *kind == "plain" && key == "text" {
                            js(w, s)?;
                        } else {
                            write!(w, "{{\n        \"type\": \"{kind}\",\n        \"text\": ")?;
                            js(w, s)?;
                            w.write_all(b"\n       }")?;
                        }
                    }
                    w.write_all(b"\n      ]")?;
                }
            } else {
                m.str("text", &st.text)?;
                let w = m.key("text_entities")?;
                if st.text.is_empty() {
                    w.write_all(b"[]")?;
                } else {
                    w.write_all(b"[\n       {\n        \"type\": \"plain\",\n        \"text\": ")?;
                    js(w, &st.text)?;
                    w.write_all(b"\n       }\n      ]")?;
                }
            }
            if !is_marker && roll % 29 == 11 {
                let who = chat.members[rng.below(chat.members.len() as u64) as usize];
                let w = m.key("reactions")?;
                write!(
                    w,
                    "[\n       {{\n        \"type\": \"emoji\",\n        \"count\": 1,\n        \"emoji\": "
                )?;
                js(w, emoji(rng))?;
                w.write_all(b",\n        \"recent\": [\n         {\n          \"from\": ")?;
                js(w, &cast[who].0)?;
                write!(
                    w,
                    ",\n          \"from_id\": \"user{}\",\n          \"date\": \"{}\"\n         }}\n        ]\n       }}\n      ]",
                    user_id(who),
                    naive(t + 3 * 3600 + 60).format("%Y-%m-%dT%H:%M:%S")
                )?;
            }
            m.close()?;
        }
        if recent.len() == 16 {
            recent.pop_front();
        }
        recent.push_back(id);
    }
    if count > 0 {
        w.write_all(b"\n    ")?;
    }
    w.write_all(b"]\n   }")?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// signal-export

/// How signal-export writes a time: Python's `datetime.isoformat()` of a local time from
/// milliseconds (microseconds shown only when not zero).
fn iso_local(out: &mut String, t: i64, ms: u64) {
    write!(out, "{}", naive(t).format("%Y-%m-%dT%H:%M:%S")).expect("string");
    if ms > 0 {
        write!(out, ".{:06}", ms * 1000).expect("string");
    }
}

fn push_json_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a string serialises"));
}

/// Writes the output of carderne/signal-export (`sigexport DEST`) under `root`: one folder per
/// chat, named by the contact or group, holding `chat.md`, `data.json` (JSON Lines: `date`,
/// `sender`, `body`, `quote`, `sticker`, `reactions`, `attachments`, `deleted`, `call`,
/// `missed`, in the tool's key order and spacing) and `media/` with the attachments. Chats are
/// direct ones, groups and "Note to Self"; your own messages are from `Me`. Times are local
/// (read by the importer in `--tz`). Returns the number of messages (the lines of the
/// `data.json` files, which the importer reads in preference to `chat.md`).
pub fn signal_export(root: &Path, messages: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let vocab = Vocabulary::new(&mut rng, 20_000);
    let marker = marker(seed);
    fs::create_dir_all(root)?;
    let cast: Vec<(String, String)> = (0..CAST).map(person).collect();
    let n_chats = (5 + messages / 20_000).clamp(6, 40) as usize;
    let counts = split(messages, n_chats);
    let marker_at = messages / 2;
    let mut global = 0u64;
    let mut body = String::new();
    let mut line = String::new();
    let mut md = String::new();
    let mut file = Vec::new();
    let mut quotes: VecDeque<String> = VecDeque::with_capacity(8);
    let mut direct_chats = 0;
    for (k, count) in counts.iter().enumerate() {
        // The chat: "Note to Self", a group of several people, or one contact.
        let (name, members): (String, Vec<usize>) = if k == n_chats / 2 {
            ("Note to Self".into(), Vec::new())
        } else if k % 3 == 2 {
            let mut members = Vec::new();
            for _ in 0..2 + rng.below(8) {
                let p = 1 + rng.below(CAST as u64 - 1) as usize;
                if !members.contains(&p) {
                    members.push(p);
                }
            }
            (
                format!("{} {}", TOPICS[k % TOPICS.len()], vocab.words[300 + k]),
                members,
            )
        } else {
            // At most 27 direct chats (40 chats), each with its own person.
            direct_chats += 1;
            let p = 1 + (direct_chats * 7) % (CAST - 1);
            (cast[p].0.clone(), vec![p])
        };
        if *count == 0 {
            // signal-export leaves out chats without messages.
            continue;
        }
        let direct = members.len() == 1;
        let dir = root.join(&name);
        fs::create_dir_all(&dir)?;
        let mut media_made = false;
        let mut json = BufWriter::with_capacity(1 << 18, fs::File::create(dir.join("data.json"))?);
        let mut chat_md = BufWriter::with_capacity(1 << 18, fs::File::create(dir.join("chat.md"))?);
        let mut clock = Clock::new(&mut rng, *count);
        quotes.clear();
        for i in 0..*count {
            let t = clock.tick(&mut rng);
            let ms = rng.below(1000);
            let is_marker = global + i == marker_at;
            let roll = if is_marker { 999 } else { rng.below(1000) };
            let sender: &str = if members.is_empty() || rng.below(3) == 0 {
                "Me"
            } else {
                &cast[members[rng.skewed(members.len() as u64) as usize]].0
            };
            let (mut call, mut missed, mut deleted) = (false, false, false);
            let mut sticker = "";
            let mut attachment: Option<String> = None;
            body.clear();
            match roll {
                0..=19 if direct => {
                    call = true;
                    let kind = if rng.below(3) == 0 { "video" } else { "voice" };
                    let outgoing = sender == "Me";
                    match rng.below(4) {
                        0 => {
                            missed = true;
                            write!(body, "Missed {kind} call").expect("string");
                        }
                        _ => {
                            let secs = 5 + rng.below(1800);
                            let d = if secs >= 60 {
                                format!("{}m {}s", secs / 60, secs % 60)
                            } else {
                                format!("{secs}s")
                            };
                            let dir = if outgoing { "Outgoing" } else { "Incoming" };
                            write!(body, "{dir} {kind} call (accepted, {d})").expect("string");
                        }
                    }
                }
                20..=59 => {
                    let (stem, ext) = match rng.below(4) {
                        0 => ("document.pdf", "pdf"),
                        1 => ("voice-message.m4a", "m4a"),
                        _ => ("IMG_0001.jpg", "jpg"),
                    };
                    // isoformat(timespec="milliseconds") with ':' as '-'.
                    let file_name =
                        format!("{}.{ms:03}_00_{stem}", naive(t).format("%Y-%m-%dT%H-%M-%S"));
                    if !media_made {
                        fs::create_dir_all(dir.join("media"))?;
                        media_made = true;
                    }
                    fake_file(&mut rng, ext, &mut file);
                    fs::write(dir.join("media").join(&file_name), &file)?;
                    attachment = Some(file_name);
                    if rng.below(3) == 0 {
                        text(&mut body, &mut rng, &vocab, 2, 12);
                    }
                }
                60..=69 => sticker = emoji(&mut rng),
                70..=79 => deleted = true,
                _ if is_marker => body.push_str(&marker),
                _ => text(&mut body, &mut rng, &vocab, 1, 30),
            }
            if !call && !deleted {
                // signal-export's "so that markdown newlines".
                body.push_str("  ");
            }
            let quote = (!is_marker && !call && roll % 11 == 4 && !quotes.is_empty())
                .then(|| quotes[rng.below(quotes.len() as u64) as usize].as_str());
            let reactions: Vec<(&str, &str)> = if !is_marker && roll % 13 == 6 {
                // By the others in the chat; signal-export names your own reactions after
                // your own conversation, "Note to Self".
                let mut r = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let n = rng.below(members.len() as u64 + 1) as usize;
                    let who = match members.get(n) {
                        Some(p) => cast[*p].0.as_str(),
                        None => "Note to Self",
                    };
                    let own = who == sender || (who == "Note to Self" && sender == "Me");
                    if !own && !r.iter().any(|(w, _)| *w == who) {
                        r.push((who, emoji(&mut rng)));
                    }
                }
                r
            } else {
                Vec::new()
            };
            // data.json: Python's json.dumps(..., ensure_ascii=False).
            line.clear();
            line.push_str("{\"date\": \"");
            iso_local(&mut line, t, ms);
            line.push_str("\", \"sender\": ");
            push_json_str(&mut line, sender);
            line.push_str(", \"body\": ");
            push_json_str(&mut line, if deleted { "" } else { &body });
            line.push_str(", \"quote\": ");
            let quote_md = quote.map(|q| format!("\n\n> {}\n\n", q.replace('\n', "\n> ")));
            push_json_str(&mut line, quote_md.as_deref().unwrap_or(""));
            line.push_str(", \"sticker\": ");
            push_json_str(&mut line, sticker);
            line.push_str(", \"reactions\": [");
            for (n, (who, e)) in reactions.iter().enumerate() {
                if n > 0 {
                    line.push_str(", ");
                }
                line.push('[');
                push_json_str(&mut line, who);
                line.push_str(", ");
                push_json_str(&mut line, e);
                line.push(']');
            }
            line.push_str("], \"attachments\": [");
            if let Some(a) = &attachment {
                line.push_str("{\"name\": ");
                push_json_str(&mut line, a);
                line.push_str(", \"path\": ");
                push_json_str(&mut line, &format!("media/{a}"));
                line.push('}');
            }
            writeln!(
                line,
                "], \"deleted\": {deleted}, \"call\": {call}, \"missed\": {missed}}}"
            )
            .expect("string");
            json.write_all(line.as_bytes())?;
            // chat.md: `[date] sender: quote body`, reactions, sticker, attachments; print()
            // adds a blank line after each.
            md.clear();
            write!(md, "[{}] {sender}: ", naive(t).format("%Y-%m-%d %H:%M:%S")).expect("string");
            if deleted {
                md.push_str("(This message was deleted)\n\n");
            } else {
                md.push_str(quote_md.as_deref().unwrap_or(""));
                md.push_str(&body);
                if !reactions.is_empty() {
                    md.push_str("\n(- ");
                    for (n, (who, e)) in reactions.iter().enumerate() {
                        if n > 0 {
                            md.push_str(", ");
                        }
                        write!(md, "{who}: {e}").expect("string");
                    }
                    md.push_str(" -)");
                }
                if !sticker.is_empty() {
                    write!(md, "\n(( {sticker} ))").expect("string");
                }
                if let Some(a) = &attachment {
                    if a.ends_with(".jpg") {
                        md.push('!');
                    }
                    write!(md, "[{a}](./media/{a})  ").expect("string");
                }
                md.push_str("\n\n");
            }
            chat_md.write_all(md.as_bytes())?;
            if !call && !deleted && body.trim().len() > 8 {
                if quotes.len() == 8 {
                    quotes.pop_front();
                }
                quotes.push_back(body.trim_end().to_string());
            }
        }
        json.flush()?;
        chat_md.flush()?;
        global += count;
    }
    Ok(messages)
}

// ---------------------------------------------------------------------------------------------
// Maildir

/// One thread still being replied to.
struct MailThread {
    subject: String,
    /// The root's Message-ID, then the latest few (a References header as clients cut it).
    ids: Vec<String>,
    people: Vec<usize>,
    last_from: usize,
}

const MAILERS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0",
    "Microsoft Outlook 16.0",
    "Apple Mail (2.3731.700.6)",
    "Roundcube Webmail/1.6.5",
];

const OFFSETS_MIN: &[i32] = &[0, 60, -300, 330, 540, 120];

fn address(handle: &str, i: usize) -> String {
    let domain = if i % 4 == 3 {
        "partner.example.net"
    } else {
        "example.org"
    };
    format!("{handle}@{domain}")
}

/// Header text: as is when ASCII, else RFC 2047 encoded words (UTF-8, base64) of at most 75
/// characters, cut at character boundaries and folded.
fn push_header_text(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    let mut first = true;
    while start < s.len() {
        let mut end = start;
        for (i, c) in s[start..].char_indices() {
            if i + c.len_utf8() > 36 {
                break;
            }
            end = start + i + c.len_utf8();
        }
        if !first {
            out.push_str("\n ");
        }
        first = false;
        out.push_str("=?UTF-8?B?");
        out.push_str(&BASE64.encode(&s.as_bytes()[start..end]));
        out.push_str("?=");
        start = end;
    }
}

fn push_mailbox(out: &mut String, cast: &[(String, String)], i: usize) {
    push_header_text(out, &cast[i].0);
    write!(out, " <{}>", address(&cast[i].1, i)).expect("string");
}

/// Quoted-printable (RFC 2045): lines of at most 76 characters, `=XX` for non-ASCII, `=` and a
/// space or tab that ends a line.
fn push_qp(out: &mut String, text: &str) {
    for line in text.split('\n') {
        let bytes = line.as_bytes();
        let mut col = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let encode = b == b'=' || b >= 0x7F || (last && (b == b' ' || b == b'\t'));
            let width = if encode { 3 } else { 1 };
            if col + width > 75 {
                out.push_str("=\n");
                col = 0;
            }
            if encode {
                write!(out, "={b:02X}").expect("string");
            } else {
                out.push(b as char);
            }
            col += width;
        }
        out.push('\n');
    }
}

fn push_html(out: &mut String, text: &str) {
    out.push_str("<html><head><meta charset=\"utf-8\"></head><body>\n");
    for para in text.split("\n\n") {
        out.push_str("<p>");
        for c in para.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\n' => out.push_str("<br>\n"),
                c => out.push(c),
            }
        }
        out.push_str("</p>\n");
    }
    out.push_str("</body></html>\n");
}

/// Writes a Maildir under `root` (`cur/`, `new/`, `tmp/`), with `.Sent` for your own mail and
/// `.Archive.YYYY` for earlier years' (Maildir++ folders, as Dovecot keeps them). One message a
/// file, named as Maildir delivery names them (`TIME.MUSEC PPID QN.host,S=SIZE:2,FLAGS`; in
/// `new/` without flags). Threads by Message-ID, In-Reply-To and References; subjects and names
/// in RFC 2047 encoded words when not ASCII; dates in the sender's offset; plain text in 8bit
/// or quoted-printable, HTML alternatives, and small base64 attachments in multipart/mixed.
/// Returns the number of messages (files).
pub fn maildir(root: &Path, messages: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let vocab = Vocabulary::new(&mut rng, 20_000);
    let marker = marker(seed);
    let cast: Vec<(String, String)> = (0..CAST).map(person).collect();
    for folder in ["", ".Sent"] {
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(root.join(folder).join(sub))?;
        }
    }
    let last_year = naive(START + SPAN - 1).year();
    let mut archive_years: Vec<i32> = Vec::new();
    let mut clock = Clock::new(&mut rng, messages);
    let mut threads: VecDeque<MailThread> = VecDeque::with_capacity(256);
    let mut m = String::with_capacity(16 * 1024);
    let mut body = String::with_capacity(8 * 1024);
    let mut para = String::new();
    let mut file = Vec::new();
    let mut name = String::new();
    let new_from = messages - messages / 50;
    for i in 0..messages {
        let t = clock.tick(&mut rng);
        let usec = rng.below(1_000_000);
        let is_marker = i == messages / 2;
        // A reply to a recent thread, or a new thread.
        let reply = (!threads.is_empty() && rng.below(10) < 4).then(|| {
            let n = threads.len() as u64;
            (n - 1 - rng.skewed(n)) as usize
        });
        let from = match reply {
            Some(r) if threads[r].people.len() > 1 => {
                let th = &threads[r];
                let mut p = th.people[rng.below(th.people.len() as u64) as usize];
                if p == th.last_from {
                    p = th.people[(th.people.iter().position(|x| *x == p).unwrap_or(0) + 1)
                        % th.people.len()];
                }
                p
            }
            _ if rng.below(5) == 0 => 0,
            _ => 1 + rng.skewed(CAST as u64 - 1) as usize,
        };
        let mut to: Vec<usize> = match reply {
            Some(r) => threads[r]
                .people
                .iter()
                .copied()
                .filter(|p| *p != from)
                .take(3)
                .collect(),
            None => Vec::new(),
        };
        if to.is_empty() {
            to.push(if from == 0 {
                1 + rng.below(CAST as u64 - 1) as usize
            } else {
                0
            });
            if rng.below(3) == 0 {
                let p = 1 + rng.below(CAST as u64 - 1) as usize;
                if p != from && !to.contains(&p) {
                    to.push(p);
                }
            }
        }
        let cc: Option<usize> = (rng.below(4) == 0)
            .then(|| 1 + rng.below(CAST as u64 - 1) as usize)
            .filter(|p| *p != from && !to.contains(p));
        let host = "mail.example.org";
        let id = format!("<{t:x}.{i}.{:x}@{host}>", rng.next_u64() & 0xffff_ffff);
        let offset = FixedOffset::east_opt(OFFSETS_MIN[from % OFFSETS_MIN.len()] * 60)
            .expect("valid offset");
        let local = DateTime::from_timestamp(t, 0)
            .expect("in range")
            .with_timezone(&offset);
        let date = local.format("%a, %d %b %Y %H:%M:%S %z").to_string();

        m.clear();
        let from_addr = address(&cast[from].1, from);
        writeln!(m, "Return-Path: <{from_addr}>").expect("string");
        if from != 0 {
            writeln!(m, "Delivered-To: {}", address(&cast[0].1, 0)).expect("string");
        }
        write!(
            m,
            "Received: from mx{}.example.net (mx.example.net [192.0.2.{}])\n\tby {host} (Postfix) with ESMTPS id {:X}\n\tfor <{}>; {date}\n",
            1 + rng.below(3),
            1 + rng.below(250),
            rng.next_u64() & 0xff_ffff_ffff,
            address(&cast[to[0]].1, to[0]),
        )
        .expect("string");
        m.push_str("From: ");
        push_mailbox(&mut m, &cast, from);
        m.push_str("\nTo: ");
        for (n, p) in to.iter().enumerate() {
            if n > 0 {
                m.push_str(",\n ");
            }
            push_mailbox(&mut m, &cast, *p);
        }
        if let Some(p) = cc {
            m.push_str("\nCc: ");
            push_mailbox(&mut m, &cast, p);
        }
        m.push_str("\nSubject: ");
        let subject_new = match reply {
            Some(r) => {
                m.push_str("Re: ");
                push_header_text(&mut m, &threads[r].subject);
                None
            }
            None => {
                let mut s = String::new();
                push_sentence(&mut s, &mut rng, &vocab, 2, 7);
                if rng.below(15) == 0 {
                    s.push(' ');
                    s.push_str(emoji(&mut rng));
                }
                push_header_text(&mut m, &s);
                Some(s)
            }
        };
        write!(m, "\nDate: {date}\nMessage-ID: {id}\n").expect("string");
        if let Some(r) = reply {
            let th = &threads[r];
            writeln!(m, "In-Reply-To: {}", th.ids[th.ids.len() - 1]).expect("string");
            m.push_str("References:");
            for (n, r) in th.ids.iter().enumerate() {
                m.push_str(if n == 0 { " " } else { "\n " });
                m.push_str(r);
            }
            m.push('\n');
        }
        writeln!(
            m,
            "MIME-Version: 1.0\nUser-Agent: {}",
            MAILERS[from % MAILERS.len()]
        )
        .expect("string");

        // The body: a greeting, paragraphs, a signature.
        body.clear();
        let first_name = cast[to[0]].0.split(' ').next().unwrap_or("");
        writeln!(body, "Hi {first_name},\n").expect("string");
        for p in 0..1 + rng.below(4) {
            if p > 0 {
                body.push_str("\n\n");
            }
            text(&mut para, &mut rng, &vocab, 6, 28);
            body.push_str(&para);
        }
        if is_marker {
            body.push_str("\n\n");
            body.push_str(&marker);
        }
        write!(body, "\n\n-- \n{}\n", cast[from].0).expect("string");

        let shape = rng.below(100);
        let attachment = shape >= 85;
        let boundary = format!("----=_Part_{i}_{:x}", rng.next_u64() & 0xffff_ffff);
        if attachment {
            writeln!(
                m,
                "Content-Type: multipart/mixed;\n boundary=\"{boundary}\"\n\nThis is a multi-part message in MIME format.\n\n--{boundary}"
            )
            .expect("string");
        }
        let qp = shape % 7 == 3;
        if (60..85).contains(&shape) || (attachment && shape.is_multiple_of(2)) {
            let alt = format!("{boundary}_alt");
            write!(
                m,
                "Content-Type: multipart/alternative;\n boundary=\"{alt}\"\n\n--{alt}\n"
            )
            .expect("string");
            push_text_part(&mut m, &body, qp);
            write!(
                m,
                "\n--{alt}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            )
            .expect("string");
            push_html(&mut m, &body);
            writeln!(m, "\n--{alt}--").expect("string");
        } else {
            push_text_part(&mut m, &body, qp);
        }
        if attachment {
            let (stem, ext, mime) = match rng.below(4) {
                0 => ("minutes", "pdf", "application/pdf"),
                1 => ("site-photo", "png", "image/png"),
                2 => (
                    "figures",
                    "xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                _ => ("scan", "jpg", "image/jpeg"),
            };
            fake_file(&mut rng, ext, &mut file);
            write!(
                m,
                "\n--{boundary}\nContent-Type: {mime}; name=\"{stem}-{i}.{ext}\"\nContent-Disposition: attachment; filename=\"{stem}-{i}.{ext}\"\nContent-Transfer-Encoding: base64\n\n"
            )
            .expect("string");
            let encoded = BASE64.encode(&file);
            for chunk in encoded.as_bytes().chunks(76) {
                m.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
                m.push('\n');
            }
            writeln!(m, "\n--{boundary}--").expect("string");
        }

        // Where it is filed, and its Maildir name.
        let year = local.year();
        let folder = if from == 0 {
            ".Sent".to_string()
        } else if year < last_year {
            if !archive_years.contains(&year) {
                for sub in ["cur", "new", "tmp"] {
                    fs::create_dir_all(root.join(format!(".Archive.{year}")).join(sub))?;
                }
                archive_years.push(year);
            }
            format!(".Archive.{year}")
        } else {
            String::new()
        };
        let unseen = folder.is_empty() && i >= new_from;
        name.clear();
        write!(
            name,
            "{t}.M{usec}P{}Q{i}.{host},S={}",
            1000 + i % 30_000,
            m.len()
        )
        .expect("string");
        if !unseen {
            let flags = match rng.below(20) {
                0..=3 => "RS",
                4 => "FS",
                _ => "S",
            };
            write!(name, ":2,{flags}").expect("string");
        }
        let dir = root.join(&folder).join(if unseen { "new" } else { "cur" });
        fs::write(dir.join(&name), m.as_bytes())?;

        // The thread goes on.
        match (reply, subject_new) {
            (Some(r), _) => {
                let th = &mut threads[r];
                if th.ids.len() >= 8 {
                    th.ids.remove(1);
                }
                th.ids.push(id);
                th.last_from = from;
                for p in std::iter::once(from).chain(to.iter().copied()).chain(cc) {
                    if th.people.len() < 6 && !th.people.contains(&p) {
                        th.people.push(p);
                    }
                }
            }
            (None, subject) => {
                if threads.len() == 256 {
                    threads.pop_front();
                }
                let mut people = vec![from];
                people.extend(to.iter().copied().filter(|p| *p != from));
                threads.push_back(MailThread {
                    subject: subject.unwrap_or_default(),
                    ids: vec![id],
                    people,
                    last_from: from,
                });
            }
        }
    }
    Ok(messages)
}

fn push_text_part(m: &mut String, body: &str, qp: bool) {
    if qp {
        m.push_str(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n",
        );
        push_qp(m, body);
    } else {
        m.push_str("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
        m.push_str(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_conversation_stays_inside_the_four_years() {
        for seed in 0..200 {
            let mut rng = Rng::new(seed);
            for messages in [1, 2, 3, 5] {
                let mut clock = Clock::new(&mut rng, messages);
                let mut before = clock.t;
                for _ in 0..messages {
                    let t = clock.tick(&mut rng);
                    assert!(t > before && t < START + SPAN, "seed {seed}: {t}");
                    before = t;
                }
            }
        }
    }
}
