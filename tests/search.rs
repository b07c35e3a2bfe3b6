//! Search end to end through the CLI: an encrypted index, the query language, pagination,
//! facets, dates in a zone, and the index's consistency with the archive (crash, tampering,
//! rebuild).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

/// A chat written for these tests: every line's purpose is in the tests below.
fn search_chat() -> String {
    let mut s = String::from(
        "\
20/03/2024, 09:00 - Priya Shah created group \"Depot board\"
20/03/2024, 09:01 - Priya Shah: Frau Müller approved the budget
20/03/2024, 09:02 - Tom O'Neill: muller said the MÜLLER invoice is late
20/03/2024, 09:03 - Tom O'Neill: the site meeting is on Friday
20/03/2024, 09:04 - Aoife Byrne: meeting site visit moved
20/03/2024, 09:05 - Aoife Byrne: send the quote to finance@example.org please
20/03/2024, 09:06 - Priya Shah: call me on +44 7700 900123 about #procurement
20/03/2024, 09:07 - Tom O'Neill: see https://intranet.example.com/roof-plan for the roof
20/03/2024, 09:08 - Aoife Byrne: 見積もりを送ります
20/03/2024, 09:09 - Tom O'Neill: I will recieve the delivery
20/03/2024, 09:10 - Aoife Byrne: <Media omitted>
20/03/2024, 09:11 - Priya Shah: This message was deleted
30/03/2024, 23:30 - Tom O'Neill: late on the eve of the clock change
31/03/2024, 00:30 - Tom O'Neill: just after midnight on clock-change day
31/03/2024, 23:59 - Tom O'Neill: last minute of clock-change day
27/10/2024, 01:30 - Aoife Byrne: in the repeated hour
",
    );
    for i in 0..50 {
        s.push_str(&format!(
            "{:02}/04/2024, 10:{:02} - Priya Shah: paging message number {i}\n",
            1 + i / 10,
            i % 60
        ));
    }
    s
}

fn setup() -> (Env, std::path::PathBuf) {
    let (env, _) = Env::init();
    let f = env.path("WhatsApp Chat with Depot board.txt");
    std::fs::write(&f, search_chat()).unwrap();
    let r = env.import(&f, &["--tag", "business"][..]);
    assert_eq!(r["sources"][0]["messages_added"], 66);
    (env, f)
}

fn search(env: &Env, query: &str, extra: &[&str]) -> Value {
    let mut args = vec!["search", query, "--tz", "Europe/London", "--limit", "1000"];
    args.extend_from_slice(extra);
    env.json(&args)
}

fn texts(v: &Value) -> BTreeSet<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["snippet"].as_str().unwrap().to_string())
        .collect()
}

fn count(env: &Env, query: &str) -> u64 {
    search(env, query, &[])["total"].as_u64().unwrap()
}

#[test]
fn the_index_folder_holds_no_plaintext() {
    let (env, _) = setup();
    assert_eq!(count(&env, "PLOVERQUARTZ"), 0);
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    assert_eq!(count(&env, "ploverquartz"), 1);
    let index = env.archive.join("index");
    assert!(files_under(&index).len() > 5, "the index was written");
    let mut needles: Vec<String> = all_message_texts(&env);
    // The index holds words, not texts: look for every longer word too, in the forms the
    // index would store them.
    for t in all_message_texts(&env) {
        for w in t.split(|c: char| !c.is_alphanumeric()) {
            if w.len() >= 8 {
                needles.push(w.to_string());
                needles.push(w.to_lowercase());
            }
        }
    }
    needles.push("ploverquartz".into());
    // What tantivy writes in plain text around the data (file footers, the schema).
    needles.extend(
        [
            "index_format_version",
            "attachment_names",
            "docstore_compression",
        ]
        .map(String::from),
    );
    assert_no_plaintext(&index, &needles);
}

