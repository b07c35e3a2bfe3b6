//! Large synthetic Slack workspace exports and mbox files, sized in bytes or in messages, shaped
//! like the real ones (Slack's verbose message objects with `blocks` and `user_profile`, threads,
//! reactions, file shares, joins; e-mail with `Received` chains, threads by `References`, HTML
//! alternatives, mboxrd-quoted `From ` lines). For the import benchmarks.
//!
//! Sized in bytes (`slack_export`, `mbox`), time moves on by seconds to minutes a message, so a
//! large file covers months; sized in messages (`slack_export_messages`, `mbox_messages`), the
//! messages are spread over the same four years as `synth::formats` and one message holds
//! [`super::formats::marker`].

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::{Rng, Vocabulary};

const FIRST: &[&str] = &[
    "Ada", "Bob", "Carol", "Dan", "Erin", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam",
    "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
];
const LAST: &[&str] = &[
    "Lovelace", "Builder", "Jones", "Okafor", "Nakamura", "García", "Müller", "O'Neill", "Shah",
    "Novak",
];

/// Person `i` of a small cast: the display name and a handle (`ada.0`).
pub(crate) fn person(i: usize) -> (String, String) {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len() + i) % LAST.len()];
    (
        format!("{first} {last}"),
        format!("{}.{}", first.to_lowercase(), i),
    )
}

fn sentence(rng: &mut Rng, vocab: &Vocabulary, min: u64, max: u64) -> String {
    let mut s = String::new();
    push_sentence(&mut s, rng, vocab, min, max);
    s
}

/// Appends `min..=max` words drawn from `vocab` (Zipf), separated by spaces.
pub(crate) fn push_sentence(
    out: &mut String,
    rng: &mut Rng,
    vocab: &Vocabulary,
    min: u64,
    max: u64,
) {
    let n = min + rng.below(max - min + 1);
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(vocab.draw(rng));
    }
}

/// How large a generated export is: about this many bytes, or exactly this many messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Bytes(u64),
    Messages(u64),
}

/// Writes a Slack export folder under `root` of about `target_bytes`; returns its message count.
pub fn slack_export(root: &Path, target_bytes: u64, seed: u64) -> io::Result<u64> {
    slack(root, Size::Bytes(target_bytes), seed)
}

/// Writes a Slack export folder under `root` of exactly `messages` messages over four years
/// (one of them holding [`super::formats::marker`]); returns the count.
pub fn slack_export_messages(root: &Path, messages: u64, seed: u64) -> io::Result<u64> {
    slack(root, Size::Messages(messages), seed)
}

