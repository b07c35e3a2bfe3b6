//! Records figures on a generated archive: evaluating every retention policy over every message
//! (the disposal dry run), and disposing of a tenth of the archive for real. Baselines, in the
//! same run: one pass reading every message's id, conversation and date (the least a dry run
//! must do), and deleting the same rows from an unencrypted copy with no certificate, index or
//! vacuum (the least a disposal must do).

use std::time::Instant;

use holdfast::archive::Archive;
use holdfast::crypto::keyfile::KdfProfile;
use holdfast::records::{disposal, holds, policies, precedence::Action, retention};
use holdfast::synth;

use super::{figure, Figure};

/// Tags whole conversations personal until about `target` messages are personal.
fn triage(a: &mut Archive, target: u64) -> u64 {
    let conn = a.conn_mut();
    let sizes: Vec<(i64, u64)> = conn
        .prepare("SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id ORDER BY conversation_id")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .expect("sql")
        .collect::<rusqlite::Result<_>>()
        .expect("sizes");
    let mut personal = 0u64;
    let tx = conn.transaction().expect("tx");
    for (c, n) in sizes {
        let tag = if personal + n <= target + target / 20 && personal < target {
            personal += n;
            "personal"
        } else {
            "business"
        };
        tx.execute(
            "INSERT INTO conversation_tags (conversation_id, tag_id) SELECT ?1, id FROM tags WHERE name = ?2",
            rusqlite::params![c, tag],
        )
        .expect("tag");
    }
    tx.commit().expect("commit");
    personal
}

pub fn figures(messages: u64, seed: u64, log: &dyn Fn(&str)) -> Vec<Figure> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut a, _) = Archive::create(
        &tmp.path().join("archive"),
        "bench",
        KdfProfile::InsecureTest,
    )
    .expect("archive");
    let t = Instant::now();
    synth::fill_archive(a.conn_mut(), messages, seed).expect("generate archive");
    let personal = triage(&mut a, messages / 10);
    a.catch_up_index(&mut |_, _| {}).expect("index");
    log(&format!(
        "generated and indexed a {messages}-message archive ({personal} personal) in {:.1} s",
        t.elapsed().as_secs_f64()
    ));
    // A realistic set of policies besides the four built in, and a hold.
    for (name, query, retain, from, then) in [
        (
            "Slack chatter",
            "app:slack",
            "18m",
            "last-activity",
            Action::Review,
        ),
        ("Board minutes", "tag:board", "10y", "sent", Action::Keep),
        ("Signal 3y", "app:signal", "3y", "sent", Action::Review),
        ("Tenders", "tender OR invoice", "7y", "sent", Action::Review),
    ] {
        policies::add(
            &mut a,
            &policies::NewPolicy {
                name: name.into(),
                query: query.into(),
                retain: retain.into(),
                from: policies::RetainFrom::parse(from).expect("from"),
                then,
                lock: false,
            },
        )
        .expect("policy");
    }
    holds::add(
        &mut a,
        "FOI-bench",
        &holds::Scope {
            query: Some("app:telegram after:2024-06".into()),
            ..Default::default()
        },
        "bench",
    )
    .expect("hold");
    let as_of = chrono::Utc::now().timestamp_millis();

    // Dry run, against one bare pass over the messages.
    let t = Instant::now();
    let plan = retention::due(&mut a, as_of).expect("dry run");
    let dry_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut n = 0u64;
    {
        let mut stmt = a
            .conn()
            .prepare("SELECT id, conversation_id, sent_at FROM messages ORDER BY id")
            .expect("sql");
        let mut rows = stmt.query([]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            let _: (i64, i64, i64) = (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap());
            n += 1;
        }
    }
    let scan_s = t.elapsed().as_secs_f64();
    assert_eq!(n, plan.evaluated);
    let due = plan.due_messages();
    log(&format!(
        "dry run: {} evaluated in {dry_s:.2} s; {due} due for deletion, {} for review, {} held",
        plan.evaluated,
        plan.review.iter().map(|g| g.messages).sum::<u64>(),
        plan.held.iter().map(|g| g.messages).sum::<u64>()
    ));

    // The ids disposal will take, for the baseline.
    let ids: Vec<i64> = plan
        .due
        .iter()
        .flat_map(|g| g.ids.iter().copied())
        .collect();
    let t = Instant::now();
    let report =
        disposal::apply(&mut a, as_of, "bench", &disposal::ReviewApproval::None).expect("dispose");
    let dispose_s = t.elapsed().as_secs_f64();
    let disposed = report.certificate.as_ref().map_or(0, |c| c.messages);
    assert_eq!(disposed, ids.len() as u64);
    log(&format!(
        "disposed of {disposed} messages in {dispose_s:.1} s"
    ));
    drop(a);

    let base_dir = tmp.path().join("plain");
    let mut plain = Archive::create_unencrypted_benchmark_baseline(&base_dir).expect("baseline");
    synth::fill_archive(plain.conn_mut(), messages, seed).expect("generate baseline");
    let t = Instant::now();
    {
        let tx = plain.conn_mut().transaction().expect("tx");
        {
            let mut del_a = tx
                .prepare("DELETE FROM attachments WHERE message_id = ?1")
                .expect("sql");
            let mut del = tx
                .prepare("DELETE FROM messages WHERE id = ?1")
                .expect("sql");
            for id in &ids {
                del_a.execute([id]).expect("delete");
                del.execute([id]).expect("delete");
            }
        }
        tx.commit().expect("commit");
    }
    let delete_s = t.elapsed().as_secs_f64();

    vec![
        figure(
            "retention_dry_run_1m",
            dry_s * 1_000_000.0 / messages as f64,
            "s per 1M messages",
            "one pass over the messages' id, conversation, date",
            scan_s * 1_000_000.0 / messages as f64,
        ),
        figure(
            "dispose_100k",
            dispose_s * 100_000.0 / disposed.max(1) as f64,
            "s per 100k messages",
            "deleting the same rows from unencrypted SQLite, nothing else",
            delete_s * 100_000.0 / disposed.max(1) as f64,
        ),
    ]
}

