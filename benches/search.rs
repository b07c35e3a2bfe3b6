//! Search figures: index build and query latency on a generated archive, each against its
//! baseline in the same run — the same index without encryption (tantivy over a plain
//! MmapDirectory, same code otherwise) and SQLite FTS5 over the same messages.

use std::path::Path;
use std::time::Instant;

use holdfast::api::{SearchRequest, SortOrder};
use holdfast::archive::Archive;
use holdfast::crypto::keyfile::KdfProfile;
use holdfast::index::{encdir, SearchIndex};
use holdfast::synth::{self, Rng, Vocabulary};
use rusqlite::Connection;

use super::{dir_size, figure, Figure};

/// One query of the mix, in Holdfast's language and as FTS5 SQL (MATCH text + extra WHERE).
struct MixQuery {
    holdfast: String,
    fts_match: String,
    fts_where: &'static str,
}

fn mix(seed: u64) -> Vec<MixQuery> {
    // The same vocabulary the archive was generated with (same seed, same draws first).
    let v = Vocabulary::new(&mut Rng::new(seed), 30_000);
    let w = |i: usize| v.words[i].clone();
    let q = |h: String, m: String, wh: &'static str| MixQuery {
        holdfast: h,
        fts_match: m,
        fts_where: wh,
    };
    let prefix: String = w(1000).chars().take(3).collect();
    vec![
        q(w(30), format!("\"{}\"", w(30)), ""),
        q(w(300), format!("\"{}\"", w(300)), ""),
        q(w(5000), format!("\"{}\"", w(5000)), ""),
        q(
            format!("{} {}", w(40), w(200)),
            format!("\"{}\" \"{}\"", w(40), w(200)),
            "",
        ),
        q("\"site meeting\"".into(), "\"site meeting\"".into(), ""),
        q(
            "\"budget review\" invoice".into(),
            "\"budget review\" \"invoice\"".into(),
            "",
        ),
        q(
            format!("{} OR {}", w(50), w(600)),
            format!("\"{}\" OR \"{}\"", w(50), w(600)),
            "",
        ),
        q(
            format!("{} -{}", w(45), w(46)),
            format!("\"{}\" NOT \"{}\"", w(45), w(46)),
            "",
        ),
        q(
            format!("{} app:slack", w(100)),
            format!("\"{}\"", w(100)),
            "AND m.app = 'slack'",
        ),
        q(
            format!("{} date:2023-01..2023-06", w(70)),
            format!("\"{}\"", w(70)),
            "AND m.sent_at >= 1672531200000 AND m.sent_at < 1688169600000",
        ),
        q(format!("{prefix}*"), format!("\"{prefix}\"*"), ""),
        q(
            "\"invoice approved\" app:email after:2024-01".into(),
            "\"invoice approved\"".into(),
            "AND m.app = 'email' AND m.sent_at >= 1704067200000",
        ),
    ]
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn build_fts(conn: &Connection, path: &Path) -> rusqlite::Result<Connection> {
    let fts = Connection::open(path)?;
    fts.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE m (id INTEGER PRIMARY KEY, conversation_id INTEGER, app TEXT, sent_at INTEGER, body TEXT);
         CREATE VIRTUAL TABLE fts USING fts5(body, content='m', content_rowid='id',
                                             tokenize='unicode61 remove_diacritics 2');",
    )?;
    let tx = fts.unchecked_transaction()?;
    {
        let mut ins = tx.prepare("INSERT INTO m VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut stmt = conn.prepare(
            "SELECT m.id, m.conversation_id, c.app, m.sent_at, m.body FROM messages m
             JOIN conversations c ON c.id = m.conversation_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            ins.execute(rusqlite::params![
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?
            ])?;
        }
        tx.execute_batch(
            "INSERT INTO fts(fts) VALUES ('rebuild');
             CREATE INDEX m_by_time ON m(conversation_id, sent_at, id);",
        )?;
    }
    tx.commit()?;
    Ok(fts)
}