fn slack(root: &Path, size: Size, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let marker = super::formats::marker(seed);
    let vocab = Vocabulary::new(&mut rng, 20_000);
    std::fs::create_dir_all(root)?;
    let users: Vec<Value> = (0..40)
        .map(|i| {
            let (name, handle) = person(i);
            json!({"id": format!("U{:08X}", 0x1000 + i), "team_id": "T0HOLDFAST", "name": handle,
                   "real_name": name, "deleted": false,
                   "profile": {"real_name": name, "display_name": handle, "title": "Officer",
                               "image_72": "https://avatars.slack-edge.com/2021-01-01/72.png"}})
        })
        .collect();
    std::fs::write(root.join("users.json"), serde_json::to_vec_pretty(&users)?)?;
    let channels: Vec<Value> = (0..12)
        .map(|c| {
            json!({"id": format!("C{:08X}", 0x2000 + c), "name": format!("project-{c}"),
                   "created": 1_609_459_200, "creator": users[c % users.len()]["id"],
                   "members": users.iter().skip(c % 5).step_by(2).map(|u| u["id"].clone()).collect::<Vec<_>>(),
                   "topic": {"value": "", "creator": "", "last_set": 0},
                   "purpose": {"value": "Project coordination", "creator": "", "last_set": 0}})
        })
        .collect();
    std::fs::write(
        root.join("channels.json"),
        serde_json::to_vec_pretty(&channels)?,
    )?;

    let n_channels = channels.len() as u64;
    let marker_at = match size {
        Size::Messages(n) => Some(n / 2),
        Size::Bytes(_) => None,
    };
    let mut total = 0u64;
    for (c, channel) in channels.iter().enumerate() {
        // What each channel holds (bytes or messages), and the most seconds between two of its
        // messages: sized in messages, the channel spans the four years.
        let (quota, gap) = match size {
            Size::Bytes(b) => (b / n_channels, 240),
            Size::Messages(n) => {
                let q = n / n_channels + u64::from((c as u64) < n % n_channels);
                (q, (2 * super::formats::SPAN as u64 / q.max(1)).max(2))
            }
        };
        let dir = root.join(channel["name"].as_str().unwrap_or("channel"));
        std::fs::create_dir_all(&dir)?;
        let members: Vec<&Value> = channel["members"]
            .as_array()
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        let mut t: i64 = 1_609_459_200 + c as i64 * 97;
        let mut written = 0u64;
        let mut seq = 0u64;
        let mut recent_parents: Vec<String> = Vec::new();
        while written < quota {
            let day = t / 86_400;
            let mut list = Vec::new();
            while t / 86_400 == day && written < quota {
                let is_marker = marker_at == Some(total + list.len() as u64);
                seq += 1;
                let ts = format!("{t}.{:06}", seq % 1_000_000);
                let uid = members[rng.skewed(members.len() as u64) as usize]
                    .as_str()
                    .unwrap_or("U0");
                let u = users.iter().find(|u| u["id"] == uid).unwrap_or(&users[0]);
                let mut text = sentence(&mut rng, &vocab, 4, 30);
                let roll = rng.below(1000);
                if roll < 60 {
                    let other = members[rng.below(members.len() as u64) as usize]
                        .as_str()
                        .unwrap_or("U0");
                    text = format!("<@{other}> {text}");
                } else if roll < 80 {
                    text.push_str(" <https://intranet.example.org/docs/1234|the tender pack>");
                }
                if is_marker {
                    text.clone_from(&marker);
                }
                let mut m = json!({
                    "client_msg_id": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", rng.next_u64() as u32, rng.below(0xffff), rng.below(0xfff), rng.below(0xfff), rng.next_u64() & 0xffff_ffff_ffff),
                    "type": "message", "text": text, "user": uid, "ts": ts,
                    "blocks": [{"type": "rich_text", "block_id": format!("{:05x}", rng.below(0xfffff)),
                                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
                    "team": "T0HOLDFAST", "user_team": "T0HOLDFAST", "source_team": "T0HOLDFAST",
                    "user_profile": {"avatar_hash": "g0123456789a", "image_72": "https://avatars.slack-edge.com/2021-01-01/72.png",
                                     "first_name": u["real_name"].as_str().unwrap_or("").split(' ').next(),
                                     "real_name": u["real_name"], "display_name": u["name"], "team": "T0HOLDFAST",
                                     "name": u["name"], "is_restricted": false, "is_ultra_restricted": false}
                });
                let obj = m.as_object_mut().expect("object");
                if roll >= 900 && !recent_parents.is_empty() {
                    let parent =
                        recent_parents[rng.below(recent_parents.len() as u64) as usize].clone();
                    obj.insert("thread_ts".into(), parent.into());
                    obj.insert("parent_user_id".into(), uid.into());
                } else if roll < 100 {
                    obj.insert("thread_ts".into(), ts.clone().into());
                    recent_parents.push(ts.clone());
                    if recent_parents.len() > 20 {
                        recent_parents.remove(0);
                    }
                }
                if roll % 50 == 1 {
                    obj.insert(
                        "reactions".into(),
                        json!([{"name": "thumbsup", "users": [members[0]], "count": 1}]),
                    );
                }
                if roll % 100 == 2 {
                    obj.insert(
                        "edited".into(),
                        json!({"user": uid, "ts": format!("{}.000000", t + 60)}),
                    );
                }
                if roll % 97 == 3 {
                    obj.insert("files".into(), json!([{"id": format!("F{:08X}", seq), "name": "minutes.pdf", "title": "minutes.pdf",
                        "mimetype": "application/pdf", "filetype": "pdf", "size": 20_000 + rng.below(500_000),
                        "url_private": "https://files.slack.com/files-pri/T0-F0/minutes.pdf",
                        "url_private_download": "https://files.slack.com/files-pri/T0-F0/download/minutes.pdf"}]));
                }
                if roll == 999 && !is_marker {
                    obj.insert("subtype".into(), "channel_join".into());
                    obj.insert(
                        "text".into(),
                        format!("<@{uid}> has joined the channel").into(),
                    );
                }
                written += match size {
                    Size::Bytes(_) => m.to_string().len() as u64 + 4,
                    Size::Messages(_) => 1,
                };
                list.push(m);
                t += 1 + rng.below(gap) as i64;
            }
            total += list.len() as u64;
            let date = chrono::DateTime::from_timestamp(day * 86_400, 0)
                .expect("in range")
                .format("%Y-%m-%d");
            let f = std::fs::File::create(dir.join(format!("{date}.json")))?;
            let mut w = io::BufWriter::with_capacity(1 << 20, f);
            serde_json::to_writer_pretty(&mut w, &list)?;
            w.flush()?;
        }
    }
    Ok(total)
}

/// Writes an mbox (mboxrd) of about `target_bytes`; returns its message count.
pub fn mbox(out: &mut dyn Write, target_bytes: u64, seed: u64) -> io::Result<u64> {
    mbox_sized(out, Size::Bytes(target_bytes), seed)
}

/// Writes an mbox (mboxrd) of exactly `messages` messages over four years (one of them holding
/// [`super::formats::marker`]); returns the count.
pub fn mbox_messages(out: &mut dyn Write, messages: u64, seed: u64) -> io::Result<u64> {
    mbox_sized(out, Size::Messages(messages), seed)
}

fn mbox_sized(out: &mut dyn Write, size: Size, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let vocab = Vocabulary::new(&mut rng, 20_000);
    let mut w = io::BufWriter::with_capacity(1 << 20, out);
    let mut written = 0u64;
    let mut n = 0u64;
    let mut t = chrono::DateTime::from_timestamp(1_609_459_200, 0).expect("in range");
    let mut threads: Vec<(String, String)> = Vec::new(); // (subject, message id)
                                                         // Seconds between two messages at most, and the message holding the marker (1-based).
    let (quota, gap, marker_at) = match size {
        Size::Bytes(b) => (b, 900, None),
        Size::Messages(m) => (
            m,
            (2 * super::formats::SPAN as u64 / m.max(1)).max(2),
            Some(m / 2 + 1),
        ),
    };
    let marker = super::formats::marker(seed);
    while written < quota {
        n += 1;
        t += chrono::Duration::seconds(1 + rng.below(gap) as i64);
        let (from_name, from_handle) = person(rng.skewed(30) as usize);
        let (to_name, to_handle) = person(rng.below(30) as usize);
        let id = format!("<{n}.{:x}@mail.example.org>", rng.next_u64());
        let reply = (rng.below(10) < 4 && !threads.is_empty())
            .then(|| threads[rng.below(threads.len() as u64) as usize].clone());
        let subject = match &reply {
            Some((s, _)) => format!("Re: {s}"),
            None => {
                let s = sentence(&mut rng, &vocab, 3, 8);
                threads.push((s.clone(), id.clone()));
                if threads.len() > 200 {
                    threads.remove(0);
                }
                s
            }
        };
        let mut m = String::with_capacity(2048);
        let date = t.format("%a, %d %b %Y %H:%M:%S +0000");
        m.push_str(&format!(
            "From {from_handle}@example.org {}\n",
            t.format("%a %b %e %H:%M:%S %Y")
        ));
        m.push_str(&format!("Return-Path: <{from_handle}@example.org>\n"));
        m.push_str(&format!("Received: from mx1.example.org (mx1.example.org [192.0.2.10])\n\tby mail.example.org with ESMTPS id {:x}\n\tfor <{to_handle}@example.org>; {date}\n", rng.next_u64()));
        m.push_str(&format!("From: {from_name} <{from_handle}@example.org>\nTo: {to_name} <{to_handle}@example.org>\n"));
        if rng.below(4) == 0 {
            let (cc_name, cc_handle) = person(rng.below(30) as usize);
            m.push_str(&format!("Cc: {cc_name} <{cc_handle}@example.org>\n"));
        }
        m.push_str(&format!(
            "Subject: {subject}\nDate: {date}\nMessage-ID: {id}\n"
        ));
        if let Some((_, parent)) = &reply {
            m.push_str(&format!("In-Reply-To: {parent}\nReferences: {parent}\n"));
        }
        m.push_str("MIME-Version: 1.0\n");
        let mut body = String::new();
        for _ in 0..3 + rng.below(12) {
            let line = sentence(&mut rng, &vocab, 5, 14);
            if rng.below(200) == 0 {
                // mboxrd: a body line starting "From " is written with one more '>'.
                body.push_str(">From ");
            }
            body.push_str(&line);
            body.push('\n');
        }
        if marker_at == Some(n) {
            body.push_str(&marker);
            body.push('\n');
        }
        if rng.below(10) == 0 {
            let boundary = format!("b{:x}", rng.next_u64());
            m.push_str(&format!(
                "Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n"
            ));
            m.push_str(&format!("--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n"));
            m.push_str(&format!("--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n<html><body><p>{}</p></body></html>\n--{boundary}--\n", body.replace('\n', "<br>")));
        } else {
            m.push_str(&format!("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}"));
        }
        m.push('\n');
        w.write_all(m.as_bytes())?;
        written += match size {
            Size::Bytes(_) => m.len() as u64,
            Size::Messages(_) => 1,
        };
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{self, Collected, ImportOptions};

    fn options() -> ImportOptions {
        ImportOptions {
            zone: chrono_tz::UTC,
            zone_explicit: true,
            date_order: None,
        }
    }

    #[test]
    fn generated_exports_import_with_their_exact_counts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("slack");
        let n = slack_export(&root, 300_000, 3).unwrap();
        let mut c = Collected::default();
        import::read_export(&root, None, &options(), &mut c).unwrap();
        assert_eq!(c.message_count, n);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);

        let path = dir.path().join("all.mbox");
        let n = mbox(&mut std::fs::File::create(&path).unwrap(), 300_000, 3).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert!((300_000..310_000).contains(&size), "{size}");
        let mut c = Collected::default();
        import::read_export(&path, None, &options(), &mut c).unwrap();
        assert_eq!(c.message_count, n);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }
}