#[test]
fn words_accents_phrases_and_booleans() {
    let (env, _) = setup();
    // Müller, muller and MÜLLER are one word.
    assert_eq!(count(&env, "muller"), 2);
    assert_eq!(count(&env, "MÜLLER"), 2);
    assert_eq!(count(&env, "Müller budget"), 1);
    // Phrases keep their order.
    assert_eq!(count(&env, "\"site meeting\""), 1);
    assert_eq!(count(&env, "site meeting"), 2);
    assert_eq!(count(&env, "meeting OR budget"), 3);
    assert_eq!(count(&env, "meeting -visit"), 1);
    assert_eq!(count(&env, "meeting NOT visit"), 1);
    assert_eq!(count(&env, "(budget OR invoice) muller"), 2);
    assert_eq!(count(&env, "pag*"), 50);
    assert_eq!(count(&env, "receive~"), 1);
    assert_eq!(count(&env, "receive"), 0);
    // Addresses, numbers, links, tags and CJK text.
    assert_eq!(count(&env, "finance@example.org"), 1);
    assert_eq!(count(&env, "finance"), 1);
    assert_eq!(count(&env, "+447700900123"), 1);
    assert_eq!(count(&env, "\"+44 7700 900123\""), 1);
    assert_eq!(count(&env, "7700 900123"), 1);
    assert_eq!(count(&env, "#procurement"), 1);
    assert_eq!(count(&env, "procurement"), 1);
    assert_eq!(count(&env, "https://intranet.example.com/roof-plan"), 1);
    assert_eq!(count(&env, "intranet"), 1);
    assert_eq!(count(&env, "見積もり"), 1);
    assert_eq!(count(&env, "見積"), 1);
    // Highlights point at the matched words, in characters.
    let v = search(&env, "muller", &["--sort", "oldest"]);
    let hit = &v["hits"][0];
    let s: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    let [a, b] = [
        hit["highlights"][0][0].as_u64().unwrap() as usize,
        hit["highlights"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(s[a..b].iter().collect::<String>(), "Müller");
}

#[test]
fn every_filter() {
    let (env, _) = setup();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    // Tom wrote 7 messages in the test chat and 6 in the Northgate one.
    assert_eq!(count(&env, "from:tom"), 7 + 6);
    // "the site meeting" here and "Minutes of the site meeting" in Northgate.
    assert_eq!(count(&env, "from:\"o'neill\" meeting"), 2);
    assert_eq!(count(&env, "from:+447700900123"), 2);
    assert_eq!(count(&env, "in:\"depot board\""), 66);
    assert_eq!(count(&env, "in:northgate"), 22);
    assert_eq!(count(&env, "app:whatsapp"), 88);
    assert_eq!(count(&env, "app:telegram"), 0);
    assert_eq!(count(&env, "tag:business"), 66);
    assert_eq!(count(&env, "tag:BUSINESS meeting"), 2);
    assert_eq!(count(&env, "tag:personal"), 0);
    assert_eq!(count(&env, "kind:deleted"), 2);
    assert_eq!(count(&env, "kind:system in:\"depot board\""), 1);
    // "depot" is a word of both titles.
    assert_eq!(count(&env, "kind:system in:depot"), 1 + 4);
    assert_eq!(count(&env, "in:depot"), 88);
    assert_eq!(count(&env, "has:attachment"), 1 + 2);
    let conv = env.json(&["conversations"])["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Depot board")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(count(&env, &format!("in:{conv}")), 66);
}

#[test]
fn dates_are_read_in_the_zone_across_clock_changes() {
    let (env, _) = setup();
    // London, 31 March 2024: clocks go forward at 01:00. The day runs 00:00 GMT to 23:59 BST.
    let day = search(&env, "on:2024-03-31", &[]);
    assert_eq!(texts(&day).len(), 2, "{day}");
    assert!(texts(&day)
        .iter()
        .any(|t| t.contains("just after midnight")));
    assert!(texts(&day).iter().any(|t| t.contains("last minute")));
    assert_eq!(count(&env, "before:2024-03-31 after:2024-03-30"), 1);
    assert_eq!(count(&env, "date:2024-03-30..2024-03-31"), 3);
    // In UTC, "late on the eve" (23:30 GMT) is still 30 March; 23:59 BST is 22:59 UTC.
    let utc = env.json(&["search", "on:2024-03-31", "--tz", "UTC"]);
    assert_eq!(utc["total"], 2);
    // 27 October: 01:30 happened twice; the message is on that day either way.
    assert_eq!(count(&env, "on:2024-10-27"), 1);
    assert_eq!(count(&env, "date:2024-04"), 50);
    assert_eq!(count(&env, "after:2024-04-02 before:2024-04-04"), 20);
    assert_eq!(count(&env, "date:2024"), 66);
    assert_eq!(count(&env, "date:2023"), 0);
}

#[test]
fn pages_have_no_duplicates_or_gaps_in_every_order() {
    let (env, _) = setup();
    for sort in ["relevance", "newest", "oldest"] {
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let v = env.json(&[
                "search",
                "paging",
                "--limit",
                "7",
                "--offset",
                &offset.to_string(),
                "--sort",
                sort,
            ]);
            assert_eq!(v["total"], 50);
            let hits = v["hits"].as_array().unwrap();
            if hits.is_empty() {
                break;
            }
            seen.extend(
                hits.iter()
                    .map(|h| h["message_id"].as_str().unwrap().to_string()),
            );
            offset += 7;
        }
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(seen.len(), 50, "{sort}");
        assert_eq!(unique.len(), 50, "{sort}: duplicates");
        if sort != "relevance" {
            let times: Vec<String> = env
                .json(&["search", "paging", "--limit", "50", "--sort", sort])["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["sent_at"].as_str().unwrap().to_string())
                .collect();
            let mut sorted = times.clone();
            sorted.sort();
            if sort == "newest" {
                sorted.reverse();
            }
            assert_eq!(times, sorted, "{sort}");
        }
    }
}

#[test]
fn facets_cover_the_whole_result_set() {
    let (env, _) = setup();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let v = env.json(&["search", "the OR message OR paging", "--limit", "3"]);
    let total = v["total"].as_u64().unwrap();
    assert!(total > 50);
    assert_eq!(v["hits"].as_array().unwrap().len(), 3);
    let sum = |f: &str| -> u64 {
        v["facets"][f]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum("app"), total);
    assert_eq!(sum("month"), total);
    assert_eq!(sum("conversation"), total);
    assert_eq!(v["facets"]["app"]["whatsapp"], total);
    assert_eq!(v["facets"]["month"]["2024-04"], 50);
    assert_eq!(
        v["facets"]["tag"]["business"].as_u64().unwrap(),
        v["facets"]["conversation"]["Depot board"].as_u64().unwrap()
    );
    assert!(v["facets"]["sender"]["Priya Shah"].as_u64().unwrap() >= 50);
}

#[test]
fn malformed_queries_point_at_the_problem() {
    let (env, _) = setup();
    for (q, at) in [
        ("(budget", 1),
        ("a OR", 3),
        ("on:yesterday", 4),
        ("kind:photo", 6),
    ] {
        let out = env.run(&["search", q]);
        assert_eq!(out.status.code(), Some(1), "{q}");
        let e = stderr(&out);
        assert!(e.starts_with("error: query: "), "{e}");
        assert!(e.contains(&format!("(at character {at})")), "{q}: {e}");
    }
}

/// The import builds the index alongside; an import's `--tag` on a conversation it continues
/// also reaches the messages earlier imports stored there, and the new ones are found at once.
#[test]
fn a_later_export_tagged_on_import_tags_the_whole_conversation_in_search() {
    let (env, _) = setup();
    let f = env.path("WhatsApp Chat with Depot board (later).txt");
    let mut later = search_chat();
    later.push_str("02/05/2024, 08:00 - Tom O'Neill: the zanderquill order has shipped\n");
    std::fs::write(&f, later).unwrap();
    let r = env.import(&f, &["--tag", "riverside"][..]);
    assert_eq!(r["sources"][0]["messages_added"], 1);
    assert_eq!(r["sources"][0]["messages_duplicate"], 66);
    assert_eq!(count(&env, "zanderquill"), 1);
    assert_eq!(
        count(&env, "tag:riverside"),
        67,
        "earlier messages carry the new tag"
    );
    assert_eq!(
        count(&env, "tag:business zanderquill"),
        1,
        "the new message carries the old one"
    );
    assert_eq!(count(&env, "tag:business"), 67);
    let (ok, v) = verify(&env);
    assert!(ok, "{v}");
    assert_no_plaintext(&env.archive, &["zanderquill".to_string()]);
}

/// What an import indexes as it stores (the feed) is what a rebuild from the archive indexes:
/// every query's total, its hits in order, and every facet are the same after `reindex`.
#[test]
fn the_index_built_alongside_an_import_equals_a_rebuild() {
    let (env, _) = setup();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &["--tag", "depot"][..],
    );
    let queries = [
        "meeting",
        "muller",
        "tag:business",
        "tag:depot",
        "from:tom",
        "has:attachment",
        "kind:deleted",
        "kind:system",
        "+447700900123",
        "finance@example.org",
        "見積",
        "paging",
        "\"site meeting\"",
        "in:northgate",
    ];
    // (total, facets, the hits' ids): ties in score may come in another order.
    let answers = |env: &Env| -> Vec<(u64, Value, BTreeSet<String>)> {
        queries
            .iter()
            .map(|q| {
                let v = search(env, q, &[]);
                let ids = v["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["message_id"].as_str().unwrap().to_string())
                    .collect();
                (v["total"].as_u64().unwrap(), v["facets"].clone(), ids)
            })
            .collect()
    };
    let fed = answers(&env);
    assert!(fed.iter().all(|(total, _, _)| *total > 0), "{fed:?}");
    let r = env.json(&["reindex"]);
    assert_eq!(r["messages"], 88, "{r}");
    assert_eq!(answers(&env), fed);
}

fn verify(env: &Env) -> (bool, Value) {
    let out = env.cmd().args(["verify", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.success(), v["ok"].as_bool().unwrap());
    (out.status.success(), v)
}

#[test]
fn a_crash_between_the_database_and_the_index_is_caught_up() {
    let (env, _) = setup();
    assert!(verify(&env).0);
    let out = env
        .cmd()
        .args([
            "import",
            fixture("whatsapp/WhatsApp Chat with Northgate depot.txt")
                .to_str()
                .unwrap(),
        ])
        .env("HOLDFAST_TEST_FAULT", "before-index-commit")
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(9),
        "killed with SIGKILL after the commit"
    );
    // The archive has the messages; the index does not yet. The next process that opens the
    // index catches it up (a lagging index is derived data behind, not damage): `verify`, as
    // a search would, and then finds everything indexed.
    assert_eq!(env.stats()["messages"], 88);
    let index_files_before = files_under(&env.archive.join("index"));
    let (ok, v) = verify(&env);
    assert!(ok, "{v}");
    assert_eq!(v["index"]["indexed_messages"], 88);
    assert_eq!(v["index"]["missing_from_index"], 0);
    assert_ne!(
        files_under(&env.archive.join("index")),
        index_files_before,
        "verify caught the index up (new segment files)"
    );
    assert_eq!(count(&env, "ploverquartz"), 1);
}

fn damage_every_index_file(index: &Path) {
    for f in files_under(index) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".lock") || name.starts_with('.') || name == "meta.json" {
            continue;
        }
        let mut bytes = std::fs::read(&f).unwrap();
        if bytes.len() > 40 {
            let i = bytes.len() - 20;
            bytes[i] ^= 0x55;
            std::fs::write(&f, bytes).unwrap();
        }
    }
}

#[test]
fn a_tampered_index_is_reported_and_reindex_repairs_it() {
    let (env, _) = setup();
    damage_every_index_file(&env.archive.join("index"));
    let (ok, v) = verify(&env);
    assert!(!ok);
    assert!(
        !v["index"]["damaged_files"].as_array().unwrap().is_empty(),
        "{v}"
    );
    assert_eq!(v["database"], "ok");
    let out = env.run(&["search", "muller"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("holdfast reindex"),
        "{}",
        stderr(&out)
    );
    let r = env.json(&["reindex"]);
    assert_eq!(r["messages"], 66);
    assert!(verify(&env).0);
    assert_eq!(count(&env, "muller"), 2);
}