/// Count, top 20 by rank, and a snippet of each: what Holdfast's search returns.
fn fts_query(fts: &Connection, q: &MixQuery) -> rusqlite::Result<usize> {
    let count: i64 = fts.query_row(
        &format!(
            "SELECT count(*) FROM fts JOIN m ON m.id = fts.rowid WHERE fts MATCH ?1 {}",
            q.fts_where
        ),
        [&q.fts_match],
        |r| r.get(0),
    )?;
    let mut stmt = fts.prepare_cached(&format!(
        "SELECT m.id, snippet(fts, 0, '[', ']', '…', 24) FROM fts JOIN m ON m.id = fts.rowid
         WHERE fts MATCH ?1 {} ORDER BY rank LIMIT 20",
        q.fts_where
    ))?;
    let hits = stmt
        .query_map([&q.fts_match], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .count();
    Ok(count as usize + hits)
}

/// The brute-force floor: every message's text, decrypted and lower-cased, held in memory,
/// scanned for the query's words (substrings; all of them, or any for an `OR` query); the
/// count, and the newest 20 matches. No index, no ranking, no snippets: the least a search
/// without an index must do.
struct LinearScan {
    /// (id, sent_at, lower-cased text)
    messages: Vec<(i64, i64, String)>,
}

impl LinearScan {
    fn load(conn: &Connection) -> LinearScan {
        let mut stmt = conn
            .prepare("SELECT id, sent_at, body FROM messages ORDER BY id")
            .expect("scan query");
        let messages = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?.to_lowercase()))
            })
            .expect("scan")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("scan rows");
        LinearScan { messages }
    }

    fn search(&self, query: &str) -> (usize, Vec<i64>) {
        let any = query.contains(" OR ");
        let words: Vec<String> = query
            .split_whitespace()
            .filter(|w| *w != "OR" && !w.starts_with('-') && !w.contains(':'))
            .map(|w| w.trim_matches(|c| c == '"' || c == '*').to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        let finders: Vec<memchr::memmem::Finder<'_>> = words
            .iter()
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
            .collect();
        let mut count = 0;
        let mut newest: Vec<(i64, i64)> = Vec::new();
        for (id, sent_at, text) in &self.messages {
            let hit = |f: &memchr::memmem::Finder<'_>| f.find(text.as_bytes()).is_some();
            let matched = if any {
                finders.iter().any(hit)
            } else {
                finders.iter().all(hit)
            };
            if matched {
                count += 1;
                newest.push((*sent_at, *id));
                if newest.len() > 200 {
                    newest.sort_unstable_by(|a, b| b.cmp(a));
                    newest.truncate(20);
                }
            }
        }
        newest.sort_unstable_by(|a, b| b.cmp(a));
        newest.truncate(20);
        (count, newest.into_iter().map(|(_, id)| id).collect())
    }
}

/// The plain-SQLite floor for showing a message in its conversation: the `context` messages
/// before it and after it by time, by keyset over an index, from an unencrypted table.
fn plain_context(fts: &Connection, id: i64, context: i64) -> rusqlite::Result<usize> {
    let (conv, at): (i64, i64) = fts.query_row(
        "SELECT conversation_id, sent_at FROM m WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut before = fts.prepare_cached(
        "SELECT id, body FROM m WHERE conversation_id = ?1 AND (sent_at, id) < (?2, ?3)
         ORDER BY sent_at DESC, id DESC LIMIT ?4",
    )?;
    let mut after = fts.prepare_cached(
        "SELECT id, body FROM m WHERE conversation_id = ?1 AND (sent_at, id) >= (?2, ?3)
         ORDER BY sent_at, id LIMIT ?4",
    )?;
    let read = |r: &rusqlite::Row<'_>| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?));
    let n = before
        .query_map(rusqlite::params![conv, at, id, context], read)?
        .count()
        + after
            .query_map(rusqlite::params![conv, at, id, context + 1], read)?
            .count();
    Ok(n)
}

fn time_ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