/// Producing a case bundle of `messages` messages (every format), against writing the same
/// messages as bare JSON lines.
pub fn foi_figures(messages: u64, seed: u64, log: &dyn Fn(&str)) -> Vec<Figure> {
    use holdfast::foi::{bundle, cases, clock::CaseKind, redact, review};
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut a, _) = Archive::create(
        &tmp.path().join("archive"),
        "bench",
        KdfProfile::InsecureTest,
    )
    .expect("archive");
    synth::fill_archive(a.conn_mut(), messages, seed).expect("generate archive");
    a.catch_up_index(&mut |_, _| {}).expect("index");
    let scope = "app:whatsapp OR app:signal OR app:telegram OR app:slack OR app:email";
    cases::create(
        &mut a,
        &cases::NewCase {
            reference: "FOI-BENCH-1".into(),
            kind: CaseKind::Foi,
            requester: "Bench Requester".into(),
            received: "2026-11-02".into(),
            complex: false,
            zone: Some("Europe/London".into()),
            notes: String::new(),
            scope: vec![scope.into()],
        },
    )
    .expect("case");
    review::mark(
        &mut a,
        "FOI-BENCH-1",
        &review::Target::All,
        review::Decision::Responsive,
        None,
    )
    .expect("review");
    let suggested = redact::suggest(&mut a, "FOI-BENCH-1")
        .expect("suggest")
        .len();
    redact::decide(&mut a, "FOI-BENCH-1", &[], true, true).expect("accept");
    let out = tmp.path().join("bundle");
    let t = Instant::now();
    let report = bundle::export(&mut a, "FOI-BENCH-1", &out, None, &mut |_| {}).expect("export");
    let export_s = t.elapsed().as_secs_f64();
    log(&format!(
        "produced {} messages ({} redactions suggested and accepted) in {export_s:.2} s, {} files",
        report.messages, suggested, report.files
    ));
    // Baseline: the same rows read and written as JSON lines, nothing else.
    let t = Instant::now();
    let mut lines = Vec::new();
    {
        let mut stmt = a
            .conn()
            .prepare("SELECT id, conversation_id, sender_id, sent_at, body FROM messages ORDER BY conversation_id, sent_at")
            .expect("sql");
        let mut rows = stmt.query([]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            let v = serde_json::json!({
                "id": r.get::<_, i64>(0).unwrap(), "conversation": r.get::<_, i64>(1).unwrap(),
                "sender": r.get::<_, Option<i64>>(2).unwrap(), "sent_at": r.get::<_, i64>(3).unwrap(),
                "text": r.get::<_, String>(4).unwrap(),
            });
            serde_json::to_writer(&mut lines, &v).expect("json");
            lines.push(b'\n');
        }
    }
    std::fs::write(tmp.path().join("plain.jsonl"), &lines).expect("write");
    let plain_s = t.elapsed().as_secs_f64();
    vec![figure(
        "foi_bundle_10k",
        export_s * 10_000.0 / report.messages.max(1) as f64,
        "s per 10k messages",
        "the same messages written as bare JSON lines",
        plain_s * 10_000.0 / report.messages.max(1) as f64,
    )]
}
