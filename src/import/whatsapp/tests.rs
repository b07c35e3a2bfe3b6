//! The WhatsApp importer on fixtures written for these tests (the real-world corpus is checked
//! separately, in tests/conformance.rs).

use std::io::Write;
use std::path::PathBuf;

use super::*;
use crate::import::{read_export, Collected, DateOrder};

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn file(name: &str, content: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    Fixture { _dir: dir, path }
}

fn zip_file(name: &str, members: &[(&str, &[u8])]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (m, data) in members {
        w.start_file(*m, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
    Fixture { _dir: dir, path }
}

fn options(order: Option<DateOrder>) -> ImportOptions {
    ImportOptions {
        zone: "UTC".parse().unwrap(),
        zone_explicit: true,
        date_order: order,
    }
}

fn read(f: &Fixture, order: Option<DateOrder>) -> Result<(Collected, SourceFacts)> {
    let mut c = Collected::keeping();
    let facts = read_export(&f.path, None, &options(order), &mut c)?;
    Ok((c, facts))
}

fn sender(m: &MessageRecord) -> Option<&str> {
    m.sender.as_ref().map(|s| s.display_name.as_str())
}

const ANDROID_GROUP: &str = "\
12/03/2024, 09:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
12/03/2024, 09:00 - Priya created group \"Procurement 2024\"
12/03/2024, 09:01 - Priya added Tom
12/03/2024, 09:02 - Priya: Quote from Acme attached: £14,200 incl. VAT
13/03/2024, 14:30 - Tom: Agreed. Two points:

1. delivery by 30/04
2. invoice to finance@example.org
13/03/2024, 14:31 - Tom:.
13/03/2024, 14:31 - ~\u{202F}Sam Lee: Ratio : 3 to 1 <This message was edited>
13/03/2024, 14:32 - +44 7700 900123: IMG-20240313-WA0001.jpg (file attached)
Signed copy
13/03/2024, 14:33 - Priya: This message was deleted
13/03/2024, 14:34 - Tom: <Media omitted>
13/03/2024, 14:35 - Tom: ok
13/03/2024, 14:35 - Tom: ok
";

#[test]
fn android_group_reads_every_line_losslessly() {
    let f = file("WhatsApp Chat with Procurement 2024.txt", ANDROID_GROUP);
    let (c, facts) = read(&f, None).unwrap();
    assert_eq!(c.conversations.len(), 1);
    let conv = &c.conversations[0];
    assert_eq!(conv.title, "Procurement 2024");
    assert_eq!(conv.kind, ConversationKind::Group);
    assert_eq!(facts.date_order.as_deref(), Some("d/m/y"));
    let m = &c.messages;
    assert_eq!(m.len(), 12);
    assert_eq!(m[0].kind, MessageKind::System);
    assert!(m[0].sender.is_none());
    assert_eq!(m[1].body, "Priya created group \"Procurement 2024\"");
    assert_eq!(m[2].kind, MessageKind::System);
    assert_eq!(sender(&m[3]), Some("Priya"));
    assert_eq!(m[3].body, "Quote from Acme attached: £14,200 incl. VAT");
    assert_eq!(
        m[4].body,
        "Agreed. Two points:\n\n1. delivery by 30/04\n2. invoice to finance@example.org"
    );
    assert_eq!(
        c.location(4),
        format!("{}:5", f.path.file_name().unwrap().to_string_lossy())
    );
    assert_eq!((sender(&m[5]), m[5].body.as_str()), (Some("Tom"), "."));
    assert_eq!(sender(&m[6]), Some("~\u{202F}Sam Lee"));
    assert_eq!(m[6].body, "Ratio : 3 to 1");
    assert!(m[6].edited);
    assert_eq!(m[7].kind, MessageKind::Media);
    assert_eq!(m[7].body, "Signed copy");
    assert_eq!(
        m[7].sender.as_ref().unwrap().handle.as_deref(),
        Some("+447700900123")
    );
    assert_eq!(m[7].attachments[0].name, "IMG-20240313-WA0001.jpg");
    assert_eq!(m[7].attachments[0].content, AttachmentContent::Missing);
    assert_eq!(m[7].attachments[0].mime.as_deref(), Some("image/jpeg"));
    assert_eq!(m[8].kind, MessageKind::Deleted);
    assert_eq!(m[9].attachments[0].content, AttachmentContent::Omitted);
    assert_eq!((m[10].body.as_str(), m[11].body.as_str()), ("ok", "ok"));
    assert_eq!(m[4].local_time.as_ref().unwrap().text, "13/03/2024, 14:30");
    assert_eq!(m[4].sent_at.to_rfc3339(), "2024-03-13T14:30:00+00:00");
    // The participants are the people who wrote, not the group's notices.
    let names: Vec<&str> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Priya", "Tom", "~\u{202F}Sam Lee", "+44 7700 900123"]
    );
}

#[test]
fn ios_zip_links_media_and_treats_attributed_notices_as_system() {
    let chat = "\u{FEFF}[31/12/2022, 11:40:26] Acme Board: \u{200E}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
[31/12/2022, 11:40:26] Acme Board: \u{200E}You created group “Acme Board”
\u{200E}[31/12/2022, 11:41:02] Jo: \u{200E}<attached: 00000001-PHOTO-2022-12-31-11-41-02.jpg>
[31/12/2022, 11:41:30] Jo: Minutes <attached: 00000002-Minutes.pdf>
[31/12/2022, 11:42:00] Kim: \u{200E}image omitted
[31/12/2022, 11:43:00] Kim: Thanks\r
";
    let f = zip_file(
        "WhatsApp Chat - Acme Board.zip",
        &[
            ("_chat.txt", chat.as_bytes()),
            (
                "00000001-PHOTO-2022-12-31-11-41-02.jpg",
                b"\xFF\xD8\xFFjpeg",
            ),
        ],
    );
    let (c, _) = read(&f, None).unwrap();
    assert_eq!(c.conversations[0].title, "Acme Board");
    let m = &c.messages;
    assert_eq!(m.len(), 6);
    assert_eq!(m[0].kind, MessageKind::System);
    assert!(m[0].sender.is_none());
    assert_eq!(m[1].kind, MessageKind::System, "{:?}", m[1]);
    assert_eq!(m[1].body, "You created group “Acme Board”");
    assert_eq!(
        m[2].attachments[0].content,
        AttachmentContent::Member("00000001-PHOTO-2022-12-31-11-41-02.jpg".into())
    );
    assert_eq!(m[3].body, "Minutes");
    assert_eq!(m[3].attachments[0].content, AttachmentContent::Missing);
    assert_eq!(m[4].attachments[0].content, AttachmentContent::Omitted);
    assert_eq!(m[5].body, "Thanks");
    assert_eq!(c.location(5), "WhatsApp Chat - Acme Board.zip/_chat.txt:6");
    assert_eq!(
        m[2].local_time.as_ref().unwrap().text,
        "31/12/2022, 11:41:02"
    );
}

#[test]
fn ambiguous_date_order_is_reported_and_can_be_decided() {
    let chat =
        "06/03/2017, 00:45 - A: one\n08/05/2017, 01:48 - B: two\n09/04/2017, 01:50 - A: three\n";
    let f = file("chat.txt", chat);
    let (c, facts) = read(&f, None).unwrap();
    assert_eq!(facts.date_order.as_deref(), Some("m/d/y"));
    assert!(c.warnings.iter().any(|w| w.message.contains("ambiguous")));
    assert_eq!(
        c.messages[2].sent_at.to_rfc3339(),
        "2017-09-04T01:50:00+00:00"
    );
    let (c, facts) = read(&f, Some(DateOrder::Dmy)).unwrap();
    assert_eq!(facts.date_order.as_deref(), Some("d/m/y"));
    assert!(!c.warnings.iter().any(|w| w.message.contains("ambiguous")));
    assert_eq!(
        c.messages[2].sent_at.to_rfc3339(),
        "2017-04-09T01:50:00+00:00"
    );
}

#[test]
fn lines_out_of_time_order_keep_file_order() {
    let chat = "20/01/2020, 23:55 - A: later\n20/01/2020, 23:16 - B: earlier\n";
    let (c, _) = read(&file("c.txt", chat), None).unwrap();
    assert_eq!(c.messages[0].body, "later");
    assert_eq!(c.messages[1].body, "earlier");
}

#[test]
fn continuation_that_looks_like_another_layout_stays_text_with_a_warning() {
    let chat = "20/01/2020, 10:00 - A: the log said\n[20/01/2020, 10:00:00] X: not a message here\n20/01/2020, 10:01 - B: ok\n";
    let (c, _) = read(&file("c.txt", chat), None).unwrap();
    assert_eq!(c.messages.len(), 2);
    assert_eq!(
        c.messages[0].body,
        "the log said\n[20/01/2020, 10:00:00] X: not a message here"
    );
    assert!(c.warnings.iter().any(|w| w.at == "c.txt:2"));
}

#[test]
fn text_before_the_first_message_is_reported() {
    let chat = "exported by my phone\n\n20/01/2020, 10:00 - A: hi\n";
    let (c, _) = read(&file("c.txt", chat), None).unwrap();
    assert_eq!(c.messages.len(), 1);
    let w = c.warnings.iter().find(|w| w.at == "c.txt:1").unwrap();
    assert!(w.message.contains("lines 1-2"), "{}", w.message);
}

#[test]
fn clock_changes_are_resolved_and_counted() {
    let chat = "27/10/2024, 01:30 - A: repeated hour\n31/03/2024, 01:30 - A: skipped hour\n";
    let f = file("c.txt", chat);
    let mut c = Collected::keeping();
    let opts = ImportOptions {
        zone: "Europe/London".parse().unwrap(),
        zone_explicit: true,
        date_order: None,
    };
    read_export(&f.path, None, &opts, &mut c).unwrap();
    assert_eq!(
        c.messages[0].sent_at.to_rfc3339(),
        "2024-10-27T00:30:00+00:00"
    );
    assert_eq!(
        c.messages[1].sent_at.to_rfc3339(),
        "2024-03-31T01:30:00+00:00"
    );
    assert!(c.warnings.iter().any(|w| w.message.contains("repeated")));
    assert!(c.warnings.iter().any(|w| w.message.contains("skipped")));
}

#[test]
fn system_zone_use_is_stated() {
    let f = file("c.txt", "20/01/2020, 10:00 - A: hi\n");
    let mut c = Collected::keeping();
    let opts = ImportOptions {
        zone: "Europe/Paris".parse().unwrap(),
        zone_explicit: false,
        date_order: None,
    };
    let facts = read_export(&f.path, None, &opts, &mut c).unwrap();
    assert_eq!(facts.zone.as_deref(), Some("Europe/Paris"));
    assert!(c
        .warnings
        .iter()
        .any(|w| w.message.contains("Europe/Paris") && w.message.contains("--tz")));
}

#[test]
fn unusable_inputs_are_clear_errors() {
    let e = read(&file("notes.txt", "shopping list\nmilk\n"), None)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("notes.txt:1: no chat message found"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("photo.bin");
    std::fs::write(&bin, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let mut c = Collected::keeping();
    let e = read_export(&bin, None, &options(None), &mut c)
        .unwrap_err()
        .to_string();
    assert!(e.contains("photo.bin") && e.contains("binary"), "{e}");
    let z = zip_file("other.zip", &[("a.csv", b"1,2"), ("b.csv", b"3,4")]);
    let e = read(&z, None).unwrap_err().to_string();
    assert!(
        e.contains("other.zip") && e.contains("no chat export"),
        "{e}"
    );
}

#[test]
fn title_comes_from_the_export_name() {
    assert_eq!(title_from("WhatsApp Chat with Mum (1).txt", None), "Mum");
    assert_eq!(
        title_from("x.zip", Some("WhatsApp Chat mit Büro.txt")),
        "Büro"
    );
    assert_eq!(
        title_from("WhatsApp Chat - Team.zip", Some("_chat.txt")),
        "Team"
    );
    assert_eq!(title_from("export.txt", None), "export");
}

#[test]
fn authors_with_colons_emoji_and_only_emoji() {
    let chat = "10/01/2024, 09:00 - Mum:): see you at 6\n10/01/2024, 09:01 - Team:Alpha: on it\n10/01/2024, 09:02 - 🤓: 🤓\n10/01/2024, 09:03 - Dr. Ana-María (Legal) 👩‍⚖️: noted\n";
    let (c, _) = read(&file("c.txt", chat), None).unwrap();
    let got: Vec<(Option<&str>, &str)> = c
        .messages
        .iter()
        .map(|m| (sender(m), m.body.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("Mum:)"), "see you at 6"),
            (Some("Team:Alpha"), "on it"),
            (Some("🤓"), "🤓"),
            (Some("Dr. Ana-María (Legal) 👩‍⚖️"), "noted"),
        ]
    );
}