pub fn figures(messages: u64, seed: u64, repeat: usize, log: &dyn Fn(&str)) -> Vec<Figure> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut archive, _) = Archive::create(
        &tmp.path().join("archive"),
        "bench",
        KdfProfile::InsecureTest,
    )
    .expect("archive");
    let t = Instant::now();
    synth::fill_archive(archive.conn_mut(), messages, seed).expect("generate archive");
    log(&format!(
        "generated a {messages}-message archive in {:.1} s",
        t.elapsed().as_secs_f64()
    ));
    let conn = archive.conn();
    let text_bytes: i64 = conn
        .query_row(
            "SELECT sum(length(CAST(body AS BLOB))) FROM messages",
            [],
            |r| r.get(0),
        )
        .expect("text size");
    let n = messages as f64;

    // Index build: encrypted vs the same index unencrypted.
    let enc_path = tmp.path().join("enc");
    let plain_path = tmp.path().join("plain");
    std::fs::create_dir_all(&plain_path).expect("plain dir");
    let enc = SearchIndex::open_at(&enc_path, archive.data_key(), encdir::DEFAULT_CACHE_BYTES)
        .expect("index");
    let enc_s = time_ms(|| {
        enc.catch_up(conn, &mut |_, _| {}).expect("build");
    }) / 1000.0;
    let plain = SearchIndex::with_directory(
        Box::new(tantivy::directory::MmapDirectory::open(&plain_path).expect("mmap dir")),
        None,
        &plain_path,
    )
    .expect("plain index");
    let plain_s = time_ms(|| {
        plain.catch_up(conn, &mut |_, _| {}).expect("build");
    }) / 1000.0;
    let fts_path = tmp.path().join("fts.db");
    let t = Instant::now();
    let fts = build_fts(conn, &fts_path).expect("fts5");
    let fts_s = t.elapsed().as_secs_f64();
    let mut out = vec![
        figure(
            "index_build",
            n / enc_s,
            "messages/s",
            "same index, unencrypted tantivy",
            n / plain_s,
        ),
        figure(
            "index_build_vs_fts5",
            n / enc_s,
            "messages/s",
            "SQLite FTS5 over the same messages",
            n / fts_s,
        ),
        figure(
            "index_size_per_text_byte",
            dir_size(&enc_path) as f64 / text_bytes as f64,
            "bytes/byte",
            "unencrypted tantivy",
            dir_size(&plain_path) as f64 / text_bytes as f64,
        ),
    ];

    // Queries: the same mix on the three, interleaved, warm.
    let queries = mix(seed);
    let request = |q: &MixQuery, facets: bool| SearchRequest {
        query: q.holdfast.clone(),
        limit: Some(20),
        offset: None,
        sort: SortOrder::Relevance,
        facets: Some(facets),
        tz: Some("UTC".into()),
    };
    for q in &queries {
        // Warm-up, and a check that the three agree on there being results.
        let r = enc.search(conn, &request(q, false)).expect("search");
        let p = plain.search(conn, &request(q, false)).expect("search");
        assert_eq!(r.total, p.total, "{}", q.holdfast);
        fts_query(&fts, q).expect("fts5 query");
    }
    let (mut e, mut p, mut f, mut ef, mut pf) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..repeat.max(1) * 5 {
        for q in &queries {
            e.push(time_ms(|| {
                drop(enc.search(conn, &request(q, false)).expect("search"))
            }));
            p.push(time_ms(|| {
                drop(plain.search(conn, &request(q, false)).expect("search"))
            }));
            f.push(time_ms(|| {
                fts_query(&fts, q).expect("fts5");
            }));
            ef.push(time_ms(|| {
                drop(enc.search(conn, &request(q, true)).expect("search"))
            }));
            pf.push(time_ms(|| {
                drop(plain.search(conn, &request(q, true)).expect("search"))
            }));
        }
    }
    for (label, pct) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
        out.push(figure(
            &format!("search_{label}"),
            percentile(e.clone(), pct),
            "ms",
            "same index, unencrypted tantivy",
            percentile(p.clone(), pct),
        ));
        out.push(figure(
            &format!("search_{label}_vs_fts5"),
            percentile(e.clone(), pct),
            "ms",
            "SQLite FTS5 over the same messages",
            percentile(f.clone(), pct),
        ));
    }
    out.push(figure(
        "search_with_facets_p50",
        percentile(ef, 0.5),
        "ms",
        "same index, unencrypted tantivy",
        percentile(pf.clone(), 0.5),
    ));

    // The brute-force floor: the same queries as a linear scan over the decrypted text.
    let t = Instant::now();
    let scan = LinearScan::load(conn);
    log(&format!(
        "linear scan: {} messages decrypted and held in memory in {:.1} s",
        scan.messages.len(),
        t.elapsed().as_secs_f64()
    ));
    let mut ls = Vec::new();
    for _ in 0..repeat.max(1) {
        for q in &queries {
            ls.push(time_ms(|| drop(scan.search(&q.holdfast))));
        }
    }
    drop(scan);
    for (label, pct) in [("p50", 0.5), ("p99", 0.99)] {
        out.push(figure(
            &format!("search_{label}_vs_linear_scan"),
            percentile(e.clone(), pct),
            "ms",
            "a linear scan over the decrypted text in memory",
            percentile(ls.clone(), pct),
        ));
    }

    // Showing a hit in its conversation (what opening a search result does): 25 messages
    // either side of 200 messages picked at random.
    let mut rng = Rng::new(seed ^ 0xC0_47E7);
    let picks: Vec<(i64, i64)> = (0..200)
        .map(|_| {
            let id = 1 + rng.below(messages) as i64;
            let conv: i64 = conn
                .query_row(
                    "SELECT conversation_id FROM messages WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .expect("a generated message");
            (id, conv)
        })
        .collect();
    let (mut ctx, mut ctx_plain) = (Vec::new(), Vec::new());
    for _ in 0..repeat.max(1) {
        for (id, conv) in &picks {
            ctx.push(time_ms(|| {
                let view = holdfast::api::show(
                    &archive,
                    &conv.to_string(),
                    &holdfast::api::ShowOptions {
                        around: Some(id.to_string()),
                        context: Some(25),
                        ..Default::default()
                    },
                )
                .expect("context");
                assert!(view.messages.iter().any(|m| m.id == id.to_string()));
            }));
            ctx_plain.push(time_ms(|| {
                plain_context(&fts, *id, 25).expect("plain context");
            }));
        }
    }
    for (label, pct) in [("p50", 0.5), ("p99", 0.99)] {
        out.push(figure(
            &format!("context_fetch_{label}"),
            percentile(ctx.clone(), pct),
            "ms",
            "the same 51 messages by keyset from unencrypted SQLite",
            percentile(ctx_plain.clone(), pct),
        ));
    }
    log(&format!(
        "search cache holds {} MiB of decrypted index data",
        enc.cached_bytes() / (1 << 20)
    ));

    // Cold start to a searchable archive: the passphrase through the production Argon2id
    // profile, the database opened, the encrypted index opened, a first search with facets.
    // Baseline: the same open without the key derivation, over the unencrypted index.
    let first = request(&queries[0], true);
    drop(enc);
    drop(plain);
    drop(archive);
    let (keyfile, _, _) = holdfast::crypto::keyfile::KeyFile::create("bench", KdfProfile::Standard)
        .expect("key file");
    let archive_dir = tmp.path().join("archive");
    let mut cold = Vec::new();
    let mut cold_plain = Vec::new();
    for _ in 0..repeat.max(1) {
        cold.push(time_ms(|| {
            keyfile.unlock_with_passphrase("bench").expect("unlock");
            let a = Archive::open(&archive_dir, holdfast::archive::Unlock::Passphrase("bench"))
                .expect("open");
            let idx = SearchIndex::open_at(&enc_path, a.data_key(), encdir::DEFAULT_CACHE_BYTES)
                .expect("index");
            drop(idx.search(a.conn(), &first).expect("search"));
        }));
        cold_plain.push(time_ms(|| {
            let idx = SearchIndex::with_directory(
                Box::new(tantivy::directory::MmapDirectory::open(&plain_path).expect("mmap dir")),
                None,
                &plain_path,
            )
            .expect("plain index");
            let a = Archive::open(&archive_dir, holdfast::archive::Unlock::Passphrase("bench"))
                .expect("open");
            drop(idx.search(a.conn(), &first).expect("search"));
        }));
    }
    out.push(figure(
        "cold_start_to_first_search",
        percentile(cold, 0.5),
        "ms",
        "the same without key derivation, over the unencrypted index",
        percentile(cold_plain, 0.5),
    ));
    out
}
